package org.jdma.kernel.mm;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdma.kernel.locking.SpinLock;

/**
 * The live DMA mappings, seen from both ends, and what holds them. The mapping layer pins every
 * mapping it makes (single, page, each scatterlist entry, coherent; direct, bounced or through an
 * IOMMU) and unpins it at unmap:
 * <ul>
 *   <li>CPU side: every free path ({@link DmaBuffer#close()}, frames, coherent frees, DMA pool
 *       blocks) asks {@link #find} first and refuses while a pin overlaps the memory;</li>
 *   <li>device side: per device, the bus ranges it may reach and in which direction
 *       ({@link BusIndex}), so that a ring driver can {@link #hold} the ranges a descriptor names
 *       before the device sees it: refused unless one live mapping of the device contains each
 *       range and allows the access;</li>
 *   <li>holds: while a hold is on a pin, {@link #unpin} refuses (and removes nothing) and names
 *       the hold; the holder releases it when the descriptor's completion is reaped, or all of a
 *       holder's at a device reset ({@link #releaseAll}); a detach drops the device's pins and
 *       holds ({@link #unpinDevice}).</li>
 * </ul>
 *
 * <p>Cost: pin and unpin are O(1) expected for the hash on device and key plus a binary search
 * and an array shift in the device's bus index, and allocate nothing once the arrays have grown
 * to the peak number of live mappings; a hold is a binary search per range and a slot from a free
 * list; a lookup by physical range, done only by frees, is O(live pins). Thread-safe (one lock:
 * a hold and an unmap of the same mapping cannot interleave).
 */
public final class DmaPins {

    /** Access bit: the device may read the mapping (TO_DEVICE, BIDIRECTIONAL). */
    public static final int DEVICE_READS = 1;
    /** Access bit: the device may write the mapping (FROM_DEVICE, BIDIRECTIONAL). */
    public static final int DEVICE_WRITES = 2;
    /** No hold (what {@link #hold} leaves in unused id slots, and {@link #release} skips). */
    public static final long NO_HOLD = -1L;

    private static final int NONE = -1;

    private long[] start = new long[64];
    private long[] length = new long[64];
    /** The key the layer unpins by: the mapping's device address (a scatterlist's first). */
    private long[] bus = new long[64];
    /** The device range of this pin (length 0: none, not in the bus index). */
    private long[] busStart = new long[64];
    private long[] busLength = new long[64];
    private int[] access = new int[64];
    /** Holds on this pin now. */
    private int[] held = new int[64];
    private Object[] device = new Object[64];
    private Object[] direction = new Object[64];
    private String[] kind = new String[64];
    /** The bus index this pin is in (null: none, its busLen is 0), so an unpin needs no lookup by device. */
    private BusIndex[] indexOf = new BusIndex[64];
    /** Next slot in the same bucket, or in the free list. */
    private int[] next = new int[64];
    private int[] buckets = new int[128];
    private int freeHead = NONE;
    private int used;
    private int live;
    private final Map<Object, BusIndex> byDevice = new IdentityHashMap<>();
    /** The device looked up last and its index (null when none): a driver's pins come in runs of one device. */
    private Object lastDevice;
    private BusIndex lastIndex;
    private final PinHolds holds = new PinHolds();
    /** Guards everything here: a spin lock, one atomic operation per call where synchronized takes two. */
    private final SpinLock lock = new SpinLock();

    public DmaPins() {
        Arrays.fill(buckets, NONE);
    }

    /**
     * Records that {@code dev} may reach [physical, physical + length) through {@code busAddress}
     * (the device range is the same length from there).
     */
    public void pin(long physical, long len, Object dev, long busAddress, Object dir, int deviceAccess, String what) {
        pin(physical, len, dev, busAddress, busAddress, len, dir, deviceAccess, what);
    }

    /**
     * Records a mapping: {@code dev} may reach CPU-side [physical, physical + len) and device-side
     * [busFirst, busFirst + busLen) with the access bits {@code deviceAccess}; it is unpinned by
     * {@code key} (the address the layer unmaps by) and kind {@code what}. A busLen of 0 records no
     * device range (a scatterlist entry merged into an earlier segment).
     */
    public void pin(long physical, long len, Object dev, long key, long busFirst, long busLen, Object dir,
                                 int deviceAccess, String what) {
        lock.lock();
        try {
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
            bus[s] = key;
            busStart[s] = busFirst;
            busLength[s] = busLen;
            access[s] = deviceAccess;
            held[s] = 0;
            device[s] = dev;
            direction[s] = dir;
            kind[s] = what;
            int b = bucket(dev, key);
            next[s] = buckets[b];
            buckets[b] = s;
            if (busLen > 0) {
                BusIndex index = indexFor(dev);
                if (index == null) {
                    index = new BusIndex();
                    byDevice.put(dev, index);
                    lastDevice = dev;
                    lastIndex = index;
                }
                index.insert(s, busStart, busLen);
                indexOf[s] = index;
            }
            live++;
            if (live > buckets.length) {
                rehash(buckets.length * 2);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes up to {@code count} pins of {@code dev} at {@code key} of kind {@code what}, unless
     * one of them is held: then nothing is removed and the hold is returned. Among equal pins (the
     * same memory mapped twice at one address) those not held go first. Returns null when the pins
     * went, or when nothing is pinned there.
     */
    public MappingHold unpin(Object dev, long key, String what, int count) {
        lock.lock();
        try {
            int b = bucket(dev, key);
            if (count == 1) {
                return unpinOne(b, dev, key, what);
            }
            MappingHold refusal = holds.size() == 0 ? null : heldAmong(b, dev, key, what, count);
            if (refusal != null) {
                return refusal;
            }
            int removed = 0;
            int prev = NONE;
            int s = buckets[b];
            while (s != NONE && removed < count) {
                int n = next[s];
                if (matches(s, dev, key, what) && held[s] == 0) {
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
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #unpin} of one pin in one pass of bucket {@code b}: the first equal pin not held goes;
     * when every equal pin is held, the first one's hold is returned and nothing goes.
     */
    private MappingHold unpinOne(int b, Object dev, long key, String what) {
        int heldSlot = NONE;
        int prev = NONE;
        for (int s = buckets[b]; s != NONE; prev = s, s = next[s]) {
            if (matches(s, dev, key, what)) {
                if (held[s] == 0) {
                    if (prev == NONE) {
                        buckets[b] = next[s];
                    } else {
                        next[prev] = next[s];
                    }
                    release(s);
                    return null;
                }
                if (heldSlot == NONE) {
                    heldSlot = s;
                }
            }
        }
        return heldSlot == NONE ? null : holds.describe(heldSlot, mapping(heldSlot));
    }

    /** What {@link #unpin} would refuse with now, or null (the checker asks before it forgets its entry). */
    public MappingHold holdOn(Object dev, long key, String what, int count) {
        lock.lock();
        try {
            return heldAmong(bucket(dev, key), dev, key, what, count);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A hold on the pins in bucket {@code b} an unpin of {@code count} at key would remove,
     * preferring pins not held; null when none is held.
     */
    private MappingHold heldAmong(int b, Object dev, long key, String what, int count) {
        int free = 0;
        int heldSlot = NONE;
        for (int s = buckets[b]; s != NONE; s = next[s]) {
            if (matches(s, dev, key, what)) {
                if (held[s] == 0) {
                    free++;
                } else if (heldSlot == NONE) {
                    heldSlot = s;
                }
            }
        }
        if (heldSlot == NONE || free >= count) {
            return null;
        }
        return holds.describe(heldSlot, mapping(heldSlot));
    }

    private boolean matches(int s, Object dev, long key, String what) {
        return device[s] == dev && bus[s] == key && kind[s].equals(what);
    }

    /** Removes every pin and hold of {@code dev} (the device was detached: the layer released its mappings). */
    public void unpinDevice(Object dev) {
        lock.lock();
        try {
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
                        holds.dropPin(s);
                        held[s] = 0;
                        release(s);
                    } else {
                        prev = s;
                    }
                    s = n;
                }
            }
            byDevice.remove(dev);
            if (lastDevice == dev) {
                lastDevice = null;
                lastIndex = null;
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- device side ----------------------------------------------------------------------------

    /**
     * Holds ranges {@code 0..n-1} of one use by {@code dev}: range i is [busAddress[i], + len[i])
     * (a length of 0 counts as one byte) needing the access bits {@code need[i]} (0: named only,
     * any direction). Each must lie inside one live pin of the device whose access includes the
     * need; then every range is held, and its hold id written to {@code ids[offset + i]}. Otherwise
     * nothing is held and the first range that failed is returned.
     *
     * @param user  who holds (described at a refused unpin), with its {@code tag} and each range's {@code field}
     */
    public RangeRefusal hold(Object dev, int n, long[] busAddress, long[] len, int[] need, String[] field,
                                          Object user, long tag, long[] ids, int offset) {
        lock.lock();
        try {
            BusIndex index = indexFor(dev);
            for (int i = 0; i < n; i++) {
                int s = covering(index, busAddress[i], Math.max(len[i], 1), need[i]);
                if (s < 0) {
                    Arrays.fill(ids, offset, offset + n, NO_HOLD);
                    return refusal(index, i, busAddress[i], Math.max(len[i], 1), need[i]);
                }
                ids[offset + i] = s; // the pin, until every range is known to be covered
            }
            for (int i = 0; i < n; i++) {
                int s = (int) ids[offset + i];
                held[s]++;
                ids[offset + i] = holds.add(s, user, tag, field[i], busAddress[i], Math.max(len[i], 1));
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #hold} without holding anything: null when every range is inside a live pin that allows its access. */
    public RangeRefusal check(Object dev, int n, long[] busAddress, long[] len, int[] need) {
        lock.lock();
        try {
            BusIndex index = indexFor(dev);
            for (int i = 0; i < n; i++) {
                if (covering(index, busAddress[i], Math.max(len[i], 1), need[i]) < 0) {
                    return refusal(index, i, busAddress[i], Math.max(len[i], 1), need[i]);
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Releases holds {@code ids[offset .. offset + n - 1]}; {@link #NO_HOLD} and ids already released are skipped. */
    public void release(long[] ids, int offset, int n) {
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                int s = holds.remove(ids[offset + i]);
                if (s >= 0) {
                    held[s]--;
                }
                ids[offset + i] = NO_HOLD;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Releases every hold {@code user} has on pins of {@code dev} (the device was reset); returns how many. */
    public int releaseAll(Object dev, Object user) {
        lock.lock();
        try {
            return holds.removeAll(user, s -> {
                if (device[s] == dev) {
                    held[s]--;
                    return true;
                }
                return false;
            });
        } finally {
            lock.unlock();
        }
    }

    /** Live holds now. */
    public int holdCount() {
        lock.lock();
        try {
            return holds.size();
        } finally {
            lock.unlock();
        }
    }

    /** A pin of the device containing [address, address + len) that allows {@code need}, or -1. */
    private int covering(BusIndex index, long address, long len, int need) {
        if (index == null) {
            return NONE;
        }
        for (int i = index.upperBound(busStart, address) - 1; i >= 0; i--) {
            int s = index.at(i);
            long offset = address - busStart[s];
            if (Long.compareUnsigned(offset, index.reach()) >= 0) {
                break;
            }
            if (Long.compareUnsigned(offset, busLength[s]) < 0 && Long.compareUnsigned(len, busLength[s] - offset) <= 0
                    && (access[s] & need) == need) {
                return s;
            }
        }
        return NONE;
    }

    /** Why no pin covers the range: a pin holding its first byte with the wrong direction, or one it runs past. */
    private RangeRefusal refusal(BusIndex index, int i, long address, long len, int need) {
        int wrong = NONE;
        int shortPin = NONE;
        if (index != null) {
            for (int k = index.upperBound(busStart, address) - 1; k >= 0; k--) {
                int s = index.at(k);
                long offset = address - busStart[s];
                if (Long.compareUnsigned(offset, index.reach()) >= 0) {
                    break;
                }
                if (Long.compareUnsigned(offset, busLength[s]) < 0) {
                    if ((access[s] & need) != need) {
                        wrong = wrong == NONE ? s : wrong;
                    } else {
                        shortPin = shortPin == NONE ? s : shortPin;
                    }
                }
            }
        }
        if (wrong != NONE) {
            return new RangeRefusal(i, RangeRefusal.Reason.WRONG_DIRECTION, address, len, mapping(wrong));
        }
        if (shortPin != NONE) {
            return new RangeRefusal(i, RangeRefusal.Reason.PAST_END, address, len, mapping(shortPin));
        }
        return new RangeRefusal(i, RangeRefusal.Reason.NOT_MAPPED, address, len, null);
    }

    // ---- CPU side -------------------------------------------------------------------------------

    /** The first live mapping that covers any byte of [address, address + len), or empty. */
    public Optional<LiveMapping> find(long address, long len) {
        return find(address, len, null);
    }

    /** As {@link #find(long, long)}, ignoring pins of kind {@code ignoredKind} (a pool's own coherent page). */
    public Optional<LiveMapping> find(long address, long len, String ignoredKind) {
        lock.lock();
        try {
            if (live == 0) {
                return Optional.empty();
            }
            for (int b = 0; b < buckets.length; b++) {
                for (int s = buckets[b]; s != NONE; s = next[s]) {
                    if (address < start[s] + length[s] && start[s] < address + len && !kind[s].equals(ignoredKind)) {
                        return Optional.of(mapping(s));
                    }
                }
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** Live pins now. */
    public int size() {
        lock.lock();
        try {
            return live;
        } finally {
            lock.unlock();
        }
    }

    private LiveMapping mapping(int s) {
        return new LiveMapping(start[s], length[s], device[s], bus[s], busLength[s] > 0 ? busStart[s] : bus[s], busLength[s],
                direction[s], kind[s]);
    }

    /** The bus index of {@code dev}, or null when it has no pin with a device range. */
    private BusIndex indexFor(Object dev) {
        if (dev == lastDevice) {
            return lastIndex;
        }
        BusIndex index = byDevice.get(dev);
        if (index != null) {
            lastDevice = dev;
            lastIndex = index;
        }
        return index;
    }

    private void release(int s) {
        BusIndex index = indexOf[s];
        if (index != null) {
            index.remove(s, busStart);
            if (index.size() == 0) {
                byDevice.remove(device[s]);
                if (lastIndex == index) {
                    lastDevice = null;
                    lastIndex = null;
                }
            }
            indexOf[s] = null;
        }
        device[s] = null;
        direction[s] = null;
        kind[s] = null;
        next[s] = freeHead;
        freeHead = s;
        live--;
    }

    /**
     * The bucket of (device, key): both mixed into every bit (a MurmurHash3 finalizer), so that keys
     * that differ only above their low 12 bits (page-aligned device addresses) spread over every
     * bucket instead of sharing the few their low bits would pick.
     */
    private int bucket(Object dev, long busAddress) {
        long h = busAddress ^ ((long) System.identityHashCode(dev) << 32);
        h = (h ^ (h >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        h = (h ^ (h >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return (int) (h & (buckets.length - 1));
    }

    private void grow() {
        int n = start.length * 2;
        start = Arrays.copyOf(start, n);
        length = Arrays.copyOf(length, n);
        bus = Arrays.copyOf(bus, n);
        busStart = Arrays.copyOf(busStart, n);
        busLength = Arrays.copyOf(busLength, n);
        access = Arrays.copyOf(access, n);
        held = Arrays.copyOf(held, n);
        device = Arrays.copyOf(device, n);
        direction = Arrays.copyOf(direction, n);
        kind = Arrays.copyOf(kind, n);
        indexOf = Arrays.copyOf(indexOf, n);
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
