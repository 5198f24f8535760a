package org.jdma.kernel.compat.dmaapi;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdma.kernel.dma.DmaDirection;

/**
 * A fixed-length array in coherent DMA memory that syncs each access (the {@code dma-api} crate's {@code DArray}):
 * {@link #set} writes one element then flushes exactly its bytes (TO_DEVICE, BIDIRECTIONAL);
 * {@link #read} invalidates exactly one element's bytes (FROM_DEVICE, BIDIRECTIONAL) then reads it.
 * Element i lives at {@code dmaAddr() + i * sizeof(T)}.
 *
 * <p>Not thread-safe. {@link #close()} gives the memory back (or to its {@link DArrayPool});
 * closing twice does nothing; any other use after close throws {@link IllegalStateException}.
 */
public final class DArray<T> implements Iterable<T>, AutoCloseable {

    private final CoherentRegion region;
    private final DmaType<T> type;
    private final int len;
    private final Consumer<CoherentRegion> release;
    private boolean closed;

    DArray(CoherentRegion region, DmaType<T> type, int len, Consumer<CoherentRegion> release) {
        this.region = region;
        this.type = type;
        this.len = len;
        this.release = release;
    }

    /** Device address of element 0: what the device is told. */
    public DmaAddr dmaAddr() {
        open();
        return region.handle.dmaAddr();
    }

    public int len() {
        return len;
    }

    public boolean isEmpty() {
        return len == 0;
    }

    /** {@code len() * sizeof(T)}. */
    public long bytesLen() {
        return len * type.byteSize();
    }

    public DmaDirection direction() {
        return region.direction;
    }

    public DmaType<T> type() {
        return type;
    }

    /** Element {@code index} after invalidating its bytes (by direction), or empty when out of range. */
    public Optional<T> read(int index) {
        open();
        if (index < 0 || index >= len) {
            return Optional.empty();
        }
        long size = type.byteSize();
        long offset = index * size;
        region.prepareRead(offset, size);
        return Optional.of(type.read(region.dma.ops().cpu(), region.cpuAddr() + offset));
    }

    /**
     * Writes element {@code index}, then flushes its bytes (by direction).
     *
     * @throws IndexOutOfBoundsException when index is outside [0, len)
     */
    public void set(int index, T value) {
        open();
        Objects.checkIndex(index, len);
        Objects.requireNonNull(value, "value");
        long size = type.byteSize();
        long offset = index * size;
        type.write(region.dma.ops().cpu(), region.cpuAddr() + offset, value);
        region.confirmWrite(offset, size);
    }

    /**
     * Writes {@code src} into elements [0, src.size()), then flushes that range once (the crate
     * flushed the whole array).
     *
     * @throws IllegalArgumentException when src has more elements than the array
     */
    public void copyFromSlice(List<? extends T> src) {
        open();
        if (src.size() > len) {
            throw new IllegalArgumentException("source of " + src.size() + " elements does not fit a DArray of " + len);
        }
        long size = type.byteSize();
        long base = region.cpuAddr();
        for (int i = 0; i < src.size(); i++) {
            type.write(region.dma.ops().cpu(), base + i * size, Objects.requireNonNull(src.get(i), "src element"));
        }
        if (!src.isEmpty()) {
            region.confirmWrite(0, src.size() * size);
        }
    }

    /** Invalidates the whole array (by direction): before reading many elements without per-element syncs. */
    public void prepareReadAll() {
        open();
        region.prepareRead(0, bytesLen());
    }

    /** Flushes the whole array (by direction). */
    public void confirmWriteAll() {
        open();
        region.confirmWrite(0, bytesLen());
    }

    /** Reads every element in order, each with its own sync, as {@link #read} does. */
    @Override
    public Iterator<T> iterator() {
        open();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < len;
            }

            @Override
            public T next() {
                if (next >= len) {
                    throw new NoSuchElementException("DArray of " + len + " elements has no element " + next);
                }
                return read(next++).orElseThrow();
            }
        };
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        release.accept(region);
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("DArray<" + type + "> of " + len + " elements at DMA "
                    + region.handle.dmaAddr() + " was closed; its memory is no longer this array's");
        }
    }

    @Override
    public String toString() {
        return "DArray<" + type + ">[len=" + len + ", dma=" + region.handle.dmaAddr() + ", " + region.direction
                + (closed ? ", closed" : "") + "]";
    }
}
