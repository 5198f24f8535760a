/**
 * Message-signalled interrupts.
 *
 * <p>Models: an MSI as a 32-bit memory write of (address, data) into the interrupt address range
 * 0xFEEx_xxxx (Intel SDM Vol. 3A §11.11); an interrupt controller that decodes the vector from the
 * data and dispatches the handler registered for it, in event order, after a modeled latency. A
 * device's MSI and MSI-X capabilities (which message to send, masking, pending bits) belong to the
 * device's PCI function ({@code org.jdma.machine.pci}); this package only receives the write, and
 * depends on no other package of the machine but {@code time}. Does not model: legacy INTx,
 * interrupt remapping (VT-d IR), APIC priorities or multiple CPUs.
 *
 * <p>Invariant: every MSI a device sends is either dispatched to a handler or counted as spurious
 * or invalid; none is lost.
 */
package org.jdma.machine.irq;
