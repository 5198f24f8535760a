package org.jdma.kernel.dma.debug;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.platform.MemoryMapEntry;

/**
 * Linux dma-debug's checks of the calls themselves ({@code kernel/dma/debug.c}): {@code check_unmap}
 * (checks 1-8), {@code check_sync} (9-14), the map-time area checks ({@code check_for_stack},
 * {@code check_for_illegal_area} and the direct-map test: 16-19) and {@code check_sg_segment}
 * (20, 21). Leak on detach (15) and cache-line overlap (22-24) are {@link DmaDebug}'s and
 * {@link CachelineTracker}'s. Every method runs with the checker's lock held.
 */
final class DebugChecks {

    private final CheckerState debug;
    private final EntryTable table;
    private final List<long[]> directMap = new ArrayList<>();
    private final Map<MemoryArea, List<long[]>> areas = new EnumMap<>(MemoryArea.class);

    DebugChecks(CheckerState debug, EntryTable table) {
        this.debug = debug;
        this.table = table;
    }

    /** The kernel's direct map is the RAM of {@code memoryMap}: mapSingle of anything else is check 18. */
    void directMap(List<MemoryMapEntry> memoryMap) {
        directMap.clear();
        for (MemoryMapEntry e : memoryMap) {
            if (e.type() == MemoryMapEntry.Type.RAM) {
                directMap.add(new long[] {e.base(), e.base() + e.length()});
            }
        }
    }

    void declareArea(MemoryArea kind, long base, long size) {
        areas.computeIfAbsent(kind, k -> new ArrayList<>()).add(new long[] {base, base + size});
    }

    /**
     * Linux {@code check_unmap}: reports what is wrong with the unmap or free and returns the entry
     * it releases (not one of {@code claimed}), or null; the entry stays until the layer has
     * released the mapping ({@link CheckerState#released}). An unmap of an address the history
     * holds (a double unmap) names the first.
     */
    DebugEntry checkUnmap(MappingRef ref, List<DebugEntry> claimed) {
        DebugEntry e = table.findExact(ref, claimed);
        if (e == null) {
            DebugEntry gone = debug.history.startingAt(ref.device(), ref.dmaAddress());
            if (ref.dmaAddress() == DmaApi.DMA_MAPPING_ERROR) {
                debug.report(DmaDebugCategory.FREE_INVALID_ADDRESS, ref.device(), null, -1,
                        "device driver tries to free an invalid DMA memory address");
            } else if (gone != null) {
                debug.reportWithUnmap(DmaDebugCategory.FREE_NOT_ALLOCATED, ref.device(), gone, String.format(
                        "device driver tries to free DMA memory it has not allocated [device address=0x%016x] [size=%d bytes]"
                                + " [already %s: see 'unmapped at']",
                        ref.dmaAddress(), ref.size(), gone.type == DmaMappingType.COHERENT ? "freed" : "unmapped"));
            } else {
                debug.report(DmaDebugCategory.FREE_NOT_ALLOCATED, ref.device(), null, -1, String.format(
                        "device driver tries to free DMA memory it has not allocated [device address=0x%016x] [size=%d bytes]",
                        ref.dmaAddress(), ref.size()));
            }
            return null;
        }
        if (ref.size() != e.size) {
            debug.report(DmaDebugCategory.FREE_SIZE_MISMATCH, ref.device(), e, -1, String.format(
                    "device driver frees DMA memory with different size [device address=0x%016x] [map size=%d bytes] [unmap size=%d bytes]",
                    ref.dmaAddress(), e.size, ref.size()));
        }
        if (ref.type() != e.type) {
            debug.report(DmaDebugCategory.FREE_WRONG_FUNCTION, ref.device(), e, -1, String.format(
                    "device driver frees DMA memory with wrong function [device address=0x%016x] [size=%d bytes] [mapped as %s] [unmapped as %s]",
                    ref.dmaAddress(), ref.size(), e.type.linuxName(), ref.type().linuxName()));
        } else if (ref.type() == DmaMappingType.COHERENT && ref.physical() != e.physical) {
            debug.report(DmaDebugCategory.FREE_CPU_ADDRESS_MISMATCH, ref.device(), e, -1, String.format(
                    "device driver frees DMA memory with different CPU address [device address=0x%016x] [size=%d bytes] [cpu alloc address=0x%x] [cpu free address=0x%x]",
                    ref.dmaAddress(), ref.size(), e.physical, ref.physical()));
        }
        if (ref.sgCallEntries() != 0 && ref.type() == DmaMappingType.SCATTER_GATHER && ref.sgCallEntries() != e.sgCallEntries) {
            debug.report(DmaDebugCategory.FREE_SG_COUNT_MISMATCH, ref.device(), e, -1, String.format(
                    "device driver frees DMA sg list with different entry count [map count=%d] [unmap count=%d]",
                    e.sgCallEntries, ref.sgCallEntries()));
        }
        if (ref.direction() != e.direction) {
            debug.report(DmaDebugCategory.FREE_DIRECTION_MISMATCH, ref.device(), e, -1, String.format(
                    "device driver frees DMA memory with different direction [device address=0x%016x] [size=%d bytes] [mapped with %s] [unmapped with %s]",
                    ref.dmaAddress(), ref.size(), DmaMapping.directionName(e.direction), DmaMapping.directionName(ref.direction())));
        }
        if (e.mapError == MapErrorState.NOT_CHECKED) {
            debug.report(DmaDebugCategory.MAP_ERROR_NOT_CHECKED, ref.device(), e, -1, String.format(
                    "device driver failed to check map error [device address=0x%016x] [size=%d bytes] [mapped as %s]",
                    ref.dmaAddress(), ref.size(), e.type.linuxName()));
        }
        return e;
    }

    /** Linux {@code check_sync}; moves ownership to the CPU when {@code toCpu}. Returns the entry found. */
    DebugEntry checkSync(MappingRef ref, boolean toCpu) {
        DebugEntry e = table.findContaining(ref);
        if (e == null) {
            debug.report(DmaDebugCategory.SYNC_NOT_ALLOCATED, ref.device(), null, -1, String.format(
                    "device driver tries to sync DMA memory it has not allocated [device address=0x%016x] [size=%d bytes]",
                    ref.dmaAddress(), ref.size()));
            return null;
        }
        long offset = ref.dmaAddress() - e.dmaAddress;
        if (ref.size() > e.size - offset) {
            debug.report(DmaDebugCategory.SYNC_OUT_OF_RANGE, ref.device(), e, -1, String.format(
                    "device driver syncs DMA memory outside allocated range [device address=0x%016x] [allocation size=%d bytes] [sync offset+size=%d]",
                    e.dmaAddress, e.size, offset + ref.size()));
        }
        CoherencySanitizer sanitizer = debug.sanitizerOrNull();
        if (toCpu && sanitizer != null) {
            // Before the delegate: a bounce copy back into the buffer is the layer's own CPU access.
            sanitizer.toCpu(e.region, syncStart(e, ref.dmaAddress()), syncEnd(e, ref.dmaAddress(), ref.size()));
        }
        if (e.direction == DmaDirection.BIDIRECTIONAL) {
            return e;
        }
        checkSyncDirection(ref, e, toCpu);
        return e;
    }

    private void checkSyncDirection(MappingRef ref, DebugEntry e, boolean toCpu) {
        if (ref.direction() != e.direction) {
            debug.report(DmaDebugCategory.SYNC_DIRECTION_MISMATCH, ref.device(), e, -1, String.format(
                    "device driver syncs DMA memory with different direction [device address=0x%016x] [size=%d bytes] [mapped with %s] [synced with %s]",
                    ref.dmaAddress(), ref.size(), DmaMapping.directionName(e.direction), DmaMapping.directionName(ref.direction())));
        }
        if (toCpu && e.direction != DmaDirection.FROM_DEVICE && ref.direction() != DmaDirection.TO_DEVICE) {
            debug.report(DmaDebugCategory.SYNC_READ_ONLY_FOR_CPU, ref.device(), e, -1, String.format(
                    "device driver syncs device read-only DMA memory for cpu [device address=0x%016x] [size=%d bytes] [mapped with %s] [synced with %s]",
                    ref.dmaAddress(), ref.size(), DmaMapping.directionName(e.direction), DmaMapping.directionName(ref.direction())));
        }
        if (!toCpu && e.direction != DmaDirection.TO_DEVICE && ref.direction() != DmaDirection.FROM_DEVICE) {
            debug.report(DmaDebugCategory.SYNC_WRITE_ONLY_TO_DEVICE, ref.device(), e, -1, String.format(
                    "device driver syncs device write-only DMA memory to device [device address=0x%016x] [size=%d bytes] [mapped with %s] [synced with %s]",
                    ref.dmaAddress(), ref.size(), DmaMapping.directionName(e.direction), DmaMapping.directionName(ref.direction())));
        }
        if (ref.sgCallEntries() != 0 && ref.type() == DmaMappingType.SCATTER_GATHER && ref.sgCallEntries() != e.sgCallEntries) {
            debug.report(DmaDebugCategory.SYNC_SG_COUNT_MISMATCH, ref.device(), e, -1, String.format(
                    "device driver syncs DMA sg list with different entry count [map count=%d] [sync count=%d]",
                    e.sgCallEntries, ref.sgCallEntries()));
        }
    }

    /** The CPU-side start of a sync (a whole sg list: its region's ranges; -1 means "all"). */
    static long syncStart(DebugEntry e, long dmaAddress) {
        return e.type == DmaMappingType.SCATTER_GATHER ? -1 : e.physical + (dmaAddress - e.dmaAddress);
    }

    static long syncEnd(DebugEntry e, long dmaAddress, long size) {
        return e.type == DmaMappingType.SCATTER_GATHER ? -1
                : e.physical + Math.min(e.size, (dmaAddress - e.dmaAddress) + size);
    }

    /** The references an sg unmap or sync makes: one per mapped device segment (Linux loops the same way). */
    List<MappingRef> sgRefs(DmaDevice device, ScatterList sg, int nents, DmaDirection direction) {
        if (sg.size() == 0) {
            return List.of();
        }
        ScatterList.Entry s0 = sg.get(0);
        DebugEntry first = table.findExact(new MappingRef(device, s0.dmaAddress(), s0.dmaLength(), s0.physical(),
                DmaMappingType.SCATTER_GATHER, direction, nents));
        // Linux checks nothing when it finds no entry (get_nr_mapped_entries is 0); check the first segment.
        int mapped = first == null ? 1 : first.sgMappedEntries;
        List<MappingRef> refs = new ArrayList<>();
        for (int i = 0; i < mapped && i < sg.size(); i++) {
            ScatterList.Entry s = sg.get(i);
            refs.add(new MappingRef(device, s.dmaAddress(), s.dmaLength(), s.physical(), DmaMappingType.SCATTER_GATHER, direction, nents));
        }
        return refs;
    }

    /** Linux {@code check_for_stack} and {@code check_for_illegal_area}, and mapSingle's direct-map checks. */
    void checkArea(DmaDevice device, long physical, long size, boolean single) {
        if (overlaps(areas.get(MemoryArea.STACK), physical, size)) {
            debug.report(DmaDebugCategory.MAP_STACK, device, null, -1,
                    String.format("device driver maps memory from stack [addr=0x%x]", physical));
        }
        if (overlaps(areas.get(MemoryArea.KERNEL_TEXT), physical, size)) {
            debug.report(DmaDebugCategory.MAP_KERNEL_TEXT, device, null, -1, String.format(
                    "device driver maps memory from kernel text or rodata [addr=0x%x] [len=%d]", physical, size));
        }
        if (!single) {
            return;
        }
        if (!directMap.isEmpty() && !inside(directMap, physical, size)) {
            debug.report(DmaDebugCategory.MAP_INVALID_AREA, device, null, -1, String.format(
                    "device driver maps memory from invalid area [addr=0x%x] [len=%d]", physical, size));
        }
        if (overlaps(areas.get(MemoryArea.VMALLOC), physical, size)) {
            debug.report(DmaDebugCategory.MAP_VMALLOC, device, null, -1, String.format(
                    "device driver maps memory from vmalloc area [addr=0x%x] [len=%d]", physical, size));
        }
    }

    private static boolean overlaps(List<long[]> ranges, long start, long size) {
        if (ranges == null) {
            return false;
        }
        for (long[] r : ranges) {
            if (start < r[1] && r[0] < start + size) {
                return true;
            }
        }
        return false;
    }

    private static boolean inside(List<long[]> ranges, long start, long size) {
        for (long[] r : ranges) {
            if (start >= r[0] && start + size <= r[1]) {
                return true;
            }
        }
        return false;
    }

    /** Linux {@code check_sg_segment} (CONFIG_DMA_API_DEBUG_SG). */
    void checkSgSegment(DmaDevice device, DebugEntry e, long inputLength) {
        long max = device.maxSegmentSize();
        if (inputLength > max) {
            debug.report(DmaDebugCategory.SG_SEGMENT_TOO_LONG, device, e, -1, String.format(
                    "mapping sg segment longer than device claims to support [len=%d] [max=%d]", inputLength, max));
        }
        long boundary = device.segmentBoundary();
        long start = e.dmaAddress;
        long end = e.dmaAddress + e.size - 1;
        if (((start ^ end) & ~boundary) != 0) {
            debug.report(DmaDebugCategory.SG_SEGMENT_CROSSES_BOUNDARY, device, e, -1, String.format(
                    "mapping sg segment across boundary [start=0x%016x] [end=0x%016x] [boundary=0x%016x]", start, end, boundary));
        }
    }
}
