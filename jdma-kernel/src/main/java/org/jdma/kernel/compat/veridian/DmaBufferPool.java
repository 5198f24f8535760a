package org.jdma.kernel.compat.veridian;

import java.util.Objects;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.mm.DirectMap;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;

/**
 * VeridianOS's network {@code DmaBufferPool}: a fixed number of equal buffers (default
 * {@value #BUFFER_SIZE} bytes, at most {@value #MAX_BUFFERS}) in zeroed memory below 4 GiB, so a
 * 32-bit device reaches every one without bouncing. It never grows: {@link #alloc()} on an empty
 * pool fails and counts the failure. Buffers are reference counted; one goes back on the free list
 * (last freed, first reused) only when its count reaches zero, and a free of a free buffer is
 * refused instead of underflowing the count.
 *
 * <p>The buffers are carved from one contiguous allocation (VeridianOS took one frame per buffer);
 * {@link #close()} returns it, and is refused while a buffer is still out. Thread-safe (one lock).
 */
public final class DmaBufferPool implements AutoCloseable {

    /** VeridianOS's {@code DMA_BUFFER_SIZE}: one Ethernet frame with room to spare. */
    public static final int BUFFER_SIZE = 2048;
    /** VeridianOS's {@code MAX_BUFFERS}. */
    public static final int MAX_BUFFERS = 512;

    /** VeridianOS's {@code DmaPoolStats}: counts since the pool was made. */
    public record Stats(int totalBuffers, int freeBuffers, long allocations, long deallocations, long allocationFailures) { }

    /** One buffer of the pool: where the CPU and a device without an IOMMU reach it. */
    public record PoolBuffer(int index, long virtAddr, long physAddr, int size) { }

    private final DmaBuffer memory;
    private final int bufferSize;
    private final int[] refcount;
    /** Free buffer indices, a stack: {@code free[0..freeCount)}. */
    private final int[] free;
    private int freeCount;
    private long allocations;
    private long deallocations;
    private long allocationFailures;
    private boolean closed;

    /**
     * A pool of {@code count} zeroed buffers of {@code bufferSize} bytes below 4 GiB.
     *
     * @throws IllegalArgumentException when {@code count} is not in 1..{@value #MAX_BUFFERS} or the
     *         size is not positive
     * @throws DmaException (NoMemory) when memory below 4 GiB cannot hold them
     */
    public DmaBufferPool(DmaMemory dmaMemory, int count, int bufferSize) {
        Objects.requireNonNull(dmaMemory, "dmaMemory");
        if (count < 1 || count > MAX_BUFFERS) {
            throw new IllegalArgumentException("a DMA buffer pool holds 1 to " + MAX_BUFFERS + " buffers, asked for " + count);
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("buffer size must be positive, was " + bufferSize);
        }
        try {
            this.memory = dmaMemory.allocate((long) count * bufferSize, 4096, DmaMemory.LIMIT_4GIB); // zeroed
        } catch (RuntimeException e) {
            throw new DmaException(new DmaError.NoMemory(count + " pool buffers of " + bufferSize + " bytes below 4 GiB (" + e.getMessage() + ")"));
        }
        this.bufferSize = bufferSize;
        this.refcount = new int[count];
        this.free = new int[count];
        for (int i = 0; i < count; i++) {
            free[i] = count - 1 - i; // index 0 is handed out first
        }
        this.freeCount = count;
    }

    /** A pool of {@code count} buffers of {@value #BUFFER_SIZE} bytes. */
    public DmaBufferPool(DmaMemory dmaMemory, int count) {
        this(dmaMemory, count, BUFFER_SIZE);
    }

    /**
     * Takes a free buffer (reference count 1).
     *
     * @throws DmaException (NoMemory, retryable) when every buffer is out; counted as a failure
     */
    public synchronized PoolBuffer alloc() {
        checkOpen();
        if (freeCount == 0) {
            allocationFailures++;
            throw new DmaException(new DmaError.NoMemory("dma_buffers: all " + refcount.length + " buffers of the pool are in use"));
        }
        int index = free[--freeCount];
        refcount[index] = 1;
        allocations++;
        return buffer(index);
    }

    /** One more holder of buffer {@code index} (a second queue that references the same packet). */
    public synchronized void acquire(int index) {
        checkOpen();
        checkIndex(index);
        if (refcount[index] == 0) {
            throw new IllegalStateException("buffer " + index + " of the pool is free: acquire it with alloc()");
        }
        refcount[index]++;
    }

    /**
     * Drops one reference to buffer {@code index}; when it was the last, the buffer is free again.
     *
     * @throws IllegalArgumentException when {@code index} is not a buffer of this pool
     * @throws IllegalStateException when the buffer is already free (a double free)
     */
    public synchronized void free(int index) {
        checkOpen();
        checkIndex(index);
        if (refcount[index] == 0) {
            throw new IllegalStateException("buffer " + index + " of the pool is already free (double free)");
        }
        if (--refcount[index] == 0) {
            free[freeCount++] = index;
            deallocations++;
        }
    }

    /** Holders of buffer {@code index}; 0 when it is free. */
    public synchronized int refcount(int index) {
        checkIndex(index);
        return refcount[index];
    }

    public synchronized int freeCount() {
        return freeCount;
    }

    public int totalCount() {
        return refcount.length;
    }

    public synchronized Stats stats() {
        return new Stats(refcount.length, freeCount, allocations, deallocations, allocationFailures);
    }

    /**
     * Returns the pool's memory. Refused while a buffer is out (a device may still write it).
     *
     * @throws IllegalStateException naming how many buffers are out
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (freeCount != refcount.length) {
            throw new IllegalStateException((refcount.length - freeCount) + " buffers of the pool are still in use");
        }
        memory.close();
        closed = true;
    }

    private PoolBuffer buffer(int index) {
        long phys = memory.physicalAddress() + (long) index * bufferSize;
        return new PoolBuffer(index, DirectMap.virtualOf(phys), phys, bufferSize);
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= refcount.length) {
            throw new IllegalArgumentException("buffer index " + index + " is outside the pool of " + refcount.length);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the DMA buffer pool is closed");
        }
    }
}
