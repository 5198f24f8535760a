package org.jdma.machine.legacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.DmaOrigin;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.dev.Device;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.pci.LpcBridge;
import org.jdma.machine.pci.PciFunction;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/**
 * A machine configuration places devices on the legacy bus: the machine makes each through its
 * kind, the bus grants its ports, IRQ and DMA channels (or the machine is refused, naming who holds
 * them), and the LPC bridge at 00:1f.0 appears as a PCI function.
 */
class LegacyPlacementTest {

    static final int BASE = 0x250;
    static final LegacyResources SCRATCH = LegacyResources.of(PortRange.of(BASE, 8)).withIrq(5).withDmaChannel(1);

    static MachineConfig small() {
        return MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64L << 20)));
    }

    @Test
    void shouldPlugALegacyDeviceFromConfigurationAlone() {
        MachineConfig c = small().toBuilder().device("scratch0", ScratchDmaDevice.KIND, true, SCRATCH).build();
        try (Machine m = new Machine(c)) {
            ScratchDmaDevice d = m.devices(ScratchDmaDevice.class).getFirst();
            assertSame(d, m.device("scratch0"));
            assertEquals(List.of(d), m.legacyBus().devices());
            assertEquals("scratch0", m.ioPorts().claimAt(BASE + 7).owner());
            assertEquals(Optional.of("scratch0"), m.legacyBus().irqOwner(5));
            DmaPort channel = m.legacyBus().dmaPort(1).orElseThrow();
            assertEquals(new DmaOrigin.LegacyChannel(1, LegacyBus.LPC_BRIDGE), channel.origin());
            assertTrue(m.dmaPorts().contains(channel));
            assertSame(m.remappingUnits().getFirst(), channel.translator(), "INCLUDE_PCI_ALL covers the LPC bridge's requester id");

            // The device works: a fill through its channel, then its IRQ.
            m.cpu().out32(BASE + ScratchDmaDevice.ADDRESS, 0x10_0000);
            m.cpu().out8(BASE + ScratchDmaDevice.LENGTH, 16);
            m.cpu().out8(BASE + ScratchDmaDevice.PATTERN, 0x5A);
            m.cpu().out8(BASE + ScratchDmaDevice.COMMAND, ScratchDmaDevice.CMD_FILL);
            m.eventKernel().runUntilIdle();
            assertEquals(0x5A5A_5A5A_5A5A_5A5AL, m.cpu().read64(0x10_0008));
            assertTrue(m.interruptController().lineAsserted(5));
        }
    }

    @Test
    void shouldPublishTheLpcBridgeAsAnIsaBridgeFunctionOnlyWhenLegacyDevicesExist() {
        try (Machine m = new Machine(small())) {
            assertTrue(m.lpcBridge().isEmpty(), "a legacy-free machine");
            assertTrue(m.pciFunctions().stream().noneMatch(f -> f.requester().equals(LegacyBus.LPC_BRIDGE)));
        }
        try (Machine m = new Machine(small().withDevice(DeviceSpec.legacy("scratch0", ScratchDmaDevice.KIND, true, SCRATCH)))) {
            LpcBridge lpc = m.lpcBridge().orElseThrow();
            assertEquals(LegacyBus.LPC_BRIDGE, lpc.requester());
            assertEquals(List.of("memcpy0", "rootport0", "lpc"), m.pciFunctions().stream().map(PciFunction::name).toList(),
                    "by requester id: 00:04.0, 00:1c.0, 00:1f.0");
            assertSame(lpc, m.pciHost().ecam().at(LegacyBus.LPC_BRIDGE));
            assertEquals(PciConfigLayout.CLASS_ISA_BRIDGE, lpc.classCode());
            assertEquals(LegacyBus.LPC_BRIDGE, m.legacyBus().dmaPort(1).orElseThrow().requester(),
                    "the function enumeration finds is the one legacy DMA names");
        }
    }

    @Test
    void shouldRefuseTwoLegacyDevicesThatClaimOnePortIrqOrChannel() {
        DeviceSpec<Boolean> first = DeviceSpec.legacy("scratch0", ScratchDmaDevice.KIND, true, SCRATCH);
        var ports = assertThrows(IllegalArgumentException.class, () -> new Machine(small().withDevices(List.of(first,
                DeviceSpec.legacy("scratch1", ScratchDmaDevice.KIND, true,
                        LegacyResources.of(PortRange.of(BASE + 4, 8)).withIrq(6).withDmaChannel(2))))));
        assertEquals("scratch1 cannot claim I/O ports [0x0254-0x025b]: scratch0 [0x0250-0x0257] already claims them",
                ports.getMessage());
        var irq = assertThrows(IllegalArgumentException.class, () -> new Machine(small().withDevices(List.of(first,
                DeviceSpec.legacy("scratch1", ScratchDmaDevice.KIND, true,
                        LegacyResources.of(PortRange.of(0x260, 8)).withIrq(5).withDmaChannel(2))))));
        assertEquals("scratch1 cannot claim IRQ 5: scratch0 already claims it", irq.getMessage());
        var channel = assertThrows(IllegalArgumentException.class, () -> new Machine(small().withDevices(List.of(first,
                DeviceSpec.legacy("scratch1", ScratchDmaDevice.KIND, true,
                        LegacyResources.of(PortRange.of(0x260, 8)).withIrq(6).withDmaChannel(1))))));
        assertEquals("scratch1 cannot claim DMA channel 1: scratch0 already claims it", channel.getMessage());
    }

    @Test
    void shouldRefuseALegacyKindInAPciSlotAndAPciDeviceWhereTheLpcBridgeSits() {
        var slot = assertThrows(IllegalArgumentException.class, () -> new Machine(small()
                .withDevice(DeviceSpec.pci("scratch0", ScratchDmaDevice.KIND, true, RequesterId.of(0, 6, 0)))));
        assertEquals("device scratch0 (scratch) is placed at 0000:00:06.0, but a scratch is a legacy device: "
                + "give it I/O ports on the legacy bus", slot.getMessage());
        var taken = assertThrows(IllegalArgumentException.class, () -> new Machine(small().withDevices(List.of(
                DeviceSpec.legacy("scratch0", ScratchDmaDevice.KIND, true, SCRATCH),
                DeviceSpec.pci("memcpy9", CopyEngine.KIND, org.jdma.machine.dev.memcpy.CopyEngineConfig.DEFAULT, LegacyBus.LPC_BRIDGE)))));
        assertEquals("lpc and memcpy9 both sit at 0000:00:1f.0", taken.getMessage());
    }

    @Test
    void shouldRefuseAKindWhoseDeviceAsksForOtherResourcesThanItsPlacement() {
        DeviceKind<Boolean> greedy = DeviceKind.legacy("greedy", (o, ctx) -> new ScratchDmaDevice(ctx.name(), 0x3F8, 4, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> new Machine(small()
                .withDevice(DeviceSpec.legacy("greedy0", greedy, true, SCRATCH))));
        assertEquals("device greedy0: kind greedy made greedy0 asking the legacy bus for ports [0x03f8-0x03ff] irq 4 dma 3, "
                + "not for its placement's ports [0x0250-0x0257] irq 5 dma 1", e.getMessage());
        DeviceKind<Boolean> notLegacy = DeviceKind.legacy("plain", (o, ctx) -> new Device() {
            @Override public String name() { return ctx.name(); }
            @Override public void reset() { }
        });
        var plain = assertThrows(IllegalArgumentException.class, () -> new Machine(small()
                .withDevice(DeviceSpec.legacy("plain0", notLegacy, true, SCRATCH))));
        assertTrue(plain.getMessage().startsWith("device plain0: kind plain made a "), plain.getMessage());
        assertTrue(plain.getMessage().endsWith(", which is no legacy device, for legacy ports [0x0250-0x0257] irq 5 dma 1"),
                plain.getMessage());
    }
}
