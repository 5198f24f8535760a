/**
 * The interrupt controller: message-signalled interrupts and legacy interrupt lines.
 *
 * <p>Models: an MSI as a 32-bit memory write of (address, data) into the interrupt address range
 * 0xFEEx_xxxx (Intel SDM Vol. 3A §11.11); 24 legacy lines as the inputs of an I/O APIC (82093AA
 * datasheet §3.2.4: vector, edge or level trigger, mask, Remote IRR), which devices assert and
 * deassert and the OS routes to vectors; an interrupt controller that decodes the vector and
 * dispatches the handler registered for it, in event order, after a modeled latency, as the CPU
 * the message names (physical destination mode: the destination field is a local APIC id; a
 * legacy line goes to the CPU its entry names, the boot CPU unless routed elsewhere), and ends a
 * line's interrupt when its handler returns. Counters are kept per CPU and vector. A device's MSI
 * and MSI-X capabilities (which message to send, masking, pending bits) belong to the device's
 * PCI function ({@code org.jdma.machine.pci}); this package only receives the write, and depends
 * on no other package of the machine but {@code time} (the CPUs are an
 * {@link org.jdma.machine.irq.InterruptTargets}).
 * Does not model: the 8259A PIC, PCI INTx routing (PIRQ), line polarity, interrupt remapping
 * (VT-d IR), APIC priorities, logical destinations and lowest-priority delivery (counted invalid),
 * broadcast, inter-processor interrupts.
 *
 * <p>Invariant: every MSI a device sends and every signal on a legacy line is either dispatched
 * to a handler or counted (spurious, invalid, masked, coalesced); none is lost silently.
 */
package org.jdma.machine.irq;
