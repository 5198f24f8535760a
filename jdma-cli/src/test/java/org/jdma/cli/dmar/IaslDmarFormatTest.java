package org.jdma.cli.dmar;

import static org.jdma.cli.dmar.DmarBytes.drhd;
import static org.jdma.cli.dmar.DmarBytes.raw;
import static org.jdma.cli.dmar.DmarBytes.scope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.SplittableRandom;
import org.jdma.cli.dmar.IaslDmarFormat.Field;
import org.jdma.cli.dmar.IaslDmarFormat.Line;
import org.jdma.cli.dmar.IaslDmarFormat.Note;
import org.jdma.spec.acpi.AcpiHeaderLayout;
import org.jdma.spec.acpi.DeviceScopeLayout;
import org.jdma.spec.acpi.DmarLayout;
import org.junit.jupiter.api.Test;

class IaslDmarFormatTest {

    private static String text(byte[] table) {
        return IaslDmarFormat.render(IaslDmarFormat.disassemble(table));
    }

    private static List<Field> fields(byte[] table) {
        return IaslDmarFormat.disassemble(table).stream().filter(Field.class::isInstance).map(Field.class::cast).toList();
    }

    @Test
    void shouldPrintFieldLinesInIaslsColumnsWithUpperCaseHexAndDecimalOffsets() {
        String out = text(EveryStructureTable.bytes());
        assertTrue(out.contains("[000h 0000   4]                    Signature : \"DMAR\"    [DMA Remapping table]\n"), out);
        assertTrue(out.contains("[026h 0038  10]                     Reserved : 00 00 00 00 00 00 00 00 00 00\n"), out);
        assertTrue(out.contains("[038h 0056   8]        Register Base Address : 00000000FED90000\n"), out);
        assertTrue(out.contains("[0D2h 0210  15]                  Device Name : \"\\_SB.PCI0.I2C0\"\n"), "length counts the NUL, not the padding: " + out);
    }

    @Test
    void shouldPrintEveryHopOfAMultiHopPathFollowedByABlankLine() {
        String out = text(DmarBytes.table(38, 0, drhd(0, 0, 0, 0xFED9_0000L,
                scope(DeviceScopeLayout.TYPE_PCI_ENDPOINT, 0, 0, 3, 0x01, 0, 0x02, 3, 0x1F, 7))));
        assertTrue(out.contains("""
                [046h 0070   2]                     PCI Path : 01,00

                [048h 0072   2]                     PCI Path : 02,03

                [04Ah 0074   2]                     PCI Path : 1F,07

                """), out);
    }

    @Test
    void shouldPrintSatcAndSidpWithNewerAcpicasFieldNames() {
        String out = text(EveryStructureTable.bytes());
        // Hand-checked against ACPICA 20251212's disassembly of SATC and SIDP (offsets from the layouts).
        assertTrue(out.contains("""
                [0E3h 0227   2]                Subtable Type : 0005 [SoC Integrated Address Translation Cache]
                [0E5h 0229   2]                       Length : 0018

                [0E7h 0231   1]                        Flags : 01
                [0E8h 0232   1]                     Reserved : 00
                [0E9h 0233   2]           PCI Segment Number : 0000

                [0EBh 0235   1]            Device Scope Type : 01 [PCI Endpoint Device]
                """), out);
        assertTrue(out.contains("""
                [0FBh 0251   2]                Subtable Type : 0006 [SoC Integrated Device Property]
                [0FDh 0253   2]                       Length : 001A

                [0FFh 0255   2]                     Reserved : 0000
                [101h 0257   2]           PCI Segment Number : 0000

                [103h 0259   1]            Device Scope Type : 01 [PCI Endpoint Device]
                [104h 0260   1]                 Entry Length : 08
                [105h 0261   2]                     Reserved : 001F
                """), "a scope's flags byte is the low byte of iasl 20200925's Reserved: " + out);
    }

    @Test
    void shouldShowAnUnknownStructureAsRawDataAndGoOnToTheNextOne() {
        byte[] t = DmarBytes.table(38, 0, raw(9, (byte) 1, (byte) 2, (byte) 3), drhd(1, 0, 0, 0xFED9_0000L));
        String out = text(t);
        assertTrue(out.contains("Subtable Type : 0009 [Unknown Subtable Type]"), out);
        assertTrue(out.contains("[034h 0052   3]                     Raw Data : 01 02 03\n"), out);
        assertTrue(out.contains("[037h 0055   2]                Subtable Type : 0000 [Hardware Unit Definition]"), out);
    }

    @Test
    void shouldFlagAnIncorrectChecksumTheWayIaslDoes() {
        byte[] t = EveryStructureTable.bytes();
        int good = t[AcpiHeaderLayout.CHECKSUM] & 0xFF;
        t[AcpiHeaderLayout.CHECKSUM] ^= 0x10;
        assertTrue(text(t).contains(String.format("Checksum : %02X     /* Incorrect checksum, should be %02X */\n",
                t[AcpiHeaderLayout.CHECKSUM] & 0xFF, good)), text(t));
    }

    @Test
    void shouldPrintOemStringsUpToTheirNulWithUnprintableBytesAsSpaces() {
        byte[] t = EveryStructureTable.bytes();
        t[AcpiHeaderLayout.OEM_ID + 1] = 0x01;
        t[AcpiHeaderLayout.OEM_ID + 3] = 0;
        DmarBytes.fixChecksum(t);
        assertTrue(text(t).contains("Oem ID : \"J M\"\n"), text(t));
    }

    @Test
    void shouldStopAtASubtableWhoseLengthCannotAdvanceTheWalk() {
        byte[] t = DmarBytes.table(38, 0, raw(9), drhd(1, 0, 0, 0xFED9_0000L));
        t[DmarLayout.STRUCTURES + DmarLayout.STRUCT_LENGTH] = 0;
        List<Line> lines = IaslDmarFormat.disassemble(t);
        assertTrue(lines.contains(new Note("Invalid subtable length 0x0 at offset 0x30: the walk stops here")), lines.toString());
        assertFalse(text(t).contains("Hardware Unit Definition"));
    }

    @Test
    void shouldReadNoByteOutsideTheBufferWhenTheTableIsCutAtAnyOffset() {
        byte[] whole = EveryStructureTable.bytes();
        for (int length = 0; length <= whole.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(whole, length);
            assertFieldsInside(cut, "cut to " + length + " bytes");
        }
    }

    @Test
    void shouldReadNoByteOutsideTheBufferWithAnyBitFlipped() {
        byte[] whole = EveryStructureTable.bytes();
        for (int bit = 0; bit < whole.length * 8; bit++) {
            byte[] flipped = whole.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFieldsInside(flipped, "bit " + bit + " flipped");
        }
    }

    @Test
    void shouldReadNoByteOutsideTheBufferForRandomBytesAfterAValidHeader() {
        long seed = 0x5EED_D3A2L;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 2000; i++) {
            byte[] t = new byte[r.nextInt(DmarLayout.STRUCTURES, 400)];
            r.nextBytes(t);
            System.arraycopy(DmarLayout.SIGNATURE.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, t, 0, 4);
            if (r.nextBoolean()) {
                java.nio.ByteBuffer.wrap(t).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(AcpiHeaderLayout.LENGTH, t.length);
            }
            assertFieldsInside(t, "random table " + i + " (seed " + Long.toHexString(seed) + ")");
        }
    }

    /** The walk ends, throws nothing, and every field it prints lies inside the buffer. */
    private static void assertFieldsInside(byte[] table, String what) {
        List<Field> fields;
        try {
            fields = fields(table);
            IaslDmarFormat.document("test", table, List.of());
        } catch (RuntimeException e) {
            fail(what + ": " + e, e);
            return;
        }
        for (Field f : fields) {
            assertTrue(f.offset() >= 0 && f.offset() + f.length() <= table.length, what + ": " + f + " outside " + table.length + " bytes");
        }
        assertEquals(0, fields.isEmpty() ? 0 : fields.getFirst().offset(), what + ": starts at the signature");
    }
}
