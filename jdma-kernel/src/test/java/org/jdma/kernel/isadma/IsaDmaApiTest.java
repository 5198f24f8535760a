package org.jdma.kernel.isadma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.timer.CountdownTimer;
import org.jdma.machine.legacy.DmaHandshake;
import org.jdma.machine.legacy.DmaRequestLine;
import org.jdma.machine.legacy.LegacyDevice;
import org.jdma.machine.legacy.LegacyDeviceContext;
import org.jdma.machine.legacy.LegacyResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Linux's ISA DMA API over the machine's 8237A pair: names, lock, arithmetic and refusals. */
class IsaDmaApiTest {

    private final Machine machine = new Machine(MachineConfig.defaults()
            .withRam(List.of(new MachineConfig.Ram("low", 0, 64L << 20))).withDevice(CountdownTimer.spec("timer0", 0x300, 5)));
    private final IsaDma isa = new IsaDma(machine.cpu());

    @AfterEach
    void close() {
        machine.close();
    }

    /** A device on one channel that takes what memory gives it and drops DREQ at TC. */
    static final class Sink implements LegacyDevice, DmaHandshake {
        final int channel;
        final List<Integer> got = new ArrayList<>();
        DmaRequestLine dreq;
        int stopAfter = -1;

        Sink(int channel) { this.channel = channel; }
        @Override public String name() { return "sink" + channel; }
        @Override public LegacyResources resources() { return LegacyResources.of().withDmaChannel(channel); }
        @Override public void attach(LegacyDeviceContext c) { dreq = c.dmaRequest(channel, this); }
        @Override public int ioRead(int port) { return 0xFF; }
        @Override public void ioWrite(int port, int value) { }
        @Override public void reset() { }
        @Override public int dackRead() { return 0; }
        @Override public void dackWrite(int v) {
            got.add(v);
            if (got.size() == stopAfter) {
                dreq.dropDreq();
            }
        }
        @Override public void terminalCount() { dreq.dropDreq(); }
    }

    @Test
    void shouldRefuseABusyChannelNamingItsHolder() {
        isa.requestDma(1, "sb");
        var e = assertThrows(IllegalStateException.class, () -> isa.requestDma(1, "floppy"));
        assertTrue(e.getMessage().contains("sb holds it"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> isa.requestDma(4, "x"), "4 is the cascade's");
        isa.freeDma(1);
        isa.requestDma(1, "floppy");
        assertEquals("floppy", isa.owner(1));
        assertThrows(IllegalStateException.class, () -> isa.freeDma(2), "not held");
    }

    @Test
    void shouldRefuseRegisterCallsWithoutTheDmaLock() {
        var e = assertThrows(IllegalStateException.class, () -> isa.setDmaCount(1, 16));
        assertTrue(e.getMessage().contains("set_dma_count without the DMA lock"), e.getMessage());
    }

    @Test
    void shouldRefuseABufferThatCrossesA64KiBBoundaryNamingTheAddress() {
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            isa.setDmaAddr(1, 0x1FFF0);
            var e = assertThrows(IllegalArgumentException.class, () -> isa.setDmaCount(1, 0x20));
            assertTrue(e.getMessage().contains("[0x1fff0, 0x2000f] crosses the 64 KiB boundary at 0x20000"), e.getMessage());
            isa.setDmaCount(1, 0x10); // ends on the boundary: fine
        }
    }

    @Test
    void shouldRefuseA16BitBufferThatCrossesA128KiBBoundaryButNotA64KiBOne() {
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            isa.setDmaAddr(5, 0x2FFF0);
            isa.setDmaCount(5, 0x20); // crosses 0x30000, inside the 128 KiB page 0x20000-0x3FFFF
            isa.setDmaAddr(5, 0x3FFF0);
            var e = assertThrows(IllegalArgumentException.class, () -> isa.setDmaCount(5, 0x20));
            assertTrue(e.getMessage().contains("crosses the 128 KiB boundary at 0x40000"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseAnAddressAbove16MiBNamingIt() {
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            var e = assertThrows(IllegalArgumentException.class, () -> isa.setDmaAddr(1, 0x100_0000L));
            assertTrue(e.getMessage().contains("0x1000000 is above 16 MiB"), e.getMessage());
            isa.setDmaAddr(1, 0xFF_FF00L);
            var end = assertThrows(IllegalArgumentException.class, () -> isa.setDmaCount(1, 0x200));
            assertTrue(end.getMessage().contains("0xffff00"), end.getMessage());
        }
    }

    @Test
    void shouldProgramAChannelThatMovesExactlyTheBufferAndReportTheResidue() {
        Sink sink = new Sink(1);
        machine.legacyBus().plug(sink);
        machine.cpu().write(0x50000, new byte[] {10, 20, 30, 40, 50, 60});
        isa.requestDma(1, "sink");
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            isa.disableDma(1);
            isa.clearDmaFf(1);
            isa.setDmaMode(1, IsaDma.DMA_MODE_WRITE);
            isa.setDmaAddr(1, 0x50000);
            isa.setDmaCount(1, 6);
            assertEquals(6, isa.getDmaResidue(1));
            isa.enableDma(1);
        }
        sink.stopAfter = 4;
        sink.dreq.assertDreq();
        machine.eventKernel().runUntilIdle();
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            assertEquals(2, isa.getDmaResidue(1), "two bytes left when the device stopped asking");
        }
        sink.dreq.assertDreq();
        machine.eventKernel().runUntilIdle();
        assertEquals(List.of(10, 20, 30, 40, 50, 60), sink.got);
        try (IsaDma.Lock l = isa.claimDmaLock()) {
            assertEquals(0, isa.getDmaResidue(1), "0 after terminal count");
            assertEquals(1 << 1, isa.status(1) & 0x0F);
        }
    }
}
