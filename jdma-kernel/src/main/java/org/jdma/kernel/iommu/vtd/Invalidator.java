package org.jdma.kernel.iommu.vtd;

/**
 * How the driver asks one unit to invalidate its caches (VT-d §6.5): through the registers
 * ({@link RegisterInvalidator}) or the invalidation queue ({@link QueuedInvalidator}). Either way
 * the call returns when the unit reports the invalidation done; granularities are the register
 * encodings of {@link org.jdma.spec.vtd.VtdRegisterLayout} (CC_* and IOTLB_*), which the
 * descriptors share.
 */
interface Invalidator {

    /** Context-cache invalidation (§6.5.1.1, §6.5.2.1) at {@code granularity}. */
    void context(int granularity, int domainId, int sourceId);

    /**
     * IOTLB invalidation (§6.5.1.2, §6.5.2.3) at {@code granularity}; page-selective requests cover
     * the naturally aligned 2^{@code mask} pages at {@code address}.
     */
    void iotlb(int granularity, int domainId, long address, int mask);
}
