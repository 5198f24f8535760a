package org.jdma.cli.dmar;

import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.acpi.DeviceScopeType;
import org.jdma.kernel.acpi.AcpiTableProblem;
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
 * A DMAR table's bytes as ACPICA's disassembler prints them ({@code iasl -d}, Debian's version
 * 20200925, source {@code common/dmtbdump1.c AcpiDmDumpDmar} and {@code common/dmtbinfo1.c}): one
 * line per field, {@code [HexOffset DecimalOffset ByteLength]  FieldName : FieldValue}, the same
 * field names, order, widths, blank lines and value formats, so that {@code diff} against iasl's
 * {@code .dsl} shows only the banner.
 *
 * <p>Where this output knowingly differs from iasl 20200925:
 * <ul>
 *   <li>SATC (type 5) and SIDP (type 6): that iasl prints "Unknown DMAR subtable type 0x5" and
 *       stops. They are printed here the way newer ACPICA (20251212) prints them: SATC as
 *       {@code Flags}, {@code Reserved}, {@code PCI Segment Number}; SIDP as {@code Reserved},
 *       {@code PCI Segment Number}; each followed by its device scopes. The device scopes keep the
 *       20200925 layout everywhere ({@code Reserved} is bytes 2-3 as one u16, so a VT-d 3.0+ scope
 *       flags byte shows as its low byte; newer ACPICA splits it into {@code Flags} and
 *       {@code Reserved}).</li>
 *   <li>The subtable type value is the real one: iasl 20200925 prints every type above 5 as
 *       {@code 0005}.</li>
 *   <li>Structures of types 7 and up are shown as {@code Raw Data} lines (16 bytes each) and the
 *       walk goes on; iasl stops at the first type it does not know.</li>
 *   <li>Bytes that do not form a valid table (only reached with {@code --lenient}) get a
 *       {@code ****} note saying what is wrong, and the walk never reads past the buffer. A device
 *       name's non-printable bytes are written as {@code \xNN}; iasl writes them raw.</li>
 * </ul>
 * Like iasl, this reads the bytes themselves (it shows reserved fields and exact offsets, which
 * the parsed model deliberately drops); the command checks the same bytes with the kernel's
 * parser before printing.
 */
public final class IaslDmarFormat {

    private IaslDmarFormat() { }

    /** One line of the disassembly. */
    public sealed interface Line permits Field, Blank, Note { }

    /** A field: where it is, how long, iasl's name for it, and the value as iasl prints it. */
    public record Field(int offset, int length, String name, String value) implements Line { }

    /** An empty line (iasl separates the header, each subtable and each device scope with them). */
    public record Blank() implements Line { }

    /** A line starting with {@code ****}: what iasl (or this decoder) cannot show as fields. */
    public record Note(String text) implements Line { }

    private static final Blank BLANK = new Blank();

    /** The description iasl puts after the DMAR signature. */
    public static final String TABLE_DESCRIPTION = "DMA Remapping table";

    /** ACPICA's names for the subtable types, AcpiDmDmarSubnames (SATC/SIDP from ACPICA 20251212). */
    static String subtableName(int type) {
        return switch (type) {
            case DmarLayout.TYPE_DRHD -> "Hardware Unit Definition";
            case DmarLayout.TYPE_RMRR -> "Reserved Memory Region";
            case DmarLayout.TYPE_ATSR -> "Root Port ATS Capability";
            case DmarLayout.TYPE_RHSA -> "Remapping Hardware Static Affinity";
            case DmarLayout.TYPE_ANDD -> "ACPI Namespace Device Declaration";
            case DmarLayout.TYPE_SATC -> "SoC Integrated Address Translation Cache";
            case DmarLayout.TYPE_SIDP -> "SoC Integrated Device Property";
            default -> "Unknown Subtable Type";
        };
    }

    /** ACPICA's names for device scope types, AcpiDmDmarScope. */
    static String scopeName(int type) {
        if (type == 0) {
            return "Reserved value";
        }
        return DeviceScopeType.of(type).map(DeviceScopeType::iaslName).orElse("Unknown Scope Type");
    }

    /**
     * Disassembles a DMAR table. Never throws for any input: what cannot be read becomes a
     * {@link Note}. The walk covers the first {@code Table Length} bytes, or the whole buffer when
     * that field is shorter than the fixed part or longer than the buffer.
     */
    public static List<Line> disassemble(byte[] table) {
        return new Walker(table).walk();
    }

    /**
     * The whole output: a banner shaped like iasl's (eleven lines and a blank one, so a side-by-side
     * diff lines up), the fields, the parser's warnings when there are any, and the raw table data.
     */
    public static String document(String source, byte[] table, List<AcpiTableProblem> warnings) {
        StringBuilder sb = new StringBuilder();
        sb.append("/*\n")
                .append(" * jdma dmar: a DMAR table checked by jdma's DMAR parser, printed the way\n")
                .append(" * ACPICA's disassembler (iasl -d, version 20200925) prints it; SATC and SIDP,\n")
                .append(" * which that version does not know, as newer ACPICA prints them\n")
                .append(" * \n")
                .append(" * Source: ").append(source).append('\n')
                .append(" *\n")
                .append(" * ACPI Data Table [DMAR]\n")
                .append(" *\n")
                .append(" * Format: [HexOffset DecimalOffset ByteLength]  FieldName : FieldValue\n")
                .append(" */\n\n");
        sb.append(render(disassemble(table)));
        if (!warnings.isEmpty()) {
            sb.append(String.format("**** %d problem%s found by the parser (--lenient: shown above as far as the bytes allow)\n",
                    warnings.size(), warnings.size() == 1 ? "" : "s"));
            for (AcpiTableProblem w : warnings) {
                sb.append("**** ").append(w).append('\n');
            }
            sb.append('\n');
        }
        sb.append(rawTableData(table));
        return sb.toString();
    }

    /** The lines as text, one per line, each ending in a newline. */
    public static String render(List<Line> lines) {
        StringBuilder sb = new StringBuilder();
        for (Line line : lines) {
            switch (line) {
                case Field f -> sb.append(String.format("[%03Xh %04d% 4d] %28s : %s", f.offset(), f.offset(), f.length(),
                        f.name(), f.value()));
                case Blank b -> { }
                case Note n -> sb.append("**** ").append(n.text());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** iasl's closing hex dump: {@code Raw Table Data: Length N (0xN)}, 16 bytes a line with ASCII. */
    public static String rawTableData(byte[] table) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("Raw Table Data: Length %d (0x%X)\n\n", table.length, table.length));
        for (int row = 0; row < table.length; row += 16) {
            sb.append(String.format("    %04X: ", row));
            StringBuilder ascii = new StringBuilder();
            for (int i = row; i < row + 16; i++) {
                if (i < table.length) {
                    int b = table[i] & 0xFF;
                    sb.append(String.format("%02X ", b));
                    ascii.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
                } else {
                    sb.append("   ");
                }
            }
            sb.append(" // ").append(ascii).append('\n');
        }
        return sb.toString();
    }

    /** One pass over the bytes; every read is bounds-checked against {@code limit} first. */
    private static final class Walker {
        private final byte[] b;
        private final List<Line> out = new ArrayList<>();

        Walker(byte[] bytes) {
            this.b = bytes;
        }

        List<Line> walk() {
            if (!header()) {
                return out;
            }
            out.add(BLANK);
            int end = tableEnd();
            if (!dmarFields(end)) {
                return out;
            }
            int off = DmarLayout.STRUCTURES;
            while (off < end) {
                out.add(BLANK);
                int next = subtable(off, end);
                if (next < 0) {
                    break;
                }
                off = next;
            }
            out.add(BLANK);
            return out;
        }

        /** The first Table Length bytes, or all of them when that field is implausible. */
        private int tableEnd() {
            long declared = u32(AcpiHeaderLayout.LENGTH);
            return declared >= DmarLayout.STRUCTURES && declared <= b.length ? (int) declared : b.length;
        }

        private boolean header() {
            int limit = b.length;
            if (!fits(AcpiHeaderLayout.SIGNATURE, AcpiHeaderLayout.SIGNATURE_SIZE, limit, "Signature")) {
                return false;
            }
            String sig = name(AcpiHeaderLayout.SIGNATURE, AcpiHeaderLayout.SIGNATURE_SIZE);
            String quoted = "\"" + sig + "\"";
            String sigValue = DmarLayout.SIGNATURE.equals(sig) ? quoted + "    [" + TABLE_DESCRIPTION + "]" : quoted;
            field(AcpiHeaderLayout.SIGNATURE, AcpiHeaderLayout.SIGNATURE_SIZE, "Signature", sigValue);
            if (!u32Field(AcpiHeaderLayout.LENGTH, limit, "Table Length")
                    || !u8Field(AcpiHeaderLayout.REVISION, limit, "Revision")
                    || !fits(AcpiHeaderLayout.CHECKSUM, 1, limit, "Checksum")) {
                return false;
            }
            field(AcpiHeaderLayout.CHECKSUM, 1, "Checksum", checksumValue());
            return nameField(AcpiHeaderLayout.OEM_ID, AcpiHeaderLayout.OEM_ID_SIZE, limit, "Oem ID")
                    && nameField(AcpiHeaderLayout.OEM_TABLE_ID, AcpiHeaderLayout.OEM_TABLE_ID_SIZE, limit, "Oem Table ID")
                    && u32Field(AcpiHeaderLayout.OEM_REVISION, limit, "Oem Revision")
                    && nameField(AcpiHeaderLayout.CREATOR_ID, AcpiHeaderLayout.CREATOR_ID_SIZE, limit, "Asl Compiler ID")
                    && u32Field(AcpiHeaderLayout.CREATOR_REVISION, limit, "Asl Compiler Revision");
        }

        /** iasl's AcpiDmDumpTable for ACPI_DMT_CHKSUM: the value, and what it should be when wrong. */
        private String checksumValue() {
            int actual = u8(AcpiHeaderLayout.CHECKSUM);
            long declared = u32(AcpiHeaderLayout.LENGTH);
            int covered = (int) Math.min(declared, b.length);
            int sum = 0;
            for (int i = 0; i < covered; i++) {
                if (i != AcpiHeaderLayout.CHECKSUM) {
                    sum += b[i] & 0xFF;
                }
            }
            int expected = -sum & 0xFF;
            String value = String.format("%02X", actual);
            return covered <= AcpiHeaderLayout.CHECKSUM || expected == actual
                    ? value
                    : value + String.format("     /* Incorrect checksum, should be %02X */", expected);
        }

        private boolean dmarFields(int end) {
            return u8Field(DmarLayout.HOST_ADDRESS_WIDTH, end, "Host Address Width")
                    && u8Field(DmarLayout.FLAGS, end, "Flags")
                    && bytesField(DmarLayout.RESERVED, DmarLayout.RESERVED_SIZE, end, "Reserved");
        }

        /** One remapping structure at {@code off}; returns the next one's offset, or -1 to stop. */
        private int subtable(int off, int end) {
            if (off + DmarLayout.STRUCT_HEADER_SIZE > end) {
                note(String.format("%d bytes left at offset 0x%X: too few for a subtable header (%d bytes)",
                        end - off, off, DmarLayout.STRUCT_HEADER_SIZE));
                return -1;
            }
            int type = u16(off + DmarLayout.STRUCT_TYPE);
            int length = u16(off + DmarLayout.STRUCT_LENGTH);
            field(off + DmarLayout.STRUCT_TYPE, 2, "Subtable Type", String.format("%04X [%s]", type, subtableName(type)));
            field(off + DmarLayout.STRUCT_LENGTH, 2, "Length", String.format("%04X", length));
            out.add(BLANK);
            if (length < DmarLayout.STRUCT_HEADER_SIZE) {
                note(String.format("Invalid subtable length 0x%X at offset 0x%X: the walk stops here", length, off));
                return -1;
            }
            int limit = off + length;
            if (limit > end) {
                note(String.format("Subtable at offset 0x%X (length 0x%X) runs past the end of the table (0x%X)", off, length, end));
                limit = end;
            }
            // A body cut short (a field or scope that does not fit) ends this structure only: its
            // Length still says where the next one starts, as the parser's lenient mode reads it.
            body(off, limit, type);
            return limit == off + length ? limit : -1;
        }

        /** The fields after the structure header, up to {@code limit}; false if one did not fit. */
        private boolean body(int off, int limit, int type) {
            return switch (type) {
                case DmarLayout.TYPE_DRHD -> u8Field(off + DrhdLayout.FLAGS, limit, "Flags")
                        && u8Field(off + DrhdLayout.SIZE_FIELD, limit, "Reserved")
                        && u16Field(off + DrhdLayout.SEGMENT, limit, "PCI Segment Number")
                        && u64Field(off + DrhdLayout.REGISTER_BASE, limit, "Register Base Address")
                        && scopes(off, off + DrhdLayout.SCOPES, limit);
                case DmarLayout.TYPE_RMRR -> u16Field(off + RmrrLayout.RESERVED, limit, "Reserved")
                        && u16Field(off + RmrrLayout.SEGMENT, limit, "PCI Segment Number")
                        && u64Field(off + RmrrLayout.BASE, limit, "Base Address")
                        && u64Field(off + RmrrLayout.LIMIT, limit, "End Address (limit)")
                        && scopes(off, off + RmrrLayout.SCOPES, limit);
                case DmarLayout.TYPE_ATSR -> u8Field(off + AtsrLayout.FLAGS, limit, "Flags")
                        && u8Field(off + AtsrLayout.RESERVED, limit, "Reserved")
                        && u16Field(off + AtsrLayout.SEGMENT, limit, "PCI Segment Number")
                        && scopes(off, off + AtsrLayout.SCOPES, limit);
                case DmarLayout.TYPE_RHSA -> u32Field(off + RhsaLayout.RESERVED, limit, "Reserved")
                        && u64Field(off + RhsaLayout.REGISTER_BASE, limit, "Base Address")
                        && u32Field(off + RhsaLayout.PROXIMITY_DOMAIN, limit, "Proximity Domain");
                case DmarLayout.TYPE_ANDD -> u24Field(off + AnddLayout.RESERVED, limit, "Reserved")
                        && u8Field(off + AnddLayout.DEVICE_NUMBER, limit, "Device Number")
                        && deviceName(off + AnddLayout.OBJECT_NAME, limit);
                case DmarLayout.TYPE_SATC -> u8Field(off + SatcLayout.FLAGS, limit, "Flags")
                        && u8Field(off + SatcLayout.RESERVED, limit, "Reserved")
                        && u16Field(off + SatcLayout.SEGMENT, limit, "PCI Segment Number")
                        && scopes(off, off + SatcLayout.SCOPES, limit);
                case DmarLayout.TYPE_SIDP -> u16Field(off + SidpLayout.RESERVED, limit, "Reserved")
                        && u16Field(off + SidpLayout.SEGMENT, limit, "PCI Segment Number")
                        && scopes(off, off + SidpLayout.SCOPES, limit);
                default -> rawData(off, limit, type);
            };
        }

        /** The device scopes from {@code first} to the structure's end, each with its path entries. */
        private boolean scopes(int structure, int first, int limit) {
            int at = first;
            while (at < limit) {
                out.add(BLANK);
                if (at + DeviceScopeLayout.MIN_LENGTH > limit) {
                    note(String.format("%d bytes left at offset 0x%X in the subtable at 0x%X: too few for a device scope (%d bytes)",
                            limit - at, at, structure, DeviceScopeLayout.MIN_LENGTH));
                    return false;
                }
                int type = u8(at + DeviceScopeLayout.TYPE);
                int length = u8(at + DeviceScopeLayout.LENGTH);
                field(at + DeviceScopeLayout.TYPE, 1, "Device Scope Type", String.format("%02X [%s]", type, scopeName(type)));
                field(at + DeviceScopeLayout.LENGTH, 1, "Entry Length", String.format("%02X", length));
                // iasl 20200925 shows the flags byte and the reserved byte as one u16 "Reserved".
                field(at + DeviceScopeLayout.FLAGS, 2, "Reserved", String.format("%04X", u16(at + DeviceScopeLayout.FLAGS)));
                field(at + DeviceScopeLayout.ENUMERATION_ID, 1, "Enumeration ID", String.format("%02X", u8(at + DeviceScopeLayout.ENUMERATION_ID)));
                field(at + DeviceScopeLayout.START_BUS, 1, "PCI Bus Number", String.format("%02X", u8(at + DeviceScopeLayout.START_BUS)));
                out.add(BLANK);
                if (length < DeviceScopeLayout.MIN_LENGTH) {
                    note(String.format("Invalid device scope length 0x%X at offset 0x%X: the rest of this subtable is skipped", length, at));
                    return false;
                }
                int scopeEnd = at + length;
                if (scopeEnd > limit) {
                    note(String.format("Device scope at offset 0x%X (length 0x%X) runs past its subtable (ends at 0x%X)", at, length, limit));
                    scopeEnd = limit;
                }
                int path = at + DeviceScopeLayout.PATH;
                for (; path + DeviceScopeLayout.PATH_ENTRY_SIZE <= scopeEnd; path += DeviceScopeLayout.PATH_ENTRY_SIZE) {
                    field(path, DeviceScopeLayout.PATH_ENTRY_SIZE, "PCI Path", String.format("%02X,%02X", u8(path), u8(path + 1)));
                    out.add(BLANK);
                }
                if (path < scopeEnd) {
                    note(String.format("Odd byte at offset 0x%X: a device scope's path entries are 2 bytes each", path));
                }
                if (scopeEnd < at + length) {
                    return false;
                }
                at = scopeEnd;
            }
            return true;
        }

        /** ACPI_DMT_STRING: the NUL-terminated name; its length counts the NUL, as iasl's does. */
        private boolean deviceName(int at, int limit) {
            if (!fits(at, 1, limit, "Device Name")) {
                return false;
            }
            int nul = at;
            while (nul < limit && b[nul] != 0) {
                nul++;
            }
            StringBuilder name = new StringBuilder("\"");
            for (int i = at; i < nul; i++) {
                int c = b[i] & 0xFF;
                if (c >= 0x20 && c < 0x7F) {
                    name.append((char) c);
                } else {
                    name.append(String.format("\\x%02X", c));
                }
            }
            name.append('"');
            boolean terminated = nul < limit;
            field(at, (terminated ? nul + 1 : nul) - at, "Device Name", name.toString());
            if (!terminated) {
                note(String.format("Device Name at offset 0x%X has no terminating NUL before the subtable ends (0x%X)", at, limit));
            }
            return true;
        }

        /** A structure of a type not decoded here: its body, 16 bytes a line. */
        private boolean rawData(int off, int limit, int type) {
            note(String.format("Unknown DMAR subtable type 0x%X: its bytes follow", type));
            for (int at = off + DmarLayout.STRUCT_HEADER_SIZE; at < limit; at += 16) {
                bytesField(at, Math.min(16, limit - at), limit, "Raw Data");
            }
            return true;
        }

        // --- fields -------------------------------------------------------------------------

        private boolean fits(int at, int size, int limit, String name) {
            if (at + size <= limit) {
                return true;
            }
            note(String.format("%s at offset 0x%X needs %d bytes; the %s ends at 0x%X", name, at, size,
                    limit == b.length ? "buffer" : "subtable or table", limit));
            return false;
        }

        private void field(int at, int size, String name, String value) {
            out.add(new Field(at, size, name, value));
        }

        private void note(String text) {
            out.add(new Note(text));
        }

        private boolean u8Field(int at, int limit, String name) {
            if (!fits(at, 1, limit, name)) {
                return false;
            }
            field(at, 1, name, String.format("%02X", u8(at)));
            return true;
        }

        private boolean u16Field(int at, int limit, String name) {
            if (!fits(at, 2, limit, name)) {
                return false;
            }
            field(at, 2, name, String.format("%04X", u16(at)));
            return true;
        }

        private boolean u24Field(int at, int limit, String name) {
            if (!fits(at, 3, limit, name)) {
                return false;
            }
            field(at, 3, name, String.format("%06X", u16(at) | u8(at + 2) << 16));
            return true;
        }

        private boolean u32Field(int at, int limit, String name) {
            if (!fits(at, 4, limit, name)) {
                return false;
            }
            field(at, 4, name, String.format("%08X", u32(at)));
            return true;
        }

        private boolean u64Field(int at, int limit, String name) {
            if (!fits(at, 8, limit, name)) {
                return false;
            }
            field(at, 8, name, String.format("%08X%08X", u32(at + 4), u32(at)));
            return true;
        }

        /** ACPI_DMT_BUFxx: bytes as hex pairs separated by spaces. */
        private boolean bytesField(int at, int size, int limit, String name) {
            if (!fits(at, size, limit, name)) {
                return false;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < size; i++) {
                sb.append(i == 0 ? "" : " ").append(String.format("%02X", u8(at + i)));
            }
            field(at, size, name, sb.toString());
            return true;
        }

        /** ACPI_DMT_NAME4/6/8: quoted, stops at a NUL, non-printable bytes shown as spaces (AcpiUtCheckAndRepairAscii). */
        private boolean nameField(int at, int size, int limit, String name) {
            if (!fits(at, size, limit, name)) {
                return false;
            }
            field(at, size, name, "\"" + name(at, size) + "\"");
            return true;
        }

        private String name(int at, int size) {
            StringBuilder sb = new StringBuilder();
            for (int i = at; i < at + size && b[i] != 0; i++) {
                int c = b[i] & 0xFF;
                sb.append(c >= 0x20 && c < 0x7F ? (char) c : ' ');
            }
            return sb.toString();
        }

        private int u8(int at) {
            return b[at] & 0xFF;
        }

        private int u16(int at) {
            return u8(at) | u8(at + 1) << 8;
        }

        private long u32(int at) {
            return (u16(at) | (long) u16(at + 2) << 16) & 0xFFFF_FFFFL;
        }
    }
}
