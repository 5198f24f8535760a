package org.jdma.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jdma.kernel.acpi.DmarParseException;
import org.jdma.kernel.acpi.DmarParser;
import org.jdma.kernel.acpi.AcpiTableProblem;
import org.jdma.kernel.acpi.DmarTable;
import org.jdma.spec.acpi.AcpiHeaderLayout;
import org.jdma.spec.acpi.DmarLayout;

/**
 * The DMAR parser's one-exception contract under coverage-guided fuzzing: for any bytes,
 * {@link DmarParser#parse} and {@link DmarParser#parseLenient} return or throw
 * {@link DmarParseException}; any other exception or error escapes the target and is a finding.
 *
 * <p>Regression mode (every {@code mvn verify}) replays the files under
 * {@code src/test/resources/org/jdma/fuzz/DmarParserFuzzTestInputs/<method>/}: hand-made seeds
 * (empty, header only, the kernel tests' rich table with every structure type) and any findings.
 * Fuzzing mode, one target at a time:
 * <pre>
 * JAZZER_FUZZ=1 mvn -pl jdma-fuzz -am test -Dtest='DmarParserFuzzTest#strictParserThrowsOnlyDmarParseException' \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * The generated corpus goes to {@code jdma-fuzz/.cifuzz-corpus/} (git-ignored); a finding is
 * written into the inputs directory above, to be checked in with the fix.
 */
class DmarParserFuzzTest {

    private static final byte[] SIGNATURE = DmarLayout.SIGNATURE.getBytes(StandardCharsets.US_ASCII);

    /**
     * Strict mode on the raw input, then on the input with its signature, Table Length and
     * checksum repaired: random bytes almost never pass the header checks, and the repaired copy
     * lets the fuzzer reach the structure and device-scope code behind them.
     */
    @FuzzTest(maxDuration = "10m")
    void strictParserThrowsOnlyDmarParseException(byte[] input) {
        strict(input);
        if (input.length > AcpiHeaderLayout.CHECKSUM) {
            strict(repairHeader(input));
        }
    }

    /**
     * Lenient mode, checked against strict mode on the same bytes: lenient gives up only where
     * strict does, with the same problem; when strict succeeds lenient returns the same table;
     * otherwise strict's problem is lenient's first warning that is not about a Reserved field.
     */
    @FuzzTest(maxDuration = "10m")
    void lenientParserAgreesWithStrictAndThrowsOnlyDmarParseException(byte[] input) {
        DmarTable strict = null;
        AcpiTableProblem strictProblem = null;
        try {
            strict = DmarParser.parse(input);
        } catch (DmarParseException e) {
            strictProblem = e.problem();
        }
        DmarParser.Result lenient;
        try {
            lenient = DmarParser.parseLenient(input);
        } catch (DmarParseException e) {
            check(e.problem().equals(strictProblem), "lenient gave up with " + e.problem() + ", strict with " + strictProblem);
            return;
        }
        if (strict != null) {
            check(strict.equals(lenient.table()), "strict and lenient read different tables");
            check(lenient.warnings().stream().allMatch(DmarParserFuzzTest::isReserved),
                    "lenient warned about a table strict accepts: " + lenient.warnings());
        } else {
            AcpiTableProblem first = lenient.warnings().stream().filter(w -> !isReserved(w)).findFirst().orElse(null);
            check(Objects.equals(strictProblem, first), "strict: " + strictProblem + ", lenient: " + first);
        }
    }

    private static void strict(byte[] input) {
        try {
            DmarParser.parse(input);
        } catch (DmarParseException expected) {
            // The one exception the contract allows.
        }
    }

    private static byte[] repairHeader(byte[] input) {
        byte[] t = input.clone();
        System.arraycopy(SIGNATURE, 0, t, AcpiHeaderLayout.SIGNATURE, SIGNATURE.length);
        for (int i = 0; i < Integer.BYTES; i++) {
            t[AcpiHeaderLayout.LENGTH + i] = (byte) (t.length >>> (Byte.SIZE * i));
        }
        t[AcpiHeaderLayout.CHECKSUM] = 0;
        int sum = 0;
        for (byte b : t) {
            sum += b;
        }
        t[AcpiHeaderLayout.CHECKSUM] = (byte) -sum;
        return t;
    }

    private static boolean isReserved(AcpiTableProblem p) {
        return p.field().endsWith(".Reserved");
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
