package org.jdma.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.platform.MemoryMapEntry.Type;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.machine.firmware.acpi.DmarDescription.RemappingUnit;
import org.jdma.machine.firmware.acpi.DmarDescription.ReservedMemoryRegion;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.machine.firmware.acpi.ScopeDescription;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.pci.BridgeSpec;
import org.jdma.machine.pci.PciBridge;
import org.jdma.machine.pci.PciFunction;
import org.jdma.machine.pci.PciPath;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/** The firmware's side of the machine: PCI bridges, the DMAR it publishes, and what it reserves. */
class MachineFirmwareTest {

    static final long MiB = 1L << 20;
    static final long GiB = MachineConfig.GiB;

    static byte[] hex(String spaced) {
        return HexFormat.ofDelimiter(" ").parseHex(spaced);
    }

    static MachineConfig small() {
        return MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB)));
    }

    @Test
    void shouldPublishTheDefaultDmarByteForByte() {
        try (Machine m = Machine.createDefault()) {
            // Hand-computed: JDMA ids, HAW 38, INTR_REMAP | DMA_CTRL_PLATFORM_OPT_IN, one INCLUDE_PCI_ALL unit at 0xfed90000.
            assertArrayEquals(hex("44 4D 41 52 40 00 00 00 01 D9 4A 44 4D 41 20 20 4A 44 4D 41 4D 41 43 48 01 00 00 00"
                    + " 4A 44 4D 41 01 00 00 00 26 05 00 00 00 00 00 00 00 00 00 00"
                    + " 00 00 10 00 01 00 00 00 00 00 D9 FE 00 00 00 00"), m.acpiTable("DMAR").orElseThrow());
        }
    }

    @Test
    void shouldHandOutAFreshCopyOfEachTable() {
        try (Machine m = Machine.createDefault()) {
            byte[] first = m.acpiTable(DmarLayout.SIGNATURE).orElseThrow();
            Arrays.fill(first, (byte) 0);
            assertEquals('D', m.acpiTable(DmarLayout.SIGNATURE).orElseThrow()[0]);
            assertTrue(m.acpiTable("APIC").isEmpty(), "no other table is published");
        }
        try (Machine m = new Machine(small().withoutDmar())) {
            assertTrue(m.acpiTable(DmarLayout.SIGNATURE).isEmpty());
        }
    }

    @Test
    void shouldEnumerateTheRootPortAfterTheCopyEngines() {
        try (Machine m = new Machine(small().withDevices(CopyEngine.specs(2)))) {
            List<PciFunction> f = m.pciFunctions();
            assertEquals(List.of("memcpy0", "memcpy1", "rootport0"), f.stream().map(PciFunction::name).toList());
            PciBridge rp = (PciBridge) f.getLast();
            assertEquals(RequesterId.of(0, 0x1C, 0), rp.requester());
            assertTrue(rp.isBridge());
            assertEquals(PciConfigLayout.CLASS_PCI_BRIDGE, rp.classCode());
            assertEquals(1, rp.secondaryBus());
            assertEquals(1, rp.subordinateBus());
            assertFalse(f.getFirst().isBridge());
            assertEquals(PciPath.onBus(0, 0x1C, 0), m.pciTopology(0).pathTo(rp.requester()));
        }
    }

    @Test
    void shouldAnswerAtTheRemappingUnitsRegisterBaseWithVersionOneZero() {
        try (Machine m = new Machine(small())) {
            long errors = m.cpu().busErrors();
            assertEquals(0x10, m.cpu().read32(MachineConfig.VTD_REGISTER_BASE));
            assertEquals(m.config().vtd().cap(), m.cpu().read64(MachineConfig.VTD_REGISTER_BASE + 8));
            assertEquals(errors, m.cpu().busErrors());
        }
    }

    /** Root port 00:1c.0 (buses 1-3) above a switch (01:00.0, buses 2-3) above a slot (02:01.0, bus 3). */
    static List<BridgeSpec> switchBelowRootPort() {
        return List.of(new BridgeSpec("rp", RequesterId.of(0, 0x1C, 0), 1, 3),
                new BridgeSpec("up", RequesterId.of(1, 0, 0), 2, 3),
                new BridgeSpec("down", RequesterId.of(2, 1, 0), 3, 3));
    }

    @Test
    void shouldWriteScopesFromItsOwnBusNumbering() {
        var dmar = DmarDescription.of("T", 38, 0, List.of(
                RemappingUnit.covering(0, 0xFED8_0000L, List.of(ScopeDescription.device(RequesterId.of(3, 0, 0)),
                        ScopeDescription.device(RequesterId.of(2, 1, 0)))),
                RemappingUnit.includeAll(0, 0xFED9_0000L)));
        try (Machine m = new Machine(small().withBridges(switchBelowRootPort()).withDmar(dmar))) {
            byte[] t = m.acpiTable("DMAR").orElseThrow();
            int scopes = DmarLayout.STRUCTURES + 16;
            assertArrayEquals(hex("01 0E 00 00 00 00 1C 00 00 00 01 00 00 00"   // endpoint 03:00.0: 1c.0 / 00.0 / 01.0 / 00.0
                    + " 02 0C 00 00 00 00 1C 00 00 00 01 00"),                // sub-hierarchy below 02:01.0
                    Arrays.copyOfRange(t, scopes, scopes + 26));
            assertEquals(4, m.pciFunctions().size());
        }
    }

    @Test
    void shouldDeriveScopesInASegmentWithoutDevices() {
        var dmar = DmarDescription.of("T", 38, 0, List.of(RemappingUnit.includeAll(0, MachineConfig.VTD_REGISTER_BASE),
                RemappingUnit.covering(1, 0xFED8_0000L, List.of(ScopeDescription.device(new RequesterId(1, 0, 3, 0))))));
        try (Machine m = new Machine(small().withDmar(dmar))) {
            byte[] t = m.acpiTable("DMAR").orElseThrow();
            int scope = DmarLayout.STRUCTURES + 16 + 16;
            assertArrayEquals(hex("01 08 00 00 00 00 03 00"), Arrays.copyOfRange(t, scope, scope + 8));
        }
    }

    @Test
    void shouldReportReservedMemoryRegionsAsReservedInTheMemoryMap() {
        var scope = List.<ScopeDescription>of(ScopeDescription.device(RequesterId.of(0, 4, 0)));
        var dmar = MachineConfig.defaultDmar().withStructures(List.of(RemappingUnit.includeAll(0, MachineConfig.VTD_REGISTER_BASE),
                new ReservedMemoryRegion(0, 0x10_0000, 0x10_FFFF, scope),
                new ReservedMemoryRegion(0, 0x10_8000, 0x11_FFFF, scope),  // overlaps the first: one reserved range
                new ReservedMemoryRegion(0, 4 * GiB, 4 * GiB + 0xFFF, scope)));
        try (Machine m = new Machine(MachineConfig.defaults().withDmar(dmar))) {
            assertEquals(List.of(
                    new MemoryMapEntry(0, 0x10_0000, Type.RAM),
                    new MemoryMapEntry(0x10_0000, 0x2_0000, Type.RESERVED),
                    new MemoryMapEntry(0x12_0000, 2 * GiB - 0x12_0000, Type.RAM),
                    new MemoryMapEntry(0xB000_0000L, 256 * MiB, Type.RESERVED),
                    new MemoryMapEntry(0xF000_0000L, CopyEngine.BAR_SIZE, Type.RESERVED),
                    new MemoryMapEntry(MachineConfig.VTD_REGISTER_BASE, 0x1000, Type.RESERVED),
                    new MemoryMapEntry(0xFEE0_0000L, 0x10_0000, Type.RESERVED),
                    new MemoryMapEntry(4 * GiB, 0x1000, Type.RESERVED),
                    new MemoryMapEntry(4 * GiB + 0x1000, 2 * GiB - 0x1000, Type.RAM)), m.memoryMap());
        }
    }

    static void assertRefused(MachineConfig c, String... fragments) {
        var e = assertThrows(IllegalArgumentException.class, () -> new Machine(c).close());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message lacks '" + f + "': " + e.getMessage());
        }
    }

    static MachineConfig withStructures(List<DmarDescription.Structure> s) {
        return small().withDmar(MachineConfig.defaultDmar().withStructures(s));
    }

    @Test
    void shouldRefuseFirmwareThatWouldLie() {
        assertRefused(withStructures(List.of(RemappingUnit.includeAll(0, 0x10_0000))), "DRHD registers [0x100000, 0x101000) overlap RAM region low");
        assertRefused(withStructures(List.of(RemappingUnit.includeAll(0, 0xF000_0000L))), "overlap the MMIO window of memcpy0");
        assertRefused(withStructures(List.of(RemappingUnit.includeAll(0, 0xB000_0000L))), "overlap the MMIO window of ecam");
        assertRefused(withStructures(List.of(RemappingUnit.includeAll(0, 0xFEE0_0000L))), "overlap the interrupt range");
        var scope = List.<ScopeDescription>of(ScopeDescription.device(RequesterId.of(0, 4, 0)));
        var unit = RemappingUnit.includeAll(0, MachineConfig.VTD_REGISTER_BASE);
        assertRefused(withStructures(List.of(unit, new ReservedMemoryRegion(0, 64 * MiB, 64 * MiB + 0xFFF, scope))),
                "RMRR [0x4000000, 0x4000fff] is not inside one RAM region");
        assertRefused(withStructures(List.of(unit, new ReservedMemoryRegion(0, 64 * MiB - 0x1000, 64 * MiB + 0xFFF, scope))),
                "is not inside one RAM region");
        assertRefused(withStructures(List.of(unit, new ReservedMemoryRegion(0, 0, 0xFFF,
                List.of(ScopeDescription.device(RequesterId.of(5, 0, 0)))))), "RMRR) Device Scope 0", "0000:05:00.0 is unreachable");
        assertRefused(withStructures(List.of()), "no DRHD");
    }

    @Test
    void shouldRefuseBusNumberingThatDoesNotHoldTogether() {
        var twin = assertThrows(IllegalArgumentException.class, () -> small().withDevices(CopyEngine.specs(25)));
        assertEquals("rootport0 and memcpy24 both sit at 0000:00:1c.0", twin.getMessage());
        assertRefused(small().withBridges(List.of(new BridgeSpec("a", RequesterId.of(0, 1, 0), 1, 4),
                new BridgeSpec("b", RequesterId.of(2, 0, 0), 3, 3))), "0000:02:00.0 is unreachable");
        assertRefused(small().withBridges(List.of(new BridgeSpec("a", RequesterId.of(0, 1, 0), 1, 2),
                new BridgeSpec("b", RequesterId.of(0, 2, 0), 2, 3))), "overlap");
    }
}
