package org.jdma.machine.legacy.isadma;

import static org.jdma.spec.i8237.I8237Layout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.machine.time.TraceRecorder.TraceEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DREQ, HRQ, HLDA, DACK, transfers, EOP in modeled time, and what the CPU loses meanwhile. */
class IsaBusArbitrationTest {

    private final IsaDmaRig rig = new IsaDmaRig().cascade();
    private final IsaDma dma = rig.dma;

    @AfterEach
    void close() {
        rig.close();
    }

    private DmaProbe start(int mode, int count) {
        DmaProbe p = rig.probe(1);
        rig.program(1, mode(1, mode, MODE_TYPE_WRITE, false, false), 0x20000, count);
        p.dreq.assertDreq();
        return p;
    }

    @Test
    void shouldRunTheHandshakeInOrderAndMoveNoDataBeforeHlda() {
        rig.machine.eventKernel().trace().enable(true);
        DmaProbe p = start(MODE_BLOCK, 3);
        rig.runIdle();
        List<TraceEvent> bus = rig.machine.eventKernel().trace().events().stream()
                .filter(e -> e.track().equals(IsaBusArbiter.TRACK)).toList();
        assertEquals(List.of("HRQ", "HLDA", "DACK", "EOP", "DMA"), bus.stream().map(TraceEvent::name).toList());
        long hrq = bus.get(0).startNs();
        long hlda = bus.get(1).startNs();
        assertTrue(hlda > hrq, "HLDA comes at least a clock after HRQ");
        assertTrue(p.dackTimes.getFirst() > hlda, "the first transfer cycle ends after HLDA: no data before it");
        long tx = dma.arbiter().timing().ns(dma.arbiter().timing().transferClocks(false, false));
        assertEquals(bus.get(3).startNs(), bus.get(4).startNs() + bus.get(4).durationNs(), "the bus is released at EOP");
        assertTrue(bus.get(4).durationNs() >= 4 * tx, "four transfer cycles held the bus");
    }

    @Test
    void shouldGrantTheBusOnceInBlockModeAndOncePerTransferInSingleMode() {
        start(MODE_BLOCK, 15);
        rig.runIdle();
        assertEquals(1, dma.arbiter().grants());
        byte[] block = new byte[16];
        rig.cpu.read(0x20000, block);
        try (IsaDmaRig other = new IsaDmaRig().cascade()) {
            DmaProbe p = other.probe(1);
            other.program(1, mode(1, MODE_SINGLE, MODE_TYPE_WRITE, false, false), 0x20000, 15);
            p.dreq.assertDreq();
            other.runIdle();
            assertEquals(16, other.dma.arbiter().grants(), "cycle stealing: one grant per byte");
            byte[] single = new byte[16];
            other.cpu.read(0x20000, single);
            assertEquals(java.util.Arrays.toString(block), java.util.Arrays.toString(single), "the same memory either way");
            assertTrue(other.dma.arbiter().longestHoldNs() < dma.arbiter().longestHoldNs() / 8);
        }
    }

    @Test
    void shouldHoldTheBusInDemandModeWhileDreqStaysAssertedAndKeepAddressAndCountBetween() {
        DmaProbe p = start(MODE_DEMAND, 9);
        p.dropAfter = 3;
        rig.runIdle();
        assertEquals(3, p.dackTimes.size());
        assertEquals(1, dma.arbiter().grants(), "three transfers in one grant");
        assertEquals(3, rig.readWord(addressPort(1)));
        assertEquals(6, rig.readWord(countPort(1)));
        p.dropAfter = -1;
        p.dreq.assertDreq();
        rig.runIdle();
        assertEquals(10, p.dackTimes.size());
        assertEquals(2, dma.arbiter().grants());
        assertEquals(4, rig.cpu.read8(0x20003), "went on where it stopped");
    }

    @Test
    void shouldDelayTheCpusOwnMemoryAccessUntilTheBusIsReleased() {
        start(MODE_BLOCK, 99);
        var kernel = rig.machine.eventKernel();
        kernel.runUntil(() -> dma.arbiter().dmaOwns());
        long accessAt = kernel.now();
        rig.cpu.read8(0x40000);
        long release = dma.arbiter().lastReleaseAt();
        assertEquals(release, kernel.now(), "the read completed at the release");
        assertTrue(release - accessAt > 99 * dma.arbiter().timing().ns(4), "a hundred transfer cycles");
        assertEquals(release - accessAt, rig.cpu.busStallNs(), "the stall is counted on the CPU");
        assertEquals(1, rig.cpu.busStalls());
        rig.cpu.read8(0x40000);
        assertEquals(1, rig.cpu.busStalls(), "a free bus costs nothing");
    }

    @Test
    void shouldGrantOnlyAtTheEndOfTheCpusBusCycle() {
        CpuBusWorkload w = dma.arbiter().startWorkload(new CpuBusWorkload.Shape(1_000_000, 0)); // always on the bus
        rig.machine.eventKernel().runFor(100);
        rig.machine.eventKernel().trace().enable(true);
        start(MODE_BLOCK, 0);
        rig.machine.eventKernel().runUntil(() -> dma.arbiter().grants() > 0);
        long cycle = dma.arbiter().timing().cpuBusCycleNs();
        long hlda = rig.machine.eventKernel().now();
        long hrq = rig.machine.eventKernel().trace().events().stream().filter(e -> e.name().equals("HRQ")).findFirst()
                .orElseThrow().startNs();
        long cycleEnd = w.startedAt() + ((hrq - w.startedAt()) / cycle + 1) * cycle;
        assertEquals(Math.max(cycleEnd, hrq + dma.arbiter().timing().ns(1)), hlda,
                "HLDA when the CPU's cycle in progress at HRQ ends (and a clock after HRQ at the earliest)");
        w.stop();
    }

    @Test
    void shouldStallTheCpuLongestInOnePieceInBlockModeAndInShortPiecesInSingleMode() {
        long blockLongest = stallRun(MODE_BLOCK, false)[0];
        long singleLongest = stallRun(MODE_SINGLE, false)[0];
        long[] transparent = stallRun(MODE_SINGLE, true);
        long tx = IsaBusTiming.DEFAULT.ns(IsaBusTiming.DEFAULT.transferClocks(true, false));
        assertTrue(blockLongest > 200 * tx, "block: the CPU waits out the whole block at once: " + blockLongest);
        assertTrue(singleLongest <= 2 * tx, "single: never more than a transfer and its handshake: " + singleLongest);
        assertEquals(0, transparent[0], "transparent: the CPU never waits");
        assertTrue(transparent[1] > stallRun(MODE_SINGLE, false)[1], "transparent is the slowest");
    }

    /** A 256-byte transfer beside a CPU that uses the bus 2/3 of the time: {longest stall, transfer time}. */
    private static long[] stallRun(int mode, boolean transparent) {
        try (IsaDmaRig r = new IsaDmaRig().cascade()) {
            r.dma.timing(IsaBusTiming.DEFAULT.withTransparent(transparent));
            CpuBusWorkload w = r.dma.arbiter().startWorkload(new CpuBusWorkload.Shape(8, IsaBusTiming.DEFAULT.ns(16)));
            DmaProbe p = r.probe(1);
            r.program(1, mode(1, mode, MODE_TYPE_WRITE, false, false), 0x20000, 255);
            long start = r.machine.eventKernel().now();
            p.dreq.assertDreq();
            r.machine.eventKernel().runUntil(() -> p.terminalCounts == 1);
            long took = r.machine.eventKernel().now() - start;
            w.stop();
            assertEquals(256, p.dackTimes.size());
            return new long[] {w.longestStallNs(), took};
        }
    }
}
