package org.jdma.test;

import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.iommu.IommuMode;

/**
 * The machine a {@link DmaTest} runs on, as the test's world reports it (read back from the
 * machine and the kernel, not copied from the annotation), so a test can branch on it or print it.
 *
 * @param coherent     true when DMA snoops the CPU cache (x86-like); false for an arm64-like
 *                     write-back cache that DMA bypasses
 * @param iommu        how the kernel runs the VT-d unit in front of the device
 * @param lineSize     the CPU cache line size in bytes
 * @param cpus         the CPUs the machine has ({@link DmaTest#cpus()}, 4 unless asked otherwise)
 * @param mask         the device's streaming DMA mask
 * @param coherentMask the device's coherent DMA mask
 * @param ramBytes     RAM in bytes, below and above 4 GiB together
 * @param seed         the seed of the machine's random source
 */
public record DmaTestMachine(boolean coherent, IommuMode iommu, int lineSize, int cpus, DmaMask mask, DmaMask coherentMask,
                             long ramBytes, long seed) {

    @Override
    public String toString() {
        return String.format("%s, IOMMU %s, %d-byte lines, %d CPU%s, mask %d bits (coherent %d), RAM %d MiB, seed %d",
                coherent ? "coherent" : "non-coherent", iommu, lineSize, cpus, cpus == 1 ? "" : "s", mask.bitCount(), coherentMask.bitCount(),
                ramBytes >> 20, seed);
    }
}
