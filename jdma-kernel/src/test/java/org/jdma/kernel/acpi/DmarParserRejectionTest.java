package org.jdma.kernel.acpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.jdma.kernel.acpi.RemappingStructure.Andd;
import org.jdma.kernel.acpi.RemappingStructure.Drhd;
import org.jdma.kernel.acpi.RemappingStructure.Rhsa;
import org.jdma.kernel.acpi.RemappingStructure.Rmrr;
import org.jdma.kernel.acpi.TestTables.Scope;
import org.jdma.spec.acpi.AcpiHeaderLayout;
import org.jdma.spec.acpi.AnddLayout;
import org.jdma.spec.acpi.AtsrLayout;
import org.jdma.spec.acpi.DeviceScopeLayout;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.acpi.DrhdLayout;
import org.jdma.spec.acpi.RhsaLayout;
import org.jdma.spec.acpi.RmrrLayout;
import org.jdma.spec.acpi.SatcLayout;
import org.jdma.spec.acpi.SidpLayout;
import org.junit.jupiter.api.Test;

/**
 * Every problem strict mode rejects, with the offset and field it must name; lenient mode reports
 * the same problem as its only warning and keeps what can still be read.
 */
class DmarParserRejectionTest {

    private static final int FIRST = DmarLayout.STRUCTURES;
    private static final long UNIT = 0xfed9_0000L;
    private static final Drhd PLAIN_UNIT = new Drhd(0, 0, 0, UNIT, List.of());

    // ---- header ------------------------------------------------------------------------------

    @Test
    void shouldRejectNullInBothModes() {
        assertFatal(null, 0, "Header.Signature");
    }

    @Test
    void shouldRejectAnArrayTooShortForTheSignature() {
        assertFatal(new byte[0], 0, "Header.Signature");
        assertFatal(new byte[] {'D', 'M', 'A'}, 0, "Header.Signature");
    }

    @Test
    void shouldRejectABadSignatureAndQuoteIt() {
        AcpiTableProblem p = assertFatal(TestTables.dmar().signature("RSDT").build(), 0, "Header.Signature");
        assertTrue(p.message().contains("\"RSDT\""), p.message());
        AcpiTableProblem binary = assertFatal(TestTables.withU8(RichTable.bytes(), 3, 0), 0, "Header.Signature");
        assertTrue(binary.message().contains("DMA\\x00"), binary.message());
    }

    @Test
    void shouldRejectAnArrayShorterThanTheFixedPartNamingTheFieldItEndsIn() {
        byte[] t = RichTable.bytes();
        assertFatal(Arrays.copyOf(t, 6), 6, "Header.Table Length");
        assertFatal(Arrays.copyOf(t, 9), 9, "Header.Checksum");
        assertFatal(Arrays.copyOf(t, 12), 12, "Header.Oem ID");
        assertFatal(Arrays.copyOf(t, 30), 30, "Header.Asl Compiler ID");
        assertFatal(Arrays.copyOf(t, 36), 36, "DMAR.Host Address Width");
        assertFatal(Arrays.copyOf(t, 37), 37, "DMAR.Flags");
        assertFatal(Arrays.copyOf(t, 47), 47, "DMAR.Reserved");
    }

    @Test
    void shouldRejectATableLengthLongerThanTheArrayAndLenientlyReadWhatIsThere() throws DmarParseException {
        TestTables.Builder b = TestTables.dmar().drhd(0, 0, UNIT);
        byte[] t = b.buildWithLength(b.offset() + 0x100);
        DmarParser.Result r = assertOnlyProblem(t, AcpiHeaderLayout.LENGTH, "Header.Table Length", "truncated");
        assertEquals(List.of(PLAIN_UNIT), r.table().structures());
        assertEquals(b.offset() + 0x100, r.table().header().length(), "the header reports what it says");
    }

    @Test
    void shouldRejectATableLengthShorterThanTheArrayAndLenientlyIgnoreTheExtraBytes() throws DmarParseException {
        TestTables.Builder b = TestTables.dmar().drhd(0, 0, UNIT);
        int declared = b.offset();
        b.rmrr(0, 0x1000, 0x0fff); // beyond Table Length, and malformed: lenient must not read it
        byte[] t = TestTables.fixChecksum(b.buildWithLength(declared), declared);
        DmarParser.Result r = assertOnlyProblem(t, AcpiHeaderLayout.LENGTH, "Header.Table Length", "extra bytes");
        assertEquals(List.of(PLAIN_UNIT), r.table().structures());
    }

    @Test
    void shouldRejectATableLengthBelowTheFixedPartAndLenientlyReadTheWholeArray() throws DmarParseException {
        byte[] t = TestTables.dmar().drhd(0, 0, UNIT).buildWithLength(20);
        DmarParser.Result r = assertOnlyProblem(t, AcpiHeaderLayout.LENGTH, "Header.Table Length", "below");
        assertEquals(List.of(PLAIN_UNIT), r.table().structures());
    }

    @Test
    void shouldRejectABadChecksumNamingTheExpectedAndActualByte() throws DmarParseException {
        byte[] good = RichTable.bytes();
        int right = good[AcpiHeaderLayout.CHECKSUM] & 0xff;
        int wrong = (right + 0x11) & 0xff;
        byte[] t = TestTables.withU8(good, AcpiHeaderLayout.CHECKSUM, wrong);
        DmarParser.Result r = assertOnlyProblem(t, AcpiHeaderLayout.CHECKSUM, "Header.Checksum",
                String.format("checksum byte is 0x%02x, expected 0x%02x", wrong, right));
        assertEquals(RichTable.structures(), r.table().structures());
        assertEquals(wrong, r.table().header().checksum());
    }

    // ---- remapping structures ----------------------------------------------------------------

    @Test
    void shouldRejectEveryStructureTypeBelowItsMinimumLengthAndLenientlySkipIt() throws DmarParseException {
        int[][] typeAndMinimum = {
            {DmarLayout.TYPE_DRHD, DrhdLayout.MIN_LENGTH}, {DmarLayout.TYPE_RMRR, RmrrLayout.MIN_LENGTH},
            {DmarLayout.TYPE_ATSR, AtsrLayout.MIN_LENGTH}, {DmarLayout.TYPE_RHSA, RhsaLayout.LENGTH},
            {DmarLayout.TYPE_ANDD, AnddLayout.MIN_LENGTH}, {DmarLayout.TYPE_SATC, SatcLayout.MIN_LENGTH},
            {DmarLayout.TYPE_SIDP, SidpLayout.MIN_LENGTH},
        };
        String[] names = {"DRHD", "RMRR", "ATSR", "RHSA", "ANDD", "SATC", "SIDP"};
        for (int i = 0; i < names.length; i++) {
            int length = typeAndMinimum[i][1] - 1;
            byte[] t = TestTables.dmar()
                    .structureWithLength(typeAndMinimum[i][0], length, new int[length - DmarLayout.STRUCT_HEADER_SIZE])
                    .drhd(0, 0, UNIT)
                    .build();
            DmarParser.Result r = assertOnlyProblem(t, FIRST + DmarLayout.STRUCT_LENGTH, names[i] + ".Length",
                    "below the minimum " + typeAndMinimum[i][1]);
            assertEquals(List.of(PLAIN_UNIT), r.table().structures(), names[i]);
        }
    }

    @Test
    void shouldRejectALengthTooShortToStepOverAndLenientlyStopThere() throws DmarParseException {
        for (int length = 0; length < DmarLayout.STRUCT_HEADER_SIZE; length++) {
            byte[] t = TestTables.dmar().drhd(0, 0, UNIT)
                    .structureWithLength(7, length)
                    .drhd(0, 0, UNIT + 0x1000)
                    .build();
            int at = FIRST + DrhdLayout.MIN_LENGTH;
            DmarParser.Result r = assertOnlyProblem(t, at + DmarLayout.STRUCT_LENGTH, "Subtable.Length", "below");
            assertEquals(List.of(PLAIN_UNIT), r.table().structures(), "length " + length);
        }
        byte[] zeroDrhd = TestTables.dmar().structureWithLength(DmarLayout.TYPE_DRHD, 0).drhd(0, 0, UNIT).build();
        assertEquals(List.of(), assertOnlyProblem(zeroDrhd, FIRST + 2, "DRHD.Length", "below").table().structures());
    }

    @Test
    void shouldRejectAStructureRunningPastTheTableAndLenientlyKeepTheOnesBefore() throws DmarParseException {
        TestTables.Builder b = TestTables.dmar().drhd(0, 0, UNIT);
        int rmrr = b.offset();
        byte[] t = b.structureWithLength(DmarLayout.TYPE_RMRR, 200, new int[RmrrLayout.SCOPES]).build();
        DmarParser.Result r = assertOnlyProblem(t, rmrr + DmarLayout.STRUCT_LENGTH, "RMRR.Length", "runs past");
        assertEquals(List.of(PLAIN_UNIT), r.table().structures());
    }

    @Test
    void shouldRejectBytesTooFewForAStructureHeaderAtTheEnd() throws DmarParseException {
        String[] field = {"Subtable.Subtable Type", "Subtable.Length", "Subtable.Length"};
        for (int extra = 1; extra < DmarLayout.STRUCT_HEADER_SIZE; extra++) {
            TestTables.Builder b = TestTables.dmar().drhd(0, 0, UNIT);
            int at = b.offset();
            byte[] t = b.raw(new int[extra]).build();
            DmarParser.Result r = assertOnlyProblem(t, at, field[extra - 1], extra + " byte(s) left");
            assertEquals(List.of(PLAIN_UNIT), r.table().structures());
        }
    }

    @Test
    void shouldRejectAnRhsaLongerThanTwentyBytesAndLenientlyReadItsFirstTwenty() throws DmarParseException {
        int[] body = new int[RhsaLayout.LENGTH + 4 - DmarLayout.STRUCT_HEADER_SIZE];
        body[RhsaLayout.REGISTER_BASE - DmarLayout.STRUCT_HEADER_SIZE + 2] = 0xd9;
        body[RhsaLayout.PROXIMITY_DOMAIN - DmarLayout.STRUCT_HEADER_SIZE] = 3;
        Arrays.fill(body, RhsaLayout.LENGTH - DmarLayout.STRUCT_HEADER_SIZE, body.length, 0xee);
        byte[] t = TestTables.dmar().structure(DmarLayout.TYPE_RHSA, body).build();
        DmarParser.Result r = assertOnlyProblem(t, FIRST + DmarLayout.STRUCT_LENGTH, "RHSA.Length", "exactly 20");
        assertEquals(List.of(new Rhsa(0xd9_0000L, 3)), r.table().structures());
    }

    @Test
    void shouldRejectAnAnddNameWithoutNulAndLenientlyReadItToTheStructureEnd() throws DmarParseException {
        byte[] t = TestTables.dmar().structure(DmarLayout.TYPE_ANDD, 0, 0, 0, 5, 'A', 'B', 'C').drhd(0, 0, UNIT).build();
        DmarParser.Result r = assertOnlyProblem(t, FIRST + AnddLayout.OBJECT_NAME, "ANDD.Device Name", "NUL");
        assertEquals(List.of(new Andd(5, "ABC"), PLAIN_UNIT), r.table().structures());
    }

    @Test
    void shouldRejectAMisalignedDrhdRegisterBaseAndLenientlyKeepIt() throws DmarParseException {
        for (long base : new long[] {UNIT + 0x800, UNIT + 1, 0x8000_0000_0000_0001L, -1L}) {
            byte[] t = TestTables.dmar().drhd(0, 0, base, RichTable.IGD).build();
            DmarParser.Result r = assertOnlyProblem(t, FIRST + DrhdLayout.REGISTER_BASE,
                    "DRHD.Register Base Address", String.format("0x%x is not 4096-byte aligned", base));
            assertEquals(List.of(new Drhd(0, 0, 0, base, TestTables.expected(RichTable.IGD))), r.table().structures());
        }
    }

    @Test
    void shouldRejectAnRmrrWhoseBaseIsNotAligned() throws DmarParseException {
        byte[] t = TestTables.dmar().rmrr(0, 0x1800, 0x2fff).build();
        DmarParser.Result r = assertOnlyProblem(t, FIRST + RmrrLayout.BASE, "RMRR.Base Address", "0x1800 is not");
        assertEquals(List.of(new Rmrr(0, 0x1800, 0x2fff, List.of())), r.table().structures());
    }

    @Test
    void shouldRejectAnRmrrWhoseLimitPlusOneIsNotAligned() throws DmarParseException {
        byte[] t = TestTables.dmar().rmrr(0, 0x1000, 0x1ffe).build();
        assertOnlyProblem(t, FIRST + RmrrLayout.LIMIT, "RMRR.End Address (limit)", "0x1ffe + 1 is not");
    }

    @Test
    void shouldRejectAnRmrrWhoseBaseIsAboveItsLimitComparingUnsigned() throws DmarParseException {
        byte[] t = TestTables.dmar().rmrr(0, 0x2000, 0x0fff).build();
        assertOnlyProblem(t, FIRST + RmrrLayout.LIMIT, "RMRR.End Address (limit)", "below the Base Address 0x2000");
        // Signed comparison would call this base (negative as a long) below its limit.
        byte[] high = TestTables.dmar().rmrr(0, 0x8000_0000_0000_0000L, 0x0fff).build();
        assertOnlyProblem(high, FIRST + RmrrLayout.LIMIT, "RMRR.End Address (limit)", "below the Base Address");
    }

    // ---- device scopes -----------------------------------------------------------------------

    @Test
    void shouldRejectAScopeRunningPastItsStructureAndLenientlyKeepTheScopesBefore() throws DmarParseException {
        Scope liar = Scope.endpoint(0, 3, 0).withLength(10);
        byte[] t = TestTables.dmar()
                .drhd(0, 0, UNIT, RichTable.IGD, liar)
                .drhd(0, 0, UNIT + 0x1000)
                .build();
        int liarAt = FIRST + DrhdLayout.SCOPES + RichTable.IGD.length();
        DmarParser.Result r = assertOnlyProblem(t, liarAt + DeviceScopeLayout.LENGTH, "Device Scope.Entry Length",
                "runs past the end of its DRHD");
        assertEquals(List.of(new Drhd(0, 0, 0, UNIT, TestTables.expected(RichTable.IGD)),
                new Drhd(0, 0, 0, UNIT + 0x1000, List.of())), r.table().structures());
    }

    @Test
    void shouldRejectAScopeShorterThanSixBytesAndLenientlyKeepTheScopesBefore() throws DmarParseException {
        for (int length = 0; length < DeviceScopeLayout.MIN_LENGTH; length++) {
            Scope shortScope = Scope.endpoint(0, 3, 0).withLength(length);
            byte[] t = TestTables.dmar().rmrr(0, 0x1000, 0x1fff, RichTable.IGD, shortScope, RichTable.XHCI).build();
            int at = FIRST + RmrrLayout.SCOPES + RichTable.IGD.length();
            DmarParser.Result r = assertOnlyProblem(t, at + DeviceScopeLayout.LENGTH, "Device Scope.Entry Length",
                    "Entry Length " + length + ", below the minimum 6");
            assertEquals(List.of(new Rmrr(0, 0x1000, 0x1fff, TestTables.expected(RichTable.IGD))),
                    r.table().structures());
        }
    }

    @Test
    void shouldRejectAScopeWithAnOddPathByteAndLenientlyIgnoreThatByte() throws DmarParseException {
        Scope odd = Scope.raw(DeviceScopeLayout.TYPE_PCI_ENDPOINT, 9, 0, 0, 0, 0, 0x1f, 3, 0x44);
        byte[] t = TestTables.dmar().satc(0, 0, odd, RichTable.IGD).build();
        DmarParser.Result r = assertOnlyProblem(t, FIRST + SatcLayout.SCOPES + DeviceScopeLayout.LENGTH,
                "Device Scope.Entry Length", "3 path bytes are not whole");
        assertEquals(List.of(new RemappingStructure.Satc(0, 0, List.of(
                        Scope.endpoint(0, 0x1f, 3).expected(), RichTable.IGD.expected()))),
                r.table().structures());
    }

    @Test
    void shouldRejectTooFewBytesForAScopeAtTheEndOfAStructure() throws DmarParseException {
        byte[] one = TestTables.dmar().atsr(0, 0, RichTable.IGD, Scope.raw(1)).build();
        int at = FIRST + AtsrLayout.SCOPES + RichTable.IGD.length();
        DmarParser.Result r = assertOnlyProblem(one, at, "Device Scope.Entry Length", "1 byte(s) left");
        assertEquals(List.of(new RemappingStructure.Atsr(0, 0, TestTables.expected(RichTable.IGD))),
                r.table().structures());
        byte[] four = TestTables.dmar().sidp(0, Scope.raw(1, 8, 0, 0)).build();
        assertOnlyProblem(four, FIRST + SidpLayout.SCOPES + 1, "Device Scope.Entry Length", "runs past");
    }

    // ---- lenient mode across several problems --------------------------------------------------

    @Test
    void shouldCollectEveryProblemInTableOrderLeniently() throws DmarParseException {
        TestTables.Builder b = TestTables.dmar().drhd(0, 0, UNIT + 0x10, RichTable.IGD, Scope.raw(1, 2));
        int rmrr = b.offset();
        b.rmrr(0, 0x3000, 0x1fff, RichTable.XHCI);
        int broken = b.offset();
        b.structureWithLength(DmarLayout.TYPE_ATSR, 0x40, 0, 0, 0, 0);
        byte[] built = b.build();
        byte[] t = TestTables.withU8(built, AcpiHeaderLayout.CHECKSUM, built[AcpiHeaderLayout.CHECKSUM] + 1);
        DmarParser.Result r = DmarParser.parseLenient(t);
        assertEquals(List.of("Header.Checksum", "DRHD.Register Base Address", "Device Scope.Entry Length",
                        "RMRR.End Address (limit)", "ATSR.Length"),
                r.warnings().stream().map(AcpiTableProblem::field).toList(), r.warnings().toString());
        assertEquals(List.of(AcpiHeaderLayout.CHECKSUM, FIRST + DrhdLayout.REGISTER_BASE,
                        FIRST + DrhdLayout.SCOPES + RichTable.IGD.length() + 1, rmrr + RmrrLayout.LIMIT,
                        broken + DmarLayout.STRUCT_LENGTH),
                r.warnings().stream().map(AcpiTableProblem::offset).toList());
        assertEquals(List.of(new Drhd(0, 0, 0, UNIT + 0x10, TestTables.expected(RichTable.IGD)),
                new Rmrr(0, 0x3000, 0x1fff, TestTables.expected(RichTable.XHCI))), r.table().structures());
        DmarParseException strict = assertThrows(DmarParseException.class, () -> DmarParser.parse(t));
        assertEquals(r.warnings().getFirst(), strict.problem(), "strict stops at the first of them");
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Both modes throw, naming offset and field. */
    private static AcpiTableProblem assertFatal(byte[] table, int offset, String field) {
        DmarParseException strict = assertThrows(DmarParseException.class, () -> DmarParser.parse(table));
        DmarParseException lenient = assertThrows(DmarParseException.class, () -> DmarParser.parseLenient(table));
        assertEquals(strict.problem(), lenient.problem());
        assertEquals(field, strict.field(), strict.getMessage());
        assertEquals(offset, strict.offset(), strict.getMessage());
        assertTrue(strict.getMessage().contains(field), strict.getMessage());
        return strict.problem();
    }

    /** Strict rejects with exactly this offset and field; lenient reports that problem alone. */
    private static DmarParser.Result assertOnlyProblem(byte[] table, int offset, String field, String text)
            throws DmarParseException {
        DmarParseException e = assertThrows(DmarParseException.class, () -> DmarParser.parse(table),
                () -> "strict parse of " + TestTables.hex(table));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains(text), "\"" + text + "\" missing from: " + e.getMessage());
        DmarParser.Result r = DmarParser.parseLenient(table);
        assertEquals(List.of(e.problem()), r.warnings());
        return r;
    }
}
