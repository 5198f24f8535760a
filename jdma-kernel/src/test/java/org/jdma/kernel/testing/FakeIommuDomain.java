package org.jdma.kernel.testing;

import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.jdma.kernel.iommu.IoPermission;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.spec.pci.RequesterId;

/**
 * A page-granular IOMMU domain for testing the mapping layer without the VT-d driver: a map of
 * IOVA page → (physical page, permission), and a top-down IOVA allocator (size-aligned for
 * power-of-two sizes, never IOVA 0, within the caller's limit and the domain's width). Strict:
 * unmapAndFree requires exactly an allocated range, so a layer that frees the wrong size fails.
 */
public final class FakeIommuDomain implements IommuDomain {

    public static final long GRANULE = 4096;

    public record Pte(long physical, IoPermission permission) { }

    private final Type type;
    private final long top;
    private final TreeMap<Long, Long> allocated = new TreeMap<>();
    private final TreeMap<Long, Pte> ptes = new TreeMap<>();
    private final Set<RequesterId> devices = new HashSet<>();
    private long exhaustBelow = -1;

    public FakeIommuDomain(Type type, int addressBits) {
        this.type = type;
        this.top = (1L << addressBits) - 1;
    }

    @Override public Type type() { return type; }
    @Override public int id() { return 1; }
    @Override public long granule() { return GRANULE; }

    /** From now on allocations fail (to test the layer's failure paths). */
    public void exhaust() { exhaustBelow = Long.MAX_VALUE; }

    @Override
    public synchronized OptionalLong allocIova(long size, long limit) {
        if (size <= 0 || size % GRANULE != 0) {
            throw new IllegalArgumentException("allocIova: size " + size + " is not a positive granule multiple");
        }
        if (exhaustBelow >= 0) {
            return OptionalLong.empty();
        }
        long hi = Long.compareUnsigned(limit, top) < 0 ? limit : top;
        long align = Long.bitCount(size) == 1 ? size : GRANULE;
        // Top down: try the highest aligned start below each gap's end.
        long end = hi + 1; // exclusive
        for (Map.Entry<Long, Long> e : allocated.descendingMap().entrySet()) {
            long gapStart = e.getKey() + e.getValue();
            OptionalLong fit = fit(gapStart, end, size, align);
            if (fit.isPresent()) {
                allocated.put(fit.getAsLong(), size);
                return fit;
            }
            end = Math.min(end, e.getKey());
        }
        OptionalLong fit = fit(GRANULE, end, size, align);
        fit.ifPresent(v -> allocated.put(v, size));
        return fit;
    }

    private static OptionalLong fit(long gapStart, long gapEnd, long size, long align) {
        if (gapEnd - size < gapStart) {
            return OptionalLong.empty();
        }
        long start = (gapEnd - size) & -align;
        return start >= gapStart && start >= GRANULE ? OptionalLong.of(start) : OptionalLong.empty();
    }

    @Override
    public synchronized void map(long iova, long physical, long size, IoPermission permission) {
        if (type == Type.IDENTITY || type == Type.BLOCKED) {
            throw new IllegalStateException("map in a " + type + " domain");
        }
        if (((iova | physical | size) & (GRANULE - 1)) != 0 || size <= 0) {
            throw new IllegalArgumentException(String.format("map: iova %#x phys %#x size %#x not granule-aligned", iova, physical, size));
        }
        Map.Entry<Long, Long> owner = allocated.floorEntry(iova);
        if (owner == null || iova + size > owner.getKey() + owner.getValue()) {
            throw new IllegalArgumentException(String.format("map: [%#x, +%#x) is not inside an allocated IOVA range", iova, size));
        }
        for (long off = 0; off < size; off += GRANULE) {
            if (ptes.containsKey(iova + off)) {
                throw new IllegalArgumentException(String.format("map: IOVA %#x is already mapped", iova + off));
            }
        }
        for (long off = 0; off < size; off += GRANULE) {
            ptes.put(iova + off, new Pte(physical + off, permission));
        }
    }

    @Override
    public synchronized void unmapAndFree(long iova, long size) {
        Long allocatedSize = allocated.get(iova);
        if (allocatedSize == null || allocatedSize != size) {
            throw new IllegalArgumentException(String.format("unmapAndFree(%#x, %#x): allocated there: %s", iova, size, allocatedSize));
        }
        ptes.subMap(iova, iova + size).clear();
        allocated.remove(iova);
    }

    @Override
    public synchronized OptionalLong translate(long iova) {
        Pte p = ptes.get(iova & -GRANULE);
        return p == null ? OptionalLong.empty() : OptionalLong.of(p.physical() + (iova & (GRANULE - 1)));
    }

    @Override
    public synchronized void attach(RequesterId device) {
        devices.add(device);
    }

    @Override
    public synchronized boolean detach(RequesterId device) {
        return devices.remove(device);
    }

    /** Forgets every mapping and allocation; refused while a device is attached, as a real domain refuses. */
    @Override
    public synchronized void free() {
        if (!devices.isEmpty()) {
            throw new IllegalStateException("fake domain cannot be freed: " + devices + " still attached");
        }
        allocated.clear();
        ptes.clear();
    }

    /** Maps the range 1:1 read/write and counts it as allocated, so the allocator never hands it out. */
    @Override
    public synchronized void reserveAndMapIdentity(long base, long size) {
        long lo = base & -GRANULE;
        long hi = (base + size + GRANULE - 1) & -GRANULE;
        allocated.put(lo, hi - lo);
        for (long p = lo; p < hi; p += GRANULE) {
            ptes.put(p, new Pte(p, IoPermission.READ_WRITE));
        }
    }

    public synchronized Set<RequesterId> devices() {
        return Set.copyOf(devices);
    }

    public synchronized Pte pte(long iova) {
        return ptes.get(iova & -GRANULE);
    }

    public synchronized int liveAllocations() { return allocated.size(); }

    public synchronized int mappedPages() { return ptes.size(); }
}
