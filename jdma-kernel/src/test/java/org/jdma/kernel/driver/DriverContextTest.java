package org.jdma.kernel.driver;

import static org.jdma.kernel.driver.DriverRig.recording;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.spec.crc32.Crc32Registers;
import org.jdma.spec.pci.MsiCapabilityLayout;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.timer.CountdownTimerPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a bound device's context hands out, and the checks on it. */
class DriverContextTest {

    private DriverRig rig;

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private DriverContext bindCrc() {
        rig = new DriverRig(true);
        return rig.bind(recording("crc", DeviceMatch.pciId(Crc32Registers.VENDOR_ID, Crc32Registers.DEVICE_ID)))
                .driver(DriverRig.Recorder.class).context;
    }

    private DriverContext bindTimerPorts() {
        rig = new DriverRig(true);
        return rig.bind(recording("timer", DeviceMatch.legacy(LegacyResources.of(PortRange.of(0x300, 4)).withIrq(5))))
                .driver(DriverRig.Recorder.class).context;
    }

    @Test
    void shouldMapAMemoryBarWithDecodingOnAndCheckEveryAccess() {
        DriverContext ctx = bindCrc();
        MmioWindow w = ctx.mmio(0);
        assertEquals(Crc32Registers.BAR_SIZE, w.size());
        assertEquals(Crc32Registers.VERSION_VALUE, w.read32(Crc32Registers.VERSION) & Crc32Registers.VERSION_MASK);
        int command = PciSubsystem.scan(rig.machine).device(DriverRig.CRC).orElseThrow().command();
        assertEquals(PciConfigLayout.COMMAND_MEMORY_SPACE, command & PciConfigLayout.COMMAND_MEMORY_SPACE);
        var outside = assertThrows(IllegalArgumentException.class, () -> w.read32(0x1000));
        assertEquals("crc0 BAR0: 4-byte access at offset 0x1000 is outside the 0x1000-byte window", outside.getMessage());
        var straddling = assertThrows(IllegalArgumentException.class, () -> w.write64(0xFFC, 0));
        assertTrue(straddling.getMessage().contains("offset 0xffc is outside"), straddling.getMessage());
        var misaligned = assertThrows(IllegalArgumentException.class, () -> w.read32(2));
        assertTrue(misaligned.getMessage().contains("not naturally aligned"), misaligned.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.read8(-1));
        var noBar = assertThrows(ProbeException.class, () -> ctx.mmio(2));
        assertTrue(noBar.getMessage().contains("no memory BAR2"), noBar.getMessage());
    }

    @Test
    void shouldReachOnlyTheDeclaredPortRange() {
        DriverContext ctx = bindTimerPorts();
        IoPorts p = ctx.ports(0);
        assertEquals(0, p.in8(CountdownTimerPorts.STATUS), "a timer answers, stopped");
        var e = assertThrows(IllegalArgumentException.class, () -> p.in8(4));
        assertEquals("timer0: 1-byte port access at offset 4 (port 0x304) is outside ports 0x300-0x303", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.out16(3, 0));
        assertThrows(IllegalArgumentException.class, () -> p.in32(-1));
        assertThrows(IllegalArgumentException.class, () -> ctx.ports(1));
    }

    @Test
    void shouldRefuseWhatDoesNotFitTheDevicesBus() {
        DriverContext legacy = bindTimerPorts();
        var noBar = assertThrows(IllegalStateException.class, () -> legacy.mmio(0));
        assertTrue(noBar.getMessage().startsWith("timer0 (legacy device at ports 0x300-0x303, IRQ 5) is not a PCI device"), noBar.getMessage());
        assertThrows(IllegalStateException.class, () -> legacy.allocateVectors(1));
        assertThrows(IllegalStateException.class, legacy::enableBusMaster);
        var noDma = assertThrows(IllegalStateException.class, legacy::dma);
        assertTrue(noDma.getMessage().contains("has no DMA"), noDma.getMessage());
        DriverContext pci = rig.bind(recording("crc", DeviceMatch.pciId(Crc32Registers.VENDOR_ID, Crc32Registers.DEVICE_ID)))
                .driver(DriverRig.Recorder.class).context;
        assertThrows(IllegalStateException.class, () -> pci.ports(0));
        assertThrows(IllegalStateException.class, () -> pci.requestIrq(org.jdma.platform.irq.LineTrigger.EDGE, v -> { }));
        assertEquals(List.of(), pci.dmaChannels());
    }

    @Test
    void shouldUseMsiForADeviceWithoutMsixAndDeliverItsInterrupt() {
        rig = new DriverRig(false);
        long[] handled = new long[1];
        DriverRegistry r = rig.bind(recording("msi", DeviceMatch.pciId(MsiOnlyEndpoint.VENDOR, MsiOnlyEndpoint.DEVICE), ctx -> {
            ctx.enableBusMaster();
            ctx.allocateVectors(1).onInterrupt(0, v -> handled[0]++);
        }));
        DriverContext ctx = r.driver(DriverRig.Recorder.class).context;
        MsiOnlyEndpoint device = rig.machine.devices(MsiOnlyEndpoint.class).getFirst();
        int cap = device.msiCapabilityOffset().orElseThrow();
        var f = PciSubsystem.scan(rig.machine).device(DriverRig.MSI_ONLY).orElseThrow();
        assertEquals(MsiCapabilityLayout.CONTROL_ENABLE, f.read16(cap + MsiCapabilityLayout.MESSAGE_CONTROL) & MsiCapabilityLayout.CONTROL_ENABLE);
        assertEquals(0, f.read32(cap + MsiCapabilityLayout.MASK_BITS), "vector 0 unmasked");
        ctx.mmio(0).write32(MsiOnlyEndpoint.RAISE, 1);
        rig.machine.eventKernel().runUntilIdle();
        assertEquals(1, handled[0]);
        assertEquals(1, device.msiSent());
        r.unbind("msi0");
        assertEquals(0, f.read16(cap + MsiCapabilityLayout.MESSAGE_CONTROL) & MsiCapabilityLayout.CONTROL_ENABLE, "MSI off after unbind");
    }

    @Test
    void shouldFailTheProbeThatAsksAnMsiOnlyDeviceForTwoVectors() {
        rig = new DriverRig(false);
        int vector = rig.nextVector();
        DriverRegistry r = rig.bind(recording("msi", DeviceMatch.pciId(MsiOnlyEndpoint.VENDOR, MsiOnlyEndpoint.DEVICE),
                ctx -> ctx.allocateVectors(2)));
        assertTrue(r.failures().getFirst().reason().contains("MSI only, which gives one vector"), r.failures().toString());
        assertEquals(vector, rig.nextVector());
    }

    @Test
    void shouldRouteTheDeclaredLineAndUnrouteItWhenUnbound() {
        rig = new DriverRig(true);
        long[] handled = new long[1];
        DriverRegistry r = rig.bind(recording("timer", DeviceMatch.legacy(LegacyResources.of(PortRange.of(0x300, 4)).withIrq(5)),
                ctx -> ctx.requestIrq(org.jdma.platform.irq.LineTrigger.EDGE, v -> handled[0]++)));
        DriverContext ctx = r.driver(DriverRig.Recorder.class).context;
        assertTrue(rig.machine.interruptController().lineRouted(5));
        IoPorts p = ctx.ports(0);
        p.out8(CountdownTimerPorts.DATA, 3);
        p.out8(CountdownTimerPorts.DATA, 0);
        p.out8(CountdownTimerPorts.CONTROL, CountdownTimerPorts.CONTROL_START);
        rig.machine.eventKernel().runFor(10_000);
        assertEquals(1, handled[0]);
        r.unbind("timer0");
        assertFalse(rig.machine.interruptController().lineRouted(5), "masked again");
    }
}
