package org.jdma.kernel.mm;

import java.util.Arrays;
import java.util.Optional;

/**
 * The physical bytes live DMA mappings hold. The mapping layer pins the CPU-side range of every
 * mapping it makes (single, page, each scatterlist entry, coherent; direct, bounced or through an
 * IOMMU) and unpins it at unmap; every free path ({@link DmaBuffer#close()}, frames, coherent
 * frees, DMA pool blocks) asks {@link #find} first and refuses while a pin overlaps.
 *
 * <p>Cost: pin and unpin are O(1) expected (a hash on device and bus address into slot arrays)
 * and allocate nothing once the arrays have grown to the peak number of live mappings; a lookup
 * by physical range, done only by frees, is O(live pins). Thread-safe (one lock).
 */
public final class DmaPins {

    private static final int NONE = -1;

    private long[] start = new long[64];
    private long[] length = new long[64];
    private long[] bus = new long[64];
    private Object[] device = new Object[64];
    private Object[] direction = new Object[64];
    private String[] kind = new String[64];
    /** Next slot in the same bucket, or in the free list. */
    private int[] next = new int[64];
    private int[] buckets = new int[128];
    private int freeHead = NONE;
    private int used;
    private int live;

    public DmaPins() {
        Arrays.fill(buckets, NONE);
    }

    /** Records that {@code device} may reach [physical, physical + length) through {@code busAddress}. */
    public synchronized void pin(long physical, long len, Object dev, long busAddress, Object dir, String what) {
        int s = freeHead;
        if (s != NONE) {
            freeHead = next[s];
        } else {
            if (used == start.length) {
                grow();
            }
            s = used++;
        }
        start[s] = physical;
        length[s] = len;
        bus[s] = busAddress;
        device[s] = dev;
        direction[s] = dir;
        kind[s] = what;
        int b = bucket(dev, busAddress);
        next[s] = buckets[b];
        buckets[b] = s;
        live++;
        if (live > buckets.length) {
            rehash(buckets.length * 2);
        }
    }

    /**
     * Removes up to {@code count} pins of {@code dev} at {@code busAddress} of kind {@code what};
     * returns how many went. An address nothing is pinned at removes nothing.
     */
    public synchronized int unpin(Object dev, long busAddress, String what, int count) {
        int b = bucket(dev, busAddress);
        int removed = 0;
        int prev = NONE;
        int s = buckets[b];
        while (s != NONE && removed < count) {
            int n = next[s];
            if (device[s] == dev && bus[s] == busAddress && kind[s].equals(what)) {
                if (prev == NONE) {
                    buckets[b] = n;
                } else {
                    next[prev] = n;
                }
                release(s);
                removed++;
            } else {
                prev = s;
            }
            s = n;
        }
        return removed;
    }

    /** Removes every pin of {@code dev} (the device was detached: the layer released its mappings). */
    public synchronized void unpinDevice(Object dev) {
        for (int b = 0; b < buckets.length; b++) {
            int prev = NONE;
            int s = buckets[b];
            while (s != NONE) {
                int n = next[s];
                if (device[s] == dev) {
                    if (prev == NONE) {
                        buckets[b] = n;
                    } else {
                        next[prev] = n;
                    }
                    release(s);
                } else {
                    prev = s;
                }
                s = n;
            }
        }
    }

    /** The first live mapping that covers any byte of [address, address + len), or empty. */
    public Optional<LiveMapping> find(long address, long len) {
        return find(address, len, null);
    }

    /** As {@link #find(long, long)}, ignoring pins of kind {@code ignoredKind} (a pool's own coherent page). */
    public synchronized Optional<LiveMapping> find(long address, long len, String ignoredKind) {
        if (live == 0) {
            return Optional.empty();
        }
        for (int b = 0; b < buckets.length; b++) {
            for (int s = buckets[b]; s != NONE; s = next[s]) {
                if (address < start[s] + length[s] && start[s] < address + len && !kind[s].equals(ignoredKind)) {
                    return Optional.of(new LiveMapping(start[s], length[s], device[s], bus[s], direction[s], kind[s]));
                }
            }
        }
        return Optional.empty();
    }

    /** Live pins now. */
    public synchronized int size() {
        return live;
    }

    private void release(int s) {
        device[s] = null;
        direction[s] = null;
        kind[s] = null;
        next[s] = freeHead;
        freeHead = s;
        live--;
    }

    private int bucket(Object dev, long busAddress) {
        long h = (System.identityHashCode(dev) * 0x9E37_79B9L) ^ (busAddress >>> 6) ^ busAddress;
        h ^= h >>> 29;
        return (int) (h & (buckets.length - 1));
    }

    private void grow() {
        int n = start.length * 2;
        start = Arrays.copyOf(start, n);
        length = Arrays.copyOf(length, n);
        bus = Arrays.copyOf(bus, n);
        device = Arrays.copyOf(device, n);
        direction = Arrays.copyOf(direction, n);
        kind = Arrays.copyOf(kind, n);
        next = Arrays.copyOf(next, n);
    }

    private void rehash(int size) {
        int[] old = buckets;
        buckets = new int[size];
        Arrays.fill(buckets, NONE);
        for (int head : old) {
            int s = head;
            while (s != NONE) {
                int n = next[s];
                int b = bucket(device[s], bus[s]);
                next[s] = buckets[b];
                buckets[b] = s;
                s = n;
            }
        }
    }
}
