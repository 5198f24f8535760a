package org.jdma.kernel.iommu;

import java.util.OptionalLong;
import org.jdma.spec.pci.RequesterId;

/**
 * A set of translations devices can be attached to (Linux {@code struct iommu_domain}), with the
 * IOVA space that belongs to it (Linux keeps that in the dma-iommu cookie). The mapping layer's
 * IOMMU backend uses only this interface: IOVA allocation, map, unmap, translate. The generic IOMMU
 * layer ({@link IommuSubsystem}) uses the rest: attach and detach devices, identity-map the
 * ranges firmware reserves, and run a lazy domain's flush timer.
 *
 * <p>Invariants: an IOVA is mapped at most once; {@link #unmapAndFree} leaves no translation the hardware
 * can use once it returns in strict mode, and in lazy mode before the IOVA can be handed out again.
 */
public interface IommuDomain {

    enum Type {
        /** Translated; every unmap is invalidated before the IOVA is reused (Linux IOMMU_DOMAIN_DMA). */
        DMA_STRICT,
        /** Translated; unmaps are invalidated in batches by a flush queue (Linux IOMMU_DOMAIN_DMA_FQ). */
        DMA_LAZY,
        /** Device addresses are physical (pass-through, or 1:1 tables). */
        IDENTITY,
        /** Every DMA faults. */
        BLOCKED
    }

    Type type();

    /** The domain id programmed into context entries. */
    int id();

    /** Smallest mapping unit in bytes (4096). */
    long granule();

    /**
     * Allocates {@code size} bytes (a granule multiple) of IOVA space whose last byte is at most
     * {@code limit} (the device's DMA mask), size-aligned when size is a power of two, as Linux's
     * allocator does. Returns empty when the space is exhausted (after flushing cached IOVAs).
     */
    OptionalLong allocIova(long size, long limit);

    /** What {@link #tryAllocIova} returns when no IOVA space is left (never a granule-aligned address). */
    long NO_IOVA = -1L;

    /**
     * {@link #allocIova} for a hot path, as Linux's {@code iommu_dma_alloc_iova} returns a plain
     * address: the IOVA, or {@link #NO_IOVA} when the space is exhausted.
     */
    default long tryAllocIova(long size, long limit) {
        return allocIova(size, limit).orElse(NO_IOVA);
    }

    /**
     * Maps [iova, iova + size) to [physical, physical + size) with {@code permission}; all three
     * granule-aligned. Uses superpages where alignment allows.
     *
     * @throws IllegalArgumentException when unaligned, beyond the domain's address width, or
     *         overlapping a live mapping (naming the IOVA)
     * @throws IllegalStateException for IDENTITY and BLOCKED domains
     */
    void map(long iova, long physical, long size, IoPermission permission);

    /**
     * Removes the translations of [iova, iova + size) and returns the IOVA range to the allocator:
     * strict domains invalidate the IOTLB first; lazy domains queue the range until a flush.
     */
    void unmapAndFree(long iova, long size);

    /** The physical address the kernel intends {@code iova} to reach (a walk of its own tables), or empty. */
    OptionalLong translate(long iova);

    /** Points {@code device}'s translation at this domain (Linux {@code attach_dev}). */
    void attach(RequesterId device);

    /** Stops translating {@code device} through this domain. Returns false when it was not attached here. */
    boolean detach(RequesterId device);

    /**
     * Maps [base, base + size) 1:1, read/write, and keeps the range out of the domain's IOVA space
     * (Linux {@code iommu_create_device_direct_mappings} with {@code reserve_iova}); nothing to do
     * for domains that translate nothing or everything 1:1 already. Done before translation is on.
     */
    void reserveAndMapIdentity(long base, long size);

    /**
     * Frees a domain no device is attached to any more (Linux {@code iommu_domain_free}): pending
     * lazy unmaps are flushed, then its tables, IOVA space and domain id are released. The domain
     * is unusable afterwards. The generic layer frees only domains it made for one device
     * ({@link IommuSubsystem#replaceDefaultDomain}), never a driver's shared identity domain.
     *
     * @throws IllegalStateException when a device is still attached (naming it)
     */
    void free();

    /** The flush queue of a DMA_LAZY domain (Linux's {@code iova_fq}); null for other types. */
    default FlushQueue flushQueue() {
        return null;
    }

    /** Fires a DMA_LAZY domain's flush timer if it is due. Returns whether it flushed. */
    default boolean runTimer() {
        return false;
    }
}
