package org.jdma.machine.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jdma.platform.CacheObserver;
import org.jdma.platform.MemoryType;

/**
 * Behaviour of the non-coherent cache as a driver meets it: a device reads and writes RAM, the
 * CPU reads and writes lines, and only clean / invalidate bring them together.
 */
class WriteBackCacheTest {

    static final long MiB = 1L << 20;
    static final long BUF = 0x10_0000;

    /** 4 sets of 2 ways of 64-byte lines: lines 256 bytes apart share a set. */
    static final CacheConfig TINY = new CacheConfig(false, 64, 512, 2, 0);
    static final long SET_STRIDE = 4 * 64;

    static Machine machine(CacheConfig cache) {
        return machine(cache, 1);
    }

    static Machine machine(CacheConfig cache, long seed) {
        return new Machine(MachineConfig.defaults().withSeed(seed).withCache(cache)
                .withRam(List.of(new MachineConfig.Ram("low", 0, 16 * MiB))));
    }

    static WriteBackCache cache(Machine m) {
        return assertInstanceOf(WriteBackCache.class, m.cpu().cache());
    }

    static DmaPort device(Machine m) {
        DmaPort port = m.dmaPorts().getFirst();
        port.busMasterEnabled(true); // as the device's driver would, through Command.Bus Master Enable
        return port;
    }

    static byte[] deviceRead(Machine m, long addr, int len) {
        byte[] out = new byte[len];
        DmaResult r = device(m).read(addr, MemorySegment.ofArray(out), 0, len);
        assertTrue(r.isOk(), r.toString());
        return out;
    }

    static void deviceWrite(Machine m, long addr, byte[] bytes) {
        DmaResult r = device(m).write(addr, MemorySegment.ofArray(bytes), 0, bytes.length);
        assertTrue(r.isOk(), r.toString());
    }

    static byte[] cpuRead(Machine m, long addr, int len) {
        byte[] out = new byte[len];
        m.cpu().read(addr, out);
        return out;
    }

    static byte[] ram(Machine m, long addr, int len) {
        return m.physicalMemory().ramSlice(addr, len).toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] filled(int len, int value) {
        byte[] b = new byte[len];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void shouldBuildAWriteBackCacheForANonCoherentConfigAndACoherentOneOtherwise() {
        try (Machine nc = machine(CacheConfig.nonCoherent(128)); Machine c = machine(CacheConfig.COHERENT)) {
            WriteBackCache wb = cache(nc);
            assertFalse(wb.coherent());
            assertEquals(128, wb.lineSize());
            assertEquals(256 * 1024 / (128 * 8), wb.sets());
            assertInstanceOf(CoherentCache.class, c.cpu().cache());
        }
    }

    @Test
    void shouldLetADeviceReadOldRamUntilTheCpuCleans() {
        try (Machine m = machine(CacheConfig.nonCoherent(64))) {
            m.cpu().write(BUF, filled(256, 0xAB));
            assertArrayEquals(new byte[256], deviceRead(m, BUF, 256), "the device must see RAM, not dirty lines");
            m.cpu().cache().clean(BUF, 256);
            assertArrayEquals(filled(256, 0xAB), deviceRead(m, BUF, 256));
            assertTrue(cache(m).isPresent(BUF), "a clean keeps the line");
            assertFalse(cache(m).isDirty(BUF));
            assertEquals(4, cache(m).cleans());
        }
    }

    @Test
    void shouldReadStaleDataAfterADeviceWriteUntilTheCpuInvalidates() {
        try (Machine m = machine(CacheConfig.nonCoherent(64))) {
            assertArrayEquals(new byte[256], cpuRead(m, BUF, 256)); // the lines are now cached
            deviceWrite(m, BUF, filled(256, 0x5C));
            assertArrayEquals(new byte[256], cpuRead(m, BUF, 256), "without invalidate the CPU keeps its lines");
            assertEquals(0, m.cpu().read32(BUF + 64));
            m.cpu().cache().invalidate(BUF, 256);
            assertArrayEquals(filled(256, 0x5C), cpuRead(m, BUF, 256));
        }
    }

    @Test
    void shouldOverwriteDeviceDataWhenADirtyLineIsEvicted() {
        try (Machine m = machine(TINY)) {
            MachineCpu cpu = m.cpu();
            cpu.write64(BUF, 0x1111_1111_1111_1111L); // dirty line, rest of it zeros
            deviceWrite(m, BUF, filled(64, 0x77)); // the device owns the line now, in RAM
            assertArrayEquals(filled(64, 0x77), ram(m, BUF, 64));
            List<Long> evicted = new ArrayList<>();
            cpu.cache().addObserver(new CacheObserver() {
                @Override public void dirtyEviction(long line) { evicted.add(line); }
            });
            cpu.read64(BUF + SET_STRIDE); // same set: fills way 2
            cpu.read64(BUF + 2 * SET_STRIDE); // same set: evicts the dirty line
            assertEquals(List.of(BUF), evicted);
            byte[] expected = new byte[64];
            Arrays.fill(expected, 0, 8, (byte) 0x11);
            assertArrayEquals(expected, ram(m, BUF, 64), "the whole dirty line lands on top of the device's data");
            assertEquals(1, cache(m).dirtyEvictions());
            assertEquals(1, cache(m).evictions());
        }
    }

    @Test
    void shouldCopyWhatRamHoldsInADeviceMemmove() {
        try (Machine m = machine(CacheConfig.nonCoherent(64))) {
            long src = BUF;
            long dst = BUF + 4096;
            m.cpu().write(src, filled(512, 0x3C));
            assertArrayEquals(new byte[512], cpuRead(m, dst, 512)); // dst lines cached (zeros)
            assertTrue(device(m).copy(src, dst, 512).isOk());
            assertArrayEquals(new byte[512], ram(m, dst, 512), "no clean: the device copied old RAM");
            m.cpu().cache().clean(src, 512);
            assertTrue(device(m).copy(src, dst, 512).isOk());
            assertArrayEquals(filled(512, 0x3C), ram(m, dst, 512));
            assertArrayEquals(new byte[512], cpuRead(m, dst, 512), "no invalidate: the CPU reads its stale lines");
            m.cpu().cache().invalidate(dst, 512);
            assertArrayEquals(filled(512, 0x3C), cpuRead(m, dst, 512));
        }
    }

    @Test
    void shouldWriteBackThenDropOnCleanInvalidate() {
        try (Machine m = machine(CacheConfig.nonCoherent(64))) {
            m.cpu().write(BUF, filled(128, 0x42));
            m.cpu().cache().cleanInvalidate(BUF, 128);
            assertFalse(cache(m).isPresent(BUF));
            assertArrayEquals(filled(128, 0x42), ram(m, BUF, 128));
            deviceWrite(m, BUF, filled(128, 0x24));
            assertArrayEquals(filled(128, 0x24), cpuRead(m, BUF, 128), "no stale line is left to read");
            assertEquals(2, cache(m).cleans());
            assertEquals(2, cache(m).invalidates());
        }
    }

    @Test
    void shouldDiscardDirtyNeighboursWhenInvalidatingAPartialLine() {
        try (Machine m = machine(CacheConfig.nonCoherent(64))) {
            m.cpu().write32(BUF + 60, 0xCAFE_F00D); // unrelated data sharing the buffer's line
            m.cpu().cache().invalidate(BUF, 8); // the buffer is only 8 bytes, the line is 64
            assertEquals(0, m.cpu().read32(BUF + 60), "whole lines are invalidated: the neighbour's store is gone");
        }
    }

    @Test
    void shouldBypassTheCacheForUncachedRanges() {
        try (Machine m = machine(CacheConfig.nonCoherent(64))) {
            CpuCache c = m.cpu().cache();
            m.cpu().write32(BUF, 0x1234_5678); // dirty before the type change
            c.memoryType(BUF + 1, 4095, MemoryType.UNCACHED);
            assertEquals(MemoryType.UNCACHED, c.memoryTypeAt(BUF));
            assertEquals(MemoryType.UNCACHED, c.memoryTypeAt(BUF + 4095));
            assertEquals(MemoryType.WRITE_BACK, c.memoryTypeAt(BUF + 4096));
            assertFalse(cache(m).isPresent(BUF), "making a range uncached cleans and invalidates it");
            assertEquals(0x1234_5678, device(m).readIntAcquire(BUF, new DmaResult[1]));

            m.cpu().write(BUF + 64, filled(100, 0x99));
            m.cpu().write64(BUF + 256, -1L);
            assertArrayEquals(filled(100, 0x99), deviceRead(m, BUF + 64, 100), "uncached stores reach RAM at once");
            assertEquals(-1L, MemorySegment.ofArray(deviceRead(m, BUF + 256, 8)).get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            deviceWrite(m, BUF + 512, filled(64, 0x33));
            assertArrayEquals(filled(64, 0x33), cpuRead(m, BUF + 512, 64), "uncached loads read RAM");
            assertFalse(cache(m).isPresent(BUF + 512));
            assertEquals(0, cache(m).hits() + cache(m).misses() - 1, "only the first (cached) store used a line");

            c.memoryType(BUF, 4096, MemoryType.WRITE_BACK);
            m.cpu().read32(BUF + 512);
            assertTrue(cache(m).isPresent(BUF + 512), "write-back again: loads allocate lines");
        }
    }

    @Test
    void shouldSplitAndMergeUncachedRanges() {
        try (Machine m = machine(CacheConfig.nonCoherent(64))) {
            CpuCache c = m.cpu().cache();
            c.memoryType(BUF, 4 * 4096, MemoryType.UNCACHED);
            c.memoryType(BUF + 4096, 4096, MemoryType.WRITE_BACK);
            assertEquals(MemoryType.UNCACHED, c.memoryTypeAt(BUF + 4095));
            assertEquals(MemoryType.WRITE_BACK, c.memoryTypeAt(BUF + 4096));
            assertEquals(MemoryType.UNCACHED, c.memoryTypeAt(BUF + 2 * 4096));
            c.memoryType(BUF + 1000, 8000, MemoryType.UNCACHED);
            for (long a = BUF; a < BUF + 4 * 4096; a += 64) {
                assertEquals(MemoryType.UNCACHED, c.memoryTypeAt(a), () -> "at " + Long.toHexString(BUF));
            }
            assertEquals(MemoryType.WRITE_BACK, c.memoryTypeAt(BUF + 4 * 4096));
            assertEquals(MemoryType.WRITE_BACK, c.memoryTypeAt(BUF - 1));
        }
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedWayOfASet() {
        try (Machine m = machine(TINY)) {
            MachineCpu cpu = m.cpu();
            long a = BUF;
            long b = BUF + SET_STRIDE;
            long c = BUF + 2 * SET_STRIDE;
            cpu.read8(a);
            cpu.read8(b);
            cpu.read8(a); // a is now the most recently used
            cpu.read8(c);
            assertTrue(cache(m).isPresent(a));
            assertFalse(cache(m).isPresent(b), "b was least recently used");
            assertTrue(cache(m).isPresent(c));
            assertEquals(1, cache(m).evictions());
        }
    }

    @Test
    void shouldCleanWholeLinesOf128Bytes() {
        try (Machine m = machine(CacheConfig.nonCoherent(128))) {
            MachineCpu cpu = m.cpu();
            cpu.write8(BUF, 1);
            cpu.write8(BUF + 127, 2);
            cpu.write8(BUF + 128, 3);
            cpu.cache().clean(BUF + 64, 1); // one byte in the middle of the first line
            assertEquals(1, ram(m, BUF, 1)[0]);
            assertEquals(2, ram(m, BUF + 127, 1)[0], "the whole 128-byte line is written back");
            assertEquals(0, ram(m, BUF + 128, 1)[0], "the next line is untouched");
            assertEquals(1, cache(m).cleans());
        }
    }

    @Test
    void shouldReadAndWriteValuesThatCrossALine() {
        try (Machine m = machine(TINY)) {
            MachineCpu cpu = m.cpu();
            cpu.write64(BUF + 60, 0x0102_0304_0506_0708L);
            cpu.write32(BUF + 126, 0xA1B2_C3D4);
            cpu.write16(BUF + 191, 0xBEEF);
            assertEquals(0x0102_0304_0506_0708L, cpu.read64(BUF + 60));
            assertEquals(0xA1B2_C3D4, cpu.read32(BUF + 126));
            assertEquals(0xBEEF, cpu.read16(BUF + 191));
            cpu.cache().clean(BUF, 256);
            assertEquals(0x08, ram(m, BUF + 60, 1)[0], "little-endian in RAM");
            assertEquals(0x01, ram(m, BUF + 67, 1)[0]);
        }
    }

    @Test
    void shouldReportEveryLineEventInOrder() {
        try (Machine m = machine(TINY)) {
            MachineCpu cpu = m.cpu();
            List<String> events = record(cpu.cache());
            cpu.write32(BUF, 1); // miss, allocate
            cpu.read32(BUF); // hit
            device(m).read(BUF, MemorySegment.ofArray(new byte[72]), 0, 72); // two lines
            cpu.cache().clean(BUF, 64);
            cpu.cache().invalidate(BUF, 64);
            cpu.read8(BUF); // miss
            cpu.write8(BUF + SET_STRIDE, 1);
            cpu.read8(BUF + 2 * SET_STRIDE); // evicts BUF, which is clean: nothing to report
            cpu.read8(BUF + 3 * SET_STRIDE); // evicts the dirty line, now least recently used
            deviceWrite(m, BUF, new byte[1]);
            cpu.cache().cleanInvalidate(BUF + 3 * SET_STRIDE, 1);
            cpu.write8(BUF + 2 * SET_STRIDE, 5);
            cpu.cache().invalidate(BUF + 2 * SET_STRIDE, 1);
            long s = SET_STRIDE;
            assertEquals(List.of(
                    "cpuWrite " + hex(BUF),
                    "cpuRead " + hex(BUF) + " hit",
                    "deviceRead " + hex(BUF), "deviceRead " + hex(BUF + 64),
                    "cleaned " + hex(BUF),
                    "invalidated " + hex(BUF) + " clean",
                    "cpuRead " + hex(BUF) + " miss",
                    "cpuWrite " + hex(BUF + s),
                    "cpuRead " + hex(BUF + 2 * s) + " miss",
                    "dirtyEviction " + hex(BUF + s),
                    "cpuRead " + hex(BUF + 3 * s) + " miss",
                    "deviceWrite " + hex(BUF),
                    "cleaned " + hex(BUF + 3 * s),
                    "invalidated " + hex(BUF + 3 * s) + " clean",
                    "cpuWrite " + hex(BUF + 2 * s),
                    "invalidated " + hex(BUF + 2 * s) + " dirty"), events);
        }
    }

    @Test
    void shouldReportCpuAndDeviceAccessesOnACoherentMachine() {
        try (Machine m = machine(CacheConfig.COHERENT)) {
            List<String> events = record(m.cpu().cache());
            m.cpu().write(BUF + 32, new byte[64]); // two lines
            m.cpu().read32Acquire(BUF);
            deviceWrite(m, BUF + 64, new byte[8]);
            deviceRead(m, BUF, 1);
            assertEquals(List.of(
                    "cpuWrite " + hex(BUF), "cpuWrite " + hex(BUF + 64),
                    "cpuRead " + hex(BUF) + " hit",
                    "deviceWrite " + hex(BUF + 64),
                    "deviceRead " + hex(BUF)), events);
        }
    }

    @Test
    void shouldStopReportingToARemovedObserver() {
        try (Machine m = machine(CacheConfig.nonCoherent(64))) {
            List<String> events = new ArrayList<>();
            CacheObserver o = new CacheObserver() {
                @Override public void cpuWrite(long line) { events.add("w"); }
            };
            m.cpu().cache().addObserver(o);
            m.cpu().write8(BUF, 1);
            m.cpu().cache().removeObserver(o);
            m.cpu().write8(BUF, 2);
            assertEquals(List.of("w"), events);
        }
    }

    @Test
    void shouldPollThroughTheCacheWithAcquireAndPublishWithRelease() {
        try (Machine m = machine(CacheConfig.nonCoherent(64))) {
            MachineCpu cpu = m.cpu();
            deviceWrite(m, BUF, new byte[] {7, 0, 0, 0});
            assertEquals(7, cpu.read32Acquire(BUF), "a miss acquires the word from RAM");
            deviceWrite(m, BUF, new byte[] {9, 0, 0, 0});
            assertEquals(7, cpu.read8Acquire(BUF), "a cached poll sees the stale line, as on hardware");
            cpu.cache().invalidate(BUF, 4);
            assertEquals(9, cpu.read64Acquire(BUF));
            cpu.write32Release(BUF + 8, 5);
            assertTrue(cache(m).isDirty(BUF + 8), "a release store is a cached store");
            assertEquals(0, deviceRead(m, BUF + 8, 1)[0]);
            cpu.cache().clean(BUF, 64);
            assertEquals(5, deviceRead(m, BUF + 8, 1)[0]);
        }
    }

    @Test
    void shouldRefillLinesDeterministicallyForASeed() {
        long seed = 0x5EED_C0DEL;
        List<String> first = refillRun(seed);
        assertFalse(first.isEmpty(), "seed " + seed + ": a rate of 0.5 over 200 accesses must refill something");
        assertEquals(first, refillRun(seed), "seed " + seed);
        assertNotEquals(first, refillRun(seed + 1), "seeds " + seed + " and " + (seed + 1));
    }

    private static List<String> refillRun(long seed) {
        try (Machine m = machine(CacheConfig.nonCoherent(64).withSpeculativeRefillRate(0.5), seed)) {
            List<String> events = new ArrayList<>();
            m.cpu().cache().addObserver(new CacheObserver() {
                @Override public void speculativeRefill(long line) { events.add(hex(line)); }
            });
            for (int i = 0; i < 200; i++) {
                m.cpu().read32(BUF + (i % 3) * 4096 + (i * 64L) % 4096);
            }
            assertEquals(events.size(), cache(m).refills());
            return events;
        }
    }

    @Test
    void shouldNeverRefillUncachedOrPresentLines() {
        try (Machine m = machine(CacheConfig.nonCoherent(64).withSpeculativeRefillRate(1.0), 7)) {
            CpuCache c = m.cpu().cache();
            c.memoryType(BUF + 2048, 2048, MemoryType.UNCACHED);
            List<Long> refilled = new ArrayList<>();
            c.addObserver(new CacheObserver() {
                @Override public void speculativeRefill(long line) { refilled.add(line); }
            });
            for (int i = 0; i < 100; i++) {
                m.cpu().read8(BUF + 2048 + i);
            }
            assertEquals(32, refilled.size(), "the 32 cacheable lines of the page, each once");
            assertTrue(refilled.stream().allMatch(l -> l >= BUF && l < BUF + 2048), refilled.toString());
            assertEquals(32, refilled.stream().distinct().count());
        }
    }

    /**
     * The reason arm64 invalidates after DMA as well as before: a line the injector refills while
     * the device owns the buffer holds the old data once the device has written.
     */
    @Test
    void shouldMakeAnInvalidateBeforeDmaAloneInsufficientWhenLinesAreRefilled() {
        long seed = 42;
        try (Machine m = machine(CacheConfig.nonCoherent(64).withSpeculativeRefillRate(1.0), seed)) {
            MachineCpu cpu = m.cpu();
            CpuCache c = cpu.cache();
            List<Long> refilled = new ArrayList<>();
            c.addObserver(new CacheObserver() {
                @Override public void speculativeRefill(long line) { refilled.add(line); }
            });
            int len = 1024; // the buffer is the first quarter of its page
            cpu.fill(BUF, len, (byte) 0x11);
            c.cleanInvalidate(BUF, len); // map FROM_DEVICE: the buffer is the device's now
            refilled.clear();
            List<Long> stale = List.of();
            // The driver keeps using unrelated data on the same page while the device owns the buffer.
            for (int i = 0; i < 64 && stale.isEmpty(); i++) {
                cpu.read32(BUF + 2048 + 4L * i);
                stale = refilled.stream().filter(l -> l < BUF + len).toList();
            }
            assertFalse(stale.isEmpty(), "seed " + seed + ": refills " + refilled);
            deviceWrite(m, BUF, filled(len, 0xD0));

            byte[] seen = cpuRead(m, BUF, len); // no invalidate after the DMA
            for (long line : stale) {
                assertEquals(0x11, seen[(int) (line - BUF)], "seed " + seed + ": refilled line " + hex(line) + " is stale");
            }
            c.invalidate(BUF, len); // sync for CPU: invalidate again
            assertArrayEquals(filled(len, 0xD0), cpuRead(m, BUF, len), "seed " + seed);
        }
    }

    /**
     * Without device traffic the cache must be invisible: a random mix of CPU accesses on a tiny
     * cache (constant evictions, lines crossed, bulk runs longer than the sets) reads back what a
     * flat array says, and after a clean of everything RAM equals it. With the injector on, bulk
     * accesses move line by line; without it, in runs.
     */
    @ParameterizedTest(name = "speculative refill rate {0}")
    @ValueSource(doubles = {0, 0.2})
    void shouldBeTransparentToTheCpuWithoutDevices(double refillRate) {
        long seed = 0x5EED_CAC4L; // fixed: a failure replays; the messages name it
        var random = new java.util.SplittableRandom(seed);
        try (Machine m = machine(new CacheConfig(false, 64, 1024, 2, refillRate), seed)) {
            MachineCpu cpu = m.cpu();
            int span = 8192;
            byte[] model = new byte[span];
            MemorySegment ms = MemorySegment.ofArray(model);
            for (int step = 0; step < 5000; step++) {
                int at = random.nextInt(span - 300);
                String where = "seed " + seed + ", step " + step + ", offset " + at;
                switch (random.nextInt(7)) {
                    case 0 -> { long v = random.nextLong(); cpu.write64(BUF + at, v); ms.set(ValueLayout.JAVA_LONG_UNALIGNED, at, v); }
                    case 1 -> assertEquals(ms.get(ValueLayout.JAVA_LONG_UNALIGNED, at), cpu.read64(BUF + at), where);
                    case 2 -> { int v = random.nextInt(); cpu.write32(BUF + at, v); ms.set(ValueLayout.JAVA_INT_UNALIGNED, at, v); }
                    case 3 -> assertEquals(ms.get(ValueLayout.JAVA_INT_UNALIGNED, at), cpu.read32(BUF + at), where);
                    case 4 -> {
                        byte[] b = new byte[random.nextInt(1, 300)];
                        random.nextBytes(b);
                        cpu.write(BUF + at, b);
                        System.arraycopy(b, 0, model, at, b.length);
                    }
                    case 5 -> {
                        int n = random.nextInt(1, 300);
                        assertArrayEquals(Arrays.copyOfRange(model, at, at + n), cpuRead(m, BUF + at, n), where);
                    }
                    default -> { int n = random.nextInt(300); byte v = (byte) random.nextInt(); cpu.fill(BUF + at, n, v); Arrays.fill(model, at, at + n, v); }
                }
            }
            cpu.cache().clean(BUF, span);
            assertArrayEquals(model, ram(m, BUF, span), "seed " + seed);
        }
    }

    @Test
    void shouldMoveBulkDataLargerThanTheCacheIntact() {
        long seed = 0x5EED_B01CL;
        byte[] bytes = new byte[1 << 20]; // four times the 256 KiB cache
        new java.util.SplittableRandom(seed).nextBytes(bytes);
        try (Machine m = machine(CacheConfig.nonCoherent(128))) {
            m.cpu().write(BUF + 32, bytes);
            assertArrayEquals(bytes, cpuRead(m, BUF + 32, bytes.length), "seed " + seed);
            m.cpu().cache().clean(BUF, bytes.length + 64);
            assertArrayEquals(bytes, ram(m, BUF + 32, bytes.length), "seed " + seed);
            assertTrue(cache(m).dirtyEvictions() > 0, "most of the data left the cache by eviction");
        }
    }

    @Test
    void shouldCleanARangeLargerThanTheCacheWithoutObservers() {
        try (Machine m = machine(TINY)) {
            m.cpu().write(BUF, filled(4096, 0x6E));
            m.cpu().cache().clean(0, 16 * MiB);
            assertArrayEquals(filled(4096, 0x6E), ram(m, BUF, 4096));
            m.cpu().write8(BUF, 1);
            m.cpu().cache().cleanInvalidate(0, 16 * MiB);
            assertEquals(1, ram(m, BUF, 1)[0]);
            assertFalse(cache(m).isPresent(BUF));
        }
    }

    @Test
    void shouldRejectACoherentConfigAndMisalignedRam() {
        var memory = new org.jdma.machine.memory.PhysicalMemory();
        assertThrows(IllegalArgumentException.class,
                () -> new WriteBackCache(memory, CacheConfig.COHERENT, new java.util.SplittableRandom(1)));
        memory.addRam("odd", 0x1000 + 32, MemorySegment.ofArray(new byte[4096]));
        var e = assertThrows(IllegalArgumentException.class,
                () -> new WriteBackCache(memory, CacheConfig.nonCoherent(64), new java.util.SplittableRandom(1)));
        assertTrue(e.getMessage().contains("odd"), e.getMessage());
    }

    static List<String> record(CpuCache cache) {
        List<String> events = new ArrayList<>();
        cache.addObserver(new CacheObserver() {
            @Override public void cpuRead(long line, boolean hit) { events.add("cpuRead " + hex(line) + (hit ? " hit" : " miss")); }
            @Override public void cpuWrite(long line) { events.add("cpuWrite " + hex(line)); }
            @Override public void deviceRead(long line) { events.add("deviceRead " + hex(line)); }
            @Override public void deviceWrite(long line) { events.add("deviceWrite " + hex(line)); }
            @Override public void dirtyEviction(long line) { events.add("dirtyEviction " + hex(line)); }
            @Override public void cleaned(long line) { events.add("cleaned " + hex(line)); }
            @Override public void invalidated(long line, boolean wasDirty) { events.add("invalidated " + hex(line) + (wasDirty ? " dirty" : " clean")); }
            @Override public void speculativeRefill(long line) { events.add("speculativeRefill " + hex(line)); }
        });
        return events;
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
