package org.jdma.kernel.iommu.seed;

import java.util.ArrayList;
import java.util.List;

/**
 * Seed 003's {@code ScatterGatherList}, with the limits the seed lacked (checklist rows 70 and 71):
 * a maximum number of entries, a maximum segment size and a segment boundary (Linux
 * {@code dma_parms.max_segment_size} and {@code segment_boundary_mask}), and zero-length entries
 * refused. Lengths are unsigned 32-bit values as in the seed ({@code length: u32}).
 *
 * <p>An entry that breaks a limit is refused with {@link SgLimitException} naming the entry index
 * and the limit; the list is unchanged.
 */
public final class ScatterGatherList {

    /** Seed 003's {@code ScatterGatherEntry}. {@code length} is an unsigned 32-bit value. */
    public record Entry(long physAddr, int length) {
        public long lengthUnsigned() {
            return Integer.toUnsignedLong(length);
        }
    }

    /**
     * What a list accepts.
     *
     * @param maxEntries      most entries (positive)
     * @param maxSegmentSize  longest entry in bytes, 1..2^32
     * @param boundaryMask    an entry may not cross an address multiple of {@code boundaryMask + 1}
     *                        (a power of two minus one; -1 = no boundary)
     */
    public record Limits(int maxEntries, long maxSegmentSize, long boundaryMask) {
        /** Limits that only the entry format imposes: 2^31 - 1 entries of up to 4 GiB - 1, no boundary. */
        public static final Limits NONE = new Limits(Integer.MAX_VALUE, 0xFFFF_FFFFL, -1L);

        public Limits {
            if (maxEntries <= 0) {
                throw new IllegalArgumentException("maxEntries must be positive, was " + maxEntries);
            }
            if (maxSegmentSize <= 0 || maxSegmentSize > 0x1_0000_0000L) {
                throw new IllegalArgumentException("maxSegmentSize must be 1..2^32, was " + maxSegmentSize);
            }
            if ((boundaryMask & (boundaryMask + 1)) != 0) {
                throw new IllegalArgumentException(String.format("boundaryMask must be a power of two minus one, was %#x", boundaryMask));
            }
        }
    }

    /** Why an entry was refused. */
    public enum Violation { ZERO_LENGTH, TOO_MANY_ENTRIES, SEGMENT_TOO_LARGE, BOUNDARY_CROSS, ADDRESS_WRAP }

    /** An entry that breaks the list's limits. */
    public static final class SgLimitException extends IllegalArgumentException {
        private final Violation violation;

        SgLimitException(Violation violation, String message) {
            super(message);
            this.violation = violation;
        }

        public Violation violation() {
            return violation;
        }
    }

    private final Limits limits;
    private final List<Entry> entries = new ArrayList<>();
    private long totalLength;

    /** A list with no limits beyond the entry format's (the seed's {@code new()}). */
    public ScatterGatherList() {
        this(Limits.NONE);
    }

    public ScatterGatherList(Limits limits) {
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
    }

    /**
     * Seed 003's {@code add_entry(phys, len)}; {@code length} is read as unsigned 32-bit.
     *
     * @throws SgLimitException when the entry is empty, too long, crosses the boundary, wraps past
     *         2^64, or the list is full
     */
    public ScatterGatherList addEntry(long physAddr, int length) {
        long len = Integer.toUnsignedLong(length);
        int index = entries.size();
        if (len == 0) {
            throw new SgLimitException(Violation.ZERO_LENGTH, "scatter-gather entry " + index + " has length 0");
        }
        if (index >= limits.maxEntries()) {
            throw new SgLimitException(Violation.TOO_MANY_ENTRIES,
                    "scatter-gather entry " + index + " exceeds the limit of " + limits.maxEntries() + " entries");
        }
        if (len > limits.maxSegmentSize()) {
            throw new SgLimitException(Violation.SEGMENT_TOO_LARGE, String.format(
                    "scatter-gather entry %d: %d bytes exceed the maximum segment size %d", index, len, limits.maxSegmentSize()));
        }
        long last = physAddr + len - 1;
        if (Long.compareUnsigned(last, physAddr) < 0) {
            throw new SgLimitException(Violation.ADDRESS_WRAP, String.format(
                    "scatter-gather entry %d: [%#x, +%d) wraps past 2^64", index, physAddr, len));
        }
        if (limits.boundaryMask() != -1L && (physAddr | limits.boundaryMask()) != (last | limits.boundaryMask())) {
            throw new SgLimitException(Violation.BOUNDARY_CROSS, String.format(
                    "scatter-gather entry %d: [%#x, %#x] crosses a %#x-byte boundary", index, physAddr, last, limits.boundaryMask() + 1));
        }
        entries.add(new Entry(physAddr, length));
        totalLength += len;
        return this;
    }

    public int entryCount() {
        return entries.size();
    }

    /** Sum of the entries' lengths. */
    public long totalLength() {
        return totalLength;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    public Limits limits() {
        return limits;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public void clear() {
        entries.clear();
        totalLength = 0;
    }
}
