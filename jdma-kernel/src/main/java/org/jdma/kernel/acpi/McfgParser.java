package org.jdma.kernel.acpi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jdma.spec.acpi.AcpiHeaderLayout;
import org.jdma.spec.acpi.McfgLayout;

/**
 * Reads an MCFG table (PCI Firmware Specification 3.2 §4.1.2; ACPI 6.5 §5.2.6 for the header) from
 * its bytes, strictly or leniently, the way {@link DmarParser} reads a DMAR.
 *
 * <h2>Strict: {@link #parse(byte[])}</h2>
 * Returns the table only if it is well formed, else throws {@link McfgParseException} naming the
 * first problem: a null array or fewer than 4 bytes; a signature other than "MCFG"; fewer than 44
 * bytes (header and reserved field); a Table Length that disagrees with the array; a checksum that
 * does not make the bytes sum to zero; bytes after the reserved field that are not a whole number
 * of 16-byte allocation structures; no allocation structure at all; an allocation whose Start Bus
 * is above its End Bus, or whose Base Address is not 1 MiB aligned (each bus takes 1 MiB, PCIe
 * Base 4.0 §7.2.2).
 *
 * <h2>Lenient: {@link #parseLenient(byte[])}</h2>
 * Records each of those as a warning and keeps what can be read: the bytes there are when Table
 * Length disagrees, whole allocation structures only, and allocations with bad bus numbers or a
 * misaligned base are dropped. Non-zero reserved bytes (after the header, and in each allocation)
 * are warnings here and not errors in strict mode, as for DMAR: later revisions may give them
 * meaning. It still throws when not even the header can be read (null, short, wrong signature).
 *
 * <p>For any byte array both methods return normally or throw {@link McfgParseException}; fields
 * are named with iasl's names ("Header.Checksum", "MCFG.Base Address").
 */
public final class McfgParser {

    /** A leniently parsed table and the problems found in it, in table order. */
    public record Result(McfgTable table, List<DmarProblem> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

    private static final String HEADER = "Header";
    private static final String MCFG = "MCFG";
    private static final long MIB = 1L << 20;

    private McfgParser() { }

    /** Parses a well-formed MCFG table; throws the first problem found, with its offset and field. */
    public static McfgTable parse(byte[] table) throws McfgParseException {
        return new Reader(table, true).read();
    }

    /** Parses whatever can be read of an MCFG table, collecting problems as warnings. */
    public static Result parseLenient(byte[] table) throws McfgParseException {
        Reader r = new Reader(table, false);
        McfgTable t = r.read();
        return new Result(t, r.warnings);
    }

    private static final class Reader {
        private final byte[] bytes;
        private final boolean strict;
        private final List<DmarProblem> warnings = new ArrayList<>();

        Reader(byte[] bytes, boolean strict) {
            this.bytes = bytes;
            this.strict = strict;
        }

        McfgTable read() throws McfgParseException {
            if (bytes == null) {
                throw fatal(0, HEADER + ".Signature", "no table: the byte array is null");
            }
            if (bytes.length < AcpiHeaderLayout.SIGNATURE_SIZE
                    || !string(AcpiHeaderLayout.SIGNATURE, AcpiHeaderLayout.SIGNATURE_SIZE).equals(McfgLayout.SIGNATURE)) {
                throw fatal(AcpiHeaderLayout.SIGNATURE, HEADER + ".Signature", bytes.length < AcpiHeaderLayout.SIGNATURE_SIZE
                        ? String.format("table is %d bytes, too short for the 4-byte signature", bytes.length)
                        : "signature is not \"MCFG\"");
            }
            if (bytes.length < McfgLayout.ALLOCATIONS) {
                throw fatal(bytes.length, MCFG + ".Reserved", String.format(
                        "table ends after %d bytes, inside its fixed part: an MCFG table has at least %d", bytes.length,
                        McfgLayout.ALLOCATIONS));
            }
            AcpiTableHeader header = new AcpiTableHeader(
                    string(AcpiHeaderLayout.SIGNATURE, AcpiHeaderLayout.SIGNATURE_SIZE), u32(AcpiHeaderLayout.LENGTH),
                    u8(AcpiHeaderLayout.REVISION), u8(AcpiHeaderLayout.CHECKSUM),
                    string(AcpiHeaderLayout.OEM_ID, AcpiHeaderLayout.OEM_ID_SIZE),
                    string(AcpiHeaderLayout.OEM_TABLE_ID, AcpiHeaderLayout.OEM_TABLE_ID_SIZE), u32(AcpiHeaderLayout.OEM_REVISION),
                    string(AcpiHeaderLayout.CREATOR_ID, AcpiHeaderLayout.CREATOR_ID_SIZE), u32(AcpiHeaderLayout.CREATOR_REVISION));
            int end = tableEnd(header.length());
            checksum(end, header.checksum());
            reserved(McfgLayout.RESERVED, McfgLayout.RESERVED_SIZE, MCFG + ".Reserved");
            return new McfgTable(header, allocations(end));
        }

        private int tableEnd(long declared) throws McfgParseException {
            if (declared == bytes.length) {
                return bytes.length;
            }
            problem(AcpiHeaderLayout.LENGTH, HEADER + ".Table Length", String.format(
                    "Table Length 0x%x but the array holds 0x%x bytes", declared, bytes.length));
            return declared >= McfgLayout.ALLOCATIONS && declared < bytes.length ? (int) declared : bytes.length;
        }

        private void checksum(int end, int stored) throws McfgParseException {
            int sum = 0;
            for (int i = 0; i < end; i++) {
                sum += bytes[i];
            }
            sum &= 0xFF;
            if (sum != 0) {
                problem(AcpiHeaderLayout.CHECKSUM, HEADER + ".Checksum", String.format(
                        "checksum byte is 0x%02x, expected 0x%02x (the table's 0x%x bytes sum to 0x%02x, not 0)",
                        stored, (stored - sum) & 0xFF, end, sum));
            }
        }

        private List<McfgAllocation> allocations(int end) throws McfgParseException {
            int body = end - McfgLayout.ALLOCATIONS;
            if (body % McfgLayout.ALLOCATION_SIZE != 0) {
                problem(McfgLayout.ALLOCATIONS + body / McfgLayout.ALLOCATION_SIZE * McfgLayout.ALLOCATION_SIZE,
                        MCFG + ".Base Address", String.format("0x%x bytes follow the reserved field, not a whole number of "
                                + "%d-byte allocation structures", body, McfgLayout.ALLOCATION_SIZE));
            }
            int count = body / McfgLayout.ALLOCATION_SIZE;
            if (count == 0) {
                problem(McfgLayout.ALLOCATIONS, MCFG + ".Base Address", "the table has no allocation structure");
            }
            List<McfgAllocation> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int at = McfgLayout.ALLOCATIONS + i * McfgLayout.ALLOCATION_SIZE;
                McfgAllocation a = new McfgAllocation(u64(at + McfgLayout.BASE_ADDRESS), u16(at + McfgLayout.SEGMENT),
                        u8(at + McfgLayout.START_BUS), u8(at + McfgLayout.END_BUS));
                reserved(at + McfgLayout.ALLOCATION_RESERVED, 4, MCFG + ".Reserved");
                if (a.startBus() > a.endBus()) {
                    problem(at + McfgLayout.START_BUS, MCFG + ".Start Bus Number", String.format(
                            "allocation %d: Start Bus 0x%02x is above End Bus 0x%02x", i, a.startBus(), a.endBus()));
                } else if (a.baseAddress() % MIB != 0) {
                    problem(at + McfgLayout.BASE_ADDRESS, MCFG + ".Base Address", String.format(
                            "allocation %d: Base Address %#x is not 1 MiB aligned", i, a.baseAddress()));
                } else {
                    out.add(a);
                }
            }
            return out;
        }

        /** Non-zero reserved bytes: a warning in lenient mode, ignored in strict mode. */
        private void reserved(int offset, int size, String field) {
            for (int i = 0; i < size; i++) {
                if (bytes[offset + i] != 0) {
                    if (!strict) {
                        warnings.add(new DmarProblem(offset, field, "reserved, should be zero: " + hex(offset, size)));
                    }
                    return;
                }
            }
        }

        private void problem(int offset, String field, String message) throws McfgParseException {
            DmarProblem p = new DmarProblem(offset, field, message);
            if (strict) {
                throw new McfgParseException(p);
            }
            warnings.add(p);
        }

        private static McfgParseException fatal(int offset, String field, String message) {
            return new McfgParseException(new DmarProblem(offset, field, message));
        }

        private int u8(int off) {
            return bytes[off] & 0xFF;
        }

        private int u16(int off) {
            return u8(off) | u8(off + 1) << 8;
        }

        private long u32(int off) {
            return (u16(off) | (long) u16(off + 2) << 16) & 0xFFFF_FFFFL;
        }

        private long u64(int off) {
            return u32(off) | u32(off + 4) << 32;
        }

        private String string(int off, int length) {
            return new String(bytes, off, length, StandardCharsets.ISO_8859_1);
        }

        private String hex(int off, int length) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < length; i++) {
                s.append(i == 0 ? "" : " ").append(String.format("%02x", u8(off + i)));
            }
            return s.toString();
        }
    }
}
