package org.jdma.kernel.dma.debug;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import org.jdma.kernel.dma.DmaDevice;

/**
 * The entries each device unmapped or freed most recently, with where that happened (the entry's
 * {@code unmapSite}, a {@code Throwable} decoded only when a report needs it), so that a double
 * unmap can name the first unmap and a device access after unmap can name the unmap.
 *
 * <p>Bounded: at most {@value #PER_DEVICE} entries per device, the oldest dropped first; a detached
 * device's history is dropped with it. An unmap older than that is reported without its site.
 * Not thread-safe: the checker's lock guards it.
 */
final class UnmapHistory {

    /** Removed entries kept per device. */
    static final int PER_DEVICE = 256;

    private final Map<DmaDevice, ArrayDeque<DebugEntry>> byDevice = new IdentityHashMap<>();

    /** Remembers {@code e}, just unmapped (its unmap site already set). */
    void add(DebugEntry e) {
        ArrayDeque<DebugEntry> d = byDevice.computeIfAbsent(e.device, k -> new ArrayDeque<>());
        if (d.size() == PER_DEVICE) {
            d.removeLast();
        }
        d.addFirst(e);
    }

    /** The most recently removed entry of {@code device} that started at {@code dmaAddress}, or null. */
    DebugEntry startingAt(DmaDevice device, long dmaAddress) {
        ArrayDeque<DebugEntry> d = byDevice.get(device);
        if (d != null) {
            for (DebugEntry e : d) {
                if (e.dmaAddress == dmaAddress) {
                    return e;
                }
            }
        }
        return null;
    }

    /** The most recently removed entry of {@code device} whose range held {@code dmaAddress}, or null. */
    DebugEntry containing(DmaDevice device, long dmaAddress) {
        ArrayDeque<DebugEntry> d = byDevice.get(device);
        if (d != null) {
            for (Iterator<DebugEntry> it = d.iterator(); it.hasNext(); ) {
                DebugEntry e = it.next();
                if (dmaAddress - e.dmaAddress >= 0 && dmaAddress - e.dmaAddress < e.size) {
                    return e;
                }
            }
        }
        return null;
    }

    void forget(DmaDevice device) {
        byDevice.remove(device);
    }

    void clear() {
        byDevice.clear();
    }
}
