/**
 * {@code jdma run soak}: one machine with every device busy at once (copy engines on several
 * CPUs, two 82599 ports forwarding the generator's frames, NVMe random I/O, the ISA block device),
 * with IOMMU faults injected, driver resets and map/unmap churn through the DMA API under the
 * checker; at the end every byte, frame, mapping, IOVA and frame of memory is accounted for.
 *
 * <p>Each device's work is one class ({@link CopyWork}, {@link NicWork}, {@link NvmeWork},
 * {@link IsaWork}, {@link ChurnWork}) that drives the kernel's own driver and verifies what it
 * moved; {@link Soak} runs them in one loop and {@link SoakReport} holds the figures and the
 * checks. Invariant: every check compares a count the soak kept against one the kernel or the
 * machine kept, so a loss anywhere shows as a difference. {@link Sabotage} is the test hook that
 * makes each check fail on purpose.
 */
package org.jdma.cli.soak;
