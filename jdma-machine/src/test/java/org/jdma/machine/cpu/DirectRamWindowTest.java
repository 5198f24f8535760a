package org.jdma.machine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.memory.RamRegion;
import org.jdma.platform.CacheObserver;
import org.jdma.platform.MemoryType;
import org.jdma.platform.RamWindow;
import org.junit.jupiter.api.Test;

/** {@link MachineCpu#window}: the CPU's accesses resolved once, direct only while nothing would see the difference. */
class DirectRamWindowTest {

    private static final long BASE = 0x20_0000;
    private static final long SIZE = 0x2000;

    private static Machine machine(CacheConfig cache) {
        return new Machine(MachineConfig.defaults().withCache(cache).withDevices(List.of()));
    }

    /** RAM as a device sees it: the region's memory, past every cache. */
    private static long memoryLong(Machine m, long phys) {
        RamRegion r = m.physicalMemory().ramAt(phys);
        return r.memory().get(ValueLayout.JAVA_LONG_UNALIGNED, phys - r.base());
    }

    @Test
    void shouldSeeWhatTheCpuDoesAndTheCpuWhatItDoes() {
        try (Machine m = machine(CacheConfig.COHERENT)) {
            MachineCpu cpu = m.cpu();
            RamWindow w = cpu.window(BASE, SIZE);
            w.write64(0x10, 0x0807_0605_0403_0201L);
            assertEquals(0x0807_0605_0403_0201L, cpu.read64(BASE + 0x10));
            assertEquals(0x0201, w.read16(0x10), "little-endian");
            assertEquals(0x0504_0302, w.read32(0x11), "unaligned plain loads are allowed, as the CPU's");
            cpu.write32(BASE + 0x40, 0xA1B2_C3D4);
            assertEquals(0xD4, w.read8(0x40));
            assertEquals(0xA1B2_C3D4, w.read32Acquire(0x40));
            w.write32Release(0x48, 7);
            w.write64Release(0x50, -2L);
            w.write8(0x58, 0xFF);
            w.write16(0x5A, 0xBEEF);
            assertEquals(7, cpu.read32(BASE + 0x48));
            assertEquals(-2L, cpu.read64Acquire(BASE + 0x50));
            assertEquals(0xFF, cpu.read8Acquire(BASE + 0x58));
            assertEquals(0xBEEF, cpu.read16(BASE + 0x5A));
            byte[] bytes = {1, 2, 3, 4, 5};
            w.write(0x100, MemorySegment.ofArray(bytes), 0, bytes.length);
            byte[] back = new byte[5];
            cpu.read(BASE + 0x100, back);
            assertArrayEquals(bytes, back);
            w.fill(0x100, 3, (byte) 9);
            byte[] filled = new byte[5];
            w.read(0x100, MemorySegment.ofArray(filled), 0, 5);
            assertArrayEquals(new byte[] {9, 9, 9, 4, 5}, filled);
            assertEquals(memoryLong(m, BASE + 0x10), 0x0807_0605_0403_0201L, "a coherent machine's RAM holds the store");
        }
    }

    @Test
    void shouldLetObserversSeeEveryAccessWhileOneWatches() {
        try (Machine m = machine(CacheConfig.COHERENT)) {
            RamWindow w = m.cpu().window(BASE, SIZE);
            List<String> seen = new ArrayList<>();
            CacheObserver observer = new CacheObserver() {
                @Override public void cpuWrite(long line) { seen.add(String.format("write %#x", line)); }
                @Override public void cpuRead(long line, boolean hit) { seen.add(String.format("read %#x", line)); }
            };
            w.write32(0x80, 1); // nobody watches yet
            m.cpu().cache().addObserver(observer);
            w.write32(0x80, 2);
            w.read8Acquire(0x1000);
            m.cpu().cache().removeObserver(observer);
            w.write32(0x80, 3);
            assertEquals(List.of("write 0x200080", "read 0x201000"), seen);
        }
    }

    @Test
    void shouldKeepWriteCombinedStoresBufferedAsTheCpuDoes() {
        try (Machine m = machine(CacheConfig.COHERENT)) {
            MachineCpu cpu = m.cpu();
            RamWindow w = cpu.window(BASE, SIZE);
            cpu.cache().memoryType(BASE, 0x1000, MemoryType.WRITE_COMBINING);
            w.write64(0x20, 0x1234L);
            assertEquals(0, memoryLong(m, BASE + 0x20), "the store waits in a write-combining buffer");
            cpu.cache().writeBarrier();
            assertEquals(0x1234L, memoryLong(m, BASE + 0x20));
            w.write64(0x1020, 0x5678L);
            assertEquals(0x5678L, memoryLong(m, BASE + 0x1020), "outside the typed range the store reaches RAM");
        }
    }

    @Test
    void shouldKeepStoresInTheNonCoherentCacheUntilCleaned() {
        try (Machine m = machine(CacheConfig.nonCoherent(64))) {
            MachineCpu cpu = m.cpu();
            RamWindow w = cpu.window(BASE, SIZE);
            w.write64(0x40, 0xCAFEL);
            assertEquals(0, memoryLong(m, BASE + 0x40), "the line is dirty in the CPU cache, RAM has the old bytes");
            assertEquals(0xCAFEL, w.read64(0x40), "the CPU reads its own store");
            cpu.cache().clean(BASE + 0x40, 8);
            assertEquals(0xCAFEL, memoryLong(m, BASE + 0x40));
        }
    }

    @Test
    void shouldWaitForTheBusWhileAnotherOwnerMayHoldIt() {
        try (Machine m = machine(CacheConfig.COHERENT)) {
            MachineCpu cpu = m.cpu();
            RamWindow w = cpu.window(BASE, SIZE);
            int[] asked = new int[1];
            m.processors().memoryBusGate(() -> {
                asked[0]++;
                return 0;
            });
            w.write32(0, 1);
            w.read32(0);
            m.processors().memoryBusGate(null);
            w.write32(0, 2);
            assertEquals(2, asked[0], "each access asked the gate while one was installed");
        }
    }

    @Test
    void shouldRefuseAWindowOutsideOneRamRegionAndAnAccessOutsideTheWindow() {
        try (Machine m = machine(CacheConfig.COHERENT)) {
            MachineCpu cpu = m.cpu();
            IllegalArgumentException hole = assertThrows(IllegalArgumentException.class, () -> cpu.window(0xE000_0000L, 0x1000));
            assertEquals("RAM window [0xe0000000, +0x1000) is not inside one RAM region", hole.getMessage());
            assertThrows(IllegalArgumentException.class, () -> cpu.window(BASE, 0));
            RamWindow w = cpu.window(BASE, SIZE);
            cpu.cache().memoryType(BASE, 0x1000, MemoryType.UNCACHED); // the CPU's way, with the window's own check
            IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class, () -> w.write64(SIZE - 4, 0));
            assertEquals("access [0x1ffc, +8) is outside the 8192-byte RAM window at 0x200000", past.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> w.read(-1, MemorySegment.ofArray(new byte[1]), 0, 1));
            cpu.cache().memoryType(BASE, 0x1000, MemoryType.WRITE_BACK);
            assertThrows(IndexOutOfBoundsException.class, () -> w.read64(SIZE - 4), "the direct way is bounded too");
            assertTrue(w.toString().contains("0x200000"), w.toString());
        }
    }
}
