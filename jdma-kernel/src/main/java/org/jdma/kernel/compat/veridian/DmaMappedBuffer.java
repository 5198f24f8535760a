package org.jdma.kernel.compat.veridian;

import org.jdma.kernel.dma.DmaDirection;

/**
 * VeridianOS's {@code DmaMappedBuffer}: a DMA buffer with the address the CPU uses, the address the
 * device uses, its size (whole pages), coherency and direction. Return it to
 * {@link VeridianIommu#freeDmaBuffer}.
 *
 * <p>Unlike VeridianOS, it also keeps the physical address: VeridianOS recovered the frames to free
 * from {@code dmaAddr}, which is only right under an identity mapping.
 *
 * @param virtAddr  kernel virtual address (the direct map)
 * @param dmaAddr   device address: the physical address under identity mapping, else an IOVA
 * @param physAddr  physical address of the first frame
 * @param size      bytes, a multiple of 4096
 */
public record DmaMappedBuffer(long virtAddr, long dmaAddr, long physAddr, long size, DmaCoherency coherency,
                              DmaDirection direction) {

    @Override
    public String toString() {
        return String.format("DmaMappedBuffer[virt %#x, dma %#x, phys %#x, %d bytes, %s, %s]",
                virtAddr, dmaAddr, physAddr, size, coherency, direction);
    }
}
