package org.jdma.kernel.acpi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdma.kernel.acpi.RemappingStructure.Andd;
import org.jdma.kernel.acpi.RemappingStructure.Atsr;
import org.jdma.kernel.acpi.RemappingStructure.Drhd;
import org.jdma.kernel.acpi.RemappingStructure.Rhsa;
import org.jdma.kernel.acpi.RemappingStructure.Rmrr;
import org.jdma.kernel.acpi.RemappingStructure.Satc;
import org.jdma.kernel.acpi.RemappingStructure.Sidp;
import org.jdma.kernel.acpi.RemappingStructure.Unknown;
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

/**
 * Reads a DMAR table (Intel VT-d Architecture Specification rev. 4.1, chapter 8; ACPI 6.5 §5.2.6
 * for the header) from its bytes, in one of two modes.
 *
 * <h2>Strict: {@link #parse(byte[])}</h2>
 * Returns the table only if it is well formed, else throws {@link DmarParseException} naming the
 * first problem. It rejects:
 * <ul>
 * <li>a null array, fewer than 4 bytes, or a signature other than "DMAR";</li>
 * <li>fewer than 48 bytes (the ACPI header plus DMAR's Host Address Width, Flags and Reserved);</li>
 * <li>a Table Length that disagrees with the array's length, in either direction (the message
 *     says whether the table is truncated or followed by extra bytes);</li>
 * <li>a checksum that does not make the table's bytes sum to zero (the message gives the checksum
 *     byte found and the one expected);</li>
 * <li>fewer than 4 bytes left for a remapping structure header; a structure whose Length is
 *     below its type's minimum (DRHD 16, RMRR 24, ATSR/SATC/SIDP 8, RHSA 20, ANDD 9, unknown 4)
 *     or runs past the table's end; an RHSA whose Length is not exactly 20;</li>
 * <li>a device scope with Entry Length below 6, running past its structure, leaving fewer than 6
 *     bytes for a scope at the end of its structure, or with an odd number of path bytes;</li>
 * <li>a DRHD Register Base Address that is not 4 KiB aligned; an RMRR whose Base Address is not
 *     4 KiB aligned, whose End Address (limit) + 1 is not 4 KiB aligned, or whose base is above
 *     its limit;</li>
 * <li>an ANDD Device Name with no terminating NUL inside the structure.</li>
 * </ul>
 * Not errors, in either mode: structures of unknown type (7 and up; kept as
 * {@link RemappingStructure.Unknown} with their raw bytes), device scopes of unknown type (kept
 * with their raw type code), and padding after an ANDD name's NUL.
 *
 * <h2>Lenient: {@link #parseLenient(byte[])}</h2>
 * Records every problem above as a warning and keeps everything that can still be read:
 * <ul>
 * <li>bad checksum: warn and read on;</li>
 * <li>Table Length larger than the array: read the bytes there are; smaller (but at least 48):
 *     read up to Table Length and ignore the rest; below 48: read the whole array;</li>
 * <li>a structure running past the table (or too short for its header): keep the structures
 *     before it and stop; a structure shorter than its minimum but inside the table: skip it and
 *     go on with the next;</li>
 * <li>a device scope that is too short or runs past its structure: keep the scopes before it
 *     (and the structure); an odd path byte is ignored;</li>
 * <li>misaligned addresses, RMRR base above limit, RHSA longer than 20 bytes, unterminated ANDD
 *     name: keep the structure as read (the name runs to the structure's end).</li>
 * </ul>
 * Lenient mode also warns about non-zero Reserved fields (DMAR header, every structure, device
 * scopes). Strict mode does not reject those: real firmware sets them, and later spec revisions
 * give reserved bytes meaning (DRHD byte 5 became Size, device scope byte 2 became Flags), so a
 * strict error would refuse tables that newer readers accept.
 *
 * <p>Lenient mode still throws {@link DmarParseException} when not even the header can be read:
 * a null array, a missing or wrong signature, or fewer than 48 bytes.
 *
 * <h2>The one-exception contract</h2>
 * For any byte array, both methods return normally or throw {@link DmarParseException}; nothing
 * else escapes. Lengths are read unsigned; every read is bounds-checked against the table end
 * before it happens; no allocation is sized by a length field beyond the bytes actually present.
 * Every problem names a byte offset from the table's start and a field as "STRUCTURE.Field" with
 * iasl's field names ("Header.Checksum", "DRHD.Register Base Address", "Device Scope.Entry Length").
 *
 * <p>Strings (OEM ID, OEM Table ID, Asl Compiler ID, ANDD Device Name) are decoded one byte per
 * char (ISO-8859-1), so every byte, NUL padding included, survives a parse.
 */
public final class DmarParser {

    /** A leniently parsed table and the problems found in it, in table order. */
    public record Result(DmarTable table, List<DmarProblem> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

    private DmarParser() { }

    /**
     * Parses a well-formed DMAR table.
     *
     * @param table the table's bytes, exactly Table Length of them (may be null: that is rejected)
     * @throws DmarParseException the first problem found, with its offset and field
     */
    public static DmarTable parse(byte[] table) throws DmarParseException {
        return new Reader(table, true).read();
    }

    /**
     * Parses whatever can be read of a DMAR table, collecting problems as warnings.
     *
     * @param table the table's bytes (may be null: that is rejected)
     * @throws DmarParseException only when the header cannot be read: null, fewer than 48 bytes,
     *                            or a signature other than "DMAR"
     */
    public static Result parseLenient(byte[] table) throws DmarParseException {
        Reader reader = new Reader(table, false);
        DmarTable parsed = reader.read();
        return new Result(parsed, reader.warnings);
    }

    // Structure names as problems print them: the VT-d acronyms, "Subtable" for unknown types.
    private static final String HEADER = "Header";
    private static final String DMAR = "DMAR";
    private static final String SUBTABLE = "Subtable";
    private static final String DRHD = "DRHD";
    private static final String RMRR = "RMRR";
    private static final String ATSR = "ATSR";
    private static final String RHSA = "RHSA";
    private static final String ANDD = "ANDD";
    private static final String SATC = "SATC";
    private static final String SIDP = "SIDP";
    private static final String SCOPE = "Device Scope";

    private static final int BYTE_MASK = 0xFF;
    private static final long U32_MASK = 0xFFFF_FFFFL;

    /** One parse: the bytes, the mode, and (lenient) the warnings so far. */
    private static final class Reader {
        private final byte[] bytes;
        private final boolean strict;
        private final List<DmarProblem> warnings = new ArrayList<>();

        Reader(byte[] bytes, boolean strict) {
            this.bytes = bytes;
            this.strict = strict;
        }

        DmarTable read() throws DmarParseException {
            if (bytes == null) {
                throw fatal(0, field(HEADER, "Signature"), "no table: the byte array is null");
            }
            checkSignature();
            if (bytes.length < DmarLayout.STRUCTURES) {
                throw fatal(bytes.length, fieldAt(bytes.length), String.format(
                        "table ends after %d bytes, inside its fixed part: a DMAR table has at least %d",
                        bytes.length, DmarLayout.STRUCTURES));
            }
            AcpiTableHeader header = header();
            int end = tableEnd(header.length());
            checkChecksum(end, header.checksum());
            reserved(DmarLayout.RESERVED, DmarLayout.RESERVED_SIZE, field(DMAR, "Reserved"));
            List<RemappingStructure> structures = structures(end);
            return new DmarTable(header, u8(DmarLayout.HOST_ADDRESS_WIDTH), u8(DmarLayout.FLAGS), structures);
        }

        // ---- header -------------------------------------------------------------------------

        private void checkSignature() throws DmarParseException {
            String wanted = DmarLayout.SIGNATURE;
            if (bytes.length < AcpiHeaderLayout.SIGNATURE_SIZE) {
                throw fatal(AcpiHeaderLayout.SIGNATURE, field(HEADER, "Signature"), String.format(
                        "table is %d bytes, too short for the %d-byte signature", bytes.length,
                        AcpiHeaderLayout.SIGNATURE_SIZE));
            }
            String found = string(AcpiHeaderLayout.SIGNATURE, AcpiHeaderLayout.SIGNATURE_SIZE);
            if (!found.equals(wanted)) {
                throw fatal(AcpiHeaderLayout.SIGNATURE, field(HEADER, "Signature"),
                        "signature is \"" + printable(found) + "\", not \"" + wanted + "\"");
            }
        }

        private AcpiTableHeader header() {
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

        /** Where the table ends: Table Length when it agrees with the array (lenient: see class doc). */
        private int tableEnd(long declared) throws DmarParseException {
            int have = bytes.length;
            if (declared == have) {
                return have;
            }
            String f = field(HEADER, "Table Length");
            if (declared < DmarLayout.STRUCTURES) {
                problem(AcpiHeaderLayout.LENGTH, f, String.format(
                        "Table Length 0x%x is below the %d bytes of DMAR's fixed part (the array holds 0x%x)",
                        declared, DmarLayout.STRUCTURES, have));
                return have;
            }
            if (declared > have) {
                problem(AcpiHeaderLayout.LENGTH, f, String.format(
                        "Table Length 0x%x but the array holds only 0x%x bytes: table truncated by 0x%x",
                        declared, have, declared - have));
                return have;
            }
            problem(AcpiHeaderLayout.LENGTH, f, String.format(
                    "Table Length 0x%x but the array holds 0x%x bytes: 0x%x extra bytes follow the table",
                    declared, have, have - declared));
            return (int) declared;
        }

        private void checkChecksum(int end, int stored) throws DmarParseException {
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

        // ---- remapping structures -----------------------------------------------------------

        private List<RemappingStructure> structures(int end) throws DmarParseException {
            List<RemappingStructure> out = new ArrayList<>();
            int off = DmarLayout.STRUCTURES;
            while (off < end) {
                int left = end - off;
                if (left < DmarLayout.STRUCT_HEADER_SIZE) {
                    problem(off, field(SUBTABLE, left < DmarLayout.STRUCT_LENGTH ? "Subtable Type" : "Length"),
                            String.format("%d byte(s) left at the end of the table, too few for a remapping "
                                    + "structure header (%d)", left, DmarLayout.STRUCT_HEADER_SIZE));
                    break;
                }
                int type = u16(off + DmarLayout.STRUCT_TYPE);
                int length = u16(off + DmarLayout.STRUCT_LENGTH);
                String name = structureName(type);
                int min = minimumLength(type);
                if (length < min) {
                    problem(off + DmarLayout.STRUCT_LENGTH, field(name, "Length"), String.format(
                            "%s at 0x%x has Length %d, below the minimum %d for its type %d",
                            name, off, length, min, type));
                    if (length < DmarLayout.STRUCT_HEADER_SIZE || length > left) {
                        break; // no way to step over it to the next structure
                    }
                    off += length;
                    continue;
                }
                if (length > left) {
                    problem(off + DmarLayout.STRUCT_LENGTH, field(name, "Length"), String.format(
                            "%s at 0x%x has Length %d and runs past the table's end 0x%x by %d",
                            name, off, length, end, length - left));
                    break;
                }
                out.add(structure(type, off, length));
                off += length;
            }
            return out;
        }

        private RemappingStructure structure(int type, int off, int length) throws DmarParseException {
            int end = off + length;
            return switch (type) {
                case DmarLayout.TYPE_DRHD -> drhd(off, end);
                case DmarLayout.TYPE_RMRR -> rmrr(off, end);
                case DmarLayout.TYPE_ATSR -> atsr(off, end);
                case DmarLayout.TYPE_RHSA -> rhsa(off, length);
                case DmarLayout.TYPE_ANDD -> andd(off, end);
                case DmarLayout.TYPE_SATC -> satc(off, end);
                case DmarLayout.TYPE_SIDP -> sidp(off, end);
                default -> new Unknown(type, new RawBytes(Arrays.copyOfRange(bytes, off, end)));
            };
        }

        private Drhd drhd(int off, int end) throws DmarParseException {
            long base = u64(off + DrhdLayout.REGISTER_BASE);
            if (Long.remainderUnsigned(base, DrhdLayout.REGISTER_BASE_ALIGN) != 0) {
                problem(off + DrhdLayout.REGISTER_BASE, field(DRHD, "Register Base Address"), String.format(
                        "0x%x is not %d-byte aligned", base, DrhdLayout.REGISTER_BASE_ALIGN));
            }
            return new Drhd(u8(off + DrhdLayout.FLAGS), u8(off + DrhdLayout.SIZE_FIELD),
                    u16(off + DrhdLayout.SEGMENT), base, scopes(DRHD, off, off + DrhdLayout.SCOPES, end));
        }

        private Rmrr rmrr(int off, int end) throws DmarParseException {
            reserved(off + RmrrLayout.RESERVED, Short.BYTES, field(RMRR, "Reserved"));
            long base = u64(off + RmrrLayout.BASE);
            long limit = u64(off + RmrrLayout.LIMIT);
            if (Long.remainderUnsigned(base, RmrrLayout.ALIGN) != 0) {
                problem(off + RmrrLayout.BASE, field(RMRR, "Base Address"), String.format(
                        "0x%x is not %d-byte aligned", base, RmrrLayout.ALIGN));
            }
            // limit + 1 wraps to 0 for a region ending at the top of the address space: aligned.
            if (Long.remainderUnsigned(limit + 1, RmrrLayout.ALIGN) != 0) {
                problem(off + RmrrLayout.LIMIT, field(RMRR, "End Address (limit)"), String.format(
                        "0x%x + 1 is not %d-byte aligned (the limit is inclusive)", limit, RmrrLayout.ALIGN));
            }
            if (Long.compareUnsigned(base, limit) > 0) {
                problem(off + RmrrLayout.LIMIT, field(RMRR, "End Address (limit)"), String.format(
                        "0x%x is below the Base Address 0x%x", limit, base));
            }
            return new Rmrr(u16(off + RmrrLayout.SEGMENT), base, limit,
                    scopes(RMRR, off, off + RmrrLayout.SCOPES, end));
        }

        private Atsr atsr(int off, int end) throws DmarParseException {
            reserved(off + AtsrLayout.RESERVED, Byte.BYTES, field(ATSR, "Reserved"));
            return new Atsr(u8(off + AtsrLayout.FLAGS), u16(off + AtsrLayout.SEGMENT),
                    scopes(ATSR, off, off + AtsrLayout.SCOPES, end));
        }

        private Rhsa rhsa(int off, int length) throws DmarParseException {
            if (length != RhsaLayout.LENGTH) {
                // Shorter was rejected as below the minimum; longer is read as its first 20 bytes.
                problem(off + DmarLayout.STRUCT_LENGTH, field(RHSA, "Length"), String.format(
                        "RHSA at 0x%x has Length %d; an RHSA is exactly %d bytes", off, length, RhsaLayout.LENGTH));
            }
            reserved(off + RhsaLayout.RESERVED, Integer.BYTES, field(RHSA, "Reserved"));
            return new Rhsa(u64(off + RhsaLayout.REGISTER_BASE), u32(off + RhsaLayout.PROXIMITY_DOMAIN));
        }

        private Andd andd(int off, int end) throws DmarParseException {
            reserved(off + AnddLayout.RESERVED, AnddLayout.RESERVED_SIZE, field(ANDD, "Reserved"));
            int nameStart = off + AnddLayout.OBJECT_NAME;
            int nameEnd = nameStart;
            while (nameEnd < end && bytes[nameEnd] != 0) {
                nameEnd++;
            }
            if (nameEnd == end) {
                problem(nameStart, field(ANDD, "Device Name"), String.format(
                        "no terminating NUL within the ANDD at 0x%x (it ends at 0x%x)", off, end));
            }
            return new Andd(u8(off + AnddLayout.DEVICE_NUMBER), string(nameStart, nameEnd - nameStart));
        }

        private Satc satc(int off, int end) throws DmarParseException {
            reserved(off + SatcLayout.RESERVED, Byte.BYTES, field(SATC, "Reserved"));
            return new Satc(u8(off + SatcLayout.FLAGS), u16(off + SatcLayout.SEGMENT),
                    scopes(SATC, off, off + SatcLayout.SCOPES, end));
        }

        private Sidp sidp(int off, int end) throws DmarParseException {
            reserved(off + SidpLayout.RESERVED, Short.BYTES, field(SIDP, "Reserved"));
            return new Sidp(u16(off + SidpLayout.SEGMENT), scopes(SIDP, off, off + SidpLayout.SCOPES, end));
        }

        // ---- device scopes ------------------------------------------------------------------

        /** The device scopes in [from, end) of the structure {@code owner} that starts at {@code ownerAt}. */
        private List<DeviceScope> scopes(String owner, int ownerAt, int from, int end) throws DmarParseException {
            List<DeviceScope> out = new ArrayList<>();
            String lengthField = field(SCOPE, "Entry Length");
            int p = from;
            while (p < end) {
                int left = end - p;
                if (left <= DeviceScopeLayout.LENGTH) {
                    problem(p, lengthField, String.format(
                            "%d byte(s) left at the end of the %s at 0x%x, too few for a device scope (at least %d)",
                            left, owner, ownerAt, DeviceScopeLayout.MIN_LENGTH));
                    break;
                }
                int length = u8(p + DeviceScopeLayout.LENGTH);
                if (length < DeviceScopeLayout.MIN_LENGTH) {
                    problem(p + DeviceScopeLayout.LENGTH, lengthField, String.format(
                            "device scope at 0x%x in the %s at 0x%x has Entry Length %d, below the minimum %d",
                            p, owner, ownerAt, length, DeviceScopeLayout.MIN_LENGTH));
                    break;
                }
                if (length > left) {
                    problem(p + DeviceScopeLayout.LENGTH, lengthField, String.format(
                            "device scope at 0x%x has Entry Length %d and runs past the end of its %s "
                                    + "(at 0x%x, ending at 0x%x) by %d", p, length, owner, ownerAt, end, length - left));
                    break;
                }
                int pathBytes = length - DeviceScopeLayout.PATH;
                if (pathBytes % DeviceScopeLayout.PATH_ENTRY_SIZE != 0) {
                    problem(p + DeviceScopeLayout.LENGTH, lengthField, String.format(
                            "device scope at 0x%x has Entry Length %d: its %d path bytes are not whole "
                                    + "(device, function) pairs", p, length, pathBytes));
                }
                reserved(p + DeviceScopeLayout.RESERVED, Byte.BYTES, field(SCOPE, "Reserved"));
                int hops = pathBytes / DeviceScopeLayout.PATH_ENTRY_SIZE;
                List<PciPathEntry> path = new ArrayList<>(hops);
                for (int i = 0; i < hops; i++) {
                    int at = p + DeviceScopeLayout.PATH + i * DeviceScopeLayout.PATH_ENTRY_SIZE;
                    path.add(new PciPathEntry(u8(at), u8(at + 1)));
                }
                out.add(new DeviceScope(u8(p + DeviceScopeLayout.TYPE), u8(p + DeviceScopeLayout.FLAGS),
                        u8(p + DeviceScopeLayout.ENUMERATION_ID), u8(p + DeviceScopeLayout.START_BUS), path));
                p += length;
            }
            return out;
        }

        // ---- problems -----------------------------------------------------------------------

        /** A problem strict mode rejects and lenient mode records. */
        private void problem(int offset, String field, String message) throws DmarParseException {
            DmarProblem problem = new DmarProblem(offset, field, message);
            if (strict) {
                throw new DmarParseException(problem);
            }
            warnings.add(problem);
        }

        /** Reserved bytes that are not zero: a warning in lenient mode, ignored in strict mode. */
        private void reserved(int offset, int size, String field) {
            if (strict) {
                return;
            }
            for (int i = 0; i < size; i++) {
                if (bytes[offset + i] != 0) {
                    warnings.add(new DmarProblem(offset, field, String.format(
                            "reserved, should be zero: %s", hex(offset, size))));
                    return;
                }
            }
        }

        private static DmarParseException fatal(int offset, String field, String message) {
            return new DmarParseException(new DmarProblem(offset, field, message));
        }

        // ---- little-endian reads (callers have checked the bounds) --------------------------

        private int u8(int off) {
            return bytes[off] & BYTE_MASK;
        }

        private int u16(int off) {
            return u8(off) | u8(off + 1) << Byte.SIZE;
        }

        private long u32(int off) {
            return (u16(off) | (long) u16(off + 2) << Short.SIZE) & U32_MASK;
        }

        private long u64(int off) {
            return u32(off) | u32(off + Integer.BYTES) << Integer.SIZE;
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

    // ---- names -----------------------------------------------------------------------------

    private static String field(String structure, String field) {
        return structure + "." + field;
    }

    private static String structureName(int type) {
        return switch (type) {
            case DmarLayout.TYPE_DRHD -> DRHD;
            case DmarLayout.TYPE_RMRR -> RMRR;
            case DmarLayout.TYPE_ATSR -> ATSR;
            case DmarLayout.TYPE_RHSA -> RHSA;
            case DmarLayout.TYPE_ANDD -> ANDD;
            case DmarLayout.TYPE_SATC -> SATC;
            case DmarLayout.TYPE_SIDP -> SIDP;
            default -> SUBTABLE;
        };
    }

    private static int minimumLength(int type) {
        return switch (type) {
            case DmarLayout.TYPE_DRHD -> DrhdLayout.MIN_LENGTH;
            case DmarLayout.TYPE_RMRR -> RmrrLayout.MIN_LENGTH;
            case DmarLayout.TYPE_ATSR -> AtsrLayout.MIN_LENGTH;
            case DmarLayout.TYPE_RHSA -> RhsaLayout.LENGTH;
            case DmarLayout.TYPE_ANDD -> AnddLayout.MIN_LENGTH;
            case DmarLayout.TYPE_SATC -> SatcLayout.MIN_LENGTH;
            case DmarLayout.TYPE_SIDP -> SidpLayout.MIN_LENGTH;
            default -> DmarLayout.STRUCT_HEADER_SIZE;
        };
    }

    /** The field of DMAR's fixed 48-byte part that contains {@code offset} (offset >= 4). */
    private static String fieldAt(int offset) {
        if (offset < AcpiHeaderLayout.REVISION) {
            return field(HEADER, "Table Length");
        } else if (offset < AcpiHeaderLayout.CHECKSUM) {
            return field(HEADER, "Revision");
        } else if (offset < AcpiHeaderLayout.OEM_ID) {
            return field(HEADER, "Checksum");
        } else if (offset < AcpiHeaderLayout.OEM_TABLE_ID) {
            return field(HEADER, "Oem ID");
        } else if (offset < AcpiHeaderLayout.OEM_REVISION) {
            return field(HEADER, "Oem Table ID");
        } else if (offset < AcpiHeaderLayout.CREATOR_ID) {
            return field(HEADER, "Oem Revision");
        } else if (offset < AcpiHeaderLayout.CREATOR_REVISION) {
            return field(HEADER, "Asl Compiler ID");
        } else if (offset < AcpiHeaderLayout.SIZE) {
            return field(HEADER, "Asl Compiler Revision");
        } else if (offset < DmarLayout.FLAGS) {
            return field(DMAR, "Host Address Width");
        } else if (offset < DmarLayout.RESERVED) {
            return field(DMAR, "Flags");
        }
        return field(DMAR, "Reserved");
    }

    /** A signature for a message: non-printable bytes as \xNN. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\x%02x", (int) c));
            }
        }
        return out.toString();
    }
}
