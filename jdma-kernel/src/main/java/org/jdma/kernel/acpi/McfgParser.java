package org.jdma.kernel.acpi;

import static org.jdma.kernel.acpi.AcpiTableReader.HEADER;

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
    public record Result(McfgTable table, List<AcpiTableProblem> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

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
        return new Result(t, r.in.warnings());
    }

    private static final class Reader {
        private final AcpiTableReader<McfgParseException> in;

        Reader(byte[] bytes, boolean strict) {
            this.in = new AcpiTableReader<>(bytes, strict, McfgParseException::new);
        }

        McfgTable read() throws McfgParseException {
            in.checkSignature(McfgLayout.SIGNATURE, found -> "signature is not \"MCFG\"");
            if (in.length() < McfgLayout.ALLOCATIONS) {
                throw in.fatal(in.length(), MCFG + ".Reserved", String.format(
                        "table ends after %d bytes, inside its fixed part: an MCFG table has at least %d", in.length(),
                        McfgLayout.ALLOCATIONS));
            }
            AcpiTableHeader header = in.header();
            int end = tableEnd(header.length());
            in.checkChecksum(end, header.checksum());
            in.reserved(McfgLayout.RESERVED, McfgLayout.RESERVED_SIZE, MCFG + ".Reserved");
            return new McfgTable(header, allocations(end));
        }

        private int tableEnd(long declared) throws McfgParseException {
            int have = in.length();
            if (declared == have) {
                return have;
            }
            in.problem(AcpiHeaderLayout.LENGTH, HEADER + ".Table Length", String.format(
                    "Table Length 0x%x but the array holds 0x%x bytes", declared, have));
            return declared >= McfgLayout.ALLOCATIONS && declared < have ? (int) declared : have;
        }

        private List<McfgAllocation> allocations(int end) throws McfgParseException {
            int body = end - McfgLayout.ALLOCATIONS;
            if (body % McfgLayout.ALLOCATION_SIZE != 0) {
                in.problem(McfgLayout.ALLOCATIONS + body / McfgLayout.ALLOCATION_SIZE * McfgLayout.ALLOCATION_SIZE,
                        MCFG + ".Base Address", String.format("0x%x bytes follow the reserved field, not a whole number of "
                                + "%d-byte allocation structures", body, McfgLayout.ALLOCATION_SIZE));
            }
            int count = body / McfgLayout.ALLOCATION_SIZE;
            if (count == 0) {
                in.problem(McfgLayout.ALLOCATIONS, MCFG + ".Base Address", "the table has no allocation structure");
            }
            List<McfgAllocation> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int at = McfgLayout.ALLOCATIONS + i * McfgLayout.ALLOCATION_SIZE;
                McfgAllocation a = new McfgAllocation(in.u64(at + McfgLayout.BASE_ADDRESS), in.u16(at + McfgLayout.SEGMENT),
                        in.u8(at + McfgLayout.START_BUS), in.u8(at + McfgLayout.END_BUS));
                in.reserved(at + McfgLayout.ALLOCATION_RESERVED, 4, MCFG + ".Reserved");
                if (a.startBus() > a.endBus()) {
                    in.problem(at + McfgLayout.START_BUS, MCFG + ".Start Bus Number", String.format(
                            "allocation %d: Start Bus 0x%02x is above End Bus 0x%02x", i, a.startBus(), a.endBus()));
                } else if (a.baseAddress() % MIB != 0) {
                    in.problem(at + McfgLayout.BASE_ADDRESS, MCFG + ".Base Address", String.format(
                            "allocation %d: Base Address %#x is not 1 MiB aligned", i, a.baseAddress()));
                } else {
                    out.add(a);
                }
            }
            return out;
        }
    }
}
