/**
 * {@code jdma run attack}: a rogue bus master against the kernel's IOMMU.
 *
 * <p>Models: the DMA attacks an IOMMU exists to stop (read and write kernel memory, a peer
 * device's buffers, an IOVA after its unmap, the remapping tables themselves, another device's
 * RMRR, the interrupt window), each run on a freshly booted default machine with one
 * {@link org.jdma.machine.dev.rogue.RogueDevice} and the IOMMU off, strict or lazy. The outcome
 * of each attack is judged twice: by the device (its DMA result) and by the kernel (the fault
 * record its VT-d driver read from the unit), and the two must agree. Does not model: interrupt
 * remapping (so an MSI-window write is never blocked, and the report says why), ATS, or attacks on
 * the CPU side.
 *
 * <p>Invariant: an attack reports "blocked" only when the device got a fault and memory shows no
 * effect (a read brought nothing back; the bytes a write aimed at are unchanged, checked by the CPU).
 * Every attack is attempted in every mode: no outcome is reported without the DMA that produced it.
 */
package org.jdma.cli.attack;
