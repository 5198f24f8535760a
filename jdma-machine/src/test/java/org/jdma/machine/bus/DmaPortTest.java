package org.jdma.machine.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.irq.InterruptController;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.mmio.RegisterAccess;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.spec.pci.RequesterId;
import org.jdma.machine.time.EventKernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DmaPortTest {

    static final long A = 0x1000_0000L;
    static final long B = 0x2000_0000L;
    static final long RAM_SIZE = 0x1_0000;
    static final long BAR = 0xF000_0000L;
    static final long PAGE = 0x1000;
    static final long MSI_ADDRESS = 0xFEE0_0000L;
    static final RequesterId RID = RequesterId.of(0, 4, 0);
    /** 64-byte lines, 100 ns read latency, 40 ns write latency, 2 bytes/ns: one line takes 32 ns. */
    static final BusTiming TIMING = new BusTiming(64, 100, 40, 2.0);
    static final long LINE_NS = 32;

    private final Arena arena = Arena.ofConfined();
    private final PhysicalMemory memory = new PhysicalMemory();
    private final RegisterFile bar = new RegisterFile("bar");
    private final Register barReg = bar.add(Register.of("R", 0, 4, RegisterAccess.RW, 0xFFFF_FFFFL));
    private final EventKernel kernel = new EventKernel(1);
    private final InterruptController irq = new InterruptController(kernel, 500);
    private final List<String> observed = new CopyOnWriteArrayList<>();
    private final List<BusMonitor> monitors = new CopyOnWriteArrayList<>();
    private final DmaPort port;

    DmaPortTest() {
        memory.addRam("a", A, arena.allocate(RAM_SIZE, PAGE));
        memory.addRam("b", B, arena.allocate(RAM_SIZE, PAGE));
        memory.addMmio("bar", BAR, PAGE, bar);
        monitors.add((rid, access, busAddress, length, msi, ok, timeNs) ->
                observed.add(String.format("%s %s %#x+%d%s%s", rid, access, busAddress, length, msi ? " msi" : "", ok ? "" : " FAULT")));
        port = new DmaPort("dev", new DmaOrigin.PciRequester(RID), memory, new CoherentCache(memory, 64), irq, TIMING, kernel::now, monitors);
    }

    @AfterEach
    void close() {
        arena.close();
    }

    // ------------------------------------------------------------------ helpers

    private byte[] ram(long phys, int len) {
        return memory.ramSlice(phys, len).toArray(ValueLayout.JAVA_BYTE);
    }

    private void ram(long phys, byte[] data) {
        MemorySegment.copy(MemorySegment.ofArray(data), 0, memory.ramSlice(phys, data.length), 0, data.length);
    }

    private static byte[] random(int len, long seed) {
        byte[] b = new byte[len];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static byte[] filled(int len, int value) {
        byte[] b = new byte[len];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private static MemorySegment seg(byte[] b) {
        return MemorySegment.ofArray(b);
    }

    /** What the stand-in translator says of a page it refuses, beside the generic NO_PERMISSION. */
    static final FaultDetail DENIED = new FaultDetail("stub", 5, "PAGE_DENIED");

    /** Identity (or shifted) translation in 4 KiB pages; listed bus pages fault with NO_PERMISSION and {@link #DENIED}. */
    static final class PageTranslator implements AddressTranslator {
        final long shift;
        final long costNs;
        final Set<Long> faultingPages = new HashSet<>();
        final List<String> calls = new ArrayList<>();

        PageTranslator(long shift, long costNs) {
            this.shift = shift;
            this.costNs = costNs;
        }

        @Override
        public Translation translate(RequesterId requester, long busAddress, long length, Access access) {
            calls.add(requester + " " + access + " " + Long.toHexString(busAddress));
            long page = busAddress & -PAGE;
            if (faultingPages.contains(page)) {
                return Translation.fault(FaultReason.NO_PERMISSION, DENIED, costNs);
            }
            return new Translation(busAddress + shift, Math.min(length, page + PAGE - busAddress), costNs);
        }
    }

    // ------------------------------------------------------------------ read / write

    @Test
    void shouldWriteAndReadRamByteForByte() {
        byte[] data = random(300, 1);
        DmaResult w = port.write(A + 10, seg(data), 0, data.length);
        assertTrue(w.isOk(), w.toString());
        assertEquals(300, w.bytes());
        assertArrayEquals(data, ram(A + 10, 300));
        byte[] back = new byte[310];
        DmaResult r = port.read(A + 10, seg(back), 10, 300);
        assertTrue(r.isOk());
        assertArrayEquals(data, Arrays.copyOfRange(back, 10, 310));
        assertEquals(300, port.bytesWritten());
        assertEquals(300, port.bytesRead());
        assertEquals(0, port.faults());
        assertEquals(List.of("0000:00:04.0 WRITE 0x1000000a+300", "0000:00:04.0 READ 0x1000000a+300"), observed);
    }

    @Test
    void shouldCostLatencyPlusWireTimeOfTheLinesTouched() {
        byte[] b = new byte[4096];
        assertEquals(40 + LINE_NS, port.write(A + 0x3F, seg(b), 0, 1).costNs());
        assertEquals(40 + 2 * LINE_NS, port.write(A + 0x3F, seg(b), 0, 2).costNs(), "one byte on each side of a line");
        assertEquals(100 + 64 * LINE_NS, port.read(A, seg(b), 0, 4096).costNs());
        assertEquals(100 + 65 * LINE_NS, port.read(A + 1, seg(b), 0, 4096).costNs());
        assertEquals(100, port.read(A, seg(b), 0, 0).costNs(), "an empty read still pays the latency");
        assertEquals(1 + 2, port.writeTransactions());
        assertEquals(64 + 65, port.readTransactions());
    }

    @Test
    void shouldFaultAtTheFirstUnbackedByteAndMoveOnlyThePrefix() {
        long end = A + RAM_SIZE;
        byte[] data = random(0x100, 2);
        DmaResult w = port.write(end - 0x40, seg(data), 0, 0x100);
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, w.reason());
        assertEquals(end, w.faultAddress(), w.toString());
        assertEquals(0x40, w.bytes());
        assertEquals(Access.WRITE, w.access());
        assertArrayEquals(Arrays.copyOf(data, 0x40), ram(end - 0x40, 0x40));

        byte[] dst = filled(0x100, 0xEE);
        DmaResult r = port.read(end - 0x10, seg(dst), 0, 0x100);
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, r.reason());
        assertEquals(end, r.faultAddress());
        assertEquals(0x10, r.bytes());
        assertArrayEquals(Arrays.copyOfRange(data, 0x30, 0x40), Arrays.copyOf(dst, 0x10));
        assertArrayEquals(filled(0xF0, 0xEE), Arrays.copyOfRange(dst, 0x10, 0x100), "nothing past the fault");

        DmaResult hole = port.read(0x3000_0000L, seg(dst), 0, 8);
        assertEquals(0x3000_0000L, hole.faultAddress());
        assertEquals(0, hole.bytes());
        assertEquals(3, port.faults());
        assertTrue(observed.get(2).endsWith("FAULT"), observed.toString());
    }

    @Test
    void shouldRefuseDmaToAnMmioWindowAsPeerToPeer() {
        bar.set(barReg, 0x1234);
        DmaResult w = port.write(BAR, seg(filled(4, 0xFF)), 0, 4);
        assertEquals(FaultReason.PEER_TO_PEER, w.reason());
        assertEquals(BAR, w.faultAddress());
        assertEquals(0x1234, bar.get(barReg), "the register was not written");
        DmaResult r = port.read(BAR, seg(new byte[4]), 0, 4);
        assertEquals(FaultReason.PEER_TO_PEER, r.reason());
        assertEquals(0, bar.unclaimedAccesses());
    }

    @Test
    void shouldRefuseEveryRequestWhileBusMasteringIsOff() {
        ram(A, filled(64, 0x11));
        port.busMasterEnabled(false);
        assertFalse(port.busMasterEnabled());
        byte[] buf = filled(64, 0x22);
        assertEquals(FaultReason.BUS_MASTER_DISABLED, port.write(A, seg(buf), 0, 64).reason());
        assertEquals(FaultReason.BUS_MASTER_DISABLED, port.read(A, seg(buf), 0, 64).reason());
        assertEquals(FaultReason.BUS_MASTER_DISABLED, port.copy(A, A + 64, 64).reason());
        assertEquals(FaultReason.BUS_MASTER_DISABLED, port.fill(A, 64, 0).reason());
        assertEquals(FaultReason.BUS_MASTER_DISABLED, port.compare(A, B, 64).result().reason());
        assertEquals(FaultReason.BUS_MASTER_DISABLED, port.writeByteRelease(A, (byte) 0).reason());
        MsiMessage m = irq.messageFor(0x40);
        assertEquals(FaultReason.BUS_MASTER_DISABLED, port.signalMsi(m.address(), m.data()).reason());
        assertArrayEquals(filled(64, 0x11), ram(A, 64));
        assertArrayEquals(filled(64, 0x22), buf);
        assertEquals(0, irq.received());
        assertEquals(7, port.faults());
        port.busMasterEnabled(true);
        assertTrue(port.write(A, seg(buf), 0, 64).isOk());
    }

    @Test
    void shouldReportAMasterAbortForEveryRequestWhileBusMasteringIsOffAndForFailedReadsOnly() {
        int[] aborts = new int[1];
        port.onMasterAbort(() -> aborts[0]++);
        byte[] buf = new byte[64];
        port.busMasterEnabled(false);
        port.write(A, seg(buf), 0, 64);
        port.read(A, seg(buf), 0, 64);
        MsiMessage m = irq.messageFor(0x40);
        port.signalMsi(m.address(), m.data());
        assertEquals(3, aborts[0], "with Bus Master Enable clear every request is a master abort");
        port.busMasterEnabled(true);
        assertTrue(port.read(A, seg(buf), 0, 64).isOk());
        assertEquals(3, aborts[0], "a request that succeeds is no abort");
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.read(BAR - 0x100_0000L, seg(buf), 0, 64).reason());
        assertEquals(4, aborts[0], "a read completed with Unsupported Request is a master abort");
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.write(BAR - 0x100_0000L, seg(buf), 0, 64).reason());
        assertEquals(4, aborts[0], "a failed write is posted: the device never learns of it");
    }

    @Test
    void shouldReturnFaultsNotExceptionsForMalformedRequests() {
        byte[] buf = new byte[16];
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.read(A, seg(buf), 0, -1).reason());
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.read(A, seg(buf), 0, 17).reason(), "buffer too small");
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.read(A, seg(buf), -1, 4).reason());
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.write(A, seg(buf), 8, 9).reason());
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.write(-8, seg(buf), 0, 16).reason(), "the top of the address space");
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.copy(A, B, DmaPort.MAX_REQUEST + 1).reason());
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.fill(A, -5, 0).reason());
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.compare(A, B, -5).result().reason());
        assertEquals(8, port.faults());
    }

    /**
     * A device repeats a few requests (an NVMe controller: entry fetch, data, completion, a
     * doorbell-sized word), interleaved: each gets the result it got before, not a new one.
     */
    /**
     * The copy engine's cycle per descriptor at the default bus timing: a 64-byte fetch, a 31-byte
     * record body, the status byte. With two ways per set these three shared a set and every one
     * was made anew.
     */
    @Test
    void shouldHandOutOneResultPerRequestOfADescriptorCycle() {
        DmaPort engine = new DmaPort("engine", new DmaOrigin.PciRequester(RID), memory, new CoherentCache(memory, 64), irq,
                BusTiming.DEFAULT, kernel::now, monitors);
        MemorySegment buf = MemorySegment.ofArray(new byte[64]);
        List<DmaResult> first = null;
        for (int round = 0; round < 3; round++) {
            List<DmaResult> now = List.of(engine.read(A, buf, 0, 64), engine.write(A + 0x1001, buf, 1, 31),
                    engine.writeByteRelease(A + 0x1000, (byte) 1));
            if (first == null) {
                first = now;
                continue;
            }
            for (int i = 0; i < now.size(); i++) {
                assertSame(first.get(i), now.get(i), "round " + round + ", request " + i);
            }
        }
    }

    @Test
    void shouldHandOutOneResultPerRepeatedRequestWhileAFewOthersAlternate() {
        MemorySegment buf = MemorySegment.ofArray(new byte[4096]);
        List<DmaResult> first = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            List<DmaResult> now = List.of(port.read(A, buf, 0, 64), port.write(A + 0x1000, buf, 0, 4096),
                    port.write(A + 0x2000, buf, 0, 16), port.read(A + 0x3000, buf, 0, 4), port.write(A + 0x4000, buf, 0, 512));
            if (round == 0) {
                first.addAll(now);
                assertEquals(5, new HashSet<>(now).size(), "five different results: " + now);
                continue;
            }
            for (int i = 0; i < now.size(); i++) {
                assertSame(first.get(i), now.get(i), "round " + round + ", request " + i);
            }
        }
    }

    // ------------------------------------------------------------------ copy

    @Test
    void shouldCopyBetweenRegionsWithPipelinedCost() {
        byte[] data = random(1000, 3);
        ram(A + 60, data);
        DmaResult c = port.copy(A + 60, B + 64, 1000);
        assertTrue(c.isOk(), c.toString());
        assertEquals(1000, c.bytes());
        assertArrayEquals(data, ram(B + 64, 1000));
        long rtx = TIMING.transactions(A + 60, 1000);  // 17 lines: the unaligned side
        long wtx = TIMING.transactions(B + 64, 1000);  // 16 lines
        assertEquals(17, rtx);
        assertEquals(100 + 40 + rtx * LINE_NS, c.costNs(), "both latencies plus the wire time of the larger side");
        assertEquals(rtx, port.readTransactions());
        assertEquals(wtx, port.writeTransactions());
        assertEquals(1000, port.bytesRead());
        assertEquals(1000, port.bytesWritten());
        assertEquals(List.of("0000:00:04.0 READ 0x1000003c+1000", "0000:00:04.0 WRITE 0x20000040+1000"), observed);
    }

    @Test
    void shouldCopyOverlappingRangesAsMemmoveInBothDirections() {
        for (long distance : new long[] {1, 7, 64, 0x800, 0x1001}) {
            for (int direction : new int[] {1, -1}) {
                int len = 0x3000;
                long src = A + 0x4000;
                long dst = src + direction * distance;
                byte[] data = random(len, distance);
                ram(src, data);
                DmaResult c = port.copy(src, dst, len);
                String where = "distance " + direction * distance;
                assertTrue(c.isOk(), where + ": " + c);
                assertEquals(len, c.bytes(), where + ": a copy moves len bytes");
                assertArrayEquals(data, ram(dst, len), where);
            }
        }
    }

    @Test
    void shouldCopyOverlappingRangesAsMemmoveAcrossTranslatedPages() {
        var pages = new PageTranslator(0, 3);
        port.translator(pages);
        for (long distance : new long[] {1, 0x7FF, 0x1000, 0x1801}) {
            for (int direction : new int[] {1, -1}) {
                int len = 0x4000;
                long src = A + 0x6000 + 0x123;
                long dst = src + direction * distance;
                byte[] data = random(len, distance + direction);
                ram(src, data);
                DmaResult c = port.copy(src, dst, len);
                String where = "distance " + direction * distance;
                assertTrue(c.isOk(), where + ": " + c);
                assertEquals(len, c.bytes(), where);
                assertArrayEquals(data, ram(dst, len), where);
            }
        }
    }

    @Test
    void shouldStopACopyAtTheFirstFaultingByteOnEitherSide() {
        long srcEnd = A + RAM_SIZE;
        byte[] data = random(0x200, 4);
        ram(srcEnd - 0x100, Arrays.copyOf(data, 0x100));
        ram(B, filled(0x200, 0xEE));
        DmaResult readFault = port.copy(srcEnd - 0x100, B, 0x200);
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, readFault.reason());
        assertEquals(Access.READ, readFault.access());
        assertEquals(srcEnd, readFault.faultAddress());
        assertEquals(0x100, readFault.bytes());
        assertArrayEquals(Arrays.copyOf(data, 0x100), ram(B, 0x100), "the prefix is copied");
        assertArrayEquals(filled(0x100, 0xEE), ram(B + 0x100, 0x100), "nothing after it");

        long dstEnd = B + RAM_SIZE;
        DmaResult writeFault = port.copy(A, dstEnd - 0x40, 0x100);
        assertEquals(Access.WRITE, writeFault.access());
        assertEquals(dstEnd, writeFault.faultAddress());
        assertEquals(0x40, writeFault.bytes());

        DmaResult toMsi = port.copy(A, MSI_ADDRESS, 4);
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, toMsi.reason(), "a copy cannot raise an interrupt");
        assertEquals(0, irq.received());
    }

    @Test
    void shouldStopAnOverlappingCopyAtTheFirstFaultWithoutWritingPastIt() {
        var pages = new PageTranslator(0, 0);
        port.translator(pages);
        long src = A + 0x8000;
        long dst = src + 0x800;
        pages.faultingPages.add(src + 0x2000);
        byte[] data = random(0x3000, 5);
        ram(src, data);
        DmaResult c = port.copy(src, dst, 0x3000);
        assertEquals(FaultReason.NO_PERMISSION, c.reason(), c.toString());
        assertEquals(DENIED, c.detail());
        // dst reaches the faulting page 0x800 bytes before src does.
        assertEquals(Access.WRITE, c.access());
        assertEquals(src + 0x2000, c.faultAddress());
        assertEquals(0x1800, c.bytes());
        assertArrayEquals(Arrays.copyOf(data, 0x1800), ram(dst, 0x1800), "the prefix moved as memmove would move it");
        assertArrayEquals(Arrays.copyOfRange(data, 0x2000, 0x3000), ram(src + 0x2000, 0x1000), "nothing written from the fault on");
    }

    // ------------------------------------------------------------------ fill

    @Test
    void shouldFillWithAByteOrAnEightBytePatternFromTheStartOfTheRange() {
        ram(A, filled(128, 0xEE));
        assertTrue(port.fill(A + 3, 29, 0xABAB_ABAB_ABAB_ABABL).isOk());
        byte[] got = ram(A, 40);
        for (int i = 0; i < 40; i++) {
            int expected = i >= 3 && i < 32 ? 0xAB : 0xEE;
            assertEquals((byte) expected, got[i], "byte " + i);
        }
        for (int phase = 0; phase < 8; phase++) {
            ram(A, filled(128, 0xEE));
            int len = 21 + phase;
            DmaResult f = port.fill(A + 1 + phase, len, 0x0807_0605_0403_0201L);
            assertTrue(f.isOk());
            assertEquals(len, f.bytes());
            byte[] b = ram(A, 64);
            for (int i = 0; i < 64; i++) {
                int off = i - 1 - phase;
                int expected = off >= 0 && off < len ? off % 8 + 1 : 0xEE;
                assertEquals((byte) expected, b[i], "phase " + phase + ", byte " + i);
            }
        }
    }

    @Test
    void shouldKeepThePatternPhaseAcrossTranslatedPages() {
        port.translator(new PageTranslator(0, 0));
        long dst = A + 2 * PAGE - 13;   // 13 bytes before a page boundary: the second run starts at phase 5
        int len = 2 * (int) PAGE;
        assertTrue(port.fill(dst, len, 0x8877_6655_4433_2211L).isOk());
        byte[] b = ram(dst, len);
        for (int i = 0; i < len; i++) {
            assertEquals((byte) (0x11 * (i % 8 + 1)), b[i], "byte " + i);
        }
    }

    @Test
    void shouldStopAFillAtTheFirstFault() {
        long end = A + RAM_SIZE;
        DmaResult f = port.fill(end - 10, 20, -1L);
        assertEquals(end, f.faultAddress());
        assertEquals(10, f.bytes());
        assertArrayEquals(filled(10, 0xFF), ram(end - 10, 10));
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.fill(MSI_ADDRESS, 4, 0x40).reason());
        assertEquals(0, irq.received());
    }

    // ------------------------------------------------------------------ compare

    @Test
    void shouldReportTheOffsetOfTheFirstDifference() {
        byte[] data = random(0x2000, 6);
        ram(A, data);
        ram(B, data);
        DmaPort.CompareResult same = port.compare(A, B, 0x2000);
        assertTrue(same.result().isOk());
        assertEquals(-1, same.mismatchOffset());
        assertEquals(0x2000, same.result().bytes());
        assertEquals(2 * 0x2000, port.bytesRead(), "both sides are read");
        assertEquals(2 * 0x2000 / 64, port.readTransactions());
        for (int at : new int[] {0, 1000, 0x1FFF}) {
            ram(B, data);
            byte[] changed = {(byte) (data[at] ^ 0x40)};
            ram(B + at, changed);
            long readBefore = port.bytesRead();
            DmaPort.CompareResult diff = port.compare(A, B, 0x2000);
            assertTrue(diff.result().isOk(), "a difference is a result, not a fault");
            assertEquals(at, diff.mismatchOffset());
            assertEquals(2L * at, port.bytesRead() - readBefore, "both sides up to the difference");
        }
    }

    @Test
    void shouldFindTheDifferenceAcrossTranslatedPages() {
        port.translator(new PageTranslator(0, 0));
        byte[] data = random(0x3000, 7);
        ram(A + 0x10, data);
        ram(B + 0x7F0, data);   // the two sides cross page boundaries at different offsets
        ram(B + 0x7F0 + 0x2345, new byte[] {(byte) ~data[0x2345]});
        assertEquals(0x2345, port.compare(A + 0x10, B + 0x7F0, 0x3000).mismatchOffset());
    }

    @Test
    void shouldFaultACompareThatLeavesRam() {
        DmaPort.CompareResult c = port.compare(A + RAM_SIZE - 8, B, 16);
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, c.result().reason());
        assertEquals(A + RAM_SIZE, c.result().faultAddress());
        assertEquals(-1, c.mismatchOffset());
    }

    // ------------------------------------------------------------------ MSI

    @Test
    void shouldDeliverAnInterruptForAFourByteWriteToTheInterruptRange() {
        int v = irq.allocateVector();
        List<Long> handled = new ArrayList<>();
        irq.register(v, vec -> handled.add(kernel.now()));
        MemorySegment data = MemorySegment.ofArray(new byte[4]);
        data.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0, v);
        DmaResult r = port.write(MSI_ADDRESS, data, 0, 4);
        assertTrue(r.isOk(), r.toString());
        assertEquals(1, irq.received());
        assertEquals(1, port.msisSent());
        kernel.runUntilIdle();
        assertEquals(List.of(500L), handled);
        assertEquals(List.of("0000:00:04.0 WRITE 0xfee00000+4 msi"), observed);
        assertEquals(0, port.bytesWritten(), "an MSI is not a memory write");
    }

    @Test
    void shouldSendMsisUntranslated() {
        var blocked = new PageTranslator(0, 0);
        blocked.faultingPages.add(MSI_ADDRESS);
        port.translator(blocked);
        MsiMessage m = irq.messageFor(0x33);
        assertTrue(port.signalMsi(m.address(), m.data()).isOk());
        assertEquals(List.of(), blocked.calls, "no interrupt remapping is modeled");
        assertEquals(1, irq.received());
    }

    @Test
    void shouldRejectMalformedInterruptWrites() {
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.write(MSI_ADDRESS, seg(new byte[8]), 0, 8).reason());
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, port.write(MSI_ADDRESS + 2, seg(new byte[4]), 0, 4).reason());
        assertEquals(0, irq.received());
        assertEquals(2, port.faults());
        assertEquals(0, port.msisSent());
        assertTrue(observed.getFirst().endsWith("msi FAULT"), observed.toString());
    }

    @Test
    void shouldShowDataThenStatusThenInterruptToMonitorsInIssueOrder() {
        MsiMessage m = irq.messageFor(0x40);
        port.write(A, seg(random(64, 8)), 0, 64);
        port.writeByteRelease(A + 64, (byte) 1);
        port.signalMsi(m.address(), m.data());
        assertEquals(List.of("0000:00:04.0 WRITE 0x10000000+64", "0000:00:04.0 WRITE 0x10000040+1",
                "0000:00:04.0 WRITE 0xfee00000+4 msi"), observed);
    }

    // ------------------------------------------------------------------ ordered single accesses

    @Test
    void shouldReadAndWriteOrderedWords() {
        assertTrue(port.writeByteRelease(A + 7, (byte) 0x5A).isOk());
        assertEquals(0x5A, ram(A + 7, 1)[0]);
        ram(A + 8, new byte[] {1, 2, 3, 4});
        DmaResult[] r = new DmaResult[1];
        assertEquals(0x0403_0201, port.readIntAcquire(A + 8, r), "little-endian");
        assertTrue(r[0].isOk());
        assertEquals(-1, port.readIntAcquire(A + 9, r));
        assertEquals(FaultReason.UNSUPPORTED_REQUEST, r[0].reason(), "misaligned");
        assertEquals(-1, port.readIntAcquire(0x3000_0000L, r));
        assertEquals(0x3000_0000L, r[0].faultAddress());
        assertEquals(FaultReason.PEER_TO_PEER, port.writeByteRelease(BAR, (byte) 1).reason());
    }

    // ------------------------------------------------------------------ translation

    @Test
    void shouldTranslateBusAddressesAndAddTheLookupCostPerRun() {
        var remap = new PageTranslator(B - A, 7);   // bus A.. -> physical B..
        port.translator(remap);
        assertSame(remap, port.translator());
        byte[] data = random(3 * (int) PAGE, 9);
        DmaResult w = port.write(A + 0x100, seg(data), 0, data.length);
        assertTrue(w.isOk());
        assertArrayEquals(data, ram(B + 0x100, data.length), "landed at the translated address");
        assertArrayEquals(new byte[data.length], ram(A + 0x100, data.length), "not at the bus address");
        assertEquals(4, remap.calls.size(), "one lookup per page touched");
        assertTrue(remap.calls.getFirst().startsWith("0000:00:04.0 WRITE"), remap.calls.toString());
        assertEquals(4 * 7 + 40 + TIMING.wireTimeNs(TIMING.transactions(A + 0x100, data.length)), w.costNs());
        port.translator(null);
        assertSame(AddressTranslator.IDENTITY, port.translator());
    }

    @Test
    void shouldStopAtATranslationFaultWithTheReasonAndWriteNothingPastIt() {
        var pages = new PageTranslator(0, 0);
        pages.faultingPages.add(A + PAGE);
        port.translator(pages);
        ram(A, filled(3 * (int) PAGE, 0xEE));
        byte[] data = random(3 * (int) PAGE - 0x200, 10);
        DmaResult w = port.write(A + 0x200, seg(data), 0, data.length);
        assertEquals(FaultReason.NO_PERMISSION, w.reason());
        assertEquals(DENIED, w.detail(), "the translator's own reason travels with the generic one");
        assertEquals(A + PAGE, w.faultAddress());
        assertEquals(PAGE - 0x200, w.bytes());
        assertArrayEquals(Arrays.copyOf(data, (int) PAGE - 0x200), ram(A + 0x200, (int) PAGE - 0x200));
        assertArrayEquals(filled(2 * (int) PAGE, 0xEE), ram(A + PAGE, 2 * (int) PAGE), "the page after the fault is valid but untouched");
        assertTrue(w.toString().contains("stub 0x5 PAGE_DENIED") && w.toString().contains("0x10001000"), w.toString());
    }

    @Test
    void shouldTreatAnEmptyTranslationAsABlockedRequest() {
        port.translator((rid, bus, len, access) -> new AddressTranslator.Translation(bus, 0, 0));
        DmaResult r = port.read(A, seg(new byte[8]), 0, 8);
        assertEquals(FaultReason.BLOCKED, r.reason());
        assertTrue(r.reason().translation());
        assertTrue(r.detail().isNone(), "the translator gave no reason of its own");
        assertEquals(0, r.bytes());
    }

    @Test
    void shouldRefuseABusLevelReasonFromATranslator() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> AddressTranslator.Translation.fault(FaultReason.PEER_TO_PEER, FaultDetail.NONE, 0));
        assertTrue(e.getMessage().contains("PEER_TO_PEER"), e.getMessage());
    }

    @Test
    void shouldKeepBusFaultsFreeOfTranslatorDetail() {
        port.busMasterEnabled(false);
        DmaResult r = port.read(A, seg(new byte[8]), 0, 8);
        assertEquals(FaultReason.BUS_MASTER_DISABLED, r.reason());
        assertFalse(r.reason().translation());
        assertSame(FaultDetail.NONE, r.detail());
        assertEquals("fault(BUS_MASTER_DISABLED READ at 0x" + Long.toHexString(A) + " after 0 B)", r.toString());
    }
}
