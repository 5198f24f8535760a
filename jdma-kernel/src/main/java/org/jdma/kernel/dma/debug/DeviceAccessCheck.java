package org.jdma.kernel.dma.debug;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.spec.pci.RequesterId;

/**
 * The device side of the checker: each memory access a device makes through its DMA port (seen
 * through the platform's {@link org.jdma.platform.DeviceAccessObserver}, before any data moves) is
 * compared with the live entries of the devices attached under its requester id. Every byte must
 * lie in a live entry whose direction allows the access; the first byte that does not is reported:
 * inside a recently unmapped or freed entry as {@link DmaDebugCategory#DEVICE_ACCESS_AFTER_UNMAP}
 * (naming the unmap), inside a live entry of the other direction as
 * {@link DmaDebugCategory#DEVICE_ACCESS_WRONG_DIRECTION} (naming the map), else as
 * {@link DmaDebugCategory#DEVICE_ACCESS_NOT_MAPPED}.
 *
 * <p>Requesters no attached device has are ignored (devices outside the DMA API, the IOMMU's own
 * table walks never reach here). Devices sharing a requester id (legacy devices behind their
 * bridge) share their mappings for this check. Each unmapped or wrong-direction entry is reported
 * once per access kind, and each never-mapped page once, so a device looping over a bad buffer
 * makes one report, not thousands. Runs with the checker's lock held.
 */
final class DeviceAccessCheck {

    /** Never-mapped pages remembered as reported before the set is cleared (a bound on memory). */
    static final int MAX_REMEMBERED_PAGES = 4096;
    private static final int PAGE_SHIFT = 12;

    private final CheckerState state;
    private final Map<RequesterId, List<DmaDevice>> attached = new HashMap<>();
    private final Set<PageKey> reportedPages = new HashSet<>();

    /** A page of a requester's bus address space already reported as never mapped. */
    private record PageKey(RequesterId requester, long page) { }

    DeviceAccessCheck(CheckerState state) {
        this.state = state;
    }

    void attach(DmaDevice device) {
        List<DmaDevice> l = attached.computeIfAbsent(device.requester(), r -> new ArrayList<>(1));
        if (!l.contains(device)) {
            l.add(device);
        }
    }

    void detach(DmaDevice device) {
        List<DmaDevice> l = attached.get(device.requester());
        if (l != null && l.remove(device) && l.isEmpty()) {
            attached.remove(device.requester());
        }
    }

    /** Checks one access of [bus, bus + length) by {@code requester}. */
    void access(RequesterId requester, long bus, long length, boolean write) {
        List<DmaDevice> devices = attached.get(requester);
        if (devices == null || length <= 0) {
            return;
        }
        long end = bus + length;
        long cursor = bus;
        while (Long.compareUnsigned(cursor, end) < 0 || end == 0 && cursor != 0) {
            DebugEntry wrong = null;
            DebugEntry ok = null;
            for (DmaDevice d : devices) {
                DebugEntry e = state.table.covering(d, cursor, write);
                if (e != null && EntryTable.allows(e, write)) {
                    ok = e;
                    break;
                }
                wrong = wrong == null ? e : wrong;
            }
            if (ok == null) {
                reportMiss(devices, wrong, cursor, bus, length, write);
                return;
            }
            long entryEnd = ok.dmaAddress + ok.size;
            if (entryEnd == 0) {
                return; // the entry runs to the top of the address space
            }
            cursor = entryEnd;
        }
    }

    private void reportMiss(List<DmaDevice> devices, DebugEntry wrong, long at, long bus, long length, boolean write) {
        int bit = write ? 2 : 1;
        String access = String.format("[%s] [device address=0x%016x] [size=%d bytes] [first bad byte=0x%016x]",
                write ? "write" : "read", bus, length, at);
        if (wrong != null) {
            if ((wrong.deviceReported & bit) == 0) {
                wrong.deviceReported |= bit;
                state.reporter.report(DmaDebugCategory.DEVICE_ACCESS_WRONG_DIRECTION, wrong.device, wrong, -1, String.format(
                        "device %s memory mapped with %s %s", write ? "wrote" : "read", DmaMapping.directionName(wrong.direction), access));
            }
            return;
        }
        for (DmaDevice d : devices) {
            DebugEntry gone = state.history.containing(d, at);
            if (gone != null) {
                if ((gone.deviceReported & bit) == 0) {
                    gone.deviceReported |= bit;
                    state.reporter.report(DmaDebugCategory.DEVICE_ACCESS_AFTER_UNMAP, d, gone, -1, String.format(
                            "device accessed DMA memory after it was %s %s", gone.type == DmaMappingType.COHERENT ? "freed" : "unmapped",
                            access), true);
                }
                return;
            }
        }
        if (reportedPages.size() >= MAX_REMEMBERED_PAGES) {
            reportedPages.clear();
        }
        if (reportedPages.add(new PageKey(devices.getFirst().requester(), at >>> PAGE_SHIFT))) {
            state.reporter.report(DmaDebugCategory.DEVICE_ACCESS_NOT_MAPPED, devices.getFirst(), null, -1,
                    "device accessed DMA memory it has no mapping for " + access);
        }
    }

    void clear() {
        reportedPages.clear();
    }
}
