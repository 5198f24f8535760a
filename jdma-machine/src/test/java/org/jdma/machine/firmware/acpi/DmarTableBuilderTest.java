package org.jdma.machine.firmware.acpi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.jdma.machine.firmware.acpi.DmarDescription.NamespaceDevice;
import org.jdma.machine.firmware.acpi.DmarDescription.RemappingUnit;
import org.jdma.machine.firmware.acpi.DmarDescription.ReservedMemoryRegion;
import org.jdma.machine.firmware.acpi.DmarDescription.RootPortAts;
import org.jdma.machine.firmware.acpi.DmarDescription.SocAtc;
import org.jdma.machine.firmware.acpi.DmarDescription.SocDeviceProperties;
import org.jdma.machine.firmware.acpi.DmarDescription.Structure;
import org.jdma.machine.firmware.acpi.DmarDescription.UnitAffinity;
import org.jdma.machine.firmware.acpi.DmarDescription.UnknownStructure;
import org.jdma.machine.pci.BridgeSpec;
import org.jdma.machine.pci.PciPath;
import org.jdma.machine.pci.PciPath.Hop;
import org.jdma.machine.pci.PciTopology;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;
import org.jdma.spec.acpi.AcpiHeaderLayout;
import org.jdma.spec.acpi.DeviceScopeLayout;
import org.jdma.spec.acpi.DmarLayout;

/** Every expected byte here was worked out by hand from VT-d spec §8 (checksum with a calculator). */
class DmarTableBuilderTest {

    static final long BASE = 0xFED9_0000L;
    static final AcpiTableIds IDS = new AcpiTableIds(1, "OEMID", "TABLEID", 0x1234_5678L, "CRID", 0x9ABC_DEF0L);
    static final RemappingUnit ALL = RemappingUnit.includeAll(0, BASE);
    /** The 16 bytes of {@link #ALL}. */
    static final String ALL_BYTES = "00 00 10 00 01 00 00 00 00 00 D9 FE 00 00 00 00";

    static byte[] hex(String spaced) {
        return HexFormat.ofDelimiter(" ").parseHex(spaced);
    }

    static DmarDescription table(Structure... structures) {
        return new DmarDescription(IDS, 38, DmarLayout.FLAG_DMA_CTRL_PLATFORM_OPT_IN, List.of(structures));
    }

    static int sum(byte[] b) {
        int s = 0;
        for (byte x : b) {
            s += x & 0xFF;
        }
        return s & 0xFF;
    }

    /** Builds a table whose structure {@code index} is {@code s} and returns s's bytes, checking the table around it. */
    static byte[] structureBytes(List<Structure> structures, int index) {
        byte[] t = DmarTableBuilder.build(table(structures.toArray(Structure[]::new)));
        ByteBuffer b = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(t.length, b.getInt(AcpiHeaderLayout.LENGTH), "Table Length");
        assertEquals(0, sum(t), "checksum");
        int at = DmarLayout.STRUCTURES;
        for (int i = 0; i < index; i++) {
            at += b.getShort(at + DmarLayout.STRUCT_LENGTH) & 0xFFFF;
        }
        int len = b.getShort(at + DmarLayout.STRUCT_LENGTH) & 0xFFFF;
        return Arrays.copyOfRange(t, at, at + len);
    }

    @Test
    void shouldWriteTheHeaderAndAnIncludeAllUnitByteForByte() {
        byte[] t = DmarTableBuilder.build(table(ALL));
        assertArrayEquals(hex("44 4D 41 52 40 00 00 00 01 8C 4F 45 4D 49 44 20 54 41 42 4C 45 49 44 20 78 56 34 12"
                + " 43 52 49 44 F0 DE BC 9A 26 04 00 00 00 00 00 00 00 00 00 00 " + ALL_BYTES), t,
                HexFormat.ofDelimiter(" ").formatHex(t));
        assertEquals(0, sum(t));
    }

    @Test
    void shouldWriteAUnitWithSizeSegmentAndScopesOfSeveralTypes() {
        RemappingUnit u = new RemappingUnit(1, 0x1_2345_6000L, 3, false, List.of(
                ScopeDescription.endpoint(PciPath.of(0, new Hop(0x1C, 0), new Hop(0, 0))),
                ScopeDescription.ioapic(8, PciPath.onBus(0xF0, 0x1F, 0)),
                ScopeDescription.hpet(0, PciPath.onBus(0, 0x0F, 0)),
                ScopeDescription.acpiNamespace(7, PciPath.onBus(0, 0x15, 1))));
        assertArrayEquals(hex("00 00 32 00 00 03 01 00 00 60 45 23 01 00 00 00"
                + " 01 0A 00 00 00 00 1C 00 00 00"
                + " 03 08 00 00 08 F0 1F 00"
                + " 04 08 00 00 00 00 0F 00"
                + " 05 08 00 00 07 00 15 01"), structureBytes(List.of(u, ALL), 0));
    }

    @Test
    void shouldWriteAReservedMemoryRegion() {
        var r = new ReservedMemoryRegion(0, 0x7C00_0000L, 0x7C0F_FFFFL,
                List.of(ScopeDescription.endpoint(PciPath.onBus(0, 0x14, 0))));
        assertArrayEquals(hex("01 00 20 00 00 00 00 00 00 00 00 7C 00 00 00 00 FF FF 0F 7C 00 00 00 00"
                + " 01 08 00 00 00 00 14 00"), structureBytes(List.of(ALL, r), 1));
    }

    @Test
    void shouldWriteRootPortAtsWithPortsAndWithAllPorts() {
        var ports = new RootPortAts(2, false, List.of(ScopeDescription.subHierarchy(PciPath.onBus(0, 0x1C, 4))));
        var all = new RootPortAts(0, true, List.of());
        assertArrayEquals(hex("02 00 10 00 00 00 02 00 02 08 00 00 00 00 1C 04"), structureBytes(List.of(ALL, ports, all), 1));
        assertArrayEquals(hex("02 00 08 00 01 00 00 00"), structureBytes(List.of(ALL, ports, all), 2));
    }

    @Test
    void shouldWriteAnAffinity() {
        var a = new UnitAffinity(BASE, 0x1122_3344L);
        assertArrayEquals(hex("03 00 14 00 00 00 00 00 00 00 D9 FE 00 00 00 00 44 33 22 11"), structureBytes(List.of(ALL, a), 1));
    }

    @Test
    void shouldWriteANamespaceDeviceWithItsNulAndAnOddLength() {
        var n = new NamespaceDevice(7, "\\_SB.PCI0.I2C0");
        byte[] b = structureBytes(List.of(ALL, n), 1);
        assertArrayEquals(hex("04 00 17 00 00 00 00 07 5C 5F 53 42 2E 50 43 49 30 2E 49 32 43 30 00"), b);
        assertEquals(DmarLayout.STRUCTURES + 16 + 23, DmarTableBuilder.build(table(ALL, n)).length, "tables need not be 4-byte multiples");
    }

    @Test
    void shouldWriteSocAtcAndSocDeviceProperties() {
        var c = new SocAtc(0, true, List.of(ScopeDescription.endpoint(PciPath.onBus(0, 2, 0))));
        var p = new SocDeviceProperties(3, List.of(new ScopeDescription.Explicit(DeviceScopeLayout.TYPE_PCI_ENDPOINT, 0x10, 0,
                PciPath.onBus(0x3A, 0, 1))));
        assertArrayEquals(hex("05 00 10 00 01 00 00 00 01 08 00 00 00 00 02 00"), structureBytes(List.of(ALL, c, p), 1));
        assertArrayEquals(hex("06 00 10 00 00 00 03 00 01 08 10 00 00 3A 00 01"), structureBytes(List.of(ALL, c, p), 2));
    }

    @Test
    void shouldWriteAnUnknownStructureAsGiven() {
        var u = new UnknownStructure(9, hex("01 02 03"));
        assertArrayEquals(hex("09 00 07 00 01 02 03"), structureBytes(List.of(ALL, u), 1));
    }

    @Test
    void shouldDeriveScopesFromTheTopology() {
        PciTopology topo = PciTopology.of(0, List.of(
                new BridgeSpec("rp", RequesterId.of(0, 0x1C, 0), 1, 2),
                new BridgeSpec("sw", RequesterId.of(1, 0, 0), 2, 2)));
        var u = RemappingUnit.covering(0, BASE, List.of(
                ScopeDescription.device(RequesterId.of(2, 3, 1)),
                ScopeDescription.device(RequesterId.of(0, 0x1C, 0)),
                new ScopeDescription.PciDevice(RequesterId.of(0, 2, 0), 0x01)));
        byte[] t = DmarTableBuilder.build(table(u, RemappingUnit.includeAll(0, BASE + 0x1000)), List.of(topo));
        assertArrayEquals(hex("00 00 2C 00 00 00 00 00 00 00 D9 FE 00 00 00 00"
                + " 01 0C 00 00 00 00 1C 00 00 00 03 01"   // endpoint 02:03.1 behind 1c.0 and 01:00.0
                + " 02 08 00 00 00 00 1C 00"               // the root port itself: a sub-hierarchy
                + " 01 08 01 00 00 00 02 00"),             // on the root bus, with its flags
                Arrays.copyOfRange(t, DmarLayout.STRUCTURES, DmarLayout.STRUCTURES + 0x2C));
    }

    @Test
    void shouldPadShortIdsWithSpacesAndKeepAnyByte() {
        assertEquals("JDMA  ", AcpiTableIds.jdma(1, "X").oemId());
        var ids = new AcpiTableIds(2, "A\0\0\0\0\0", "\u00ff", 0, "", 0xFFFF_FFFFL);
        byte[] t = DmarTableBuilder.build(new DmarDescription(ids, 38, 0, List.of(ALL)));
        assertArrayEquals(hex("41 00 00 00 00 00 FF 20 20 20 20 20 20 20"), Arrays.copyOfRange(t, AcpiHeaderLayout.OEM_ID, 0x18));
        assertArrayEquals(hex("20 20 20 20 FF FF FF FF"), Arrays.copyOfRange(t, AcpiHeaderLayout.CREATOR_ID, 0x24));
    }

    // ---- rejections ------------------------------------------------------------------------

    static void assertRejected(DmarDescription d, String... fragments) {
        var e = assertThrows(IllegalArgumentException.class, () -> DmarTableBuilder.build(d));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message lacks '" + f + "': " + e.getMessage());
        }
    }

    static ScopeDescription.Explicit ep(int bus, int dev, int fn) {
        return ScopeDescription.endpoint(PciPath.onBus(bus, dev, fn));
    }

    @Test
    void shouldRejectBadTableFields() {
        assertRejected(table(ALL).withFlags(0x08), "Flags 0x8");
        assertRejected(new DmarDescription(IDS, 64, 0, List.of(ALL)), "Host Address Width 64");
        assertRejected(new DmarDescription(IDS, 10, 0, List.of(ALL)), "Host Address Width 10");
        assertRejected(table(), "no DRHD");
        assertRejected(table(new ReservedMemoryRegion(0, 0, 0xFFF, List.of(ep(0, 1, 0))), ALL),
                "structure 1 (DRHD) Type", "follows structure 0 (RMRR)", "ascending");
        var ids = assertThrows(IllegalArgumentException.class, () -> new AcpiTableIds(1, "SEVENCH", "T", 0, "C", 0));
        assertTrue(ids.getMessage().contains("OEM ID \"SEVENCH\" has 7 characters; the field holds 6"), ids.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AcpiTableIds(1, "O", "T", 1L << 32, "C", 0));
        assertThrows(IllegalArgumentException.class, () -> new AcpiTableIds(256, "O", "T", 0, "C", 0));
        assertThrows(IllegalArgumentException.class, () -> new AcpiTableIds(1, "\u0100", "T", 0, "C", 0));
    }

    @Test
    void shouldRejectBadUnits() {
        assertRejected(table(RemappingUnit.includeAll(0, BASE + 0x800)), "structure 0 (DRHD) Register Base Address", "0xfed90800 is not 4 KiB aligned");
        assertRejected(table(new RemappingUnit(0, BASE, 16, true, List.of())), "Size", "16");
        assertRejected(table(new RemappingUnit(0, -0x1000L, 1, true, List.of())), "run past the end");
        assertRejected(table(RemappingUnit.includeAll(0x10000, BASE)), "Segment Number", "65536 is not a u16");
        assertRejected(table(RemappingUnit.covering(0, BASE, List.of())), "must list the devices");
        assertRejected(table(new RemappingUnit(0, BASE, 0, true, List.of(ep(0, 2, 0)))),
                "Device Scope 0.Type", "1 (PCI endpoint) is not allowed here");
        assertRejected(table(ALL, RemappingUnit.includeAll(0, BASE + 0x1000)), "structure 1 (DRHD)", "INCLUDE_PCI_ALL unit of segment 0000");
        assertRejected(table(ALL, RemappingUnit.covering(0, BASE + 0x1000, List.of(ep(0, 2, 0)))), "must be the segment's last DRHD");
        assertRejected(table(RemappingUnit.covering(0, BASE, List.of(ep(0, 2, 0))), ALL), "another DRHD already sits at 0xfed90000");
        // Another segment's include-all unit does not close segment 0.
        DmarTableBuilder.build(table(RemappingUnit.includeAll(1, BASE + 0x1000), ALL));
    }

    @Test
    void shouldRejectBadReservedMemory() {
        assertRejected(table(ALL, new ReservedMemoryRegion(0, 0x1010, 0x1FFF, List.of(ep(0, 2, 0)))), "RMRR) Base Address", "0x1010 is not 4 KiB aligned");
        assertRejected(table(ALL, new ReservedMemoryRegion(0, 0x1000, 0x1FFE, List.of(ep(0, 2, 0)))), "End Address", "0x1ffe");
        assertRejected(table(ALL, new ReservedMemoryRegion(0, 0x3000, 0x1FFF, List.of(ep(0, 2, 0)))), "0x3000 is above the End Address 0x1fff");
        assertRejected(table(ALL, new ReservedMemoryRegion(0, 0x1000, 0x1FFF, List.of())), "must name the devices");
        assertRejected(table(ALL, new ReservedMemoryRegion(0, 0x1000, 0x1FFF, List.of(ScopeDescription.ioapic(1, PciPath.onBus(0, 0x1F, 0))))),
                "3 (IOAPIC) is not allowed here");
        // The whole 64-bit space is a legal region: limit + 1 wraps to 0, which is aligned.
        DmarTableBuilder.build(table(ALL, new ReservedMemoryRegion(0, 0, -1L, List.of(ep(0, 2, 0)))));
    }

    @Test
    void shouldRejectBadScopes() {
        assertRejected(table(ALL, new ReservedMemoryRegion(0, 0, 0xFFF, List.of(
                new ScopeDescription.Explicit(DeviceScopeLayout.TYPE_PCI_ENDPOINT, 0, 3, PciPath.onBus(0, 1, 0))))),
                "Device Scope 0.Enumeration ID", "PCI scopes carry no enumeration id");
        assertRejected(table(ALL, new ReservedMemoryRegion(0, 0, 0xFFF, List.of(ep(0, 1, 0),
                new ScopeDescription.Explicit(DeviceScopeLayout.TYPE_PCI_ENDPOINT, 256, 0, PciPath.onBus(0, 1, 0))))),
                "Device Scope 1.Flags", "256 is not a u8");
        List<Hop> longPath = new ArrayList<>();
        for (int i = 0; i <= DmarTableBuilder.MAX_PATH_HOPS; i++) {
            longPath.add(new Hop(1, 0));
        }
        assertRejected(table(ALL, new ReservedMemoryRegion(0, 0, 0xFFF, List.of(ScopeDescription.endpoint(new PciPath(0, longPath))))),
                "125 hops; a scope holds at most 124");
        longPath.removeLast();
        DmarTableBuilder.build(table(ALL, new ReservedMemoryRegion(0, 0, 0xFFF, List.of(ScopeDescription.endpoint(new PciPath(0, longPath))))));
        assertRejected(table(ALL, new ReservedMemoryRegion(0, 0, 0xFFF, List.of(ScopeDescription.device(RequesterId.of(0, 2, 0))))),
                "no PCI topology for segment 0000");
        assertRejected(table(ALL, new ReservedMemoryRegion(0, 0, 0xFFF, List.of(ScopeDescription.device(new RequesterId(1, 0, 2, 0))))),
                "0001:00:02.0 is in segment 0001, the structure in segment 0000");
        var hole = PciTopology.of(0, List.of(new BridgeSpec("rp", RequesterId.of(0, 0x1C, 0), 1, 4)));
        var e = assertThrows(IllegalArgumentException.class, () -> DmarTableBuilder.build(
                table(ALL, new ReservedMemoryRegion(0, 0, 0xFFF, List.of(ScopeDescription.device(RequesterId.of(3, 0, 0))))), List.of(hole)));
        assertTrue(e.getMessage().contains("RMRR) Device Scope 0") && e.getMessage().contains("unreachable"), e.getMessage());
    }

    @Test
    void shouldRejectBadOtherStructures() {
        assertRejected(table(ALL, new RootPortAts(0, true, List.of(ScopeDescription.subHierarchy(PciPath.onBus(0, 0x1C, 0))))),
                "ALL_PORTS is set, so no root ports may be listed");
        assertRejected(table(ALL, new RootPortAts(0, false, List.of())), "ALL_PORTS is clear");
        assertRejected(table(ALL, new RootPortAts(0, false, List.of(ep(0, 0x1C, 0)))), "1 (PCI endpoint) is not allowed here");
        assertRejected(table(ALL, new UnitAffinity(BASE + 0x1000, 0)), "RHSA) Register Base Address", "0xfed91000 is the base of no DRHD");
        assertRejected(table(ALL, new UnitAffinity(BASE, 0), new UnitAffinity(BASE, 1)), "more than one RHSA");
        assertRejected(table(ALL, new UnitAffinity(BASE, 1L << 32)), "Proximity Domain", "not a u32");
        assertRejected(table(ALL, new NamespaceDevice(1, "")), "ANDD) Object Name", "is empty");
        assertRejected(table(ALL, new NamespaceDevice(1, "\\_SB.A B")), "character 6", "not printable ASCII");
        assertRejected(table(ALL, new NamespaceDevice(256, "\\_SB")), "ACPI Device Number", "256 is not a u8");
        assertRejected(table(ALL, new NamespaceDevice(1, "\\_SB"), new NamespaceDevice(1, "\\_SB.X")), "1 is declared by more than one ANDD");
        assertRejected(table(ALL, new NamespaceDevice(1, "A".repeat(0xFFFF - 8))), "Length is a u16");
        DmarTableBuilder.build(table(ALL, new NamespaceDevice(1, "A".repeat(0xFFFF - 9))));
        assertRejected(table(ALL, new SocAtc(0, false, List.of())), "SATC) Device Scope");
        assertRejected(table(ALL, new SocAtc(0, false, List.of(ScopeDescription.subHierarchy(PciPath.onBus(0, 0x1C, 0))))),
                "2 (PCI sub-hierarchy) is not allowed here");
        assertRejected(table(ALL, new SocDeviceProperties(0, List.of())), "SIDP) Device Scope");
        assertRejected(table(ALL, new UnknownStructure(6, new byte[0])), "type 6) Type", "reserved type (7..65535)");
        assertRejected(table(ALL, new UnknownStructure(7, new byte[0xFFFF - 3])), "does not fit a u16 Length");
    }

    @Test
    void shouldRejectAStructureWithTooManyScopesForItsLength() {
        List<ScopeDescription> scopes = new ArrayList<>();
        for (int i = 0; i < 0x10000 / 8; i++) {
            scopes.add(ep(i >> 8, (i >> 3) & 0x1F, i & 7));
        }
        assertRejected(table(ALL, new ReservedMemoryRegion(0, 0, 0xFFF, scopes)), "RMRR) Length", "Length is a u16");
    }

    @Test
    void shouldKeepUnknownPayloadsImmutable() {
        byte[] payload = {1, 2};
        var u = new UnknownStructure(8, payload);
        payload[0] = 9;
        u.payload()[1] = 9;
        assertEquals(new UnknownStructure(8, new byte[] {1, 2}), u);
    }
}
