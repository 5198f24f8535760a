package org.jdma.kernel.driver;

import static org.jdma.kernel.driver.DriverRig.recording;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.crc32.Crc32Registers;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The driver core: matching, binding, failed probes, legacy resources, unbind and reset. */
class DriverRegistryTest {

    private DriverRig rig;

    @AfterEach
    void tearDown() {
        rig.close();
    }

    @Test
    void shouldBindByPciIdsAndByAClassCodeUnderAMask() {
        rig = new DriverRig(false);
        DriverRegistry r = rig.bind(
                recording("accel", DeviceMatch.pciClass(0x12_00_00, 0xFF_00_00)),
                recording("engine", DeviceMatch.pciId(CopyEngineRegisters.VENDOR_ID, CopyEngineRegisters.DEVICE_ID)));
        assertEquals(List.of("accel0", "engine0"), r.devices().stream().map(BoundDevice::name).toList());
        BoundDevice accel = r.device("accel0").orElseThrow();
        assertEquals(new DeviceInfo.Pci(DriverRig.CRC, Crc32Registers.VENDOR_ID, Crc32Registers.DEVICE_ID, Crc32Registers.CLASS_CODE, 0),
                accel.device());
        assertEquals("accel", accel.driver());
        assertEquals(DriverRig.COPY_ENGINE, ((DeviceInfo.Pci) r.device("engine0").orElseThrow().device()).requester());
        assertEquals(List.of(), r.failures());
    }

    @Test
    void shouldLeaveADeviceToTheFirstDriverThatBindsIt() {
        rig = new DriverRig(false);
        DriverRegistry r = rig.bind(CopyEngineDriver.driver(), recording("second", CopyEngineDriver.MATCH));
        assertEquals(List.of("memcpy0"), r.devices().stream().map(BoundDevice::name).toList());
        assertEquals(List.of(), r.drivers(DriverRig.Recorder.class), "a bound device is not offered again");
        assertEquals(List.of(), r.failures());
    }

    @Test
    void shouldReleaseEverythingAFailedProbeTookAndReportIt() {
        rig = new DriverRig(false);
        long frames = rig.freeFrames();
        int vector = rig.nextVector();
        List<DeviceDmaApi> seen = new ArrayList<>();
        DriverRegistry r = rig.bind(recording("greedy", CopyEngineDriver.MATCH, ctx -> {
            ctx.mmio(0);
            ctx.enableBusMaster();
            ctx.allocateVectors(2);
            seen.add(ctx.dma());
            ctx.dma().allocCoherent(3 * 4096);
            throw new ProbeException("the engine is not what it seems");
        }));
        assertEquals(List.of(), r.devices());
        ProbeFailure f = r.failures().getFirst();
        assertEquals("greedy", f.driver());
        assertEquals("greedy0", f.name());
        assertEquals(DriverRig.COPY_ENGINE, ((DeviceInfo.Pci) f.device()).requester());
        assertEquals("the engine is not what it seems", f.reason());
        assertInstanceOf(ProbeException.class, f.cause());
        assertTrue(r.log().contains("greedy: probe of greedy0 (" + f.device() + ") failed: the engine is not what it seems"), r.log().toString());
        assertEquals(frames, rig.freeFrames(), "the coherent allocation was freed");
        assertEquals(vector, rig.nextVector(), "both vectors were freed");
        CopyEngine engine = rig.machine.devices(CopyEngine.class).getFirst();
        assertFalse(engine.msix().enabled(), "MSI-X is off again");
        assertFalse(engine.port().busMasterEnabled(), "bus mastering is off again");
        var e = assertThrows(IllegalArgumentException.class, () -> seen.getFirst().setMask(DmaMask.BITS_64));
        assertTrue(e.getMessage().contains("not attached"), e.getMessage());
    }

    @Test
    void shouldLetTheNextMatchingDriverTryADeviceWhoseProbeFailedAndReuseTheInstanceNumber() {
        rig = new DriverRig(false);
        DriverRegistry r = rig.bind(
                recording("picky", CopyEngineDriver.MATCH, ctx -> {
                    throw new NullPointerException("a bug in the probe");
                }),
                CopyEngineDriver.driver());
        assertEquals("memcpy0", r.driver(CopyEngineDriver.class).name());
        assertEquals(DriverRig.COPY_ENGINE, r.driver(CopyEngineDriver.class).requester());
        ProbeFailure f = r.failures().getFirst();
        assertInstanceOf(NullPointerException.class, f.cause());
        assertEquals("a bug in the probe", f.reason());
    }

    @Test
    void shouldRefuseTwoDriversWithOneName() {
        rig = new DriverRig(false);
        var e = assertThrows(IllegalArgumentException.class,
                () -> rig.bind(recording("same", DeviceMatch.pciId(1, 2)), recording("same", DeviceMatch.pciId(3, 4))));
        assertTrue(e.getMessage().contains("'same'"), e.getMessage());
    }

    @Test
    void shouldNameTheRegisteredDriversAndFailuresWhenALookupFindsNothing() {
        rig = new DriverRig(false);
        DriverRegistry r = rig.bind(recording("nothing", DeviceMatch.pciId(0x1234, 0x5678)));
        var e = assertThrows(NoSuchElementException.class, () -> r.driver(CopyEngineDriver.class));
        assertTrue(e.getMessage().contains("CopyEngineDriver") && e.getMessage().contains("nothing (PCI 1234:5678)"), e.getMessage());
        var u = assertThrows(NoSuchElementException.class, () -> r.unbind("memcpy0"));
        assertTrue(u.getMessage().contains("memcpy0"), u.getMessage());
    }

    @Test
    void shouldClaimLegacyResourcesAndRefuseAConflictWithoutProbing() {
        rig = new DriverRig(true);
        int[] probes = new int[1];
        DriverRegistry r = rig.bind(
                recording("first", DeviceMatch.legacy(LegacyResources.of(PortRange.of(0x300, 4)).withIrq(5)), ctx -> probes[0]++),
                recording("ports", DeviceMatch.legacy(LegacyResources.of(PortRange.of(0x302, 4))), ctx -> probes[0]++),
                recording("irq", DeviceMatch.legacy(LegacyResources.of(PortRange.of(0x320, 4)).withIrq(5)), ctx -> probes[0]++));
        assertEquals(1, probes[0], "only the first was probed");
        assertEquals(List.of("first0"), r.devices().stream().map(BoundDevice::name).toList());
        List<ProbeFailure> f = r.failures();
        assertEquals("ports 0x302-0x305 overlap ports 0x300-0x303, which first0 holds", f.get(0).reason());
        assertEquals("IRQ 5 is held by first0 (ISA lines are not shared)", f.get(1).reason());
        assertNull(f.get(0).cause());
        r.unbind("first0");
        assertEquals(List.of(), r.devices());
    }

    @Test
    void shouldCarryLegacyDmaWithTheIsaBridgesRequesterId() {
        rig = new DriverRig(true);
        LegacyResources soundCard = LegacyResources.of(PortRange.of(0x220, 16)).withIrq(7).withDmaChannel(1);
        DriverRegistry r = rig.bind(recording("sb", DeviceMatch.legacy(soundCard)));
        DriverContext ctx = r.driver(DriverRig.Recorder.class).context;
        assertEquals(DriverRig.LPC, ctx.dma().device().requester(), "legacy DMA reaches memory as the LPC bridge");
        assertEquals(List.of(1), ctx.dmaChannels());
        assertEquals("sb0", ctx.dma().device().name());
    }

    @Test
    void shouldRefuseLegacyDmaOnAMachineWithoutAnIsaBridge() {
        rig = new DriverRig(false);
        DriverRegistry r = rig.bind(recording("sb", DeviceMatch.legacy(LegacyResources.of(PortRange.of(0x220, 16)).withDmaChannel(1))));
        assertEquals(List.of(), r.devices());
        assertTrue(r.failures().getFirst().reason().contains("no ISA bridge"), r.failures().toString());
    }

    @Test
    void shouldRemoveThenReleaseOnUnbindAndResetThroughTheDriver() {
        rig = new DriverRig(false);
        int vector = rig.nextVector();
        DriverRegistry r = rig.bind(recording("msi", DeviceMatch.pciId(MsiOnlyEndpoint.VENDOR, MsiOnlyEndpoint.DEVICE),
                ctx -> ctx.allocateVectors(1)));
        DriverRig.Recorder rec = r.driver(DriverRig.Recorder.class);
        r.reset("msi0");
        assertEquals(1, rec.resets);
        r.unbind("msi0");
        assertEquals(1, rec.removes);
        assertEquals(vector, rig.nextVector(), "the vector was freed after remove");
        assertTrue(r.log().contains("msi0: unbound from msi"), r.log().toString());
        var e = assertThrows(IllegalStateException.class, () -> rec.context.allocateVectors(1));
        assertTrue(e.getMessage().contains("released") || e.getMessage().contains("already"), e.getMessage());
    }
}
