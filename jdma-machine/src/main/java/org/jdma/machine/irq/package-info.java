/**
 * Message-signalled interrupts.
 *
 * <p>Models: an MSI as a 32-bit memory write of (address, data) into the interrupt address range
 * 0xFEEx_xxxx (Intel SDM Vol. 3A §11.11); an interrupt controller that decodes the vector from the
 * data and dispatches the handler registered for it, in event order, after a modeled latency; the
 * MSI-X table and pending-bit array a device exposes in its BAR (PCI Local Bus Spec 3.0 §6.8.2).
 * Does not model: legacy INTx, interrupt remapping (VT-d IR), APIC priorities or multiple CPUs.
 *
 * <p>Invariant: every MSI a device sends is either dispatched to a handler or counted as spurious
 * or invalid; none is lost.
 */
package org.jdma.machine.irq;
