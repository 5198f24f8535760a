package org.jdma.kernel.drivers.memcpy;

/**
 * Where a failed CHAIN stopped, from its completion record's jdma fields
 * ({@link org.jdma.spec.memcpy.CompletionRecordLayout#CHAIN_LINK_BYTES},
 * {@link org.jdma.spec.memcpy.CompletionRecordLayout#CHAIN_LINK_ADDR}). The record's
 * descriptors-completed field ({@link CompletedDescriptor#bytesCompleted()}) says how many links
 * completed, which is also the failed link's index.
 *
 * @param linkBytesCompleted bytes the failed link completed before it failed (to resume a faulted copy from)
 * @param failedLinkAddress  device address of the failed link (or, for DESC_CNT_ERANGE, of the one
 *                           the engine would have fetched next); 0 when no link failed
 */
public record ChainProgress(long linkBytesCompleted, long failedLinkAddress) {

    /** No link failed (and every completion of something else than a chain). */
    public static final ChainProgress NONE = new ChainProgress(0, 0);
}
