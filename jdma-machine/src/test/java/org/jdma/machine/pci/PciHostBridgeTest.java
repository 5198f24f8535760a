package org.jdma.machine.pci;

import static org.jdma.spec.pci.PciConfigLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.legacy.LegacyResources;
import org.jdma.machine.legacy.PortRange;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/** The host bridge: ECAM decoding, bridges' type 1 headers, firmware's BAR placement, and how devices are plugged in. */
class PciHostBridgeTest {

    static final long MiB = 1L << 20;

    static MachineConfig small() {
        return MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB)));
    }

    static long cfg(Machine m, RequesterId r, int register) {
        return m.config().pci().ecamBase() + EcamLayout.offset(r, register);
    }

    @Test
    void shouldAnswerAbsentFunctionsWithAllOnesAndDropTheirWrites() {
        try (Machine m = new Machine(small())) {
            RequesterId empty = RequesterId.of(0, 9, 0);
            assertEquals(0xFFFF, m.cpu().read16(cfg(m, empty, VENDOR_ID)) & 0xFFFF, "Vendor ID of nothing: 0xffff");
            assertEquals(-1, m.cpu().read32(cfg(m, empty, 0x40)));
            assertEquals(0xFF, m.cpu().read8(cfg(m, RequesterId.of(0x80, 0, 0), HEADER_TYPE)) & 0xFF, "a bus nobody uses");
            m.cpu().write32(cfg(m, empty, COMMAND), 0xFFFF);
            assertEquals(-1, m.cpu().read32(cfg(m, empty, COMMAND)));
            long absent = m.pciHost().ecam().absentAccesses();
            assertTrue(absent >= 5, "counted: " + absent);
            // memcpy0 answers at 00:04.0.
            assertEquals(CopyEngine.DEVICE_ID << 16 | CopyEngine.VENDOR_ID, m.cpu().read32(cfg(m, CopyEngine.slot(0), VENDOR_ID)));
        }
    }

    @Test
    void shouldRefuseAccessesEcamDoesNotDefineWithoutThrowing() {
        try (Machine m = new Machine(small())) {
            long at = cfg(m, CopyEngine.slot(0), VENDOR_ID);
            assertEquals(-1L, m.cpu().read64(at), "8 bytes: more than a DWORD");
            assertEquals(0xFFFF, m.cpu().read16(at + 1) & 0xFFFF, "not naturally aligned");
            m.cpu().write64(cfg(m, CopyEngine.slot(0), COMMAND), -1L);
            assertEquals(COMMAND_MEMORY_SPACE, m.cpu().read16(cfg(m, CopyEngine.slot(0), COMMAND)), "dropped");
            assertEquals(3, m.pciHost().ecam().unsupportedAccesses());
        }
    }

    @Test
    void shouldGiveEveryBridgeAType1HeaderWithItsBusNumbers() {
        try (Machine m = new Machine(small())) {
            RequesterId rp = MachineConfig.DEFAULT_ROOT_PORT.requester();
            assertEquals(PciBridge.DEVICE_ID << 16 | PciBridge.VENDOR_ID, m.cpu().read32(cfg(m, rp, VENDOR_ID)));
            assertEquals(HEADER_TYPE_BRIDGE, m.cpu().read8(cfg(m, rp, HEADER_TYPE)) & 0xFF);
            assertEquals(CLASS_PCI_BRIDGE, m.cpu().read32(cfg(m, rp, REVISION_ID)) >>> 8);
            assertEquals(0x00_01_01_00, m.cpu().read32(cfg(m, rp, PRIMARY_BUS)) & 0x00FF_FFFF, "primary 0, secondary 1, subordinate 1");
            m.cpu().write8(cfg(m, rp, SUBORDINATE_BUS), 4);
            assertEquals(4, m.cpu().read8(cfg(m, rp, SUBORDINATE_BUS)), "bus numbers are RW");
            m.cpu().write16(cfg(m, rp, MEMORY_BASE), 0xFFFF);
            assertEquals(0xFFF0, m.cpu().read16(cfg(m, rp, MEMORY_BASE)) & 0xFFFF, "Memory Base [3:0] RO 0");
            m.cpu().write16(cfg(m, rp, PREF_MEMORY_BASE), 0);
            assertEquals(1, m.cpu().read16(cfg(m, rp, PREF_MEMORY_BASE)) & 0xF, "prefetchable window: 64-bit");
            m.cpu().write32(cfg(m, rp, bar(0)), -1);
            assertEquals(0, m.cpu().read32(cfg(m, rp, bar(0))), "a root port here has no BAR");
            assertEquals(0, m.cpu().read8(cfg(m, rp, CAPABILITIES_POINTER)));
        }
    }

    @Test
    void shouldReachFunctionsBehindABridgeOnItsSecondaryBus() {
        RequesterId behind = RequesterId.of(1, 0, 0);
        try (Machine m = new Machine(small().withDevices(List.of(CopyEngine.spec(0),
                DeviceSpec.pci("test0", TestEndpoint.KIND, false, behind))))) {
            assertEquals(TestEndpoint.VENDOR, m.cpu().read16(cfg(m, behind, VENDOR_ID)) & 0xFFFF);
            assertEquals(List.of("memcpy0", "rootport0", "test0"), m.pciFunctions().stream().map(PciFunction::name).toList());
        }
        var unreachable = assertThrows(IllegalArgumentException.class, () -> new Machine(small()
                .withDevices(List.of(DeviceSpec.pci("test0", TestEndpoint.KIND, false, RequesterId.of(2, 0, 0))))));
        assertTrue(unreachable.getMessage().contains("0000:02:00.0 is unreachable"), unreachable.getMessage());
    }

    @Test
    void shouldMarkFunctionZeroMultiFunctionAndRefuseAFunctionWithoutIt() {
        try (Machine m = new Machine(small().withDevices(List.of(TestEndpoint.spec("f0", RequesterId.of(0, 6, 0)),
                TestEndpoint.spec("f3", RequesterId.of(0, 6, 3)))))) {
            assertEquals(HEADER_TYPE_MULTI_FUNCTION, m.cpu().read8(cfg(m, RequesterId.of(0, 6, 0), HEADER_TYPE)) & 0xFF);
            assertEquals(0, m.cpu().read8(cfg(m, RequesterId.of(0, 6, 3), HEADER_TYPE)) & 0xFF);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new Machine(small().withDevices(
                List.of(TestEndpoint.spec("lonely", RequesterId.of(0, 6, 2))))));
        assertEquals("lonely at 0000:00:06.2: device 00:06 has no function 0, so enumeration would never find it", e.getMessage());
    }

    @Test
    void shouldPlaceA64BitBarAboveFourGibWhenTheLowRangeIsFull() {
        PciHostConfig tight = new PciHostConfig(0xB000_0000L, 0xFF, 0xF000_0000L, 0xF010_0000L, 0x80_0000_0000L, 0x100_0000_0000L);
        try (Machine m = new Machine(small().withPci(tight).withDevices(List.of(TestEndpoint.spec("test0", RequesterId.of(0, 6, 0)))))) {
            TestEndpoint t = (TestEndpoint) m.device("test0");
            assertEquals(0xF000_0000L, t.barAddress(0));
            assertEquals(0x80_0000_0000L, t.barAddress(2), "1 MiB does not fit after BAR0 below 0xf0100000");
            assertEquals(0x42, m.cpu().read32(0x80_0000_0000L + 0x42));
        }
        PciHostConfig full = new PciHostConfig(0xB000_0000L, 0xFF, 0xF000_0000L, 0xF000_1000L, 0x80_0000_0000L, 0x80_0000_1000L);
        var e = assertThrows(IllegalArgumentException.class, () -> new Machine(small().withPci(full)
                .withDevices(List.of(TestEndpoint.spec("test0", RequesterId.of(0, 6, 0))))));
        assertTrue(e.getMessage().startsWith("no room for test0's BAR2 (0x100000 bytes, 64-bit)"), e.getMessage());
    }

    @Test
    void shouldPlugADeviceKindFromConfigurationAlone() {
        // Everything a new device needs: its kind, and one line of configuration. No Machine code knows it.
        MachineConfig c = small().toBuilder().device("mine", TestEndpoint.KIND, true, RequesterId.of(0, 7, 0)).build();
        try (Machine m = new Machine(c)) {
            TestEndpoint t = m.devices(TestEndpoint.class).getFirst();
            assertEquals(t, m.device("mine"));
            assertEquals(RequesterId.of(0, 7, 0), t.port().requester());
            assertTrue(m.dmaPorts().contains(t.port()));
            assertTrue(m.pciFunctions().contains(t));
            assertTrue(t.barWindow(0).isPresent(), "firmware assigned and enabled its BARs");
            assertTrue(m.remappingUnits().getFirst() == t.port().translator(), "the DMAR's INCLUDE_PCI_ALL unit covers it");
        }
    }

    @Test
    void shouldRefuseToPutAPciKindOnTheLegacyBus() {
        var legacy = DeviceSpec.legacy("fdc", TestEndpoint.KIND, true,
                LegacyResources.of(PortRange.of(0x3F0, 6), PortRange.of(0x3F7, 1)).withIrq(6).withDmaChannel(2));
        var e = assertThrows(IllegalArgumentException.class, () -> new Machine(small().withDevice(legacy)));
        assertEquals("device fdc (test) is placed at legacy ports [0x03f0-0x03f5] [0x03f7-0x03f7] irq 6 dma 2, "
                + "but a test is a PCI device: place it in a PCI slot", e.getMessage());
    }
}
