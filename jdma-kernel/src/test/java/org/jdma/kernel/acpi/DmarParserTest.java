package org.jdma.kernel.acpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.acpi.RemappingStructure.Andd;
import org.jdma.kernel.acpi.RemappingStructure.Drhd;
import org.jdma.kernel.acpi.RemappingStructure.Rhsa;
import org.jdma.kernel.acpi.RemappingStructure.Rmrr;
import org.jdma.kernel.acpi.RemappingStructure.Unknown;
import org.jdma.kernel.acpi.TestTables.Scope;
import org.jdma.spec.acpi.AnddLayout;
import org.jdma.spec.acpi.AtsrLayout;
import org.jdma.spec.acpi.DeviceScopeLayout;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.acpi.RhsaLayout;
import org.jdma.spec.acpi.RmrrLayout;
import org.jdma.spec.acpi.SatcLayout;
import org.jdma.spec.acpi.SidpLayout;
import org.junit.jupiter.api.Test;

/** Well-formed tables: every field of every structure and scope type reads back as written. */
class DmarParserTest {

    @Test
    void shouldReadEveryStructureAndScopeTypeOfARichTable() throws DmarParseException {
        DmarTable parsed = DmarParser.parse(RichTable.bytes());
        assertEquals(RichTable.model(), parsed);
        assertEquals(RichTable.STRUCTURE_COUNT, parsed.structures().size());
    }

    @Test
    void shouldReadTheSameTableLenientlyWithoutWarnings() throws DmarParseException {
        DmarParser.Result lenient = DmarParser.parseLenient(RichTable.bytes());
        assertEquals(List.of(), lenient.warnings());
        assertEquals(RichTable.model(), lenient.table());
    }

    @Test
    void shouldReadATableWhoseLengthIsNotAMultipleOfFour() throws DmarParseException {
        byte[] rich = RichTable.bytes();
        assertNotEquals(0, rich.length % Integer.BYTES, "the rich table's length " + rich.length);
        byte[] oneAndd = TestTables.dmar().andd(3, "\\_SB.A").build();
        assertEquals(DmarLayout.STRUCTURES + AnddLayout.OBJECT_NAME + "\\_SB.A".length() + 1, oneAndd.length);
        assertEquals(List.of(new Andd(3, "\\_SB.A")), DmarParser.parse(oneAndd).structures());
    }

    @Test
    void shouldReadTheHeaderFieldsUnsigned() throws DmarParseException {
        DmarTable t = DmarParser.parse(RichTable.bytes());
        AcpiTableHeader h = t.header();
        assertEquals("DMAR", h.signature());
        assertEquals("INTEL\0", h.oemId(), "OEM ID keeps its NUL padding byte for byte");
        assertEquals("EDK2    ", h.oemTableId());
        assertEquals(0xffff_ffffL, h.oemRevision());
        assertEquals("INTL", h.creatorId());
        assertEquals(0x8000_0000L, h.creatorRevision());
        assertEquals(0x2d, t.hostAddressWidth());
        assertEquals(0x2e, t.physicalAddressBits());
        assertEquals(DmarTable.FLAG_INTR_REMAP | DmarTable.FLAG_X2APIC_OPT_OUT
                | DmarTable.FLAG_DMA_CTRL_PLATFORM_OPT_IN, t.flags());
    }

    @Test
    void shouldNumberAnddFourAndRhsaThreeUnlikeTheSeed() throws DmarParseException {
        byte[] t = TestTables.dmar().rhsa(0xfed9_0000L, 0).andd(1, "\\_SB.X").build();
        List<RemappingStructure> s = DmarParser.parse(t).structures();
        assertEquals(RemappingStructure.TYPE_RHSA, t[DmarLayout.STRUCTURES]);
        assertEquals(new Rhsa(0xfed9_0000L, 0), s.get(0));
        assertEquals(RemappingStructure.TYPE_ANDD, s.get(1).type());
        assertEquals(new Andd(1, "\\_SB.X"), s.get(1));
    }

    @Test
    void shouldKeepEveryHopOfALongPciPath() throws DmarParseException {
        int[] hops = new int[2 * 40];
        for (int i = 0; i < hops.length; i += 2) {
            hops[i] = i / 2 % 32;
            hops[i + 1] = i / 2 % 8;
        }
        Scope deep = Scope.endpoint(0x3a, hops);
        Drhd drhd = DmarParser.parse(TestTables.dmar().drhd(0, 0, 0xfed9_0000L, deep).build())
                .structuresOf(Drhd.class).getFirst();
        assertEquals(40, drhd.scopes().getFirst().path().size());
        assertEquals(deep.expected(), drhd.scopes().getFirst());
    }

    @Test
    void shouldReadEveryDeviceScopeTypeAndKeepUnknownOnes() throws DmarParseException {
        List<Scope> scopes = new ArrayList<>();
        for (int type = 0; type <= 0xff; type += 0x11) {
            scopes.add(Scope.of(type, type ^ 0xff, type, 0x10, 0x1f, 7));
        }
        scopes.add(Scope.endpoint(1, 2, 3));
        scopes.add(Scope.bridge(1, 2, 3));
        scopes.add(Scope.ioapic(8, 0xf0, 0x1f, 0));
        scopes.add(Scope.hpet(9, 0, 0x1f, 0));
        scopes.add(Scope.namespace(4, 0, 0x15, 1));
        Scope[] all = scopes.toArray(Scope[]::new);
        Drhd drhd = DmarParser.parse(TestTables.dmar().drhd(0, 0, 0xfed9_0000L, all).build())
                .structuresOf(Drhd.class).getFirst();
        assertEquals(TestTables.expected(all), drhd.scopes());
        for (DeviceScopeType t : DeviceScopeType.values()) {
            assertTrue(drhd.scopes().stream().anyMatch(s -> s.knownType().equals(java.util.Optional.of(t))), t.name());
        }
    }

    @Test
    void shouldReadSeveralDrhdsIncludingIncludePciAllPerSegment() throws DmarParseException {
        byte[] t = TestTables.dmar()
                .drhd(0, 0, 0xfed9_0000L, Scope.endpoint(0, 2, 0))
                .drhd(0, 0, 0xfed9_1000L, Scope.bridge(0, 0x1c, 0))
                .drhd(Drhd.FLAG_INCLUDE_PCI_ALL, 0, 0xfed9_2000L, Scope.ioapic(2, 0xf0, 0x1f, 0))
                .drhd(Drhd.FLAG_INCLUDE_PCI_ALL, 1, 0xfed9_3000L)
                .build();
        List<Drhd> units = DmarParser.parse(t).structuresOf(Drhd.class);
        assertEquals(List.of(0xfed9_0000L, 0xfed9_1000L, 0xfed9_2000L, 0xfed9_3000L),
                units.stream().map(Drhd::registerBase).toList());
        assertEquals(List.of(false, false, true, true), units.stream().map(Drhd::includePciAll).toList());
        assertEquals(List.of(0, 0, 0, 1), units.stream().map(Drhd::segment).toList());
    }

    @Test
    void shouldReadManyRmrrsInTableOrder() throws DmarParseException {
        TestTables.Builder b = TestTables.dmar().drhd(Drhd.FLAG_INCLUDE_PCI_ALL, 0, 0xfed9_0000L);
        List<Rmrr> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long base = 0x1_0000_0000L + i * 0x10_0000L;
            long limit = base + (i + 1) * 0x1000L - 1;
            Scope dev = Scope.endpoint(i % 256, i % 32, i % 8);
            b.rmrr(i % 3, base, limit, dev);
            expected.add(new Rmrr(i % 3, base, limit, List.of(dev.expected())));
        }
        assertEquals(expected, DmarParser.parse(b.build()).structuresOf(Rmrr.class));
    }

    @Test
    void shouldReadAnRmrrEndingAtTheTopOfTheAddressSpace() throws DmarParseException {
        byte[] t = TestTables.dmar().rmrr(0, 0xffff_ffff_ffff_f000L, 0xffff_ffff_ffff_ffffL).build();
        assertEquals(List.of(new Rmrr(0, 0xffff_ffff_ffff_f000L, -1L, List.of())), DmarParser.parse(t).structures());
    }

    @Test
    void shouldReadALongAnddNameAndIgnorePaddingAfterItsNul() throws DmarParseException {
        String name = "\\_SB." + "ABCD.".repeat(50) + "LAST";
        byte[] t = TestTables.dmar().andd(7, name, 9).andd(8, "", 0).build();
        assertEquals(List.of(new Andd(7, name), new Andd(8, "")), DmarParser.parse(t).structures());
    }

    @Test
    void shouldKeepStructuresOfUnknownTypeWithTheirRawBytes() throws DmarParseException {
        byte[] t = TestTables.dmar()
                .structure(7, 0xaa, 0xbb)
                .structure(0xffff)
                .structure(0x1234, 1, 2, 3, 4, 5, 6, 7, 8, 9)
                .build();
        assertEquals(List.of(
                new Unknown(7, new RawBytes(new byte[] {7, 0, 6, 0, (byte) 0xaa, (byte) 0xbb})),
                new Unknown(0xffff, new RawBytes(new byte[] {(byte) 0xff, (byte) 0xff, 4, 0})),
                new Unknown(0x1234, new RawBytes(new byte[] {0x34, 0x12, 13, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}))),
                DmarParser.parse(t).structures());
    }

    @Test
    void shouldReadATableWithNoStructures() throws DmarParseException {
        DmarTable t = DmarParser.parse(TestTables.dmar().build());
        assertEquals(List.of(), t.structures());
        assertEquals(DmarLayout.STRUCTURES, t.header().length());
    }

    @Test
    void shouldAcceptNonZeroReservedFieldsStrictlyAndWarnLeniently() throws DmarParseException {
        byte[] clean = TestTables.dmar()
                .rmrr(0, 0x1000, 0x1fff, Scope.endpoint(0, 2, 0))
                .atsr(0, 0)
                .rhsa(0xfed9_0000L, 0)
                .andd(1, "\\_SB.X")
                .satc(0, 0)
                .sidp(0)
                .build();
        int rmrr = DmarLayout.STRUCTURES;
        int scope = rmrr + RmrrLayout.SCOPES;
        int atsr = scope + DeviceScopeLayout.PATH + 2;
        int rhsa = atsr + AtsrLayout.MIN_LENGTH;
        int andd = rhsa + RhsaLayout.LENGTH;
        int satc = andd + AnddLayout.OBJECT_NAME + "\\_SB.X".length() + 1;
        int sidp = satc + SatcLayout.MIN_LENGTH;
        int[][] reservedAt = {
            {DmarLayout.RESERVED + 9}, {rmrr + RmrrLayout.RESERVED + 1}, {scope + DeviceScopeLayout.RESERVED},
            {atsr + AtsrLayout.RESERVED}, {rhsa + RhsaLayout.RESERVED + 3}, {andd + AnddLayout.RESERVED + 2},
            {satc + SatcLayout.RESERVED}, {sidp + SidpLayout.RESERVED},
        };
        String[] fields = {"DMAR.Reserved", "RMRR.Reserved", "Device Scope.Reserved", "ATSR.Reserved",
            "RHSA.Reserved", "ANDD.Reserved", "SATC.Reserved", "SIDP.Reserved"};
        int[] fieldStart = {DmarLayout.RESERVED, rmrr + RmrrLayout.RESERVED, scope + DeviceScopeLayout.RESERVED,
            atsr + AtsrLayout.RESERVED, rhsa + RhsaLayout.RESERVED, andd + AnddLayout.RESERVED,
            satc + SatcLayout.RESERVED, sidp + SidpLayout.RESERVED};
        DmarTable expected = DmarParser.parse(clean);
        for (int i = 0; i < fields.length; i++) {
            byte[] dirty = TestTables.fixChecksum(TestTables.withU8(clean, reservedAt[i][0], 0x5a));
            assertEquals(expected.structures(), DmarParser.parse(dirty).structures(), fields[i]);
            DmarParser.Result lenient = DmarParser.parseLenient(dirty);
            assertEquals(expected.structures(), lenient.table().structures(), fields[i]);
            assertEquals(1, lenient.warnings().size(), fields[i] + ": " + lenient.warnings());
            AcpiTableProblem w = lenient.warnings().getFirst();
            assertEquals(fields[i], w.field());
            assertEquals(fieldStart[i], w.offset(), fields[i]);
            assertTrue(w.message().contains("5a"), w.message());
        }
    }
}
