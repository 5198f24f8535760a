package org.jdma.kernel.compat.veridian;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.jdma.kernel.mm.DirectMap;
import org.jdma.kernel.compat.veridian.ScatterGatherList.Entry;
import org.jdma.kernel.compat.veridian.ScatterGatherList.Limits;
import org.jdma.kernel.compat.veridian.ScatterGatherList.UnmappedPageException;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.Test;

/**
 * VeridianOS zero_copy.rs behaviours on the seed-003 list: checklist row 73 (a user buffer split
 * one entry per page by a page-table lookup) and row 74 (the CPU {@code assemble} fallback).
 */
class ScatterGatherZeroCopyTest {

    private static final long PAGE = ScatterGatherList.PAGE_SIZE;
    private static final long USER_VA = 0x7f00_0000_0000L;

    /** A page table: virtual page → physical page, deliberately scattered and in reverse order. */
    private static LongFunction<OptionalLong> pageTable(Map<Long, Long> pages) {
        return va -> {
            Long phys = pages.get(va & -PAGE);
            return phys == null ? OptionalLong.empty() : OptionalLong.of(phys + (va & (PAGE - 1)));
        };
    }

    private static Map<Long, Long> scattered(int pages) {
        Map<Long, Long> m = new HashMap<>();
        for (int i = 0; i < pages; i++) {
            m.put(USER_VA + i * PAGE, 0x10_0000L + (pages - i) * 3 * PAGE);
        }
        return m;
    }

    // ---- row 73 ----------------------------------------------------------------------------------

    @Test
    void shouldSplitABufferCrossingKPageBoundariesIntoKPlusOneEntriesWithTheirPhysicalOffsets() {
        Map<Long, Long> pages = scattered(4);
        long va = USER_VA + 0x123;
        long length = 3 * PAGE; // from offset 0x123 of page 0 to offset 0x122 of page 3: 3 boundaries
        ScatterGatherList sg = ScatterGatherList.fromVirtualRange(va, length, pageTable(pages), Limits.NONE);

        assertEquals(4, sg.entryCount());
        assertEquals(length, sg.totalLength());
        List<Entry> e = sg.entries();
        assertEquals(new Entry(pages.get(USER_VA) + 0x123, (int) (PAGE - 0x123)), e.get(0));
        assertEquals(new Entry(pages.get(USER_VA + PAGE), (int) PAGE), e.get(1));
        assertEquals(new Entry(pages.get(USER_VA + 2 * PAGE), (int) PAGE), e.get(2));
        assertEquals(new Entry(pages.get(USER_VA + 3 * PAGE), 0x123), e.get(3));
    }

    @Test
    void shouldGiveOneEntryPerPageTouchedForRandomRanges() {
        long seed = 0x5EED_0073L;
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<Long, Long> pages = scattered(16);
        for (int i = 0; i < 200; i++) {
            long offset = rnd.nextLong(8 * PAGE);
            long length = 1 + rnd.nextLong(8 * PAGE);
            long va = USER_VA + offset;
            ScatterGatherList sg = ScatterGatherList.fromVirtualRange(va, length, pageTable(pages), Limits.NONE);
            long boundaries = ((va + length - 1) / PAGE) - (va / PAGE);
            String why = "seed " + seed + ", va " + Long.toHexString(va) + ", length " + length;
            assertEquals(boundaries + 1, sg.entryCount(), why);
            assertEquals(length, sg.totalLength(), why);
            long v = va;
            for (Entry e : sg.entries()) {
                assertEquals(pages.get(v & -PAGE) + (v & (PAGE - 1)), e.physAddr(), why);
                assertTrue((e.physAddr() & -PAGE) == ((e.physAddr() + e.lengthUnsigned() - 1) & -PAGE), "entry stays in its page, " + why);
                v += e.lengthUnsigned();
            }
        }
    }

    @Test
    void shouldRefuseABufferWithAnUnmappedPageNamingThePage() {
        Map<Long, Long> pages = scattered(4);
        pages.remove(USER_VA + 2 * PAGE);
        var e = assertThrows(UnmappedPageException.class,
                () -> ScatterGatherList.fromVirtualRange(USER_VA + 100, 3 * PAGE, pageTable(pages), Limits.NONE));
        assertEquals(USER_VA + 2 * PAGE, e.virtualAddress());
        assertTrue(e.getMessage().contains(Long.toHexString(USER_VA + 2 * PAGE)), e.getMessage());
    }

    @Test
    void shouldRefuseEmptyAndWrappingRanges() {
        Map<Long, Long> pages = scattered(1);
        assertThrows(IllegalArgumentException.class, () -> ScatterGatherList.fromVirtualRange(USER_VA, 0, pageTable(pages), Limits.NONE));
        var wrap = assertThrows(IllegalArgumentException.class,
                () -> ScatterGatherList.fromVirtualRange(-PAGE, 2 * PAGE, pageTable(pages), Limits.NONE));
        assertTrue(wrap.getMessage().contains("wraps"), wrap.getMessage());
    }

    @Test
    void shouldSplitDirectMappedKernelMemoryAtItsPhysicalAddresses() {
        long phys = 0x20_0800;
        ScatterGatherList sg = ScatterGatherList.fromVirtualRange(DirectMap.virtualOf(phys), 2 * PAGE,
                va -> OptionalLong.of(DirectMap.physicalOf(va)), Limits.NONE);
        assertEquals(List.of(new Entry(phys, 0x800), new Entry(0x20_1000, (int) PAGE), new Entry(0x20_2000, 0x800)), sg.entries());
    }

    // ---- row 74 ----------------------------------------------------------------------------------

    @Test
    void shouldAssembleTheFragmentsInListOrder() {
        try (Machine m = TestMachines.ramOnly()) {
            byte[] a = fill(100, 1), b = fill(4096, 2), c = fill(7, 3);
            m.cpu().write(0x30_0000, b);
            m.cpu().write(0x10_0000, a);
            m.cpu().write(0x20_0010, c);
            ScatterGatherList sg = new ScatterGatherList().addEntry(0x10_0000, a.length).addEntry(0x30_0000, b.length)
                    .addEntry(0x20_0010, c.length);
            long out = 0x40_0000;

            assertEquals(a.length + b.length + c.length, sg.assemble(m.cpu(), out, 8192));

            byte[] got = new byte[a.length + b.length + c.length];
            m.cpu().read(out, got);
            byte[] expected = new byte[got.length];
            System.arraycopy(a, 0, expected, 0, a.length);
            System.arraycopy(b, 0, expected, a.length, b.length);
            System.arraycopy(c, 0, expected, a.length + b.length, c.length);
            assertArrayEquals(expected, got);
            byte[] array = new byte[got.length];
            assertEquals(got.length, sg.assemble(m.cpu(), array));
            assertArrayEquals(expected, array);
        }
    }

    @Test
    void shouldRefuseATooSmallOutputAndWriteNothing() {
        try (Machine m = TestMachines.ramOnly()) {
            m.cpu().write(0x10_0000, fill(300, 4));
            ScatterGatherList sg = new ScatterGatherList().addEntry(0x10_0000, 200).addEntry(0x10_0100, 44);
            long out = 0x40_0000;
            m.cpu().fill(out, 512, (byte) 0xEE);

            var e = assertThrows(IllegalArgumentException.class, () -> sg.assemble(m.cpu(), out, 243));
            assertTrue(e.getMessage().contains("243") && e.getMessage().contains("244"), e.getMessage());
            byte[] after = new byte[512];
            m.cpu().read(out, after);
            byte[] untouched = new byte[512];
            Arrays.fill(untouched, (byte) 0xEE);
            assertArrayEquals(untouched, after, "nothing partial was written");
            byte[] small = new byte[243];
            assertThrows(IllegalArgumentException.class, () -> sg.assemble(m.cpu(), small));
            assertArrayEquals(new byte[243], small);
        }
    }

    @Test
    void shouldFailWholeWhenAFragmentIsNotRamAndWriteNothing() {
        try (Machine m = TestMachines.ramOnly()) {
            long hole = 0x8000_0000L; // between low RAM (64 MiB) and high RAM (4 GiB)
            ScatterGatherList sg = new ScatterGatherList().addEntry(0x10_0000, 64).addEntry(hole, 64);
            long out = 0x40_0000;
            m.cpu().fill(out, 128, (byte) 0x5A);

            var e = assertThrows(IllegalArgumentException.class, () -> sg.assemble(m.cpu(), out, 128));
            assertTrue(e.getMessage().contains("entry 1"), e.getMessage());
            byte[] after = new byte[128];
            m.cpu().read(out, after);
            byte[] untouched = new byte[128];
            Arrays.fill(untouched, (byte) 0x5A);
            assertArrayEquals(untouched, after, "the first fragment was not copied on its own");
        }
    }

    private static byte[] fill(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 17 + seed);
        }
        return b;
    }
}
