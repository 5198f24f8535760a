package org.jdma.kernel.acpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jdma.spec.acpi.AcpiHeaderLayout;
import org.jdma.spec.acpi.DmarLayout;
import org.junit.jupiter.api.Test;

/**
 * The one-exception contract on damaged tables: every truncation and every flipped bit of a rich
 * table, and seeded random mutations. For every input: strict returns or throws
 * {@link DmarParseException}; lenient likewise; and the two agree (strict's problem is lenient's
 * first warning that is not about a Reserved field; when strict succeeds, lenient returns the same
 * table and warns about Reserved fields only).
 */
class DmarParserRobustnessTest {

    private static final byte[] RICH = RichTable.bytes();
    private static final Set<String> HEADER_CHECKS = Set.of("Header.Signature", "Header.Table Length",
            "Header.Checksum");

    @Test
    void shouldRejectEveryTruncationStrictlyAndKeepTheWholeStructuresLeniently() {
        List<RemappingStructure> all = RichTable.structures();
        for (int cut = 0; cut < RICH.length; cut++) {
            byte[] prefix = Arrays.copyOf(RICH, cut);
            String where = "truncated to " + cut + " bytes";
            Outcome o = Outcome.of(prefix, where);
            assertNotNull(o.strictProblem, where);
            if (cut < DmarLayout.STRUCTURES) {
                assertNull(o.lenient, where + ": no header to read");
                continue;
            }
            assertEquals("Header.Table Length", o.strictProblem.field(), where);
            assertTrue(o.strictProblem.message().contains("truncated"), o.strictProblem.message());
            int whole = 0;
            while (whole < all.size() && endOf(whole) <= cut) {
                whole++;
            }
            assertEquals(all.subList(0, whole), o.lenient.table().structures(), where);
        }
    }

    @Test
    void shouldCatchEveryFlippedBitStrictlyByTheHeaderChecks() {
        for (int bit = 0; bit < RICH.length * Byte.SIZE; bit++) {
            byte[] flipped = flip(RICH, bit);
            String where = "bit " + bit + " (byte 0x" + Integer.toHexString(bit / Byte.SIZE) + ") flipped";
            Outcome o = Outcome.of(flipped, where);
            assertNotNull(o.strictProblem, where);
            assertTrue(HEADER_CHECKS.contains(o.strictProblem.field()), where + ": " + o.strictProblem);
            boolean inSignature = bit / Byte.SIZE < AcpiHeaderLayout.SIGNATURE_SIZE;
            assertEquals(inSignature, o.lenient == null, where);
            if (!inSignature) {
                assertFalse(o.lenient.warnings().isEmpty(), where);
            }
        }
    }

    @Test
    void shouldKeepTheContractForEveryFlippedBitBehindARepairedChecksum() {
        for (int bit = 0; bit < RICH.length * Byte.SIZE; bit++) {
            if (bit / Byte.SIZE == AcpiHeaderLayout.CHECKSUM) {
                continue; // repairing the checksum would undo the flip
            }
            Outcome.of(TestTables.fixChecksum(flip(RICH, bit)), "bit " + bit + " flipped, checksum repaired");
        }
    }

    @Test
    void shouldKeepTheContractForSeededRandomMutations() {
        long seed = 0x5eed_d3a7L;
        SplittableRandom rnd = new SplittableRandom(seed);
        int parsedStrictly = 0;
        for (int trial = 0; trial < 30_000; trial++) {
            byte[] t = mutate(RICH, rnd);
            Outcome o = Outcome.of(t, "seed 0x" + Long.toHexString(seed) + ", trial " + trial);
            parsedStrictly += o.strict != null ? 1 : 0;
        }
        assertTrue(parsedStrictly > 0, "some mutants should still be well formed (seed " + seed + ")");
    }

    @Test
    void shouldKeepTheContractForSeededRandomBytesBehindAValidHeader() {
        long seed = 0xdeca_fbadL;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int trial = 0; trial < 20_000; trial++) {
            byte[] t = new byte[DmarLayout.STRUCTURES + rnd.nextInt(300)];
            rnd.nextBytes(t);
            System.arraycopy(RICH, 0, t, 0, AcpiHeaderLayout.SIGNATURE_SIZE);
            t = TestTables.fixChecksum(TestTables.withU32(t, AcpiHeaderLayout.LENGTH, t.length));
            Outcome.of(t, "seed 0x" + Long.toHexString(seed) + ", trial " + trial);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** What both modes made of one input; fails the test on any exception but DmarParseException. */
    private record Outcome(DmarTable strict, AcpiTableProblem strictProblem, DmarParser.Result lenient,
                           AcpiTableProblem lenientProblem) {

        static Outcome of(byte[] input, String where) {
            DmarTable strict = null;
            AcpiTableProblem strictProblem = null;
            DmarParser.Result lenient = null;
            AcpiTableProblem lenientProblem = null;
            String context = where + ", input " + TestTables.hex(input);
            try {
                strict = DmarParser.parse(input);
            } catch (DmarParseException e) {
                strictProblem = e.problem();
            } catch (RuntimeException | Error e) {
                fail("strict parse threw " + e + "; " + context, e);
            }
            try {
                lenient = DmarParser.parseLenient(input);
            } catch (DmarParseException e) {
                lenientProblem = e.problem();
            } catch (RuntimeException | Error e) {
                fail("lenient parse threw " + e + "; " + context, e);
            }
            if (lenient == null) {
                assertEquals(strictProblem, lenientProblem, "lenient gives up only where strict does; " + context);
            } else if (strict != null) {
                assertEquals(strict, lenient.table(), context);
                assertTrue(lenient.warnings().stream().allMatch(w -> w.field().endsWith(".Reserved")),
                        lenient.warnings() + "; " + context);
            } else {
                AcpiTableProblem firstReal = lenient.warnings().stream()
                        .filter(w -> !w.field().endsWith(".Reserved")).findFirst().orElse(null);
                assertEquals(strictProblem, firstReal, "strict's problem is lenient's first; " + context);
            }
            return new Outcome(strict, strictProblem, lenient, lenientProblem);
        }
    }

    /** Table offset where the rich table's structure {@code index} ends. */
    private static int endOf(int index) {
        int off = DmarLayout.STRUCTURES;
        for (int i = 0; i <= index; i++) {
            off += (RICH[off + DmarLayout.STRUCT_LENGTH] & 0xff) | (RICH[off + DmarLayout.STRUCT_LENGTH + 1] & 0xff) << 8;
        }
        return off;
    }

    private static byte[] flip(byte[] table, int bit) {
        byte[] t = table.clone();
        t[bit / Byte.SIZE] ^= (byte) (1 << (bit % Byte.SIZE));
        return t;
    }

    /** A few random byte changes, then maybe a truncation or extension, then usually a repaired header. */
    private static byte[] mutate(byte[] table, SplittableRandom rnd) {
        byte[] t = table.clone();
        int changes = 1 + rnd.nextInt(4);
        for (int i = 0; i < changes; i++) {
            int at = DmarLayout.STRUCTURES + rnd.nextInt(t.length - DmarLayout.STRUCTURES);
            t[at] = (byte) switch (rnd.nextInt(4)) {
                case 0 -> 0;
                case 1 -> 0xff;
                case 2 -> t[at] ^ (1 << rnd.nextInt(Byte.SIZE));
                default -> rnd.nextInt(256);
            };
        }
        int resize = rnd.nextInt(8);
        if (resize == 0) {
            t = Arrays.copyOf(t, DmarLayout.STRUCTURES + rnd.nextInt(t.length - DmarLayout.STRUCTURES));
        } else if (resize == 1) {
            t = Arrays.copyOf(t, t.length + 1 + rnd.nextInt(16));
        }
        if (rnd.nextInt(4) != 0) {
            t = TestTables.fixChecksum(TestTables.withU32(t, AcpiHeaderLayout.LENGTH, t.length));
        }
        return t;
    }
}
