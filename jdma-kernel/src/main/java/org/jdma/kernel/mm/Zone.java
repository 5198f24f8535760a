package org.jdma.kernel.mm;

import java.util.List;

/**
 * Memory zones, as Linux names them on x86-64 ({@code include/linux/mmzone.h}): DMA holds frames
 * below 16 MiB (what an ISA DMA channel or a device with a 24-bit DMA mask can reach: the ISA bus
 * has 24 address lines), DMA32 frames from 16 MiB to 4 GiB (the rest of what a 32-bit mask
 * reaches), NORMAL the rest. A frame's zone is the zone of its address; no block of
 * frames spans two zones.
 *
 * <p>Allocation falls back only to lower zones, never to higher ones, as Linux's zonelists do: a
 * NORMAL request may be served from DMA32 and then DMA, a DMA32 request from DMA, and a DMA request
 * only from DMA. Memory below a device's limit is scarce and a lower zone can serve every request
 * a higher one can, never the other way round.
 */
public enum Zone {
    DMA(0, 16L << 20),
    DMA32(16L << 20, 1L << 32),
    NORMAL(1L << 32, Long.MAX_VALUE);

    private final long start;
    private final long end;

    Zone(long start, long end) {
        this.start = start;
        this.end = end;
    }

    /** First physical address of the zone. */
    public long start() {
        return start;
    }

    /** One past the last physical address of the zone. */
    public long end() {
        return end;
    }

    /** The zone holding physical address {@code physical} (non-negative). */
    public static Zone of(long physical) {
        if (physical < DMA.end) {
            return DMA;
        }
        return physical < DMA32.end ? DMA32 : NORMAL;
    }

    /** Indexed by ordinal; made after the constants exist. */
    private static final List<List<Zone>> FALLBACK_ORDERS = List.of(List.of(DMA), List.of(DMA32, DMA), List.of(NORMAL, DMA32, DMA));

    /** The zones a request for this zone may be served from, in the order they are tried: this, then each lower one. */
    public List<Zone> fallbackOrder() {
        return FALLBACK_ORDERS.get(ordinal());
    }
}
