package org.jdma.machine.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A DMA origin: the requester id it puts on the bus, and what monitors learn of it. */
class DmaOriginTest {

    static final RequesterId DEVICE = RequesterId.of(0, 4, 0);
    static final RequesterId LPC = RequesterId.of(0, 0x1F, 0);

    private final Arena arena = Arena.ofConfined();
    private final PhysicalMemory memory = new PhysicalMemory();
    private final EventKernel kernel = new EventKernel(1);
    private final List<String> seen = new ArrayList<>();

    DmaOriginTest() {
        memory.addRam("ram", 0x1000, arena.allocate(0x1000, 0x1000));
    }

    @AfterEach
    void close() {
        arena.close();
    }

    private DmaPort port(DmaOrigin origin) {
        List<BusMonitor> monitors = new ArrayList<>();
        monitors.add((o, access, addr, len, msi, ok, t) ->
                seen.add(o + " as " + o.requester() + ": " + access + " " + Long.toHexString(addr) + "+" + len));
        return new DmaPort("p", origin, memory, new CoherentCache(memory, 64), new InterruptController(kernel, 100),
                BusTiming.DEFAULT, kernel::now, monitors);
    }

    @Test
    void shouldPutAPciFunctionsOwnIdOnTheBus() {
        DmaOrigin o = new DmaOrigin.PciRequester(DEVICE);
        assertEquals(DEVICE, o.requester());
        assertEquals(DEVICE.toString(), o.toString(), "a PCI origin reads as its requester id");
        assertEquals(o, DmaOrigin.pci(DEVICE));
    }

    @Test
    void shouldPutTheBridgesIdOnTheBusForALegacyChannel() {
        DmaOrigin.LegacyChannel o = new DmaOrigin.LegacyChannel(2, LPC);
        assertEquals(LPC, o.requester());
        assertEquals(2, o.channel());
        assertTrue(o.toString().contains("channel 2") && o.toString().contains(LPC.toString()), o.toString());
        assertNotEquals(new DmaOrigin.LegacyChannel(3, LPC), o, "two channels behind one bridge are two origins");
    }

    @Test
    void shouldRejectChannelsAnAtDoesNotHave() {
        var e = assertThrows(IllegalArgumentException.class, () -> new DmaOrigin.LegacyChannel(8, LPC));
        assertTrue(e.getMessage().contains("8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DmaOrigin.LegacyChannel(-1, LPC));
        assertThrows(NullPointerException.class, () -> new DmaOrigin.LegacyChannel(0, null));
        assertThrows(NullPointerException.class, () -> new DmaOrigin.PciRequester(null));
    }

    @Test
    void shouldTellMonitorsTheOriginAndTheRequesterIdOfEachRequest() {
        DmaPort legacy = port(new DmaOrigin.LegacyChannel(1, LPC));
        DmaPort pci = port(new DmaOrigin.PciRequester(DEVICE));
        assertEquals(LPC, legacy.requester());
        assertEquals(new DmaOrigin.LegacyChannel(1, LPC), legacy.origin());
        assertTrue(legacy.write(0x1000, MemorySegment.ofArray(new byte[16]), 0, 16).isOk());
        assertTrue(pci.read(0x1800, MemorySegment.ofArray(new byte[8]), 0, 8).isOk());
        assertEquals(List.of(
                "DMA channel 1 via " + LPC + " as " + LPC + ": WRITE 1000+16",
                DEVICE + " as " + DEVICE + ": READ 1800+8"), seen);
    }
}
