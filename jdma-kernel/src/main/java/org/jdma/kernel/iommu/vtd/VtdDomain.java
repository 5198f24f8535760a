package org.jdma.kernel.iommu.vtd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jdma.kernel.iommu.FlushQueue;
import org.jdma.kernel.iommu.IoPermission;
import org.jdma.kernel.iommu.Iommu;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.platform.Platform;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * A VT-d domain on one remapping unit: a domain id, and for translated domains a
 * {@link SecondLevelPageTable} and an IOVA space.
 *
 * <ul>
 *   <li>DMA_STRICT: unmap clears the entries, invalidates the range (page-selective IOTLB
 *       invalidation and its wait), then frees the emptied table pages and the IOVA (Linux
 *       {@code __iommu_dma_unmap} + {@code iommu_iotlb_sync}).</li>
 *   <li>DMA_LAZY: unmap clears the entries and hands IOVA and table pages to a {@link FlushQueue}
 *       (the ring of the CPU the caller runs as).</li>
 *   <li>IDENTITY: context TT = pass-through when ECAP.PT, else 1:1 tables over the given ranges
 *       (all RAM and every RMRR) with superpages.</li>
 *   <li>BLOCKED: attached devices' context entries are not present (Linux's blocking domain
 *       clears the context entry), so every DMA faults with reason 0x2; {@link #id()} is 0.</li>
 * </ul>
 *
 * <p>The IOVA space never hands out the MSI window 0xFEE00000-0xFEEFFFFF (the unit does not
 * translate it) or a reserved range ({@link #reserveAndMapIdentity}).
 */
public final class VtdDomain implements IommuDomain {

    public static final long MSI_WINDOW_BASE = 0xFEE0_0000L;
    public static final long MSI_WINDOW_LAST = 0xFEEF_FFFFL;
    private static final long GRANULE = VtdPageEntryLayout.PAGE_SIZE;
    private static final long DMA32_LIMIT = 0xFFFF_FFFFL;

    private final Type type;
    private final VtdUnitDriver unit;
    private final int domainId;
    private final SecondLevelPageTable table;
    private final IovaAllocator iova;
    private final FlushQueue flushQueue;
    private final boolean passThrough;
    private final long addressLimit;
    private final Set<RequesterId> devices = new LinkedHashSet<>();
    /** Read without the domain's lock by {@link #tryAllocIova}. */
    private volatile boolean pci32First = true;
    private boolean destroyed;

    private VtdDomain(Type type, VtdUnitDriver unit, IovaAllocator iova, Platform platform, boolean passThrough) {
        this.type = type;
        this.unit = unit;
        this.passThrough = passThrough;
        this.addressLimit = unit.addressLimit();
        this.domainId = type == Type.BLOCKED ? 0 : unit.allocateDomainId();
        boolean tables = type == Type.DMA_STRICT || type == Type.DMA_LAZY || type == Type.IDENTITY && !passThrough;
        this.table = tables ? new SecondLevelPageTable(unit.memory(),
                VtdCapabilityLayout.levelsForAw(unit.contextAw()), unit.superpage2M(), unit.superpage1G()) : null;
        this.iova = iova;
        if (iova != null) {
            long msiLo = MSI_WINDOW_BASE / iova.granule();
            long msiHi = MSI_WINDOW_LAST / iova.granule();
            iova.reserve(msiLo, msiHi);
        }
        this.flushQueue = type == Type.DMA_LAZY
                ? FlushQueue.perCpu(new LazyOwner(), platform, FlushQueue.DEFAULT_SIZE, FlushQueue.DEFAULT_TIMEOUT_NS) : null;
    }

    /**
     * A translated domain (DMA_STRICT or DMA_LAZY) owning {@code iova}; a lazy one queues unmaps
     * per CPU of {@code platform} and times its flushes on the platform's clock.
     */
    public static VtdDomain dma(VtdUnitDriver unit, Type type, IovaAllocator iova, Platform platform) {
        if (type != Type.DMA_STRICT && type != Type.DMA_LAZY) {
            throw new IllegalArgumentException("a DMA domain is DMA_STRICT or DMA_LAZY, not " + type);
        }
        Objects.requireNonNull(iova, "iova");
        Objects.requireNonNull(platform, "platform");
        if (iova.granule() != GRANULE) {
            throw new IllegalArgumentException("the IOVA granule must be the VT-d page size 4096, was " + iova.granule());
        }
        return new VtdDomain(type, unit, iova, platform, false);
    }

    /**
     * The identity domain: pass-through when the unit offers it (and {@code allowPassThrough}),
     * else 1:1 tables over {@code ranges} ({@code {base, length}} pairs, 4 KiB aligned, below the
     * unit's address limit; others are clipped).
     */
    public static VtdDomain identity(VtdUnitDriver unit, List<long[]> ranges, boolean allowPassThrough) {
        boolean pt = allowPassThrough && unit.passThrough();
        VtdDomain d = new VtdDomain(Type.IDENTITY, unit, null, null, pt);
        if (!pt) {
            for (long[] r : ranges) {
                long lo = r[0] & ~(GRANULE - 1);
                long hi = Math.min(r[0] + r[1], d.addressLimit);
                hi = (hi + GRANULE - 1) & ~(GRANULE - 1);
                if (hi > lo) {
                    d.mapIdentityRange(lo, hi - lo);
                }
            }
        }
        return d;
    }

    public static VtdDomain blocked(VtdUnitDriver unit) {
        return new VtdDomain(Type.BLOCKED, unit, null, null, false);
    }

    /**
     * The VT-d domain {@code iommu} serves {@code device} through: empty when none does, or when
     * the device's domain is another IOMMU's.
     */
    public static Optional<VtdDomain> of(Iommu iommu, RequesterId device) {
        return iommu.domainOf(device).filter(VtdDomain.class::isInstance).map(VtdDomain.class::cast);
    }

    @Override
    public Type type() {
        return type;
    }

    @Override
    public int id() {
        return domainId;
    }

    @Override
    public long granule() {
        return GRANULE;
    }

    public VtdUnitDriver unit() {
        return unit;
    }

    public boolean passThrough() {
        return passThrough;
    }

    /** One past the highest IOVA this domain can map. */
    public long addressLimit() {
        return addressLimit;
    }

    public SecondLevelPageTable pageTable() {
        return table;
    }

    public synchronized Set<RequesterId> devices() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(devices));
    }

    // ---- attach / detach ----------------------------------------------------------------------

    /** Points {@code device}'s context entry at this domain. */
    @Override
    public synchronized void attach(RequesterId device) {
        checkLive();
        switch (type) {
            case BLOCKED -> unit.clearContext(device);
            case IDENTITY -> {
                if (passThrough) {
                    unit.setContext(device, VtdContextEntryLayout.TT_PASS_THROUGH, 0, unit.contextAw(), domainId);
                } else {
                    unit.setContext(device, VtdContextEntryLayout.TT_MULTI_LEVEL, table.root(), unit.contextAw(), domainId);
                }
            }
            default -> unit.setContext(device, VtdContextEntryLayout.TT_MULTI_LEVEL, table.root(), unit.contextAw(), domainId);
        }
        devices.add(device);
    }

    /** Makes {@code device}'s context entry not present. Returns false when it was not attached here. */
    @Override
    public synchronized boolean detach(RequesterId device) {
        if (!devices.remove(device)) {
            return false;
        }
        unit.clearContext(device);
        return true;
    }

    // ---- IOVA -------------------------------------------------------------------------------

    @Override
    public OptionalLong allocIova(long size, long limit) {
        long iovaAddress = tryAllocIova(size, limit);
        return iovaAddress == NO_IOVA ? OptionalLong.empty() : OptionalLong.of(iovaAddress);
    }

    /**
     * Takes no domain lock: the IOVA allocator and the flush queue are thread-safe (Linux's
     * {@code iommu_dma_alloc_iova} takes none either). Only a full space's flush, which frees table
     * pages, runs under the lock, as every other flush does.
     */
    @Override
    public long tryAllocIova(long size, long limit) {
        requireDma("allocIova");
        if (size <= 0 || size % GRANULE != 0) {
            throw new IllegalArgumentException(String.format("IOVA size %#x is not a positive multiple of %d", size, GRANULE));
        }
        long pages = size / GRANULE;
        long effective = limit < 0 ? addressLimit - 1 : Math.min(limit, addressLimit - 1);
        long limitPfn = ((effective + 1) / GRANULE) - 1;
        if (limitPfn < pages) {
            throw new IllegalArgumentException(String.format("limit %#x leaves no room for %d pages", limit, pages));
        }
        long pfn = IovaAllocator.NONE;
        // Linux iommu_dma_alloc_iova: PCI devices try 32-bit IOVAs first (pci_32bit_workaround).
        // The 32-bit try does not flush the per-CPU caches; the full-range try may.
        if (pci32First && effective > DMA32_LIMIT) {
            pfn = iova.allocate(pages, ((DMA32_LIMIT + 1) / GRANULE) - 1, false);
        }
        if (pfn == IovaAllocator.NONE) {
            pfn = iova.allocate(pages, limitPfn, true);
        }
        if (pfn == IovaAllocator.NONE && flushQueue != null && flushQueue.pending() > 0) {
            // Space held by unmapped-but-unflushed ranges: flush, release, retry once.
            flush();
            pfn = iova.allocate(pages, limitPfn, true);
        }
        return pfn == IovaAllocator.NONE ? NO_IOVA : pfn * GRANULE;
    }

    /** Turns the 32-bit-first policy off (Linux {@code iommu.forcedac=1}). */
    public void forceDac() {
        pci32First = false;
    }

    public IovaAllocator iovaAllocator() {
        return iova;
    }

    // ---- map / unmap -------------------------------------------------------------------------

    @Override
    public synchronized void map(long iovaAddress, long physical, long size, IoPermission permission) {
        checkLive();
        requireDma("map");
        Objects.requireNonNull(permission, "permission");
        if (iovaAddress + size > addressLimit) {
            throw new IllegalArgumentException(String.format("IOVA range [%#x, +%#x) exceeds the domain's %#x limit",
                    iovaAddress, size, addressLimit));
        }
        runTimer();
        table.map(iovaAddress, physical, size, permission.read(), permission.write());
        if (unit.cachingMode()) {
            // CM: the unit may cache not-present entries; a non-present → present change needs a flush.
            unit.invalidateIotlbPages(domainId, iovaAddress, size / GRANULE);
        }
    }

    @Override
    public synchronized void unmapAndFree(long iovaAddress, long size) {
        checkLive();
        requireDma("unmapAndFree");
        long pages = size / GRANULE;
        long pfn = iovaAddress / GRANULE;
        // An allocator that cannot answer cheaply (cached frees not marked, as Linux's) is asked
        // only when the tables do not map the first page; a mapped one is taken as live, as Linux
        // takes what iommu_unmap finds. The tables are walked only when an answer needs them.
        boolean cheap = iova.answersIsAllocatedCheaply();
        boolean mapped = (flushQueue != null || !cheap) && table.isMapped(iovaAddress);
        // A queued range's entries are already clear, so a mapped first page is never in the flush
        // queue: only an unmapped one needs the queue's scan.
        if (flushQueue != null && !mapped && flushQueue.holds(pfn)) {
            throw new IllegalArgumentException(String.format(
                    "IOVA %#x was already unmapped and waits for its flush (double unmap)", iovaAddress));
        }
        if ((cheap || !mapped) && !iova.isAllocated(pfn)) {
            throw new IllegalArgumentException(String.format("IOVA %#x was not allocated in domain %d", iovaAddress, domainId));
        }
        List<Long> tables = table.unmap(iovaAddress, size);
        if (type == Type.DMA_STRICT) {
            unit.invalidateIotlbPages(domainId, iovaAddress, pages);
            freeTablePages(tables);
            iova.free(pfn, pages);
        } else {
            flushQueue.queue(pfn, pages, tables);
        }
        // This unmap may have ended the mapping that covered a table page whose free was refused.
        unit.memory().retryRefusedFrees();
    }

    /** Frees table pages an unmap emptied (most unmaps empty none). */
    private void freeTablePages(List<Long> tablePages) {
        for (int i = 0; i < tablePages.size(); i++) {
            unit.memory().freePage(tablePages.get(i));
        }
    }

    /**
     * Identity-maps [base, base + size) read/write and reserves it in the IOVA space (RMRRs; Linux
     * {@code iommu_dma_get_resv_regions} + {@code reserve_iova}). The caller does this before
     * translation is enabled.
     */
    @Override
    public synchronized void reserveAndMapIdentity(long base, long size) {
        checkLive();
        if (type == Type.BLOCKED || passThrough) {
            return; // nothing is translated / everything already is 1:1
        }
        long lo = base & ~(GRANULE - 1);
        long hi = (base + size + GRANULE - 1) & ~(GRANULE - 1);
        if (iova != null) {
            iova.reserve(lo / GRANULE, hi / GRANULE - 1);
        }
        mapIdentityRange(lo, hi - lo);
    }

    private void mapIdentityRange(long lo, long size) {
        // Skip pages already mapped (overlapping RAM and RMRR ranges), map the rest.
        long p = lo;
        long end = lo + size;
        while (p < end) {
            SecondLevelPageTable.Leaf leaf = table.lookup(p);
            if (leaf != null) {
                p = leaf.iovaBase() + leaf.pageSize();
                continue;
            }
            long q = p + GRANULE;
            while (q < end && table.lookup(q) == null && (q & ((1L << 30) - 1)) != 0) {
                q += GRANULE;
            }
            table.map(p, p, q - p, true, true);
            p = q;
        }
    }

    @Override
    public OptionalLong translate(long iovaAddress) {
        synchronized (this) {
            return switch (type) {
                case BLOCKED -> OptionalLong.empty();
                case IDENTITY -> passThrough
                        ? (iovaAddress >= 0 && iovaAddress < addressLimit ? OptionalLong.of(iovaAddress) : OptionalLong.empty())
                        : table.translate(iovaAddress);
                default -> table.translate(iovaAddress);
            };
        }
    }

    // ---- lazy -------------------------------------------------------------------------------

    /** The flush queue of a DMA_LAZY domain, else null. */
    @Override
    public FlushQueue flushQueue() {
        return flushQueue;
    }

    /** Fires the lazy flush timer if due. Returns whether it flushed. */
    @Override
    public synchronized boolean runTimer() {
        return flushQueue != null && flushQueue.runTimer();
    }

    /** Flushes a lazy domain's queue now (no-op for others). */
    public synchronized void flush() {
        if (flushQueue != null) {
            flushQueue.flushNow();
        }
    }

    private final class LazyOwner implements FlushQueue.Owner {
        @Override
        public void flushIotlbAll() {
            unit.invalidateIotlbDomain(domainId);
        }

        @Override
        public void release(long pfn, long pages, List<Long> tablePages) {
            freeTablePages(tablePages);
            iova.free(pfn, pages);
        }

        @Override
        public boolean busy() {
            return unit.busy();
        }
    }

    // ---- teardown ---------------------------------------------------------------------------

    @Override
    public synchronized void free() {
        if (!devices.isEmpty()) {
            throw new IllegalStateException(String.format("domain %d cannot be freed: %s still attached", domainId, devices));
        }
        destroy();
    }

    /** Detaches every device, flushes, frees the tables and the domain id. */
    public synchronized void destroy() {
        if (destroyed) {
            return;
        }
        for (RequesterId d : new ArrayList<>(devices)) {
            detach(d);
        }
        if (flushQueue != null) {
            flushQueue.flushNow();
        }
        if (table != null) {
            table.destroy();
        }
        if (type != Type.BLOCKED) {
            unit.freeDomainId(domainId);
        }
        destroyed = true;
    }

    private void requireDma(String what) {
        if (type != Type.DMA_STRICT && type != Type.DMA_LAZY) {
            throw new IllegalStateException(what + " needs a DMA domain; domain " + domainId + " is " + type);
        }
    }

    private void checkLive() {
        if (destroyed) {
            throw new IllegalStateException("domain " + domainId + " was destroyed");
        }
    }

    @Override
    public String toString() {
        return String.format("%s domain %d on unit %#x (%d devices)", type, domainId, unit.registerBase(), devices.size());
    }
}
