package org.jdma.kernel.acpi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jdma.spec.acpi.AcpiHeaderLayout;

/**
 * One parse of an ACPI table's bytes, the part every table shares: the system description table
 * header (ACPI 6.5 §5.2.6, Table 5.4), its signature and checksum rules, little-endian fields
 * (ACPI 6.5 §5.2: "all numeric values ... are little-endian"), and the two ways a parser reports
 * what is wrong. In strict mode the first problem is thrown as the parser's own exception; in
 * lenient mode it is kept as a warning and the parser reads on. Non-zero reserved bytes are a
 * warning in lenient mode and nothing in strict mode: later revisions give reserved bytes meaning.
 *
 * <p>The reads do not check bounds: the table parser checks them before each read, so that a
 * problem names the field that is cut short instead of an index.
 *
 * @param <E> the parser's one exception type
 */
final class AcpiTableReader<E extends AcpiParseException> {

    /** Structure name of the header's fields in problems ("Header.Checksum"). */
    static final String HEADER = "Header";

    private static final int BYTE_MASK = 0xFF;
    private static final long U32_MASK = 0xFFFF_FFFFL;

    private final byte[] bytes;
    private final boolean strict;
    private final Function<AcpiTableProblem, E> exception;
    private final List<AcpiTableProblem> warnings = new ArrayList<>();

    /**
     * @param bytes     the table (null is reported by {@link #checkSignature})
     * @param strict    throw the first problem rather than keep it as a warning
     * @param exception makes the parser's exception from a problem
     */
    AcpiTableReader(byte[] bytes, boolean strict, Function<AcpiTableProblem, E> exception) {
        this.bytes = bytes;
        this.strict = strict;
        this.exception = exception;
    }

    /** "STRUCTURE.Field", as iasl names fields. */
    static String field(String structure, String field) {
        return structure + "." + field;
    }

    /** How many bytes the array holds (after {@link #checkSignature}, which rejects null). */
    int length() {
        return bytes.length;
    }

    /** Problems kept so far in lenient mode, in the order found. */
    List<AcpiTableProblem> warnings() {
        return warnings;
    }

    // ---- the header -----------------------------------------------------------------------------

    /**
     * Rejects, in either mode, an array that cannot be the table: null, shorter than the 4-byte
     * signature, or with another signature ({@code wrong} words that last message from the
     * signature found).
     */
    void checkSignature(String wanted, UnaryOperator<String> wrong) throws E {
        String f = field(HEADER, "Signature");
        if (bytes == null) {
            throw fatal(0, f, "no table: the byte array is null");
        }
        if (bytes.length < AcpiHeaderLayout.SIGNATURE_SIZE) {
            throw fatal(AcpiHeaderLayout.SIGNATURE, f, String.format(
                    "table is %d bytes, too short for the %d-byte signature", bytes.length,
                    AcpiHeaderLayout.SIGNATURE_SIZE));
        }
        String found = string(AcpiHeaderLayout.SIGNATURE, AcpiHeaderLayout.SIGNATURE_SIZE);
        if (!found.equals(wanted)) {
            throw fatal(AcpiHeaderLayout.SIGNATURE, f, wrong.apply(found));
        }
    }

    /** The 36-byte header; the caller has checked that the array holds it. */
    AcpiTableHeader header() {
        return new AcpiTableHeader(
                string(AcpiHeaderLayout.SIGNATURE, AcpiHeaderLayout.SIGNATURE_SIZE),
                u32(AcpiHeaderLayout.LENGTH),
                u8(AcpiHeaderLayout.REVISION),
                u8(AcpiHeaderLayout.CHECKSUM),
                string(AcpiHeaderLayout.OEM_ID, AcpiHeaderLayout.OEM_ID_SIZE),
                string(AcpiHeaderLayout.OEM_TABLE_ID, AcpiHeaderLayout.OEM_TABLE_ID_SIZE),
                u32(AcpiHeaderLayout.OEM_REVISION),
                string(AcpiHeaderLayout.CREATOR_ID, AcpiHeaderLayout.CREATOR_ID_SIZE),
                u32(AcpiHeaderLayout.CREATOR_REVISION));
    }

    /**
     * The checksum rule (ACPI 6.5 §5.2.6): the first {@code end} bytes sum to zero modulo 256. The
     * problem gives the checksum byte found ({@code stored}) and the one that would be right.
     */
    void checkChecksum(int end, int stored) throws E {
        int sum = 0;
        for (int i = 0; i < end; i++) {
            sum += bytes[i];
        }
        sum &= BYTE_MASK;
        if (sum != 0) {
            int expected = (stored - sum) & BYTE_MASK;
            problem(AcpiHeaderLayout.CHECKSUM, field(HEADER, "Checksum"), String.format(
                    "checksum byte is 0x%02x, expected 0x%02x (the table's 0x%x bytes sum to 0x%02x, not 0)",
                    stored, expected, end, sum));
        }
    }

    // ---- problems -------------------------------------------------------------------------------

    /** A problem strict mode rejects and lenient mode records. */
    void problem(int offset, String field, String message) throws E {
        AcpiTableProblem problem = new AcpiTableProblem(offset, field, message);
        if (strict) {
            throw exception.apply(problem);
        }
        warnings.add(problem);
    }

    /** A problem that ends the parse in either mode (the caller throws it). */
    E fatal(int offset, String field, String message) {
        return exception.apply(new AcpiTableProblem(offset, field, message));
    }

    /** Reserved bytes that are not zero: a warning in lenient mode, ignored in strict mode. */
    void reserved(int offset, int size, String field) {
        if (strict) {
            return;
        }
        for (int i = 0; i < size; i++) {
            if (bytes[offset + i] != 0) {
                warnings.add(new AcpiTableProblem(offset, field, "reserved, should be zero: " + hex(offset, size)));
                return;
            }
        }
    }

    // ---- little-endian reads (callers have checked the bounds) ----------------------------------

    int u8(int off) {
        return bytes[off] & BYTE_MASK;
    }

    int u16(int off) {
        return u8(off) | u8(off + 1) << Byte.SIZE;
    }

    long u32(int off) {
        return (u16(off) | (long) u16(off + 2) << Short.SIZE) & U32_MASK;
    }

    long u64(int off) {
        return u32(off) | u32(off + Integer.BYTES) << Integer.SIZE;
    }

    /** {@code length} bytes as characters, one byte per char (ISO-8859-1), so every byte survives. */
    String string(int off, int length) {
        return new String(bytes, off, length, StandardCharsets.ISO_8859_1);
    }

    /** {@code length} bytes as two-digit hex, space separated. */
    String hex(int off, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(i == 0 ? "" : " ").append(String.format("%02x", u8(off + i)));
        }
        return s.toString();
    }

    /** Whether the byte at {@code off} is NUL. */
    boolean isNul(int off) {
        return bytes[off] == 0;
    }

    /** A copy of [from, to). */
    byte[] copy(int from, int to) {
        return Arrays.copyOfRange(bytes, from, to);
    }
}
