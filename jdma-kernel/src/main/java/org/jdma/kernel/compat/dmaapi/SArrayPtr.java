package org.jdma.kernel.compat.dmaapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdma.kernel.dma.DmaDirection;

/**
 * An existing kernel buffer mapped for a device as an array of {@code T} (the {@code dma-api} crate's
 * {@code SArrayPtr}, Linux {@code dma_map_single}). The CPU works on the original buffer; the
 * device on {@link #dmaAddr()}, which may be a bounce copy. Ownership moves by explicit calls:
 * {@link #confirmWriteAll()} before the device reads, {@link #prepareReadAll()} after it wrote.
 * The bulk accessors sync themselves ({@link #toVec()} invalidates first, {@link #copyFromSlice}
 * flushes after), and so do {@link #read}/{@link #set} for their one element, as the crate's code
 * does (its README says they do not).
 *
 * <p>{@link #close()} unmaps without any sync (Linux semantics: a driver that wants the data back
 * syncs first). Not thread-safe. Closing twice does nothing; any other use after close throws
 * {@link IllegalStateException}.
 */
public final class SArrayPtr<T> implements AutoCloseable {

    private final DmaContainers dma;
    private final DmaHandle.Mapped handle;
    private final DmaType<T> type;
    private final int len;
    private boolean closed;

    SArrayPtr(DmaContainers dma, DmaHandle.Mapped handle, DmaType<T> type, int len) {
        this.dma = dma;
        this.handle = handle;
        this.type = type;
        this.len = len;
    }

    public DmaAddr dmaAddr() {
        open();
        return handle.dmaAddr();
    }

    public int len() {
        return len;
    }

    public boolean isEmpty() {
        return len == 0;
    }

    public DmaDirection direction() {
        return handle.direction();
    }

    /** Element {@code index} of the original after syncing its bytes for the CPU; empty when out of range. */
    public Optional<T> read(int index) {
        open();
        if (index < 0 || index >= len) {
            return Optional.empty();
        }
        long size = type.byteSize();
        dma.ops().prepareRead(handle, index * size, size, handle.direction());
        return Optional.of(type.read(dma.ops().cpu(), handle.cpuAddr() + index * size));
    }

    /**
     * Writes element {@code index} of the original, then syncs its bytes for the device.
     *
     * @throws IndexOutOfBoundsException when index is outside [0, len)
     */
    public void set(int index, T value) {
        open();
        Objects.checkIndex(index, len);
        Objects.requireNonNull(value, "value");
        long size = type.byteSize();
        type.write(dma.ops().cpu(), handle.cpuAddr() + index * size, value);
        dma.ops().confirmWrite(handle, index * size, size, handle.direction());
    }

    /**
     * Writes {@code src} into elements [0, src.size()) of the original, then syncs that range for
     * the device.
     *
     * @throws IllegalArgumentException when src has more elements than the mapping
     */
    public void copyFromSlice(List<? extends T> src) {
        open();
        if (src.size() > len) {
            throw new IllegalArgumentException("source of " + src.size() + " elements does not fit a mapping of " + len);
        }
        long size = type.byteSize();
        for (int i = 0; i < src.size(); i++) {
            type.write(dma.ops().cpu(), handle.cpuAddr() + i * size, Objects.requireNonNull(src.get(i), "src element"));
        }
        if (!src.isEmpty()) {
            dma.ops().confirmWrite(handle, 0, src.size() * size, handle.direction());
        }
    }

    /** Every element, after syncing the whole mapping for the CPU. */
    public List<T> toVec() {
        prepareReadAll();
        long size = type.byteSize();
        List<T> out = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
            out.add(type.read(dma.ops().cpu(), handle.cpuAddr() + i * size));
        }
        return out;
    }

    /** Ownership to the CPU: invalidate (and copy back from a bounce copy) for FROM_DEVICE / BIDIRECTIONAL. */
    public void prepareReadAll() {
        open();
        dma.ops().prepareRead(handle, 0, handle.size(), handle.direction());
    }

    /** Ownership to the device: (copy into a bounce copy and) flush for TO_DEVICE / BIDIRECTIONAL. */
    public void confirmWriteAll() {
        open();
        dma.ops().confirmWrite(handle, 0, handle.size(), handle.direction());
    }

    public boolean isClosed() {
        return closed;
    }

    /** Unmaps, with no cache maintenance and no copy back from a bounce buffer. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        dma.ops().unmapSingle(handle);
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("SArrayPtr<" + type + "> mapping at DMA " + handle.dmaAddr() + " was unmapped (closed)");
        }
    }

    @Override
    public String toString() {
        return "SArrayPtr<" + type + ">[len=" + len + ", dma=" + handle.dmaAddr() + ", " + handle.direction()
                + (handle.bounceCpuAddr().isPresent() ? ", bounced" : "") + (closed ? ", closed" : "") + "]";
    }
}
