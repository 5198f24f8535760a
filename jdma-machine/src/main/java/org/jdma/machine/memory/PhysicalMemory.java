package org.jdma.machine.memory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.spec.msi.MsiMessageLayout;

/**
 * The machine's physical address map. RAM regions are added while the machine is assembled and
 * never change afterwards. MMIO windows may come and go at run time (a device's BAR follows what
 * software writes into it, {@link MmioSpace}): the window list is replaced, never changed in
 * place, so a device thread that looks up an address while the CPU moves a BAR sees either the
 * old or the new map.
 */
public final class PhysicalMemory implements MmioSpace {

    /** Up to this many RAM regions a scan compares each in turn; beyond, it searches by base. */
    private static final int LINEAR_LOOKUP_MAX = 4;
    /** The lookup table's granule: 1 GiB. */
    private static final int GRANULE_SHIFT = 30;
    /** Granules the table covers at most (64 TiB); RAM above is found by the scan. */
    private static final int MAX_GRANULES = 1 << 16;
    /** In {@link #byGranule}: RAM covers only part of this granule, or several regions share it. */
    private static final RamRegion PARTIAL = new RamRegion("(partial granule)", 0, 0, MemorySegment.NULL);

    /**
     * The RAM regions sorted by base: replaced (never changed) as regions are added
     * while the machine is assembled, before any device thread starts. A lookup writes nothing, so
     * threads that look up addresses share this line read-only.
     */
    private RamRegion[] byBase = new RamRegion[0];
    /**
     * Per GiB of the address space up to the end of RAM: the region that covers all of it, null
     * where no RAM is, {@link #PARTIAL} where a scan must decide. A lookup is then one table load
     * whatever region it lands in; a scan over several regions mispredicts its exit branch when
     * lookups alternate between regions (page tables in one, queues in another, MMIO between).
     */
    private RamRegion[] byGranule = new RamRegion[0];
    private volatile List<MmioWindow> mmio = List.of();

    public RamRegion addRam(String name, long base, MemorySegment memory) {
        RamRegion r = new RamRegion(name, base, memory.byteSize(), memory);
        checkFree(name, base, r.size());
        RamRegion[] regions = Arrays.copyOf(byBase, byBase.length + 1);
        regions[byBase.length] = r;
        Arrays.sort(regions, Comparator.comparingLong(RamRegion::base));
        byBase = regions;
        byGranule = granuleTable(byBase);
        return r;
    }

    public synchronized MmioWindow addMmio(String name, long base, long size, MmioHandler handler) {
        checkFree(name, base, size);
        MmioWindow w = new MmioWindow(name, base, size, handler);
        List<MmioWindow> next = new ArrayList<>(mmio);
        next.add(w);
        next.sort(Comparator.comparingLong(MmioWindow::base));
        mmio = List.copyOf(next);
        return w;
    }

    @Override
    public synchronized Optional<MmioWindow> tryMap(String name, long base, long size, MmioHandler handler) {
        if (size <= 0 || base < 0 || base + size < base || !isFree(base, size)) {
            return Optional.empty();
        }
        return Optional.of(addMmio(name, base, size, handler));
    }

    @Override
    public synchronized void unmap(MmioWindow window) {
        List<MmioWindow> next = new ArrayList<>(mmio);
        if (next.remove(window)) {
            mmio = List.copyOf(next);
        }
    }

    /** Whether no byte of [base, base + size) is RAM, an MMIO window or the interrupt range. */
    public boolean isFree(long base, long size) {
        for (RamRegion r : byBase) {
            if (base < r.end() && r.base() < base + size) {
                return false;
            }
        }
        for (MmioWindow w : mmio) {
            if (base < w.base() + w.size() && w.base() < base + size) {
                return false;
            }
        }
        return !(base < MsiMessageLayout.INTERRUPT_RANGE_BASE + MsiMessageLayout.INTERRUPT_RANGE_SIZE
                && MsiMessageLayout.INTERRUPT_RANGE_BASE < base + size);
    }

    private void checkFree(String name, long base, long size) {
        if (size <= 0 || base < 0 || base + size < base) {
            throw new IllegalArgumentException(String.format("region %s [%#x, +%#x) is empty or wraps", name, base, size));
        }
        for (RamRegion r : byBase) {
            if (base < r.end() && r.base() < base + size) {
                throw new IllegalArgumentException(String.format("region %s at %#x overlaps RAM %s [%#x, %#x)",
                        name, base, r.name(), r.base(), r.end()));
            }
        }
        for (MmioWindow w : mmio) {
            if (base < w.base() + w.size() && w.base() < base + size) {
                throw new IllegalArgumentException(String.format("region %s at %#x overlaps MMIO %s [%#x, %#x)",
                        name, base, w.name(), w.base(), w.base() + w.size()));
            }
        }
    }

    public List<RamRegion> ramRegions() {
        return List.of(byBase);
    }

    public List<MmioWindow> mmioWindows() {
        return mmio;
    }

    /** The RAM region containing {@code address}, or null. */
    public RamRegion ramAt(long address) {
        long g = address >>> GRANULE_SHIFT;
        RamRegion[] table = byGranule;
        if (g < table.length) {
            RamRegion r = table[(int) g];
            if (r != PARTIAL) {
                return r;
            }
        }
        return scan(address);
    }

    private RamRegion scan(long address) {
        RamRegion[] regions = byBase;
        if (regions.length <= LINEAR_LOOKUP_MAX) {
            for (RamRegion r : regions) {
                if (r.contains(address)) {
                    return r;
                }
            }
            return null;
        }
        // Many regions: the last whose base is at or below the address (regions never overlap).
        int lo = 0;
        int hi = regions.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(regions[mid].base(), address) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi >= 0 && regions[hi].contains(address) ? regions[hi] : null;
    }

    private static RamRegion[] granuleTable(RamRegion[] regions) {
        long end = 0;
        for (RamRegion r : regions) {
            end = Math.max(end, r.end());
        }
        int n = (int) Math.min(MAX_GRANULES, (end + (1L << GRANULE_SHIFT) - 1) >>> GRANULE_SHIFT);
        RamRegion[] table = new RamRegion[n];
        for (int g = 0; g < n; g++) {
            long lo = (long) g << GRANULE_SHIFT;
            long hi = lo + (1L << GRANULE_SHIFT);
            for (RamRegion r : regions) {
                if (r.base() < hi && lo < r.end()) {
                    boolean whole = r.base() <= lo && hi <= r.end();
                    table[g] = table[g] == null && whole ? r : PARTIAL;
                }
            }
        }
        return table;
    }

    /** The MMIO window containing {@code address}, or null. */
    public MmioWindow mmioAt(long address) {
        List<MmioWindow> windows = mmio;
        for (int i = 0; i < windows.size(); i++) {
            MmioWindow w = windows.get(i);
            if (w.contains(address)) {
                return w;
            }
        }
        return null;
    }

    /**
     * The RAM backing [address, address + length) as one segment slice, or null when any byte of
     * the range is not RAM or the range spans two regions.
     */
    public MemorySegment ramSlice(long address, long length) {
        RamRegion r = ramHolding(address, length);
        return r == null ? null : r.memory().asSlice(address - r.base(), length);
    }

    /**
     * The RAM region that holds all of [address, address + length), or null: {@link #ramSlice}
     * without making a slice, for hot paths that read or write the bytes at once.
     */
    public RamRegion ramHolding(long address, long length) {
        RamRegion r = ramAt(address);
        if (r == null || length < 0 || Long.compareUnsigned(address - r.base() + length, r.size()) > 0) {
            return null;
        }
        return r;
    }

    /** Length of the RAM run starting at {@code address} inside one region (0 if not RAM). */
    public long ramRunLength(long address) {
        RamRegion r = ramAt(address);
        return r == null ? 0 : r.end() - address;
    }

    public long totalRam() {
        long sum = 0;
        for (RamRegion r : byBase) {
            sum += r.size();
        }
        return sum;
    }
}
