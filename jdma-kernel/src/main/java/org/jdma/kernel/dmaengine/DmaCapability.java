package org.jdma.kernel.dmaengine;

/**
 * One operation a DMA channel can do (Linux {@code enum dma_transaction_type}, one bit of a
 * {@code dma_cap_mask_t}). A channel advertises the set it offers ({@link DmaCapabilities}); a
 * client requests a channel by the set it needs.
 */
public enum DmaCapability {
    /** Copy between two device addresses (Linux {@code DMA_MEMCPY}): {@link DmaTransfer.Memcpy}. */
    MEMCPY,
    /** Fill with a pattern (Linux {@code DMA_MEMSET}; the copy engine's fill repeats 8 bytes): {@link DmaTransfer.Memset}. */
    MEMSET,
    /** Compare two buffers and report the first difference (DSA's COMPARE): {@link DmaTransfer.Compare}. */
    COMPARE,
    /** A transaction that moves nothing and only completes, with an interrupt (Linux {@code DMA_INTERRUPT}): {@link DmaTransfer.Interrupt}. */
    INTERRUPT
}
