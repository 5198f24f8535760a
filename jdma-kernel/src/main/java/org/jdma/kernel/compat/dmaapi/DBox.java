package org.jdma.kernel.compat.dmaapi;

import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jdma.kernel.dma.DmaDirection;

/**
 * One value in coherent DMA memory that syncs each access (the {@code dma-api} crate's {@code DBox}): a descriptor,
 * a status block. {@link #read} invalidates then reads, {@link #write} writes then flushes,
 * {@link #modify} is invalidate → function → flush (each by direction).
 *
 * <p>Not thread-safe. Closing twice does nothing; any other use after close throws
 * {@link IllegalStateException}.
 */
public final class DBox<T> implements AutoCloseable {

    private final CoherentRegion region;
    private final DmaType<T> type;
    private boolean closed;

    DBox(CoherentRegion region, DmaType<T> type) {
        this.region = region;
        this.type = type;
    }

    public DmaAddr dmaAddr() {
        open();
        return region.handle.dmaAddr();
    }

    public DmaDirection direction() {
        return region.direction;
    }

    /** The value, after invalidating its bytes (FROM_DEVICE, BIDIRECTIONAL). */
    public T read() {
        open();
        region.prepareRead(0, type.byteSize());
        return type.read(region.dma.ops().cpu(), region.cpuAddr());
    }

    /** Stores {@code value}, then flushes its bytes (TO_DEVICE, BIDIRECTIONAL). */
    public void write(T value) {
        open();
        Objects.requireNonNull(value, "value");
        type.write(region.dma.ops().cpu(), region.cpuAddr(), value);
        region.confirmWrite(0, type.byteSize());
    }

    /** Read-modify-write: {@code write(f.apply(read()))}. */
    public void modify(UnaryOperator<T> f) {
        Objects.requireNonNull(f, "f");
        write(f.apply(read()));
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
        region.free();
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("DBox<" + type + "> at DMA " + region.handle.dmaAddr() + " was closed");
        }
    }

    @Override
    public String toString() {
        return "DBox<" + type + ">[dma=" + region.handle.dmaAddr() + ", " + region.direction + (closed ? ", closed" : "") + "]";
    }
}
