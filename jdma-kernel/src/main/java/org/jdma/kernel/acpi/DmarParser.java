package org.jdma.kernel.acpi;

import static org.jdma.kernel.acpi.AcpiTableReader.HEADER;
import static org.jdma.kernel.acpi.AcpiTableReader.field;

import java.util.ArrayList;
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
    public record Result(DmarTable table, List<AcpiTableProblem> warnings) {
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
        return new Result(parsed, reader.in.warnings());
    }

    // Structure names as problems print them: the VT-d acronyms, "Subtable" for unknown types.
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

    /** One parse: the DMAR structures, read through the header, checksum and problem rules all ACPI tables share. */
    private static final class Reader {
        private final AcpiTableReader<DmarParseException> in;

        Reader(byte[] bytes, boolean strict) {
            this.in = new AcpiTableReader<>(bytes, strict, DmarParseException::new);
        }

        DmarTable read() throws DmarParseException {
            in.checkSignature(DmarLayout.SIGNATURE,
                    found -> "signature is \"" + printable(found) + "\", not \"" + DmarLayout.SIGNATURE + "\"");
            int have = in.length();
            if (have < DmarLayout.STRUCTURES) {
                throw in.fatal(have, fieldAt(have), String.format(
                        "table ends after %d bytes, inside its fixed part: a DMAR table has at least %d",
                        have, DmarLayout.STRUCTURES));
            }
            AcpiTableHeader header = in.header();
            int end = tableEnd(header.length());
            in.checkChecksum(end, header.checksum());
            in.reserved(DmarLayout.RESERVED, DmarLayout.RESERVED_SIZE, field(DMAR, "Reserved"));
            List<RemappingStructure> structures = structures(end);
            return new DmarTable(header, in.u8(DmarLayout.HOST_ADDRESS_WIDTH), in.u8(DmarLayout.FLAGS), structures);
        }

        // ---- header -------------------------------------------------------------------------

        /** Where the table ends: Table Length when it agrees with the array (lenient: see class doc). */
        private int tableEnd(long declared) throws DmarParseException {
            int have = in.length();
            if (declared == have) {
                return have;
            }
            String f = field(HEADER, "Table Length");
            if (declared < DmarLayout.STRUCTURES) {
                in.problem(AcpiHeaderLayout.LENGTH, f, String.format(
                        "Table Length 0x%x is below the %d bytes of DMAR's fixed part (the array holds 0x%x)",
                        declared, DmarLayout.STRUCTURES, have));
                return have;
            }
            if (declared > have) {
                in.problem(AcpiHeaderLayout.LENGTH, f, String.format(
                        "Table Length 0x%x but the array holds only 0x%x bytes: table truncated by 0x%x",
                        declared, have, declared - have));
                return have;
            }
            in.problem(AcpiHeaderLayout.LENGTH, f, String.format(
                    "Table Length 0x%x but the array holds 0x%x bytes: 0x%x extra bytes follow the table",
                    declared, have, have - declared));
            return (int) declared;
        }

        // ---- remapping structures -----------------------------------------------------------

        private List<RemappingStructure> structures(int end) throws DmarParseException {
            List<RemappingStructure> out = new ArrayList<>();
            int off = DmarLayout.STRUCTURES;
            while (off < end) {
                int left = end - off;
                if (left < DmarLayout.STRUCT_HEADER_SIZE) {
                    in.problem(off, field(SUBTABLE, left < DmarLayout.STRUCT_LENGTH ? "Subtable Type" : "Length"),
                            String.format("%d byte(s) left at the end of the table, too few for a remapping "
                                    + "structure header (%d)", left, DmarLayout.STRUCT_HEADER_SIZE));
                    break;
                }
                int type = in.u16(off + DmarLayout.STRUCT_TYPE);
                int length = in.u16(off + DmarLayout.STRUCT_LENGTH);
                String name = structureName(type);
                int min = minimumLength(type);
                if (length < min) {
                    in.problem(off + DmarLayout.STRUCT_LENGTH, field(name, "Length"), String.format(
                            "%s at 0x%x has Length %d, below the minimum %d for its type %d",
                            name, off, length, min, type));
                    if (length < DmarLayout.STRUCT_HEADER_SIZE || length > left) {
                        break; // no way to step over it to the next structure
                    }
                    off += length;
                    continue;
                }
                if (length > left) {
                    in.problem(off + DmarLayout.STRUCT_LENGTH, field(name, "Length"), String.format(
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
                default -> new Unknown(type, new RawBytes(in.copy(off, end)));
            };
        }

        private Drhd drhd(int off, int end) throws DmarParseException {
            long base = in.u64(off + DrhdLayout.REGISTER_BASE);
            if (Long.remainderUnsigned(base, DrhdLayout.REGISTER_BASE_ALIGN) != 0) {
                in.problem(off + DrhdLayout.REGISTER_BASE, field(DRHD, "Register Base Address"), String.format(
                        "0x%x is not %d-byte aligned", base, DrhdLayout.REGISTER_BASE_ALIGN));
            }
            return new Drhd(in.u8(off + DrhdLayout.FLAGS), in.u8(off + DrhdLayout.SIZE_FIELD),
                    in.u16(off + DrhdLayout.SEGMENT), base, scopes(DRHD, off, off + DrhdLayout.SCOPES, end));
        }

        private Rmrr rmrr(int off, int end) throws DmarParseException {
            in.reserved(off + RmrrLayout.RESERVED, Short.BYTES, field(RMRR, "Reserved"));
            long base = in.u64(off + RmrrLayout.BASE);
            long limit = in.u64(off + RmrrLayout.LIMIT);
            if (Long.remainderUnsigned(base, RmrrLayout.ALIGN) != 0) {
                in.problem(off + RmrrLayout.BASE, field(RMRR, "Base Address"), String.format(
                        "0x%x is not %d-byte aligned", base, RmrrLayout.ALIGN));
            }
            // limit + 1 wraps to 0 for a region ending at the top of the address space: aligned.
            if (Long.remainderUnsigned(limit + 1, RmrrLayout.ALIGN) != 0) {
                in.problem(off + RmrrLayout.LIMIT, field(RMRR, "End Address (limit)"), String.format(
                        "0x%x + 1 is not %d-byte aligned (the limit is inclusive)", limit, RmrrLayout.ALIGN));
            }
            if (Long.compareUnsigned(base, limit) > 0) {
                in.problem(off + RmrrLayout.LIMIT, field(RMRR, "End Address (limit)"), String.format(
                        "0x%x is below the Base Address 0x%x", limit, base));
            }
            return new Rmrr(in.u16(off + RmrrLayout.SEGMENT), base, limit,
                    scopes(RMRR, off, off + RmrrLayout.SCOPES, end));
        }

        private Atsr atsr(int off, int end) throws DmarParseException {
            in.reserved(off + AtsrLayout.RESERVED, Byte.BYTES, field(ATSR, "Reserved"));
            return new Atsr(in.u8(off + AtsrLayout.FLAGS), in.u16(off + AtsrLayout.SEGMENT),
                    scopes(ATSR, off, off + AtsrLayout.SCOPES, end));
        }

        private Rhsa rhsa(int off, int length) throws DmarParseException {
            if (length != RhsaLayout.LENGTH) {
                // Shorter was rejected as below the minimum; longer is read as its first 20 bytes.
                in.problem(off + DmarLayout.STRUCT_LENGTH, field(RHSA, "Length"), String.format(
                        "RHSA at 0x%x has Length %d; an RHSA is exactly %d bytes", off, length, RhsaLayout.LENGTH));
            }
            in.reserved(off + RhsaLayout.RESERVED, Integer.BYTES, field(RHSA, "Reserved"));
            return new Rhsa(in.u64(off + RhsaLayout.REGISTER_BASE), in.u32(off + RhsaLayout.PROXIMITY_DOMAIN));
        }

        private Andd andd(int off, int end) throws DmarParseException {
            in.reserved(off + AnddLayout.RESERVED, AnddLayout.RESERVED_SIZE, field(ANDD, "Reserved"));
            int nameStart = off + AnddLayout.OBJECT_NAME;
            int nameEnd = nameStart;
            while (nameEnd < end && !in.isNul(nameEnd)) {
                nameEnd++;
            }
            if (nameEnd == end) {
                in.problem(nameStart, field(ANDD, "Device Name"), String.format(
                        "no terminating NUL within the ANDD at 0x%x (it ends at 0x%x)", off, end));
            }
            return new Andd(in.u8(off + AnddLayout.DEVICE_NUMBER), in.string(nameStart, nameEnd - nameStart));
        }

        private Satc satc(int off, int end) throws DmarParseException {
            in.reserved(off + SatcLayout.RESERVED, Byte.BYTES, field(SATC, "Reserved"));
            return new Satc(in.u8(off + SatcLayout.FLAGS), in.u16(off + SatcLayout.SEGMENT),
                    scopes(SATC, off, off + SatcLayout.SCOPES, end));
        }

        private Sidp sidp(int off, int end) throws DmarParseException {
            in.reserved(off + SidpLayout.RESERVED, Short.BYTES, field(SIDP, "Reserved"));
            return new Sidp(in.u16(off + SidpLayout.SEGMENT), scopes(SIDP, off, off + SidpLayout.SCOPES, end));
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
                    in.problem(p, lengthField, String.format(
                            "%d byte(s) left at the end of the %s at 0x%x, too few for a device scope (at least %d)",
                            left, owner, ownerAt, DeviceScopeLayout.MIN_LENGTH));
                    break;
                }
                int length = in.u8(p + DeviceScopeLayout.LENGTH);
                if (length < DeviceScopeLayout.MIN_LENGTH) {
                    in.problem(p + DeviceScopeLayout.LENGTH, lengthField, String.format(
                            "device scope at 0x%x in the %s at 0x%x has Entry Length %d, below the minimum %d",
                            p, owner, ownerAt, length, DeviceScopeLayout.MIN_LENGTH));
                    break;
                }
                if (length > left) {
                    in.problem(p + DeviceScopeLayout.LENGTH, lengthField, String.format(
                            "device scope at 0x%x has Entry Length %d and runs past the end of its %s "
                                    + "(at 0x%x, ending at 0x%x) by %d", p, length, owner, ownerAt, end, length - left));
                    break;
                }
                int pathBytes = length - DeviceScopeLayout.PATH;
                if (pathBytes % DeviceScopeLayout.PATH_ENTRY_SIZE != 0) {
                    in.problem(p + DeviceScopeLayout.LENGTH, lengthField, String.format(
                            "device scope at 0x%x has Entry Length %d: its %d path bytes are not whole "
                                    + "(device, function) pairs", p, length, pathBytes));
                }
                in.reserved(p + DeviceScopeLayout.RESERVED, Byte.BYTES, field(SCOPE, "Reserved"));
                int hops = pathBytes / DeviceScopeLayout.PATH_ENTRY_SIZE;
                List<PciPathEntry> path = new ArrayList<>(hops);
                for (int i = 0; i < hops; i++) {
                    int at = p + DeviceScopeLayout.PATH + i * DeviceScopeLayout.PATH_ENTRY_SIZE;
                    path.add(new PciPathEntry(in.u8(at), in.u8(at + 1)));
                }
                out.add(new DeviceScope(in.u8(p + DeviceScopeLayout.TYPE), in.u8(p + DeviceScopeLayout.FLAGS),
                        in.u8(p + DeviceScopeLayout.ENUMERATION_ID), in.u8(p + DeviceScopeLayout.START_BUS), path));
                p += length;
            }
            return out;
        }
    }

    // ---- names -----------------------------------------------------------------------------

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
