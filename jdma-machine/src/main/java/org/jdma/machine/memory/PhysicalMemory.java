package org.jdma.machine.memory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jdma.machine.mmio.MmioHandler;

/**
 * The machine's physical address map. Lookups are by binary search over regions sorted by base.
 * Regions are added while the machine is assembled and never change afterwards.
 */
public final class PhysicalMemory {

    private final List<RamRegion> ram = new ArrayList<>();
    private final List<MmioWindow> mmio = new ArrayList<>();
    private RamRegion lastHit;

    public RamRegion addRam(String name, long base, MemorySegment memory) {
        RamRegion r = new RamRegion(name, base, memory.byteSize(), memory);
        checkFree(name, base, r.size());
        ram.add(r);
        ram.sort(Comparator.comparingLong(RamRegion::base));
        return r;
    }

    public MmioWindow addMmio(String name, long base, long size, MmioHandler handler) {
        checkFree(name, base, size);
        MmioWindow w = new MmioWindow(name, base, size, handler);
        mmio.add(w);
        mmio.sort(Comparator.comparingLong(MmioWindow::base));
        return w;
    }

    private void checkFree(String name, long base, long size) {
        if (size <= 0 || base < 0 || base + size < base) {
            throw new IllegalArgumentException(String.format("region %s [%#x, +%#x) is empty or wraps", name, base, size));
        }
        for (RamRegion r : ram) {
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
        return List.copyOf(ram);
    }

    public List<MmioWindow> mmioWindows() {
        return List.copyOf(mmio);
    }

    /** The RAM region containing {@code address}, or null. */
    public RamRegion ramAt(long address) {
        RamRegion hit = lastHit;
        if (hit != null && hit.contains(address)) {
            return hit;
        }
        for (RamRegion r : ram) {
            if (r.contains(address)) {
                lastHit = r;
                return r;
            }
        }
        return null;
    }

    /** The MMIO window containing {@code address}, or null. */
    public MmioWindow mmioAt(long address) {
        for (MmioWindow w : mmio) {
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
        RamRegion r = ramAt(address);
        if (r == null || length < 0 || Long.compareUnsigned(address - r.base() + length, r.size()) > 0) {
            return null;
        }
        return r.memory().asSlice(address - r.base(), length);
    }

    /** Length of the RAM run starting at {@code address} inside one region (0 if not RAM). */
    public long ramRunLength(long address) {
        RamRegion r = ramAt(address);
        return r == null ? 0 : r.end() - address;
    }

    public long totalRam() {
        long sum = 0;
        for (RamRegion r : ram) {
            sum += r.size();
        }
        return sum;
    }
}
