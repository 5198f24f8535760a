package org.jdma.kernel.net;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.platform.Cpu;

/**
 * Receive buffers for one device queue whose DMA mapping outlives each use (Linux
 * {@code page_pool} with {@code PP_FLAG_DMA_MAP}, ixy's mempool): the pool grows a chunk at a time,
 * maps each chunk once for its device ({@link DmaDirection#FROM_DEVICE}), and keeps the mapping
 * while buffers cycle between the device, the application and the pool. Ownership moves by syncs
 * of the buffer's range only:
 * <ul>
 *   <li>{@link #allocForDevice()}: a buffer to post on a receive ring; synced for the device if
 *       the CPU had it;</li>
 *   <li>{@link #received(PacketBuffer, int)}: after the device wrote {@code length} bytes, those
 *       bytes synced for the CPU before anyone reads them;</li>
 *   <li>{@link #allocForCpu()}: a buffer the application fills (whole entry synced for the CPU).</li>
 * </ul>
 * A freed buffer goes on a last-in first-out stack, so hot buffers are reused first.
 *
 * <p>Thread use: one thread at a time (one pool per queue, as ixy and Linux do).
 */
public final class PagePool implements AutoCloseable {

    private final String name;
    private final DeviceDmaApi dma;
    private final DmaMemory memory;
    private final Supplier<Cpu> cpu;
    private final int entrySize;
    private final int entriesPerChunk;
    private final int maxEntries;
    private final List<DmaBuffer> chunks = new ArrayList<>();
    private final List<StreamingMapping> mappings = new ArrayList<>();
    private final ArrayDeque<PacketBuffer> free = new ArrayDeque<>();
    private int entries;
    private boolean closed;
    /** The device is gone ({@link #retire}): returned buffers are not reused, their chunk's memory goes once all are back. */
    private boolean retired;
    /** While retired: buffers of each chunk still out. */
    private int[] outOfChunk;

    /**
     * @param entrySize       bytes per buffer, a power of two
     * @param entriesPerChunk buffers per chunk (one allocation, one mapping)
     * @param maxEntries      the most buffers the pool grows to
     * @throws IllegalStateException when the device's DMA API knows no memory to allocate from
     */
    public PagePool(String name, DeviceDmaApi dma, Supplier<Cpu> cpu, int entrySize, int entriesPerChunk, int maxEntries) {
        this.name = Objects.requireNonNull(name, "name");
        this.dma = Objects.requireNonNull(dma, "dma");
        this.cpu = Objects.requireNonNull(cpu, "cpu");
        this.memory = dma.api().memory().orElseThrow(() -> new IllegalStateException(
                name + ": the DMA API of " + dma.device() + " knows no memory to allocate buffers from"));
        if (entrySize < 64 || Integer.bitCount(entrySize) != 1) {
            throw new IllegalArgumentException(name + ": entry size " + entrySize + " must be a power of two >= 64");
        }
        if (entriesPerChunk < 1 || maxEntries < entriesPerChunk) {
            throw new IllegalArgumentException(String.format("%s: %d entries per chunk, at most %d: need 1 <= per chunk <= max",
                    name, entriesPerChunk, maxEntries));
        }
        this.entrySize = entrySize;
        this.entriesPerChunk = entriesPerChunk;
        this.maxEntries = maxEntries;
    }

    public String name() {
        return name;
    }

    public int entrySize() {
        return entrySize;
    }

    Cpu cpu() {
        return cpu.get();
    }

    /** Buffers the pool has made (mapped) so far. */
    public int entries() {
        return entries;
    }

    /** Buffers in the pool, free. */
    public int available() {
        return free.size();
    }

    /** Buffers out of the pool: posted, in flight or with the application. */
    public int inUse() {
        if (retired) {
            return closed ? 0 : Arrays.stream(outOfChunk).sum();
        }
        return entries - free.size();
    }

    /** Streaming mappings made: one per chunk, however often its buffers were recycled. */
    public int mappings() {
        return mappings.size();
    }

    /** A buffer for a receive descriptor, owned by the device; null when the pool is at its maximum and empty. */
    public PacketBuffer allocForDevice() {
        PacketBuffer b = take();
        if (b != null && !b.deviceOwned) {
            mappings.get(b.chunk()).syncForDevice(b.offsetInChunk(), entrySize);
            b.deviceOwned = true;
        }
        return b;
    }

    /** A buffer for the CPU to fill; null when the pool is at its maximum and empty. */
    public PacketBuffer allocForCpu() {
        PacketBuffer b = take();
        if (b != null) {
            b.setSize(0);
            if (b.deviceOwned) {
                mappings.get(b.chunk()).syncForCpu(b.offsetInChunk(), entrySize);
                b.deviceOwned = false;
            }
        }
        return b;
    }

    /** The device wrote {@code length} bytes into {@code b}: gives them to the CPU and sets the size. */
    public void received(PacketBuffer b, int length) {
        checkOwn(b);
        if (length > 0) {
            mappings.get(b.chunk()).syncForCpu(b.offsetInChunk(), length);
        }
        b.deviceOwned = false;
        b.setSize(length);
    }

    private PacketBuffer take() {
        if (closed || retired) {
            throw new IllegalStateException(name + (closed ? " is closed" : " was retired: its device is gone"));
        }
        if (free.isEmpty() && !grow()) {
            return null;
        }
        PacketBuffer b = free.pop();
        b.free = false;
        return b;
    }

    private boolean grow() {
        int n = Math.min(entriesPerChunk, maxEntries - entries);
        if (n <= 0) {
            return false;
        }
        DmaBuffer chunk = memory.allocate((long) n * entrySize, Math.max(entrySize, 4096));
        StreamingMapping m;
        try {
            m = dma.mapStreaming(chunk, (long) n * entrySize, DmaDirection.FROM_DEVICE);
        } catch (RuntimeException e) {
            chunk.close();
            throw e;
        }
        int index = chunks.size();
        chunks.add(chunk);
        mappings.add(m);
        for (int i = n - 1; i >= 0; i--) {
            PacketBuffer b = new PacketBuffer(this, index, i * entrySize, chunk.physicalAddress() + (long) i * entrySize,
                    m.dmaAddress() + (long) i * entrySize);
            b.free = true;
            free.push(b);
        }
        entries += n;
        return true;
    }

    void recycle(PacketBuffer b) {
        checkOwn(b);
        if (b.free) {
            throw new IllegalStateException(name + ": " + b + " freed twice");
        }
        b.free = true;
        if (retired) {
            returned(b.chunk());
            return;
        }
        free.push(b);
    }

    /**
     * The pool's device is going away (its driver's remove) while buffers may still be out, with
     * the application or queued on another device (Linux {@code page_pool_destroy} with pages in
     * flight): every chunk is unmapped now (the device has stopped; without a for-CPU sync, since
     * the CPU owns the buffers that are out and may have written them), a chunk with all its
     * buffers home is freed now, the others when their last buffer comes back. The pool hands
     * out nothing more. With nothing out this is {@link #close()}.
     */
    public void retire() {
        if (closed || retired) {
            return;
        }
        if (inUse() == 0) {
            close();
            return;
        }
        retired = true;
        outOfChunk = new int[chunks.size()];
        for (int i = 0; i < chunks.size(); i++) {
            outOfChunk[i] = Math.min(entriesPerChunk, entries - i * entriesPerChunk);
        }
        for (PacketBuffer b : free) {
            outOfChunk[b.chunk()]--;
        }
        free.clear();
        for (int i = 0; i < mappings.size(); i++) {
            StreamingMapping m = mappings.get(i);
            if (outOfChunk[i] == 0) {
                m.close();
                chunks.get(i).close();
            } else {
                dma.unmapSingle(m.dmaAddress(), m.size(), DmaDirection.FROM_DEVICE, SKIP_CPU_SYNC);
            }
        }
    }

    private static final Set<DmaAttr> SKIP_CPU_SYNC = Set.of(DmaAttr.SKIP_CPU_SYNC);

    /** A buffer of chunk {@code c} came back to a retired pool: the chunk's memory goes with its last one. */
    private void returned(int c) {
        if (--outOfChunk[c] == 0) {
            chunks.get(c).close();
        }
        if (Arrays.stream(outOfChunk).allMatch(n -> n == 0)) {
            closed = true;
            mappings.clear();
            chunks.clear();
        }
    }

    /** Whether the pool was retired with buffers out, some of which have not come back yet. */
    public boolean retiring() {
        return retired && !closed;
    }

    private void checkOwn(PacketBuffer b) {
        if (b.pool() != this) {
            throw new IllegalArgumentException(name + ": " + b + " belongs to pool " + b.pool().name());
        }
    }

    /**
     * Unmaps every chunk and frees its memory.
     *
     * @throws IllegalStateException naming the count when buffers are still out of the pool
     *         (nothing is freed then: a device may still write them)
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (inUse() != 0) {
            throw new IllegalStateException(name + ": " + inUse() + " buffers are still out of the pool");
        }
        closed = true;
        mappings.forEach(StreamingMapping::close);
        chunks.forEach(DmaBuffer::close);
        mappings.clear();
        chunks.clear();
        free.clear();
    }

    @Override
    public String toString() {
        return String.format("%s: %d buffers of %d bytes, %d free, %d mappings", name, entries, entrySize, free.size(), mappings.size());
    }
}
