package org.jdma.kernel.engine;

import org.jdma.kernel.mm.FrameAllocator;

import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaError;
/**
 * How a buffer gets an address a device can use. Without an IOMMU ({@link #physical()}) the device
 * address is the physical address and there is nothing to unmap; an IOMMU implementation allocates
 * an IOVA, programs the translation, and undoes both in {@link #unmap}.
 */
public interface DeviceAddressing {

    /**
     * A device address for all of {@code buffer}, aligned to {@code align} (0 = one frame).
     *
     * @throws DmaException MAPPING_FAILED when no address can be made, MISALIGNED when the
     *         resulting address cannot have that alignment
     * @throws IllegalArgumentException when align is neither 0 nor a power of two
     */
    long map(DmaBuffer buffer, long align);

    /** Undoes the {@link #map} that returned {@code deviceAddress}; false when there was none. */
    boolean unmap(long deviceAddress);

    /** Whether device addresses differ from physical ones (an IOMMU translates). */
    boolean translates();

    /**
     * Whether this addressing is live. An IOMMU that is present but not enabled passes DMA through
     * untranslated, so the engine then uses {@link #physical()} and never maps into it (seed 000
     * mapped into a controller whose {@code init()} had failed).
     */
    default boolean isEnabled() {
        return true;
    }

    /** Physical addressing: no IOMMU; a device address is the physical address. */
    static DeviceAddressing physical() {
        return Physical.INSTANCE;
    }

    /** Checks an alignment argument and turns 0 into one frame (seed 000: {@code align == 0} means 4096). */
    static long effectiveAlignment(long align) {
        if (align == 0) {
            return FrameAllocator.FRAME_SIZE;
        }
        if (align < 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("alignment must be 0 or a power of two, was " + align);
        }
        return align;
    }

    /** See {@link #physical()}. */
    final class Physical implements DeviceAddressing {
        static final Physical INSTANCE = new Physical();

        private Physical() { }

        @Override
        public long map(DmaBuffer buffer, long align) {
            long a = effectiveAlignment(align);
            if (buffer.isFreed()) {
                throw new IllegalStateException("cannot map a freed buffer: " + buffer);
            }
            if (buffer.physicalAddress() % a != 0) {
                throw new DmaException(new DmaError.AlignMismatch(a, buffer.physicalAddress()));
            }
            return buffer.physicalAddress();
        }

        @Override
        public boolean unmap(long deviceAddress) {
            return false;
        }

        @Override
        public boolean translates() {
            return false;
        }
    }
}
