package org.jdma.kernel.compat.dmaapi;

import java.util.Objects;
import java.util.OptionalLong;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.dma.DmaMask;

/**
 * A device's view of DMA (the {@code dma-api} crate's {@code DmaContainers}): its DMA mask, the {@link DmaOp} platform
 * under it, and the typed containers it hands out. Immutable and thread-safe; the containers are
 * not (one thread at a time, as Rust's {@code &mut}).
 *
 * <p>Every allocation or mapping the platform returns is checked before a container gets it:
 * [addr, addr + size - 1] must lie inside [0, mask] (a range that wraps past 2^64 does not), the
 * device address must be aligned, and, where set, the size must not exceed the maximum segment
 * size and the range must not cross the segment boundary. A failed check gives the memory or
 * mapping back to the platform first, then throws (nothing leaks).
 *
 * <pre>{@code
 * DmaContainers dev = new DmaContainers(DmaMask.of(0xFFFF_FFFFL), ops);
 * try (DArray<Integer> rx = dev.arrayZeroWithAlign(DmaType.INT, 100, 64, DmaDirection.FROM_DEVICE)) {
 *     nic.setRxAddress(rx.dmaAddr().asLong());
 *     // ... the device writes ...
 *     int first = rx.read(0).orElseThrow();   // invalidates that element first
 * }
 * }</pre>
 */
public final class DmaContainers {

    private final DmaMask dmaMask;
    private final DmaOp ops;
    private final OptionalLong maxSegmentSize;
    private final OptionalLong segmentBoundary;

    /**
     * @param dmaMask highest device address the device can drive (any 64-bit value, unsigned:
     *                {@code 0xFFFF_FFFFL} for 32-bit devices, {@code -1L} for 64-bit ones)
     */
    public DmaContainers(DmaMask dmaMask, DmaOp ops) {
        this(dmaMask, ops, OptionalLong.empty(), OptionalLong.empty());
    }

    private DmaContainers(DmaMask dmaMask, DmaOp ops, OptionalLong maxSegmentSize, OptionalLong segmentBoundary) {
        this.dmaMask = Objects.requireNonNull(dmaMask, "dmaMask");
        this.ops = Objects.requireNonNull(ops, "ops");
        this.maxSegmentSize = maxSegmentSize;
        this.segmentBoundary = segmentBoundary;
    }

    /** The same device, refusing buffers larger than {@code bytes} ({@link DmaError.SegmentTooLarge}). */
    public DmaContainers withMaxSegmentSize(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("maximum segment size must be positive, was " + bytes);
        }
        return new DmaContainers(dmaMask, ops, OptionalLong.of(bytes), segmentBoundary);
    }

    /**
     * The same device, refusing buffers that cross a multiple of {@code boundary} bytes
     * ({@link DmaError.BoundaryCross}); {@code boundary} is a power of two.
     */
    public DmaContainers withSegmentBoundary(long boundary) {
        if (boundary <= 0 || Long.bitCount(boundary) != 1) {
            throw new IllegalArgumentException("segment boundary must be a power of two, was " + boundary);
        }
        return new DmaContainers(dmaMask, ops, maxSegmentSize, OptionalLong.of(boundary));
    }

    public DmaMask dmaMask() {
        return dmaMask;
    }

    public int pageSize() {
        return ops.pageSize();
    }

    public DmaOp ops() {
        return ops;
    }

    public void flush(long addr, long size) {
        ops.flush(addr, size);
    }

    public void invalidate(long addr, long size) {
        ops.invalidate(addr, size);
    }

    public void flushInvalidate(long addr, long size) {
        ops.flushInvalidate(addr, size);
    }

    // ---- containers ------------------------------------------------------------------------

    /** {@code len} zeroed elements aligned to the element's natural alignment. */
    public <T> DArray<T> arrayZero(DmaType<T> type, int len, DmaDirection direction) throws DmaException {
        return arrayZeroWithAlign(type, len, Objects.requireNonNull(type, "type").alignment(), direction);
    }

    /**
     * {@code len} zeroed elements, the first at a device address aligned to the larger of
     * {@code align} and the element's natural alignment.
     *
     * @throws DmaException LayoutError (negative length, alignment not a power of two, size
     *         overflow), NoMemory, DmaMaskNotMatch, AlignMismatch, SegmentTooLarge, BoundaryCross
     */
    public <T> DArray<T> arrayZeroWithAlign(DmaType<T> type, int len, long align, DmaDirection direction) throws DmaException {
        Objects.requireNonNull(type, "type");
        DmaLayout layout = DmaLayout.array(type, len, align);
        return new DArray<>(CoherentRegion.zeroed(this, layout, direction), type, len, CoherentRegion::free);
    }

    /** One zeroed element aligned to its natural alignment. */
    public <T> DBox<T> boxZero(DmaType<T> type, DmaDirection direction) throws DmaException {
        return boxZeroWithAlign(type, Objects.requireNonNull(type, "type").alignment(), direction);
    }

    /** One zeroed element aligned to the larger of {@code align} and its natural alignment. */
    public <T> DBox<T> boxZeroWithAlign(DmaType<T> type, long align, DmaDirection direction) throws DmaException {
        Objects.requireNonNull(type, "type");
        DmaLayout layout = DmaLayout.array(type, 1, align);
        return new DBox<>(CoherentRegion.zeroed(this, layout, direction), type);
    }

    /**
     * Maps an existing kernel buffer, read as {@code buff.length() / sizeof(T)} elements, for the
     * device (Linux {@code dma_map_single}). No cache maintenance happens here or on close: call
     * {@link SArrayPtr#confirmWriteAll()} before the device reads and
     * {@link SArrayPtr#prepareReadAll()} after it wrote.
     *
     * @throws DmaException NullPointer (no buffer), ZeroSizedBuffer (length 0), LayoutError
     *         (length not a whole number of elements, bad alignment), NoMemory (no mapping or
     *         bounce space), DmaMaskNotMatch, AlignMismatch, SegmentTooLarge, BoundaryCross
     * @throws IllegalStateException when the buffer was already freed
     */
    public <T> SArrayPtr<T> mapSingleArray(DmaType<T> type, DmaBuffer buff, long align, DmaDirection direction) throws DmaException {
        Objects.requireNonNull(type, "type");
        DmaDirection.requireMappable(direction);
        if (buff == null) {
            throw new DmaException(new DmaError.NullPointer());
        }
        if (buff.length() % type.byteSize() != 0) {
            throw new DmaException(new DmaError.LayoutError(
                    "buffer of " + buff.length() + " bytes is not a whole number of " + type + " elements of " + type.byteSize() + " bytes"));
        }
        long count = buff.length() / type.byteSize();
        if (count > Integer.MAX_VALUE) {
            throw new DmaException(new DmaError.LayoutError(count + " elements do not fit an int index"));
        }
        return mapSingleArray(type, buff, 0, (int) count, align, direction);
    }

    /**
     * Maps {@code count} elements of an existing kernel buffer starting {@code offset} bytes in
     * (Rust: mapping a sub-slice {@code &buf[a..b]}). As {@link #mapSingleArray(DmaType, DmaBuffer,
     * long, DmaDirection)} otherwise.
     *
     * @throws IndexOutOfBoundsException when [offset, offset + count * sizeof(T)) is not inside the buffer
     */
    public <T> SArrayPtr<T> mapSingleArray(DmaType<T> type, DmaBuffer buff, long offset, int count, long align, DmaDirection direction)
            throws DmaException {
        Objects.requireNonNull(type, "type");
        DmaDirection.requireMappable(direction);
        if (buff == null) {
            throw new DmaException(new DmaError.NullPointer());
        }
        if (buff.isFreed()) {
            throw new IllegalStateException("cannot map " + buff + ": it was freed");
        }
        if (count == 0 || buff.length() == 0) {
            throw new DmaException(new DmaError.ZeroSizedBuffer());
        }
        DmaLayout layout = DmaLayout.array(type, count, align);
        Objects.checkFromIndexSize(offset, layout.size(), buff.length());
        DmaHandle.Mapped handle = ops.mapSingle(dmaMask, buff.physicalAddress() + offset, layout.size(), layout.align(), direction);
        try {
            check(handle.dmaAddr(), layout);
        } catch (DmaException e) {
            ops.unmapSingle(handle);
            throw e;
        }
        return new SArrayPtr<>(this, handle, type, (int) count);
    }

    /**
     * A pool of {@code cap} pre-allocated arrays of {@code len} elements (the {@code dma-api} crate's (0.7.1)
     * {@code new_pool}); see {@link DArrayPool}.
     */
    public <T> DArrayPool<T> newPool(DmaType<T> type, int len, long align, DmaDirection direction, int cap) throws DmaException {
        return new DArrayPool<>(this, type, len, align, direction, cap);
    }

    // ---- checks (the {@code dma-api} crate's check_handle, plus the 0.8 constraints) -------------------------

    /** Coherent memory for {@code layout}, checked; given back to the platform when a check fails. */
    DmaHandle.Coherent allocCoherent(DmaLayout layout) throws DmaException {
        DmaHandle.Coherent handle = ops.allocCoherent(dmaMask, layout)
                .orElseThrow(() -> new DmaException(new DmaError.NoMemory(layout.size() + " bytes aligned to " + layout.align())));
        try {
            check(handle.dmaAddr(), layout);
        } catch (DmaException e) {
            ops.deallocCoherent(handle);
            throw e;
        }
        return handle;
    }

    private void check(DmaAddr addr, DmaLayout layout) throws DmaException {
        long a = addr.asLong();
        long size = layout.size();
        if (!dmaMask.covers(a, size)) {
            throw new DmaException(new DmaError.DmaMaskNotMatch(a, dmaMask));
        }
        if ((a & (layout.align() - 1)) != 0) {
            throw new DmaException(new DmaError.AlignMismatch(layout.align(), a));
        }
        if (maxSegmentSize.isPresent() && size > maxSegmentSize.getAsLong()) {
            throw new DmaException(new DmaError.SegmentTooLarge(size, maxSegmentSize.getAsLong()));
        }
        if (segmentBoundary.isPresent() && size > 0) {
            long boundary = segmentBoundary.getAsLong();
            long last = a + (size - 1); // no wrap: the mask check passed
            if (((a ^ last) & -boundary) != 0) {
                throw new DmaException(new DmaError.BoundaryCross(a, size, boundary));
            }
        }
    }

    @Override
    public String toString() {
        return String.format("DmaContainers[mask=%s, ops=%s]", dmaMask, ops);
    }
}
