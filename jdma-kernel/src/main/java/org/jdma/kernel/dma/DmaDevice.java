package org.jdma.kernel.dma;

import java.util.Objects;
import org.jdma.spec.pci.RequesterId;

/**
 * A device as the mapping layer sees it (the DMA part of Linux {@code struct device}): its name
 * and requester id, its streaming and coherent DMA masks, its segment limits, and whether it is
 * trusted. Masks change only through {@link DmaApi#setMask}/{@link DmaApi#setCoherentMask}, which
 * refuse masks the platform cannot honour.
 *
 * <p>Thread use: configured before the driver starts DMA; read freely afterwards.
 */
public final class DmaDevice {

    /** Linux's default: 64 KiB segments ({@code dma_get_max_seg_size} without parameters). */
    public static final long DEFAULT_MAX_SEGMENT_SIZE = 64 * 1024;
    /** Linux's default: a 4 GiB boundary ({@code dma_get_seg_boundary} without parameters, 0xffffffff). */
    public static final long DEFAULT_SEGMENT_BOUNDARY = 0xFFFF_FFFFL;
    /** Linux's default mask for a PCI device before the driver sets one. */
    public static final DmaMask DEFAULT_MASK = DmaMask.BITS_32;

    private final String name;
    private final RequesterId requester;
    private final boolean untrusted;
    private volatile DmaMask dmaMask = DEFAULT_MASK;
    private volatile DmaMask coherentMask = DEFAULT_MASK;
    private volatile long maxSegmentSize = DEFAULT_MAX_SEGMENT_SIZE;
    private volatile long segmentBoundary = DEFAULT_SEGMENT_BOUNDARY;
    private volatile long minAlignMask;
    /**
     * The mapping layer's record of this device while attached (as Linux keeps a device's DMA ops
     * and IOMMU data in {@code struct device}): read on every map and unmap instead of a lookup.
     */
    private volatile DeviceState attached;

    /**
     * @param untrusted an external-facing device (Thunderbolt, Linux {@code pci_dev->untrusted}):
     *                  under an IOMMU every sub-page mapping is bounced so it cannot see the rest
     *                  of the page
     */
    public DmaDevice(String name, RequesterId requester, boolean untrusted) {
        this.name = Objects.requireNonNull(name, "name");
        this.requester = Objects.requireNonNull(requester, "requester");
        this.untrusted = untrusted;
    }

    public String name() { return name; }
    public RequesterId requester() { return requester; }
    public boolean untrusted() { return untrusted; }
    public DmaMask dmaMask() { return dmaMask; }
    public DmaMask coherentMask() { return coherentMask; }
    public long maxSegmentSize() { return maxSegmentSize; }
    public long segmentBoundary() { return segmentBoundary; }
    public long minAlignMask() { return minAlignMask; }

    DeviceState attached() { return attached; }
    void attached(DeviceState state) { this.attached = state; }

    /** Package-private: only the mapping layer changes masks, after checking them. */
    void dmaMask(DmaMask mask) { this.dmaMask = mask; }
    void coherentMask(DmaMask mask) { this.coherentMask = mask; }

    /** Linux {@code dma_set_max_seg_size}. */
    public void maxSegmentSize(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException(name + ": max segment size must be positive, was " + bytes);
        }
        this.maxSegmentSize = bytes;
    }

    /** Linux {@code dma_set_seg_boundary}: {@code mask} + 1 must be a power of two (or mask all ones). */
    public void segmentBoundary(long mask) {
        if (mask != -1L && Long.bitCount(mask + 1) != 1) {
            throw new IllegalArgumentException(String.format("%s: segment boundary mask %#x is not 2^n - 1", name, mask));
        }
        this.segmentBoundary = mask;
    }

    /**
     * Linux {@code dma_set_min_align_mask}: a bounce buffer keeps the original address's bits
     * under {@code mask} (NVMe sets 4 KiB - 1 because its PRPs carry the offset in the page).
     * 0 (the default) keeps none.
     */
    public void minAlignMask(long mask) {
        if (mask < 0 || Long.bitCount(mask + 1) != 1 || mask >= 64 * 1024) {
            throw new IllegalArgumentException(String.format("%s: min align mask %#x is not 2^n - 1 below 64 KiB", name, mask));
        }
        this.minAlignMask = mask;
    }

    @Override
    public String toString() {
        return name + " (" + requester + ")";
    }
}
