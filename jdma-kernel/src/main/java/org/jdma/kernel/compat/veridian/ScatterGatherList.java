package org.jdma.kernel.compat.veridian;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.LongFunction;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.platform.Cpu;

/**
 * VeridianOS's {@code ScatterGatherList}, with the limits VeridianOS lacked
 * a maximum number of entries, a maximum segment size and a segment boundary (Linux
 * {@code dma_parms.max_segment_size} and {@code segment_boundary_mask}), and zero-length entries
 * refused. Lengths are unsigned 32-bit values as in VeridianOS ({@code length: u32}).
 *
 * <p>An entry that breaks a limit is refused with {@link SgLimitException} naming the entry index
 * and the limit; the list is unchanged.
 *
 * <p>From VeridianOS's second {@code ScatterGatherList} (kernel/src/net/zero_copy.rs):
 * {@link #fromVirtualRange} splits a virtually contiguous buffer into one entry per 4 KiB page by
 * a page-table lookup ({@code ZeroCopySend::add_user_buffer}, and
 * {@link #assemble} gathers the fragments into one buffer with the CPU when the hardware cannot
 * scatter-gather.
 */
public final class ScatterGatherList {

    /** VeridianOS's {@code ScatterGatherEntry}. {@code length} is an unsigned 32-bit value. */
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

    /** A virtual page is unmapped: the buffer cannot be described (VeridianOS {@code UnmappedMemory}). */
    public static final class UnmappedPageException extends IllegalArgumentException {
        private final long virtualAddress;

        UnmappedPageException(long virtualAddress, String message) {
            super(message);
            this.virtualAddress = virtualAddress;
        }

        /** The first virtual address of the range that has no translation. */
        public long virtualAddress() {
            return virtualAddress;
        }
    }

    /** Page granule of {@link #fromVirtualRange}: one entry never crosses a 4 KiB page. */
    public static final long PAGE_SIZE = 4096;

    private final Limits limits;
    /** The entries, as the DMA API takes them: {@code mapSg} maps exactly this list. */
    private final ScatterList list = new ScatterList();

    /** A list with no limits beyond the entry format's (VeridianOS's {@code new()}). */
    public ScatterGatherList() {
        this(Limits.NONE);
    }

    public ScatterGatherList(Limits limits) {
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
    }

    /**
     * VeridianOS's {@code add_entry(phys, len)}; {@code length} is read as unsigned 32-bit.
     *
     * @throws SgLimitException when the entry is empty, too long, crosses the boundary, wraps past
     *         2^64, or the list is full
     */
    public ScatterGatherList addEntry(long physAddr, int length) {
        long len = Integer.toUnsignedLong(length);
        int index = list.size();
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
        list.add(physAddr, len);
        return this;
    }

    /**
     * Describes the virtual range [virtualAddress, virtualAddress + length) as one entry per 4 KiB
     * page it touches: a range crossing k page boundaries gives k + 1 entries, the first starting at
     * its page offset, the last ending where the range does. Pages are not
     * merged even when physically contiguous (VeridianOS's shape; a mapping layer merges later).
     *
     * @param translate the page-table lookup: the physical address of a virtual address, empty when
     *                  its page is unmapped (for the kernel's direct map: {@code va ->
     *                  OptionalLong.of(DirectMap.physicalOf(va))})
     * @throws UnmappedPageException naming the page, when any page of the range is unmapped (no list
     *         is returned)
     * @throws IllegalArgumentException when length is not positive or the range wraps past 2^64
     * @throws SgLimitException when a page's entry breaks {@code limits} (too many entries, boundary)
     */
    public static ScatterGatherList fromVirtualRange(long virtualAddress, long length, LongFunction<OptionalLong> translate,
                                                     Limits limits) {
        Objects.requireNonNull(translate, "translate");
        if (length <= 0) {
            throw new IllegalArgumentException("virtual range length must be positive, was " + length);
        }
        long last = virtualAddress + length - 1;
        if (Long.compareUnsigned(last, virtualAddress) < 0) {
            throw new IllegalArgumentException(String.format("virtual range [%#x, +%d) wraps past 2^64", virtualAddress, length));
        }
        ScatterGatherList sg = new ScatterGatherList(limits);
        long va = virtualAddress;
        while (true) {
            long pageEnd = (va & -PAGE_SIZE) + PAGE_SIZE; // 0 after the top page
            long n = pageEnd == 0 || Long.compareUnsigned(pageEnd - 1, last) > 0 ? last - va + 1 : pageEnd - va;
            OptionalLong phys = translate.apply(va);
            if (phys == null || phys.isEmpty()) {
                throw new UnmappedPageException(va, String.format(
                        "virtual page %#x (byte %d of the range [%#x, +%d)) is not mapped",
                        va & -PAGE_SIZE, va - virtualAddress, virtualAddress, length));
            }
            sg.addEntry(phys.getAsLong(), (int) n);
            if (va + n - 1 == last) {
                return sg;
            }
            va += n;
        }
    }

    /**
     * VeridianOS's {@code assemble} fallback: copies the entries, in order, into the physical buffer
     * [outPhys, outPhys + outLength) with the CPU, and returns the bytes copied
     * ({@link #totalLength()}). a buffer too small is refused before anything is
     * copied, and a fragment the CPU cannot read fails the whole call before anything is written,
     * so no partial result is ever returned as a success.
     *
     * @throws IllegalArgumentException when outLength is below totalLength(), or a fragment or the
     *         output is not RAM (the message names which)
     */
    public long assemble(Cpu cpu, long outPhys, long outLength) {
        Objects.requireNonNull(cpu, "cpu");
        if (outLength < totalLength()) {
            throw new IllegalArgumentException(String.format(
                    "assemble: output buffer of %d bytes at %#x is too small for %d entries holding %d bytes",
                    outLength, outPhys, list.size(), totalLength()));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = gather(cpu, arena);
            try {
                cpu.write(outPhys, staging, 0, totalLength());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(String.format(
                        "assemble: output [%#x, +%d) is not RAM: %s", outPhys, totalLength(), e.getMessage()), e);
            }
        }
        return totalLength();
    }

    /**
     * As {@link #assemble(Cpu, long, long)}, into {@code out} from index 0 (VeridianOS's
     * {@code copy_to_buffer}); returns the bytes copied.
     *
     * @throws IllegalArgumentException when {@code out} is shorter than totalLength(), or a fragment
     *         is not RAM; {@code out} is then untouched
     */
    public long assemble(Cpu cpu, byte[] out) {
        Objects.requireNonNull(cpu, "cpu");
        if (out.length < totalLength()) {
            throw new IllegalArgumentException(String.format(
                    "assemble: output array of %d bytes is too small for %d entries holding %d bytes",
                    out.length, list.size(), totalLength()));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment.copy(gather(cpu, arena), 0, MemorySegment.ofArray(out), 0, totalLength());
        }
        return totalLength();
    }

    /** Reads every entry, in order, into one staging segment; throws naming the first entry that is not RAM. */
    private MemorySegment gather(Cpu cpu, Arena arena) {
        MemorySegment staging = arena.allocate(Math.max(1, totalLength()));
        long off = 0;
        for (int i = 0; i < list.size(); i++) {
            Entry e = entry(i);
            try {
                cpu.read(e.physAddr(), staging, off, e.lengthUnsigned());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(String.format(
                        "assemble: entry %d [%#x, +%d) is not RAM; nothing was copied", i, e.physAddr(), e.lengthUnsigned()), ex);
            }
            off += e.lengthUnsigned();
        }
        return staging;
    }

    public int entryCount() {
        return list.size();
    }

    /** Sum of the entries' lengths. */
    public long totalLength() {
        return list.totalLength();
    }

    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(entry(i));
        }
        return out;
    }

    private Entry entry(int i) {
        ScatterList.Entry e = list.get(i);
        return new Entry(e.physical(), (int) e.length());
    }

    /**
     * The same entries as the DMA API's scatter list, to map with {@code mapSg} (a device then gets
     * the merged device segments the mapping writes into it). Live: later adds show in it.
     */
    public ScatterList scatterList() {
        return list;
    }

    public Limits limits() {
        return limits;
    }

    public boolean isEmpty() {
        return list.size() == 0;
    }

    public void clear() {
        list.clear();
    }
}
