package org.jdma.kernel.iommu.iova;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A domain's IOVA space in bytes, with Linux's "32-bit addresses first for PCI devices" policy
 * ({@code iommu_dma_alloc_iova} in {@code drivers/iommu/dma-iommu.c}, 6.x).
 *
 * <p>For a PCI device whose DMA limit is above 4 GiB, an allocation first tries below 4 GiB
 * without flushing the IOVA caches (a cheap attempt allowed to fail). The first time that fails,
 * the device switches to its full limit for good and a one-time notice "Using N-bit DMA
 * addresses" names it. Why Linux does this: enough devices, firmware and board wirings still get
 * addresses above 32 bits wrong that the 64-bit space is used only when needed; a device that
 * breaks after the notice has a mask that claims more than it can do. Other devices (and PCI
 * devices with {@code pci32BitFirst = false}, Linux {@code iommu.forcedac=1}) use their full limit
 * at once.
 *
 * <p>Limits are clamped to the domain's aperture (the last IOVA its page tables can translate).
 * Sizes are whole granules; the caller rounds (Linux {@code iova_align}).
 */
public final class IovaSpace {

    /** Linux {@code DMA_BIT_MASK(32)}. */
    public static final long DMA_BIT_MASK_32 = 0xFFFF_FFFFL;

    private final IovaAllocator allocator;
    private final int shift;
    private final long apertureEnd;
    private final Consumer<String> notices;

    /**
     * @param allocator   the domain's allocator
     * @param apertureEnd the last IOVA (byte address) the domain translates, e.g. {@code 2^48 - 1}; below 2^63
     * @param notices     receives the one-time "Using N-bit DMA addresses" notices
     */
    public IovaSpace(IovaAllocator allocator, long apertureEnd, Consumer<String> notices) {
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.notices = Objects.requireNonNull(notices, "notices");
        if (apertureEnd < allocator.granule() * 2 - 1) { // also rejects a negative (unsigned huge) end
            throw new IllegalArgumentException("aperture end 0x" + Long.toHexString(apertureEnd)
                    + " leaves no IOVA above pfn 0");
        }
        this.shift = Long.numberOfTrailingZeros(allocator.granule());
        this.apertureEnd = apertureEnd;
    }

    public IovaAllocator allocator() {
        return allocator;
    }

    /**
     * The allocation state of one device attached to this space.
     *
     * @param name          names the device in notices
     * @param pci32BitFirst true for PCI devices (unless forced to use the full mask)
     */
    public Device device(String name, boolean pci32BitFirst) {
        return new Device(name, pci32BitFirst);
    }

    /** One device's view: its 32-bit-first state lives here (Linux {@code dev->iommu->pci_32bit_workaround}). */
    public final class Device {
        private final String name;
        /** True while 32-bit addresses are tried first; cleared once, with the notice. */
        private final AtomicBoolean pci32BitWorkaround;

        private Device(String name, boolean pci32BitFirst) {
            this.name = Objects.requireNonNull(name, "name");
            this.pci32BitWorkaround = new AtomicBoolean(pci32BitFirst);
        }

        /** Whether allocations still try below 4 GiB first. */
        public boolean tries32BitFirst() {
            return pci32BitWorkaround.get();
        }

        /**
         * Allocates {@code size} bytes of IOVA space whose last byte is at most {@code dmaLimit}
         * (the device's DMA mask), size-aligned as {@link IovaAllocator#allocate} says. Returns
         * the IOVA, or {@link IovaAllocator#NONE} when nothing fits even after flushing the caches.
         *
         * @throws IllegalArgumentException when {@code size} is not a positive multiple of the
         *         granule, or the limit leaves no room above IOVA 0
         */
        public long allocIova(long size, long dmaLimit) {
            long pages = pages(size);
            // Masks are unsigned (a 64-bit mask is -1L); the aperture is below 2^63.
            long limit = Long.compareUnsigned(dmaLimit, apertureEnd) < 0 ? dmaLimit : apertureEnd;
            if (limit < allocator.granule()) {
                throw new IllegalArgumentException("DMA limit 0x" + Long.toHexString(dmaLimit) + " of " + name
                        + " leaves no IOVA above pfn 0");
            }
            if (limit > DMA_BIT_MASK_32 && pci32BitWorkaround.get()) {
                long pfn = allocator.allocate(pages, DMA_BIT_MASK_32 >>> shift, false);
                if (pfn != IovaAllocator.NONE) {
                    return pfn << shift;
                }
                if (pci32BitWorkaround.compareAndSet(true, false)) {
                    notices.accept(name + ": Using " + (Long.SIZE - Long.numberOfLeadingZeros(limit))
                            + "-bit DMA addresses");
                }
            }
            long pfn = allocator.allocate(pages, limit >>> shift, true);
            return pfn == IovaAllocator.NONE ? IovaAllocator.NONE : pfn << shift;
        }

        /** Frees what {@link #allocIova} returned, with the same size. */
        public void freeIova(long iova, long size) {
            if ((iova & (allocator.granule() - 1)) != 0) {
                throw new IllegalArgumentException("free of IOVA 0x" + Long.toHexString(iova) + " by " + name
                        + ": not granule-aligned");
            }
            allocator.free(iova >>> shift, pages(size));
        }

        private long pages(long size) {
            if (size <= 0 || (size & (allocator.granule() - 1)) != 0) {
                throw new IllegalArgumentException("IOVA size " + size + " for " + name + ": not a positive multiple of "
                        + allocator.granule());
            }
            return size >>> shift;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
