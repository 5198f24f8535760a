package org.jdma.kernel.compat.dmaapi;

import java.util.ArrayDeque;
import java.util.Objects;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaException;

/**
 * Arrays of one shape kept for reuse (the {@code dma-api} crate's (0.7.1) {@code DArrayPool}/{@code DBuff}): receive
 * buffers a driver hands out and takes back at a high rate. The pool allocates {@code cap} arrays
 * up front; {@link #alloc()} hands out an idle one, or allocates a fresh one when none is idle.
 * Closing an array from the pool returns its memory to the pool (up to {@code cap} idle arrays;
 * beyond that, and after the pool is closed, it is freed). Each {@code alloc} returns a new
 * {@link DArray} object, so a closed one stays closed even after its memory is reused.
 *
 * <p>A reused array holds what its last user left (as Linux {@code dma_pool_alloc}); only fresh
 * ones are zeroed. Thread-safe.
 */
public final class DArrayPool<T> implements AutoCloseable {

    private final DmaContainers dma;
    private final DmaType<T> type;
    private final int len;
    private final DmaLayout layout;
    private final DmaDirection direction;
    private final int cap;
    private final ArrayDeque<CoherentRegion> idle = new ArrayDeque<>();
    private boolean closed;

    DArrayPool(DmaContainers dma, DmaType<T> type, int len, long align, DmaDirection direction, int cap) throws DmaException {
        this.dma = dma;
        this.type = Objects.requireNonNull(type, "type");
        this.len = len;
        this.layout = DmaLayout.array(type, len, align);
        this.direction = DmaDirection.requireMappable(direction);
        if (cap < 0) {
            throw new IllegalArgumentException("pool capacity must not be negative, was " + cap);
        }
        this.cap = cap;
        try {
            for (int i = 0; i < cap; i++) {
                idle.push(CoherentRegion.zeroed(dma, layout, direction));
            }
        } catch (RuntimeException e) {
            idle.forEach(CoherentRegion::free);
            idle.clear();
            throw e;
        }
    }

    /** An idle array, or a fresh zeroed one when none is idle. */
    public synchronized DArray<T> alloc() throws DmaException {
        if (closed) {
            throw new IllegalStateException("DArrayPool<" + type + "> was closed");
        }
        CoherentRegion region = idle.poll();
        if (region == null) {
            region = CoherentRegion.zeroed(dma, layout, direction);
        }
        return new DArray<>(region, type, len, this::giveBack);
    }

    private synchronized void giveBack(CoherentRegion region) {
        if (!closed && idle.size() < cap) {
            idle.push(region);
        } else {
            region.free();
        }
    }

    /** Arrays ready to hand out without allocating. */
    public synchronized int idle() {
        return idle.size();
    }

    public int capacity() {
        return cap;
    }

    /** Frees the idle arrays; arrays still out are freed when they are closed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        idle.forEach(CoherentRegion::free);
        idle.clear();
    }
}
