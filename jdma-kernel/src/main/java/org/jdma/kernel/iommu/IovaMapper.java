package org.jdma.kernel.iommu;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The one place where memory becomes reachable through an IOMMU domain: allocate IOVA space, map
 * into it, and when the mapping fails give back everything the call took. Linux writes this
 * sequence in {@code __iommu_dma_map} and {@code iommu_dma_map_sg}
 * ({@code drivers/iommu/dma-iommu.c}: {@code iommu_dma_alloc_iova}, {@code iommu_map}, and on error
 * {@code iommu_dma_free_iova}); here the DMA API's IOMMU backend and the compatibility facades both
 * call it.
 *
 * <p>A {@link Mapping} may make several {@code map} calls at offsets of the range (a scatterlist's
 * segments); a failure in any of them unmaps the parts already mapped and frees the whole range.
 *
 * <p>Invariant: when a method returns normally the range is allocated and mapped as the mapping
 * said; when it returns empty nothing was allocated; when it throws nothing stays allocated.
 */
public final class IovaMapper {

    private IovaMapper() { }

    /** What to map into a freshly allocated IOVA range, given its start. */
    @FunctionalInterface
    public interface Mapping {
        void mapAt(long iova);
    }

    /**
     * Allocates {@code allocation} bytes (a granule multiple) of IOVA space ending at or below
     * {@code limit}, runs {@code mapping} at its start and returns that start.
     *
     * @return empty, with nothing allocated, when the domain has no such space left (a retry after
     *         unmaps can succeed)
     * @throws RuntimeException what the domain or the mapping threw (a limit below the domain's
     *         first usable IOVA, an overlap, a domain that does not translate); nothing stays
     *         allocated or mapped
     */
    public static OptionalLong allocateAndMap(IommuDomain domain, long allocation, long limit, Mapping mapping) {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(mapping, "mapping");
        long iova = domain.tryAllocIova(allocation, limit);
        if (iova == IommuDomain.NO_IOVA) {
            return OptionalLong.empty();
        }
        mapOrRelease(domain, iova, allocation, mapping);
        return OptionalLong.of(iova);
    }

    /**
     * One physically contiguous range: [physical, physical + length) mapped with
     * {@code permission} at the start of a fresh allocation of {@code allocation} bytes (at least
     * {@code length}; more when the caller wants the IOVA aligned beyond a granule).
     */
    public static OptionalLong map(IommuDomain domain, long physical, long length, long allocation, long limit,
                                   IoPermission permission) {
        Objects.requireNonNull(permission, "permission");
        if (Long.compareUnsigned(length, allocation) > 0) {
            throw new IllegalArgumentException(String.format("mapping of %#x bytes does not fit an allocation of %#x", length, allocation));
        }
        return allocateAndMap(domain, allocation, limit, iova -> domain.map(iova, physical, length, permission));
    }

    /**
     * For IOVA space the caller allocated itself (inside a fixed window, say): runs {@code mapping}
     * at {@code iova}; when it throws, unmaps and frees [iova, iova + allocation) and rethrows.
     */
    public static void mapOrRelease(IommuDomain domain, long iova, long allocation, Mapping mapping) {
        try {
            mapping.mapAt(iova);
        } catch (RuntimeException e) {
            try {
                domain.unmapAndFree(iova, allocation);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
