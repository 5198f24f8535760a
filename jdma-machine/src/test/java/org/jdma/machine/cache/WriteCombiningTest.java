package org.jdma.machine.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterAccess;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.platform.CacheObserver;
import org.jdma.platform.Cpu;
import org.jdma.platform.MemoryType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The write-combining memory type (Intel SDM Vol. 3A §12.3.1) on both machines: stores wait in a
 * few line-sized buffers that no device snoops, merge per line, and reach memory, only the bytes
 * written, when a buffer fills, is evicted, or a barrier, release store or uncached access drains
 * them, in buffer order.
 */
class WriteCombiningTest {

    static final long MiB = 1L << 20;
    /** The write-combined range: 4 KiB. */
    static final long WC = 0x10_0000;
    static final long WB = 0x20_0000;
    static final long UC = 0x30_0000;
    /** Where the test's doorbell register goes, or the next free page above. */
    static final long MMIO = 0xD000_0000L;
    static final int LINE = 64;

    static Machine machine(boolean coherent) {
        CacheConfig cache = coherent ? CacheConfig.COHERENT : CacheConfig.nonCoherent(LINE);
        Machine m = new Machine(MachineConfig.defaults().withCache(cache)
                .withRam(List.of(new MachineConfig.Ram("low", 0, 16 * MiB))));
        m.cpu().cache().memoryType(WC, 4096, MemoryType.WRITE_COMBINING);
        m.cpu().cache().memoryType(UC, 4096, MemoryType.UNCACHED);
        return m;
    }

    static DmaPort device(Machine m) {
        DmaPort port = m.dmaPorts().getFirst();
        port.busMasterEnabled(true);
        return port;
    }

    static byte[] deviceRead(Machine m, long addr, int len) {
        byte[] out = new byte[len];
        DmaResult r = device(m).read(addr, MemorySegment.ofArray(out), 0, len);
        assertEquals(true, r.isOk(), r.toString());
        return out;
    }

    static long deviceRead64(Machine m, long addr) {
        return MemorySegment.ofArray(deviceRead(m, addr, 8)).get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    static void deviceWrite(Machine m, long addr, byte[] bytes) {
        DmaResult r = device(m).write(addr, MemorySegment.ofArray(bytes), 0, bytes.length);
        assertEquals(true, r.isOk(), r.toString());
    }

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** Records every write-combining flush: line and bytes written. */
    static final class Flushes implements CacheObserver {
        final List<String> seen = new ArrayList<>();

        @Override
        public void writeCombiningFlush(long line, int bytes) {
            seen.add(String.format("%#x:%d", line, bytes));
        }
    }

    static WriteCombiningStats stats(Machine m) {
        return m.cpu().cache().writeCombining();
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldCombineStoresToOneLineIntoOneBurstWrite(boolean coherent) {
        try (Machine m = machine(coherent)) {
            Flushes flushes = new Flushes();
            m.cpu().cache().addObserver(flushes);
            for (int i = 0; i < 7; i++) {
                m.cpu().write64(WC + 8L * i, 0x0101_0101_0101_0101L * (i + 1));
            }
            assertEquals(List.of(), flushes.seen, "seven of eight words: the buffer waits");
            assertEquals(0, deviceRead64(m, WC), "the device sees memory without the buffered stores");
            m.cpu().write64(WC + 56, 0x0808_0808_0808_0808L);
            assertEquals(List.of(String.format("%#x:64", WC)), flushes.seen, "the eighth fills the line: one burst");
            for (int i = 0; i < 8; i++) {
                assertEquals(0x0101_0101_0101_0101L * (i + 1), deviceRead64(m, WC + 8L * i));
            }
            WriteCombiningStats s = stats(m);
            assertEquals(8, s.stores());
            assertEquals(1, s.fullFlushes());
            assertEquals(0, s.partialFlushes());
            assertEquals(1, s.flushes());
            assertEquals(64, s.bytesFlushed());
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldHideBufferedStoresFromDevicesUntilAWriteBarrier(boolean coherent) {
        try (Machine m = machine(coherent)) {
            m.cpu().write32(WC + 4, 0xCAFE_F00D);
            assertEquals(0, deviceRead64(m, WC), coherent
                    ? "DMA snoops the cache, not the write-combining buffers" : "the device reads memory");
            m.cpu().cache().writeBarrier();
            assertEquals(0xCAFE_F00DL << 32, deviceRead64(m, WC));
            assertEquals(1, stats(m).fenceFlushes());
            assertEquals(1, stats(m).partialFlushes());
            assertEquals(4, stats(m).bytesFlushed());
            m.cpu().cache().writeBarrier();
            assertEquals(1, stats(m).flushes(), "a barrier with nothing buffered writes nothing");
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldWriteOnlyTheBytesStoredWhenAPartialBufferFlushes(boolean coherent) {
        try (Machine m = machine(coherent)) {
            m.cpu().write32(WC + 8, 0x4444_4444);
            m.cpu().write8(WC + 40, 0x55);
            deviceWrite(m, WC, filled(LINE, 0x33)); // the device writes the whole line meanwhile
            m.cpu().cache().writeBarrier();
            byte[] expected = filled(LINE, 0x33);
            Arrays.fill(expected, 8, 12, (byte) 0x44);
            expected[40] = 0x55;
            assertArrayEquals(expected, deviceRead(m, WC, LINE), "the byte-enable mask keeps the device's other bytes");
            assertEquals(5, stats(m).bytesFlushed());
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldCollapseRepeatedStoresToTheSameBytes(boolean coherent) {
        try (Machine m = machine(coherent)) {
            for (int i = 1; i <= 5; i++) {
                m.cpu().write32(WC, i);
            }
            m.cpu().cache().writeBarrier();
            assertEquals(5, deviceRead64(m, WC), "only the last value reaches memory");
            assertEquals(5, stats(m).stores());
            assertEquals(1, stats(m).flushes(), "five stores, one memory write");
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldEvictTheOldestBufferAndDrainInBufferOrderNotStoreOrder(boolean coherent) {
        try (Machine m = machine(coherent)) {
            Flushes flushes = new Flushes();
            m.cpu().cache().addObserver(flushes);
            long a = WC, b = WC + LINE, c = WC + 2 * LINE, d = WC + 3 * LINE, e = WC + 4 * LINE;
            for (long line : new long[] {a, b, c, d}) {
                m.cpu().write64(line, line);
            }
            assertEquals(List.of(), flushes.seen, "four lines, four buffers");
            m.cpu().write64(e, e);
            assertEquals(List.of(String.format("%#x:8", a)), flushes.seen, "the fifth line evicts the oldest buffer");
            assertEquals(a, deviceRead64(m, a));
            assertEquals(0, deviceRead64(m, b));
            assertEquals(0, deviceRead64(m, e));
            assertEquals(1, stats(m).evictionFlushes());

            m.cpu().cache().writeBarrier();
            assertEquals(List.of(String.format("%#x:8", a), String.format("%#x:8", e), String.format("%#x:8", b),
                    String.format("%#x:8", c), String.format("%#x:8", d)), flushes.seen,
                    "e reused a's buffer, the first: it reaches memory before b, stored earlier (weakly ordered)");
            for (long line : new long[] {b, c, d, e}) {
                assertEquals(line, deviceRead64(m, line));
            }
            assertEquals(4, stats(m).fenceFlushes());
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldDrainOnAnUncachedLoadOrStoreAnywhere(boolean coherent) {
        try (Machine m = machine(coherent)) {
            m.cpu().write64(WC, 1);
            m.cpu().read32(UC + 128); // an uncached load, another line: still drains (SDM §12.3)
            assertEquals(1, deviceRead64(m, WC));
            m.cpu().write64(WC + LINE, 2);
            m.cpu().write8(UC, 7);
            assertEquals(2, deviceRead64(m, WC + LINE));
            assertEquals(2, stats(m).serializingFlushes());
            m.cpu().write64(WB, 3);
            m.cpu().read64(WB);
            assertEquals(2, stats(m).flushes(), "write-back accesses do not drain");
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldDrainOnMmioAndPortIoBecauseTheyAreUncached(boolean coherent) {
        try (Machine m = machine(coherent)) {
            RegisterFile regs = new RegisterFile("doorbell");
            regs.add(Register.of("DOORBELL", 0, 4, RegisterAccess.RW, 0xFFFF_FFFFL));
            long mmio = MMIO;
            while (!m.physicalMemory().isFree(mmio, 0x1000)) {
                mmio += 0x1000;
            }
            m.physicalMemory().addMmio("doorbell", mmio, 0x1000, regs);
            Cpu cpu = m.cpu();
            cpu.write64(WC, 0x11);
            cpu.write32(mmio, 1); // the doorbell: the device is told after the data reached memory
            assertEquals(0x11, deviceRead64(m, WC));
            cpu.write64(WC, 0x22);
            cpu.read32(mmio);
            assertEquals(0x22, deviceRead64(m, WC));
            cpu.write64(WC, 0x33);
            cpu.in8(0x80);
            assertEquals(0x33, deviceRead64(m, WC));
            assertEquals(3, stats(m).serializingFlushes());
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldDrainOnAReleaseStoreSoThePublishedIndexComesAfterTheData(boolean coherent) {
        try (Machine m = machine(coherent)) {
            m.cpu().write64(WC, 0xDA7A);
            m.cpu().write32Release(WB, 1); // a write-back index
            assertEquals(0xDA7A, deviceRead64(m, WC));
            m.cpu().write64(WC + LINE, 0xDA7B);
            m.cpu().write32Release(WC + 2 * LINE, 2); // a release store into the WC range itself
            assertEquals(0xDA7B, deviceRead64(m, WC + LINE));
            assertEquals(2, deviceRead64(m, WC + 2 * LINE), "the released word goes to memory itself");
            assertEquals(2, stats(m).fenceFlushes());
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldLetTheCpuReadItsOwnBufferedStoresWithoutFlushing(boolean coherent) {
        try (Machine m = machine(coherent)) {
            deviceWrite(m, WC, filled(16, 0x77));
            m.cpu().write16(WC + 2, 0x1234);
            assertEquals(0x7777_1234_7777L, m.cpu().read64(WC) & 0xFFFF_FFFF_FFFFL, "memory's bytes, then the CPU's own");
            assertEquals(0x7777_1234_7777L, m.cpu().read64Acquire(WC) & 0xFFFF_FFFF_FFFFL);
            byte[] bulk = new byte[16];
            m.cpu().read(WC, bulk);
            assertEquals(0x34, bulk[2]);
            assertEquals(0x77, bulk[4]);
            assertEquals(0, stats(m).flushes(), "a load does not drain");
            assertEquals(0x7777_7777_7777_7777L, deviceRead64(m, WC));
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldCombineABulkStoreLineByLine(boolean coherent) {
        try (Machine m = machine(coherent)) {
            m.cpu().write(WC + 8, filled(3 * LINE, 0x5A)); // 56 + 64 + 64 + 8 bytes over four lines
            WriteCombiningStats s = stats(m);
            assertEquals(4, s.stores(), "one buffer store per line piece");
            assertEquals(2, s.fullFlushes(), "the two whole lines in the middle");
            assertArrayEquals(filled(2 * LINE, 0x5A), deviceRead(m, WC + LINE, 2 * LINE));
            assertArrayEquals(new byte[8], deviceRead(m, WC + 8, 8), "the first piece is still buffered");
            m.cpu().fill(WC + 4 * LINE, LINE, (byte) 0x6B);
            assertEquals(3, stats(m).fullFlushes(), "a whole-line fill is a burst");
            m.cpu().cache().writeBarrier();
            assertArrayEquals(filled(3 * LINE, 0x5A), deviceRead(m, WC + 8, 3 * LINE));
            assertEquals(2, stats(m).fenceFlushes());
            assertEquals(3 * LINE + LINE, stats(m).bytesFlushed());
        }
    }

    @Test
    void shouldNeverAllocateDirtyOrRefillALineOfWriteCombiningMemory() {
        CacheConfig cache = CacheConfig.nonCoherent(LINE).withSpeculativeRefillRate(1.0);
        try (Machine m = new Machine(MachineConfig.defaults().withCache(cache)
                .withRam(List.of(new MachineConfig.Ram("low", 0, 16 * MiB))))) {
            WriteBackCache c = (WriteBackCache) m.cpu().cache();
            m.cpu().write64(WC, 0x1111); // dirty, write-back still
            c.memoryType(WC, 4096, MemoryType.WRITE_COMBINING);
            assertEquals(0x1111, deviceRead64(m, WC), "making a range WC writes its dirty lines back");
            long used = c.hits() + c.misses();
            for (int i = 0; i < 64; i++) {
                m.cpu().write64(WC + 64L * i, i);
                m.cpu().read64(WC + 64L * i + 8);
            }
            m.cpu().cache().writeBarrier();
            for (long a = WC; a < WC + 4096; a += LINE) {
                assertFalse(c.isPresent(a), "no line of a WC range is ever in the cache, refills included");
                assertFalse(c.isDirty(a));
            }
            assertEquals(used, c.hits() + c.misses(), "WC accesses do not touch the lines");
            deviceWrite(m, WC + 8, filled(8, 0x42));
            assertEquals(0x4242_4242_4242_4242L, m.cpu().read64(WC + 8), "device data, no invalidate needed");
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldDrainWhenTheMemoryTypeChanges(boolean coherent) {
        try (Machine m = machine(coherent)) {
            m.cpu().write64(WC, 0xBEEF);
            m.cpu().cache().memoryType(WC, 4096, MemoryType.WRITE_BACK);
            assertEquals(MemoryType.WRITE_BACK, m.cpu().cache().memoryTypeAt(WC));
            assertEquals(0xBEEF, deviceRead64(m, WC), "no buffered store is lost by a type change");
            assertEquals(1, stats(m).serializingFlushes());
        }
    }

    @Test
    void shouldReportTheTypeOfEachRangeOnBothMachines() {
        for (boolean coherent : new boolean[] {true, false}) {
            try (Machine m = machine(coherent)) {
                assertEquals(MemoryType.WRITE_COMBINING, m.cpu().cache().memoryTypeAt(WC + 4095));
                assertEquals(MemoryType.WRITE_BACK, m.cpu().cache().memoryTypeAt(WC + 4096));
                assertEquals(MemoryType.UNCACHED, m.cpu().cache().memoryTypeAt(UC));
            }
        }
    }

    @Test
    void shouldUseTheConfiguredNumberOfBuffers() {
        try (Machine m = new Machine(MachineConfig.defaults().withCache(CacheConfig.COHERENT.withWriteCombiningBuffers(1))
                .withRam(List.of(new MachineConfig.Ram("low", 0, 16 * MiB))))) {
            m.cpu().cache().memoryType(WC, 4096, MemoryType.WRITE_COMBINING);
            m.cpu().write64(WC, 1);
            m.cpu().write64(WC + LINE, 2);
            assertEquals(1, stats(m).buffers());
            assertEquals(1, stats(m).evictionFlushes(), "one buffer: every new line evicts");
        }
        assertThrows(IllegalArgumentException.class, () -> CacheConfig.COHERENT.withWriteCombiningBuffers(0));
        assertEquals(4, CacheConfig.COHERENT.writeCombiningBuffers());
    }
}
