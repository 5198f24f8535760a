package org.jdma.machine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jdma.machine.mmio.RegisterFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PhysicalMemoryTest {

    private final Arena arena = Arena.ofConfined();
    private final PhysicalMemory memory = new PhysicalMemory();
    private final RegisterFile regs = new RegisterFile("dev");

    @AfterEach
    void close() {
        arena.close();
    }

    private RamRegion ram(String name, long base, long size) {
        return memory.addRam(name, base, arena.allocate(size));
    }

    @Test
    void shouldRejectOverlappingRegionsNamingBoth() {
        ram("low", 0x1000, 0x1000);
        memory.addMmio("bar", 0x8000, 0x1000, regs);
        var ramRam = assertThrows(IllegalArgumentException.class, () -> ram("x", 0x1FFF, 0x10));
        assertTrue(ramRam.getMessage().contains("x") && ramRam.getMessage().contains("low")
                && ramRam.getMessage().contains("0x1fff"), ramRam.getMessage());
        var mmioRam = assertThrows(IllegalArgumentException.class, () -> memory.addMmio("y", 0x800, 0x1000, regs));
        assertTrue(mmioRam.getMessage().contains("y") && mmioRam.getMessage().contains("low"), mmioRam.getMessage());
        var ramMmio = assertThrows(IllegalArgumentException.class, () -> ram("z", 0x8FFF, 0x10));
        assertTrue(ramMmio.getMessage().contains("bar"), ramMmio.getMessage());
        assertThrows(IllegalArgumentException.class, () -> memory.addMmio("w", 0x7000, 0x1001, regs));
        // Touching edges is not overlapping.
        ram("below", 0, 0x1000);
        ram("above", 0x2000, 0x1000);
        memory.addMmio("next", 0x9000, 0x1000, regs);
        assertEquals(0x3000, memory.totalRam());
    }

    @Test
    void shouldRejectEmptyNegativeOrWrappingRegions() {
        assertThrows(IllegalArgumentException.class, () -> memory.addMmio("empty", 0x1000, 0, regs));
        assertThrows(IllegalArgumentException.class, () -> memory.addMmio("neg", -0x1000, 0x100, regs));
        var wrap = assertThrows(IllegalArgumentException.class, () -> memory.addMmio("wrap", Long.MAX_VALUE - 0xF, 0x100, regs));
        assertTrue(wrap.getMessage().contains("wrap"), wrap.getMessage());
    }

    @Test
    void shouldFindRamAtEveryByteOfARegionAndNowhereElse() {
        RamRegion a = ram("a", 0x10_0000, 0x1000);
        RamRegion b = ram("b", 0x20_0000, 0x2000);
        assertSame(a, memory.ramAt(0x10_0000));
        assertSame(a, memory.ramAt(0x10_0FFF));
        assertNull(memory.ramAt(0x10_1000));
        assertNull(memory.ramAt(0x0F_FFFF));
        assertSame(b, memory.ramAt(0x20_1FFF));
        // Alternate lookups: an earlier hit must never answer for an address outside it.
        for (int i = 0; i < 4; i++) {
            assertSame(a, memory.ramAt(0x10_0800));
            assertSame(b, memory.ramAt(0x20_0800));
            assertNull(memory.ramAt(0x15_0000));
        }
        assertNull(memory.ramAt(-1));
        assertNull(memory.mmioAt(0x10_0000));
        assertEquals(java.util.List.of(a, b), memory.ramRegions());
        assertEquals(0x3000, memory.totalRam());
    }

    @Test
    void shouldFindRamInWholeAndPartlyCoveredGibibytesAndNothingInTheHoles() {
        // The default machine's shape: whole GiBs of RAM below 2 GiB and from 4 GiB, plus one
        // small region sharing a GiB with nothing else, and lookups in the holes between.
        long g = 1L << 30;
        RamRegion low = memory.addRam("low", 0, AnonymousMemory.map(2 * g, arena));
        RamRegion high = memory.addRam("high", 4 * g, AnonymousMemory.map(2 * g, arena));
        RamRegion small = memory.addRam("small", 3 * g + 0x1000, AnonymousMemory.map(0x1000, arena));
        assertSame(low, memory.ramAt(0));
        assertSame(low, memory.ramAt(g + 123));
        assertSame(low, memory.ramAt(2 * g - 1));
        assertNull(memory.ramAt(2 * g), "the hole after low");
        assertNull(memory.ramAt(3 * g), "the part of small's GiB before it");
        assertSame(small, memory.ramAt(3 * g + 0x1000));
        assertSame(small, memory.ramAt(3 * g + 0x1FFF));
        assertNull(memory.ramAt(3 * g + 0x2000), "the part of small's GiB after it");
        assertSame(high, memory.ramAt(4 * g));
        assertSame(high, memory.ramAt(6 * g - 1));
        assertNull(memory.ramAt(6 * g), "above all RAM");
        assertNull(memory.ramAt(-1));
        assertNull(memory.ramAt(Long.MAX_VALUE));
    }

    @Test
    void shouldFindRamInEveryOneOfManyRegionsAddedOutOfOrder() {
        // More regions than a linear lookup takes: the search by base must find each, and no gap.
        RamRegion[] regions = new RamRegion[9];
        for (int i : new int[] {4, 0, 8, 2, 6, 1, 7, 3, 5}) {
            regions[i] = ram("r" + i, 0x10_0000L * (i + 1), 0x1000 * (i + 1));
        }
        assertNull(memory.ramAt(0));
        assertNull(memory.ramAt(0x0F_FFFF));
        for (int i = 0; i < regions.length; i++) {
            long base = 0x10_0000L * (i + 1);
            long size = 0x1000L * (i + 1);
            assertSame(regions[i], memory.ramAt(base), "first byte of r" + i);
            assertSame(regions[i], memory.ramAt(base + size - 1), "last byte of r" + i);
            assertNull(memory.ramAt(base + size), "the gap after r" + i);
            assertNull(memory.ramAt(base - 1), "the gap before r" + i);
        }
        assertNull(memory.ramAt(Long.MAX_VALUE));
        assertNull(memory.ramAt(-1));
        assertEquals(java.util.List.of(regions), memory.ramRegions());
    }

    @Test
    void shouldKeepRegionsSortedByBase() {
        ram("hi", 0x30_0000, 0x1000);
        ram("lo", 0x10_0000, 0x1000);
        memory.addMmio("m2", 0xF100_0000L, 0x100, regs);
        memory.addMmio("m1", 0xF000_0000L, 0x100, regs);
        assertEquals(java.util.List.of("lo", "hi"), memory.ramRegions().stream().map(RamRegion::name).toList());
        assertEquals(java.util.List.of("m1", "m2"), memory.mmioWindows().stream().map(MmioWindow::name).toList());
    }

    @Test
    void shouldFindMmioWindowsAtTheirEdges() {
        MmioWindow w = memory.addMmio("bar", 0xF000_0000L, 0x1_0000, regs);
        assertSame(w, memory.mmioAt(0xF000_0000L));
        assertSame(w, memory.mmioAt(0xF000_FFFFL));
        assertNull(memory.mmioAt(0xF001_0000L));
        assertNull(memory.mmioAt(0xEFFF_FFFFL));
        assertNull(memory.ramAt(0xF000_0000L));
        assertTrue(w.contains(0xF000_8000L));
    }

    @Test
    void shouldSliceRamOnlyInsideOneRegion() {
        RamRegion a = ram("a", 0x1000, 0x1000);
        ram("b", 0x2000, 0x1000);   // adjacent, but a different region
        a.memory().set(ValueLayout.JAVA_BYTE, 0x10, (byte) 7);
        MemorySegment whole = memory.ramSlice(0x1000, 0x1000);
        assertNotNull(whole);
        assertEquals(0x1000, whole.byteSize());
        assertEquals(7, memory.ramSlice(0x1010, 1).get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(0, memory.ramSlice(0x1FFF, 0).byteSize(), "an empty slice at the last byte");
        assertNull(memory.ramSlice(0x1FFF, 2), "runs past the region end");
        assertNull(memory.ramSlice(0x1800, 0x1000), "spans two regions");
        assertNull(memory.ramSlice(0x3000, 1), "not RAM");
        assertNull(memory.ramSlice(0x1000, -1), "negative length");
        assertNull(memory.ramSlice(0x1000, Long.MAX_VALUE), "length that overflows");
        assertEquals(0x800, memory.ramRunLength(0x1800));
        assertEquals(0, memory.ramRunLength(0x3000));
    }
}
