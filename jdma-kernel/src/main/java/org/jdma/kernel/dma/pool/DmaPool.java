package org.jdma.kernel.dma.pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jdma.kernel.dma.CoherentBuffer;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.MemoryOwner;
import org.jdma.platform.Cpu;

/**
 * A pool of small, equal, coherent blocks for one device (Linux {@code mm/dmapool.c},
 * {@code dma_pool_create(name, dev, size, align, boundary)}): descriptors, completion records,
 * anything too small to deserve a page of its own. Blocks are cut from pages obtained with
 * {@link DmaApi#allocCoherent}; each block is aligned to {@code align} and never crosses a
 * {@code boundary}-aligned address (a device that cannot cross 4 KiB within one descriptor says
 * boundary 4096).
 *
 * <p>As in Linux 6.x, pages are kept until {@link #destroy}; freed blocks are reused last-in
 * first-out. Unlike Linux without {@code CONFIG_DMAPOOL_DEBUG}, every free is checked: freeing a
 * block twice or an address that is no block of this pool is an error naming the address, and
 * destroying a pool with blocks still allocated names them and leaves the pool intact.
 *
 * <p>Thread-safe (one lock per pool).
 */
public final class DmaPool {

    /** One block: where the CPU reaches it and the address the device uses. */
    public record Block(long physical, long dmaAddress, long size) {
        @Override
        public String toString() {
            return String.format("block phys %#x dma %#x (+%d)", physical, dmaAddress, size);
        }
    }

    private record Page(CoherentBuffer buffer) { }

    /** The kind of pin the pool's own pages have: they do not keep the pool's blocks from being freed. */
    private static final String COHERENT_PAGE = "coherent";

    private final String name;
    private final DmaApi api;
    private final DmaDevice device;
    private final long size;
    private final long allocation;
    private final long boundary;
    private final List<Page> pages = new ArrayList<>();
    private final ArrayDeque<Block> free = new ArrayDeque<>();
    /** Concurrent, so {@link #ownerAt} can answer without the pool's lock (the checker asks holding its own). */
    private final Map<Long, Block> busy = new ConcurrentHashMap<>();
    /** Every block ever cut, by physical address: tells a foreign address from a freed block. */
    private final ConcurrentSkipListMap<Long, Block> blocks = new ConcurrentSkipListMap<>();
    private boolean destroyed;

    private DmaPool(String name, DmaApi api, DmaDevice device, long size, long allocation, long boundary) {
        this.name = name;
        this.api = api;
        this.device = device;
        this.size = size;
        this.allocation = allocation;
        this.boundary = boundary;
    }

    /**
     * Linux {@code dma_pool_create}.
     *
     * @param size     bytes per block (rounded up to {@code align})
     * @param align    power of two, or 0 for 1
     * @param boundary power of two at least {@code size}, or 0 for none (blocks then only stay
     *                 inside their page)
     * @throws IllegalArgumentException naming the parameter when size, align or boundary is invalid
     */
    public static DmaPool create(String name, DmaApi api, DmaDevice device, long size, long align, long boundary) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(device, "device");
        long a = align == 0 ? 1 : align;
        if (a < 0 || Long.bitCount(a) != 1) {
            throw new IllegalArgumentException("dma pool " + name + ": align " + align + " is not a power of two");
        }
        if (size <= 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dma pool " + name + ": block size " + size + " must be 1.." + Integer.MAX_VALUE);
        }
        long blockSize = (size + a - 1) & -a;
        long allocation = Math.max(blockSize, FrameAllocator.FRAME_SIZE);
        long b = boundary;
        if (b == 0) {
            b = allocation;
        } else if (b < blockSize || Long.bitCount(b) != 1) {
            throw new IllegalArgumentException(String.format(
                    "dma pool %s: boundary %d must be a power of two no smaller than the block size %d", name, boundary, blockSize));
        }
        return new DmaPool(name, api, device, blockSize, allocation, Math.min(b, allocation));
    }

    public String name() { return name; }
    public DmaDevice device() { return device; }
    /** Bytes per block after alignment. */
    public long blockSize() { return size; }
    public long boundary() { return boundary; }

    /**
     * Linux {@code dma_pool_alloc}: a block, or null when no coherent memory can be had. The
     * contents are what the previous owner left; use {@link #zalloc} for zeroes.
     */
    public synchronized Block alloc() {
        requireLive("alloc");
        Block b = free.pollFirst();
        if (b == null) {
            if (!grow()) {
                return null;
            }
            b = free.pollFirst();
        }
        busy.put(b.physical(), b);
        return b;
    }

    /** Linux {@code dma_pool_zalloc}: a block filled with zeroes by {@code cpu}, or null. */
    public Block zalloc(Cpu cpu) {
        Block b = alloc();
        if (b != null) {
            cpu.fill(b.physical(), b.size(), (byte) 0);
        }
        return b;
    }

    /** Cuts a fresh page into blocks: offsets advance by the block size, jumping to the next boundary rather than crossing it. */
    private boolean grow() {
        CoherentBuffer page = api.allocCoherent(device, allocation);
        if (page == null) {
            return false;
        }
        pages.add(new Page(page));
        api.memory().ifPresent(m -> m.addSubAllocator(page.physical(), allocation, this::ownerAt));
        List<Block> cut = new ArrayList<>();
        long offset = 0;
        long nextBoundary = boundary;
        while (offset + size <= allocation) {
            if (offset + size > nextBoundary) {
                offset = nextBoundary;
                nextBoundary += boundary;
                continue;
            }
            Block b = new Block(page.physical() + offset, page.dmaAddress() + offset, size);
            cut.add(b);
            blocks.put(b.physical(), b);
            offset += size;
        }
        cut.forEach(free::addLast);
        return true;
    }

    /**
     * Linux {@code dma_pool_free}.
     *
     * @throws IllegalArgumentException when {@code block} is not a block of this pool (address and
     *         pool named)
     * @throws IllegalStateException when the block is already free
     */
    public synchronized void free(Block block) {
        Objects.requireNonNull(block, "block");
        requireLive("free");
        Block known = blocks.get(block.physical());
        if (known == null || known.dmaAddress() != block.dmaAddress()) {
            throw new IllegalArgumentException(String.format("dma pool %s (%s): free of phys %#x / dma %#x: not a block of this pool",
                    name, device.name(), block.physical(), block.dmaAddress()));
        }
        if (!busy.containsKey(block.physical())) {
            throw new IllegalStateException(String.format("dma pool %s (%s): %s is already free", name, device.name(), known));
        }
        Optional<DmaMemory> memory = api.memory();
        if (memory.isPresent()) {
            memory.get().requireUnmapped(known.physical(), known.size(), "block of dma pool " + name, COHERENT_PAGE); // stays allocated when refused
        }
        busy.remove(block.physical());
        free.addFirst(known);
    }

    /**
     * Who owns the byte at {@code physical} of one of the pool's pages: a block (live or free), or
     * the unused space between blocks (free). Lock-free.
     */
    private MemoryOwner ownerAt(long physical) {
        Map.Entry<Long, Block> at = blocks.floorEntry(physical);
        if (at != null && physical < at.getKey() + at.getValue().size()) {
            Block b = at.getValue();
            boolean live = busy.containsKey(b.physical());
            return new MemoryOwner(b.physical(), b.size(), live, String.format("%s %s of dma pool %s (%s)",
                    live ? "live" : "free", b, name, device.name()));
        }
        Long nextBlock = blocks.higherKey(physical);
        long gapStart = at == null ? physical : at.getKey() + at.getValue().size();
        long gapEnd = nextBlock == null ? physical + 1 : nextBlock;
        return new MemoryOwner(gapStart, Math.max(1, gapEnd - gapStart), false, "unused space of dma pool " + name);
    }

    /** Blocks allocated and not yet freed. */
    public synchronized int liveBlocks() {
        return busy.size();
    }

    /** Pages (coherent allocations) the pool holds. */
    public synchronized int pageCount() {
        return pages.size();
    }

    /**
     * Linux {@code dma_pool_destroy}: frees every page.
     *
     * @throws IllegalStateException naming each live block when blocks are still allocated; the
     *         pool is left as it was
     */
    public synchronized void destroy() {
        if (destroyed) {
            return;
        }
        if (!busy.isEmpty()) {
            List<Block> live = new ArrayList<>(busy.values());
            live.sort(Comparator.comparingLong(Block::physical));
            throw new IllegalStateException(String.format("dma pool %s (%s) destroyed with %d block(s) still allocated: %s",
                    name, device.name(), live.size(), live));
        }
        for (Page p : pages) {
            CoherentBuffer b = p.buffer();
            api.memory().ifPresent(m -> m.requireUnmapped(b.physical(), b.size(), "page of dma pool " + name, COHERENT_PAGE));
        }
        for (Page p : pages) {
            CoherentBuffer b = p.buffer();
            api.memory().ifPresent(m -> m.removeSubAllocator(b.physical()));
            api.freeCoherent(device, b.size(), b.physical(), b.dmaAddress());
        }
        pages.clear();
        free.clear();
        blocks.clear();
        destroyed = true;
    }

    private void requireLive(String call) {
        if (destroyed) {
            throw new IllegalStateException("dma pool " + name + ": " + call + " after destroy");
        }
    }

    @Override
    public synchronized String toString() {
        return String.format("dma pool %s (%s): %d-byte blocks, boundary %d, %d pages, %d live", name, device.name(), size, boundary, pages.size(), busy.size());
    }
}
