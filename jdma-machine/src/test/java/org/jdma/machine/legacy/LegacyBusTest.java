package org.jdma.machine.legacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.DmaOrigin;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.memory.IoPortHandler;
import org.jdma.platform.irq.LineTrigger;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The legacy bus: claims and conflicts, byte cycles, the IRQ line and a DMA channel behind 00:1f.0. */
class LegacyBusTest {

    static final int BASE = 0x250;
    static final RequesterId LPC = RequesterId.of(0, 0x1F, 0);

    private final Machine machine = new Machine(MachineConfig.defaults()
            .withRam(List.of(new MachineConfig.Ram("low", 0, 16L << 20))).withDevices(List.of()).withoutDmar());
    private final LegacyBus bus = machine.legacyBus();
    private final MachineCpu cpu = machine.cpu();

    @AfterEach
    void close() {
        machine.close();
    }

    @Test
    void shouldGrantPortsIrqAndChannelAndHandTheDeviceAChannelPortBehindTheLpcBridge() {
        ScratchDmaDevice dev = new ScratchDmaDevice("scratch", BASE, 5, 1);
        LegacyDeviceContext ctx = bus.plug(dev);
        assertSame(ctx, dev.context(), "attached with the context plug returns");
        assertEquals(LPC, bus.bridge());
        assertEquals(List.of(PortRange.of(BASE, 8)), ctx.ports());
        assertEquals(OptionalInt.of(5), ctx.irqLine());
        assertEquals(List.of(1), ctx.dmaChannels());
        assertEquals(Optional.of("scratch"), bus.irqOwner(5));
        assertEquals(Optional.of("scratch"), bus.channelOwner(1));
        assertEquals("scratch", machine.ioPorts().claimAt(BASE + 7).owner());
        DmaPort port = ctx.dmaPort(1);
        assertEquals(new DmaOrigin.LegacyChannel(1, LPC), port.origin());
        assertEquals(LPC, port.requester(), "the IOMMU and bus analyzers see the bridge's requester id");
        assertSame(port, bus.dmaPort(1).orElseThrow(), "the seam the 8237A will drive");
        assertTrue(machine.dmaPorts().contains(port), "the machine knows every path to memory");
        assertEquals(List.of(dev), bus.devices());
    }

    @Test
    void shouldCarryWideCpuAccessesAsByteCyclesInAscendingPortOrder() {
        ScratchDmaDevice dev = new ScratchDmaDevice("scratch", BASE, 5, 1);
        bus.plug(dev);
        cpu.out32(BASE, 0x0012_3400);
        assertEquals(0x0012_3400, cpu.in32(BASE));
        cpu.out16(BASE + 4, 0x0720);
        assertEquals(List.of("out 0x250 0x00", "out 0x251 0x34", "out 0x252 0x12", "out 0x253 0x00",
                "in 0x250", "in 0x251", "in 0x252", "in 0x253", "out 0x254 0x20", "out 0x255 0x07"), dev.cycles);
        assertEquals(10, bus.ioCycles());
        assertEquals(0, cpu.busErrors());
    }

    @Test
    void shouldRunADriverLoopOverPortsALevelIrqAndDma() {
        bus.plug(new ScratchDmaDevice("scratch", BASE, 5, 1));
        List<String> log = new ArrayList<>();
        List<DmaOrigin> origins = new ArrayList<>();
        machine.addBusMonitor((origin, access, addr, len, msi, ok, t) -> origins.add(origin));
        int vector = machine.interrupts().allocateVector();
        machine.interrupts().register(vector, v -> log.add("irq, status " + cpu.in8(BASE + ScratchDmaDevice.STATUS)));
        machine.interrupts().routeLine(5, vector, LineTrigger.LEVEL);
        long target = 0x10_0000;
        cpu.out32(BASE + ScratchDmaDevice.ADDRESS, (int) target);
        cpu.out8(BASE + ScratchDmaDevice.LENGTH, 100);
        cpu.out8(BASE + ScratchDmaDevice.PATTERN, 0xA5);
        cpu.out8(BASE + ScratchDmaDevice.COMMAND, ScratchDmaDevice.CMD_FILL);
        machine.clock().runUntilIdle();
        assertEquals(List.of("irq, status 1"), log, "one interrupt: the handler's status read lowered the line before the EOI");
        assertEquals(0xA5, cpu.read8(target));
        assertEquals(0xA5, cpu.read8(target + 99));
        assertEquals(0, cpu.read8(target + 100));
        assertEquals(List.of(new DmaOrigin.LegacyChannel(1, LPC)), origins, "the monitor tells the channel apart");
        assertEquals(1, machine.interruptController().lineCounters(5).eois());
    }

    @Test
    void shouldRefusePortsAnotherLegacyDeviceHoldsNamingIt() {
        bus.plug(new ScratchDmaDevice("first", BASE, 5, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> bus.plug(new ScratchDmaDevice("second", BASE + 4, 6, 2)));
        assertTrue(e.getMessage().contains("second") && e.getMessage().contains("first") && e.getMessage().contains("0x0254"),
                e.getMessage());
        assertNothingHeldBy("second", 6, 2);
    }

    @Test
    void shouldRefusePortsAnyOtherOwnerOfTheIoSpaceHolds() {
        machine.ioPorts().claim("pci-io-bar", BASE + 6, 4, new IoPortHandler() {
            @Override public int read(int offset, int width) { return 0; }
            @Override public void write(int offset, int width, int value) { }
        });
        var e = assertThrows(IllegalArgumentException.class, () -> bus.plug(new ScratchDmaDevice("scratch", BASE, 5, 1)));
        assertTrue(e.getMessage().contains("pci-io-bar") && e.getMessage().contains("scratch"), e.getMessage());
        assertNothingHeldBy("scratch", 5, 1);
    }

    @Test
    void shouldRefuseAnIrqAnotherDeviceHoldsAndClaimNothingElse() {
        bus.plug(new ScratchDmaDevice("first", BASE, 5, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> bus.plug(new ScratchDmaDevice("second", 0x260, 5, 2)));
        assertTrue(e.getMessage().contains("IRQ 5") && e.getMessage().contains("first") && e.getMessage().contains("second"),
                e.getMessage());
        assertNull(machine.ioPorts().claimAt(0x260), "the refused device's free ports stay free");
        assertEquals(Optional.empty(), bus.channelOwner(2));
        bus.plug(new ScratchDmaDevice("second", 0x260, 6, 2)); // and can be plugged with its own IRQ
    }

    @Test
    void shouldRefuseADmaChannelAnotherDeviceHolds() {
        bus.plug(new ScratchDmaDevice("first", BASE, 5, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> bus.plug(new ScratchDmaDevice("second", 0x260, 6, 1)));
        assertTrue(e.getMessage().contains("DMA channel 1") && e.getMessage().contains("first"), e.getMessage());
        assertNothingHeldBy("second", 6, -1);
    }

    @Test
    void shouldRefuseADeviceNameThatIsTaken() {
        bus.plug(new ScratchDmaDevice("scratch", BASE, 5, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> bus.plug(new ScratchDmaDevice("scratch", 0x260, 6, 2)));
        assertTrue(e.getMessage().contains("scratch"), e.getMessage());
    }

    @Test
    void shouldRejectResourcesNoPcAtHas() {
        var cascade = assertThrows(IllegalArgumentException.class, () -> LegacyResources.of().withDmaChannel(4));
        assertTrue(cascade.getMessage().contains("4") && cascade.getMessage().contains("cascade"), cascade.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LegacyResources.of().withDmaChannel(8));
        assertThrows(IllegalArgumentException.class, () -> LegacyResources.of().withDmaChannel(1).withDmaChannel(1));
        var irq = assertThrows(IllegalArgumentException.class, () -> LegacyResources.of().withIrq(16));
        assertTrue(irq.getMessage().contains("16"), irq.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> LegacyResources.of(PortRange.of(0x60, 1), PortRange.of(0x60, 5)));
        assertThrows(IllegalArgumentException.class, () -> PortRange.of(0xFFFF, 2));
        assertThrows(IllegalArgumentException.class, () -> new DmaOrigin.LegacyChannel(8, LPC));
    }

    @Test
    void shouldTreatAnIrqWithoutALineOrAnUngrantedChannelAsADeviceBug() {
        LegacyDeviceContext ctx = bus.plug(new QuietDevice());
        var irq = assertThrows(IllegalStateException.class, ctx::raiseIrq);
        assertTrue(irq.getMessage().contains("quiet"), irq.getMessage());
        var dma = assertThrows(IllegalStateException.class, () -> ctx.dmaPort(3));
        assertTrue(dma.getMessage().contains("quiet") && dma.getMessage().contains("3"), dma.getMessage());
    }

    @Test
    void shouldResetEveryDeviceOnBusReset() {
        ScratchDmaDevice a = new ScratchDmaDevice("a", BASE, 5, 1);
        ScratchDmaDevice b = new ScratchDmaDevice("b", 0x260, 6, 2);
        bus.plug(a);
        bus.plug(b);
        cpu.out8(BASE + ScratchDmaDevice.PATTERN, 0x11);
        bus.reset();
        assertEquals(1, a.resets);
        assertEquals(1, b.resets);
        assertEquals(0, cpu.in8(BASE + ScratchDmaDevice.PATTERN));
    }

    private void assertNothingHeldBy(String name, int irq, int channel) {
        assertTrue(machine.ioPorts().claims().stream().noneMatch(c -> c.owner().equals(name)), name + " holds ports");
        assertTrue(bus.irqOwner(irq).isEmpty(), name + " holds IRQ " + irq);
        if (channel >= 0) {
            assertTrue(bus.channelOwner(channel).isEmpty(), name + " holds channel " + channel);
        }
        assertTrue(bus.device(name).isEmpty(), name + " is plugged");
    }

    /** A device with one port and nothing else. */
    private static final class QuietDevice implements LegacyDevice {
        @Override public String name() { return "quiet"; }
        @Override public LegacyResources resources() { return LegacyResources.of(PortRange.of(0x2E, 1)); }
        @Override public void attach(LegacyDeviceContext context) { }
        @Override public int ioRead(int port) { return 0xFF; }
        @Override public void ioWrite(int port, int value) { }
        @Override public void reset() { }
    }
}
