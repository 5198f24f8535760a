package org.jdma.machine.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.junit.jupiter.api.Test;

/** DmaPort behaviours the copy engine leans on: memmove semantics, fault prefixes, range checks, accounting. */
class DmaPortFaultAndOverlapTest {

    private static final long RAM = 16L << 20;

    private static Machine machine() {
        return new Machine(MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, RAM))));
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** memcpy0's port, with Bus Master Enable set as its driver would set it. */
    static DmaPort busMaster(Machine m) {
        DmaPort port = m.dmaPorts().getFirst();
        port.busMasterEnabled(true);
        return port;
    }

    @Test
    void shouldCopyUpwardOverlappingRangesLikeMemmoveAcrossManyStagingChunks() {
        try (Machine m = machine()) {
            DmaPort port = busMaster(m);
            byte[] original = random(300_000, 1);
            m.cpu().write(0x1000, original);
            DmaResult r = port.copy(0x1000, 0x1000 + 1000, 299_000);
            assertTrue(r.isOk(), r.toString());
            byte[] expected = original.clone();
            System.arraycopy(original, 0, expected, 1000, 299_000);
            byte[] got = new byte[300_000];
            m.cpu().read(0x1000, got);
            assertArrayEquals(expected, got);
        }
    }

    @Test
    void shouldCopyDownwardOverlappingRangesLikeMemmove() {
        try (Machine m = machine()) {
            DmaPort port = busMaster(m);
            byte[] original = random(10_000, 2);
            m.cpu().write(0x1000, original);
            assertTrue(port.copy(0x1000 + 7, 0x1000, 9_000).isOk());
            byte[] expected = original.clone();
            System.arraycopy(original, 7, expected, 0, 9_000);
            byte[] got = new byte[10_000];
            m.cpu().read(0x1000, got);
            assertArrayEquals(expected, got);
        }
    }

    /** Regression: an overlapping copy used to stage the whole request first (2 GiB here) before faulting. */
    @Test
    void shouldMoveOnlyThePrefixOfAHugeOverlappingCopyThatRunsOffRam() {
        try (Machine m = machine()) {
            DmaPort port = busMaster(m);
            long src = RAM - 4096;
            byte[] original = random(4096, 3);
            m.cpu().write(src, original);
            DmaResult r = port.copy(src, src + 64, 1L << 31);
            assertEquals(FaultReason.UNSUPPORTED_REQUEST, r.reason());
            assertEquals(Access.WRITE, r.access());
            assertEquals(RAM, r.faultAddress());
            assertEquals(4096 - 64, r.bytes());
            byte[] got = new byte[4096 - 64];
            m.cpu().read(src + 64, got);
            assertArrayEquals(Arrays.copyOf(original, 4096 - 64), got, "memmove of the prefix");
        }
    }

    /** Regression: the wrap check compared signed, so a range crossing 2^64 slipped through. */
    @Test
    void shouldRejectARangeThatWrapsPastTheTopOfTheAddressSpace() {
        try (Machine m = machine()) {
            DmaPort port = busMaster(m);
            // A translator that maps every bus address into low RAM, so only the range check can refuse.
            port.translator((rid, addr, len, acc) -> new AddressTranslator.Translation(addr & 0xF_FFFF, len, 0));
            MemorySegment buf = MemorySegment.ofArray(new byte[16]);
            DmaResult wraps = port.read(-8L, buf, 0, 16);
            assertEquals(FaultReason.UNSUPPORTED_REQUEST, wraps.reason(), wraps.toString());
            assertEquals(0, wraps.bytes());
            DmaResult endsAtTop = port.read(-16L, buf, 0, 16);
            assertTrue(endsAtTop.isOk(), "a range ending exactly at 2^64 does not wrap: " + endsAtTop);
        }
    }

    /** Regression: a COMPARE that found a difference counted only one of its two streams. */
    @Test
    void shouldCountBothStreamsOfACompare() {
        try (Machine m = machine()) {
            DmaPort port = busMaster(m);
            byte[] a = random(1024, 4);
            byte[] b = a.clone();
            b[100] ^= 1;
            m.cpu().write(0x1000, a);
            m.cpu().write(0x2000, b);
            DmaPort.CompareResult differ = port.compare(0x1000, 0x2000, 1024);
            assertEquals(100, differ.mismatchOffset());
            assertEquals(200, port.bytesRead());
            assertEquals(4, port.readTransactions());
            DmaPort.CompareResult equal = port.compare(0x1000, 0x1000, 1024);
            assertEquals(-1, equal.mismatchOffset());
            assertEquals(200 + 2048, port.bytesRead());
            BusTiming t = port.timing();
            assertEquals(t.readLatencyNs() + t.wireTimeNs(32), equal.result().costNs(), "both streams on the wire");
        }
    }
}
