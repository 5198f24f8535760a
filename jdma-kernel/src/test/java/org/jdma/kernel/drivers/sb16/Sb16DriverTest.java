package org.jdma.kernel.drivers.sb16;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.isadma.IsaDma;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.sb16.Sb16Device;
import org.jdma.spec.sb16.Sb16DspLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Sound Blaster 16-like DAC and its driver: the double buffer's timing, underruns, the samples played, the page refusal. */
class Sb16DriverTest {

    private static final int BASE = 0x220;
    private static final int DMA8 = 1;
    private static final int DMA16 = 5;

    private final Machine machine = new Machine(MachineConfig.defaults().withDevice(Sb16Device.spec("sb0", BASE, 5, DMA8, DMA16)));
    private final Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withDmaDebug(true)
            .withDriver(Sb16Driver.driver(BASE, 5, DMA8, DMA16)));
    private final Sb16Device card = machine.devices(Sb16Device.class).getFirst();
    private final Sb16Driver driver = kernel.drivers().drivers(Sb16Driver.class).getFirst();

    @AfterEach
    void close() {
        kernel.close();
        machine.close();
    }

    private void playOut() {
        driver.stop();
        machine.clock().runUntil(() -> !card.playing());
    }

    @Test
    void shouldInterruptAtEachHalfOneBlockTimeApartOnTheSixteenBitChannel() {
        Playback p = Playback.sixteenBit(22_050, 1024);
        long start = machine.clock().now();
        driver.start(p, new ToneGenerator(440, p.rate(), 0.5, true));
        machine.clock().runFor(10 * p.blockNs() + p.blockNs() / 2);
        List<Long> irqs = card.interruptTimes();
        assertEquals(10, irqs.size(), "one interrupt per block: " + irqs);
        long period = Math.round(1e9 / p.rate());
        int fifoUnits = card.config().fifoBytes() / 2;
        long first = irqs.getFirst() - start;
        assertTrue(first >= p.blockNs() - (fifoUnits + 2) * period && first <= p.blockNs() - (fifoUnits / 2 - 2) * period,
                "the first block ends when the DAC has taken all but half a FIFO to a FIFO of it: " + first);
        for (int i = 1; i < irqs.size(); i++) {
            assertTrue(Math.abs(irqs.get(i) - irqs.get(i - 1) - p.blockNs()) <= (fifoUnits / 2 + 1) * period,
                    "block " + i + " ends a block's playing time after the previous: " + (irqs.get(i) - irqs.get(i - 1)));
        }
        long mean = (irqs.getLast() - irqs.getFirst()) / (irqs.size() - 1);
        assertTrue(Math.abs(mean - p.blockNs()) <= period, "on average exactly a block apart: " + mean + " vs " + p.blockNs());
        var counters = machine.isaDma().orElseThrow().counters();
        assertEquals(0, counters.transfers(DMA8), "16-bit samples never use the 8-bit channel");
        assertEquals(counters.transfers(DMA16) * 2, counters.bytes(DMA16), "a word per transfer");
        assertTrue(counters.grants(DMA16) - counters.transfers(DMA16) <= 1, "single mode: one grant per transfer (one may be under way)");
        assertEquals(0, card.underruns());
        assertEquals(0, card.starvedPeriods());
        assertEquals(12, driver.refills(), "both halves at the start, then the finished half at each interrupt");
        playOut();
    }

    @Test
    void shouldPlayByteForByteWhatTheDriverWrote() {
        Playback p = Playback.eightBit(11_025, 500);
        driver.start(p, new ToneGenerator(1000, p.rate(), 0.9, false));
        assertTrue(driver.bufferPhysical() < 16L << 20, "a 24-bit mask takes ZONE_DMA");
        machine.clock().runFor(7 * p.blockNs());
        playOut();
        byte[] played = card.played();
        assertEquals(card.blocks() * p.blockBytes(), played.length, "every block fetched was played, nothing else");
        assertTrue(card.blocks() >= 7, "blocks: " + card.blocks());
        assertArrayEquals(Arrays.copyOf(driver.written(), played.length), played);
        assertEquals(0, card.underruns());
        assertFalse(driver.playing());
        assertEquals(0, machine.isaDma().orElseThrow().counters().transfers(DMA16), "8-bit samples on the 8-bit channel");
    }

    @Test
    void shouldCountUnderrunsWhenTheDriverRefillsLate() {
        Playback late = Playback.eightBit(11_025, 256).withRefillDelayNs(Playback.eightBit(11_025, 256).blockNs() * 3 / 2);
        driver.start(late, new ToneGenerator(500, late.rate(), 0.5, false));
        machine.clock().runFor(8 * late.blockNs());
        assertTrue(card.underruns() >= 5, "a refill a block and a half late is late for every block after the first: " + card.underruns());
        playOut();
    }

    @Test
    void shouldNotCountUnderrunsWhenTheRefillComesWithinTheBlock() {
        Playback slow = Playback.eightBit(11_025, 256).withRefillDelayNs(Playback.eightBit(11_025, 256).blockNs() / 2);
        driver.start(slow, new ToneGenerator(500, slow.rate(), 0.5, false));
        machine.clock().runFor(8 * slow.blockNs());
        assertEquals(0, card.underruns());
        playOut();
        assertArrayEquals(Arrays.copyOf(driver.written(), card.played().length), card.played(), "a refill within the block is in time");
    }

    @Test
    void shouldBurstUntilTheFifoIsFullInDemandMode() {
        Playback p = Playback.sixteenBit(44_100, 2048).withDemand(true);
        driver.start(p, new ToneGenerator(440, p.rate(), 0.5, true));
        machine.clock().runFor(3 * p.blockNs());
        var counters = machine.isaDma().orElseThrow().counters();
        assertTrue(counters.grants(DMA16) * 4 < counters.transfers(DMA16),
                "demand: transfers follow the FIFO's room, several per grant: " + counters.transfers(DMA16) + " in " + counters.grants(DMA16));
        assertEquals(0, card.starvedPeriods());
        playOut();
        assertArrayEquals(Arrays.copyOf(driver.written(), card.played().length), card.played());
    }

    @Test
    void shouldRefuseABufferLargerThanTheEightBitChannelsPage() {
        var e = assertThrows(IllegalArgumentException.class, () -> driver.start(Playback.eightBit(11_025, 40_000),
                new ToneGenerator(440, 11_025, 0.5, false)));
        assertTrue(e.getMessage().contains("set_dma_count: channel 1: 80000 bytes"), e.getMessage());
        assertFalse(driver.playing());
        driver.start(Playback.sixteenBit(11_025, 30_000), new ToneGenerator(440, 11_025, 0.5, true)); // 117 KiB fits channel 5's 128 KiB page
        assertTrue(driver.playing());
        playOut();
    }

    @Test
    void shouldRefuseASixteenBitBufferAcrossA128KibBoundaryButNotAcross64Kib() {
        IsaDma isa = new IsaDma(machine.cpu());
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            isa.setDmaAddr(6, 0x2F000);
            isa.setDmaCount(6, 0x2000); // [0x2f000, 0x30fff] crosses 64 KiB, inside the 128 KiB page of a word channel
            isa.setDmaAddr(6, 0x3F000);
            var e = assertThrows(IllegalArgumentException.class, () -> isa.setDmaCount(6, 0x2000));
            assertTrue(e.getMessage().contains("[0x3f000, 0x40fff] crosses the 128 KiB boundary at 0x40000"), e.getMessage());
            isa.setDmaAddr(2, 0xF000);
            e = assertThrows(IllegalArgumentException.class, () -> isa.setDmaCount(2, 0x2000));
            assertTrue(e.getMessage().contains("crosses the 64 KiB boundary at 0x10000"), e.getMessage());
        }
    }

    @Test
    void shouldCountGarbageAndKeepPlaying() {
        Playback p = Playback.eightBit(11_025, 256);
        driver.start(p, new ToneGenerator(440, p.rate(), 0.5, false));
        machine.cpu().out8(BASE + Sb16DspLayout.WRITE, 0x99); // no such command
        machine.cpu().out8(BASE + Sb16DspLayout.WRITE, Sb16DspLayout.CMD_DMA_8 | Sb16DspLayout.DMA_INPUT); // recording: not on this card
        machine.cpu().out8(BASE + Sb16DspLayout.WRITE, 0);
        machine.cpu().out8(BASE + Sb16DspLayout.WRITE, 0);
        machine.cpu().out8(BASE + Sb16DspLayout.WRITE, 0);
        machine.clock().runFor(4 * p.blockNs());
        assertEquals(2, card.badCommands());
        assertTrue(card.blocks() >= 3, "it kept playing: " + card.blocks());
        playOut();
    }
}
