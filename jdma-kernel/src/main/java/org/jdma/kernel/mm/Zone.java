package org.jdma.kernel.mm;

/**
 * Memory zones, as Linux names them: DMA32 holds frames whose whole range lies below 4 GiB (what a
 * device with a 32-bit DMA mask can reach); NORMAL holds the rest.
 */
public enum Zone {
    DMA32(0, 1L << 32),
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

    public static Zone of(long physical) {
        return physical < DMA32.end ? DMA32 : NORMAL;
    }
}
