package org.jdma.kernel.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
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
 * Hand-builds DMAR tables byte by byte for tests, independently of any production writer: each
 * structure is laid out from the layout constants and the arguments, lengths are counted here,
 * and {@link Builder#build()} fills in Table Length and the checksum. Malformed tables come from
 * {@link Builder#raw}, {@link Builder#structureWithLength} and the {@code with*} byte patchers.
 */
final class TestTables {
    private TestTables() { }

    static Builder dmar() {
        return new Builder();
    }

    /**
     * A device scope entry: the fields it is built from, so a test can state the model it expects.
     * {@code lengthOverride} (-1 = computed) writes a lying Entry Length; {@code raw} (null unless
     * made by {@link #raw}) replaces the whole entry with the given bytes.
     */
    record Scope(int type, int flags, int enumerationId, int startBus, int[] devFn, int lengthOverride, byte[] raw) {

        static Scope of(int type, int flags, int enumerationId, int startBus, int... devFn) {
            if (devFn.length % 2 != 0) {
                throw new IllegalArgumentException("device/function pairs expected");
            }
            return new Scope(type, flags, enumerationId, startBus, devFn.clone(), -1, null);
        }

        /** Bytes written where a scope goes, verbatim (for scopes too short to describe). */
        static Scope raw(int... bytes) {
            byte[] b = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                b[i] = (byte) bytes[i];
            }
            return new Scope(-1, 0, 0, 0, new int[0], -1, b);
        }

        static Scope endpoint(int bus, int... devFn) {
            return of(DeviceScopeLayout.TYPE_PCI_ENDPOINT, 0, 0, bus, devFn);
        }

        static Scope bridge(int bus, int... devFn) {
            return of(DeviceScopeLayout.TYPE_PCI_SUBHIERARCHY, 0, 0, bus, devFn);
        }

        static Scope ioapic(int id, int bus, int device, int function) {
            return of(DeviceScopeLayout.TYPE_IOAPIC, 0, id, bus, device, function);
        }

        static Scope hpet(int id, int bus, int device, int function) {
            return of(DeviceScopeLayout.TYPE_HPET, 0, id, bus, device, function);
        }

        static Scope namespace(int acpiDevice, int bus, int device, int function) {
            return of(DeviceScopeLayout.TYPE_ACPI_NAMESPACE, 0, acpiDevice, bus, device, function);
        }

        Scope withLength(int length) {
            return new Scope(type, flags, enumerationId, startBus, devFn, length, raw);
        }

        int length() {
            return raw != null ? raw.length : DeviceScopeLayout.PATH + devFn.length;
        }

        byte[] bytes() {
            if (raw != null) {
                return raw.clone();
            }
            byte[] b = new byte[length()];
            b[DeviceScopeLayout.TYPE] = (byte) type;
            b[DeviceScopeLayout.LENGTH] = (byte) (lengthOverride >= 0 ? lengthOverride : length());
            b[DeviceScopeLayout.FLAGS] = (byte) flags;
            b[DeviceScopeLayout.ENUMERATION_ID] = (byte) enumerationId;
            b[DeviceScopeLayout.START_BUS] = (byte) startBus;
            for (int i = 0; i < devFn.length; i++) {
                b[DeviceScopeLayout.PATH + i] = (byte) devFn[i];
            }
            return b;
        }

        /** The model the parser should produce for this scope. */
        DeviceScope expected() {
            List<PciPathEntry> path = new ArrayList<>();
            for (int i = 0; i < devFn.length; i += 2) {
                path.add(new PciPathEntry(devFn[i], devFn[i + 1]));
            }
            return new DeviceScope(type, flags, enumerationId, startBus, path);
        }
    }

    static List<DeviceScope> expected(Scope... scopes) {
        return Arrays.stream(scopes).map(Scope::expected).toList();
    }

    /** A DMAR table under construction: header fields, then structures in the order added. */
    static final class Builder {
        private String signature = DmarLayout.SIGNATURE;
        private int revision = 1;
        private String oemId = "JDMA  ";
        private String oemTableId = "JDMATEST";
        private long oemRevision = 1;
        private String creatorId = "JDMA";
        private long creatorRevision = 1;
        private int hostAddressWidth = 0x26;
        private int flags = DmarLayout.FLAG_INTR_REMAP;
        private final byte[] reserved = new byte[DmarLayout.RESERVED_SIZE];
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final List<Integer> structureOffsets = new ArrayList<>();

        Builder signature(String s) {
            signature = s;
            return this;
        }

        Builder revision(int r) {
            revision = r;
            return this;
        }

        Builder oem(String id, String tableId, long rev) {
            oemId = id;
            oemTableId = tableId;
            oemRevision = rev;
            return this;
        }

        Builder creator(String id, long rev) {
            creatorId = id;
            creatorRevision = rev;
            return this;
        }

        Builder hostAddressWidth(int haw) {
            hostAddressWidth = haw;
            return this;
        }

        Builder flags(int f) {
            flags = f;
            return this;
        }

        Builder reservedByte(int index, int value) {
            reserved[index] = (byte) value;
            return this;
        }

        Builder drhd(int flags, int segment, long registerBase, Scope... scopes) {
            return drhd(flags, 0, segment, registerBase, scopes);
        }

        Builder drhd(int flags, int size, int segment, long registerBase, Scope... scopes) {
            byte[] s = fixed(DmarLayout.TYPE_DRHD, DrhdLayout.SCOPES, scopes);
            s[DrhdLayout.FLAGS] = (byte) flags;
            s[DrhdLayout.SIZE_FIELD] = (byte) size;
            put(s, DrhdLayout.SEGMENT, segment, Short.BYTES);
            put(s, DrhdLayout.REGISTER_BASE, registerBase, Long.BYTES);
            return add(s);
        }

        Builder rmrr(int segment, long base, long limit, Scope... scopes) {
            byte[] s = fixed(DmarLayout.TYPE_RMRR, RmrrLayout.SCOPES, scopes);
            put(s, RmrrLayout.SEGMENT, segment, Short.BYTES);
            put(s, RmrrLayout.BASE, base, Long.BYTES);
            put(s, RmrrLayout.LIMIT, limit, Long.BYTES);
            return add(s);
        }

        Builder atsr(int flags, int segment, Scope... scopes) {
            byte[] s = fixed(DmarLayout.TYPE_ATSR, AtsrLayout.SCOPES, scopes);
            s[AtsrLayout.FLAGS] = (byte) flags;
            put(s, AtsrLayout.SEGMENT, segment, Short.BYTES);
            return add(s);
        }

        Builder rhsa(long registerBase, long proximityDomain) {
            byte[] s = fixed(DmarLayout.TYPE_RHSA, RhsaLayout.LENGTH);
            put(s, RhsaLayout.REGISTER_BASE, registerBase, Long.BYTES);
            put(s, RhsaLayout.PROXIMITY_DOMAIN, proximityDomain, Integer.BYTES);
            return add(s);
        }

        /** An ANDD exactly as long as its name and NUL. */
        Builder andd(int deviceNumber, String name) {
            return andd(deviceNumber, name, 0);
        }

        /** An ANDD with {@code padding} zero bytes after the name's NUL (real firmware pads). */
        Builder andd(int deviceNumber, String name, int padding) {
            byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
            byte[] s = fixed(DmarLayout.TYPE_ANDD, AnddLayout.OBJECT_NAME + n.length + 1 + padding);
            s[AnddLayout.DEVICE_NUMBER] = (byte) deviceNumber;
            System.arraycopy(n, 0, s, AnddLayout.OBJECT_NAME, n.length);
            return add(s);
        }

        Builder satc(int flags, int segment, Scope... scopes) {
            byte[] s = fixed(DmarLayout.TYPE_SATC, SatcLayout.SCOPES, scopes);
            s[SatcLayout.FLAGS] = (byte) flags;
            put(s, SatcLayout.SEGMENT, segment, Short.BYTES);
            return add(s);
        }

        Builder sidp(int segment, Scope... scopes) {
            byte[] s = fixed(DmarLayout.TYPE_SIDP, SidpLayout.SCOPES, scopes);
            put(s, SidpLayout.SEGMENT, segment, Short.BYTES);
            return add(s);
        }

        /** A structure of any type: its header (Length = 4 + body) and the body bytes. */
        Builder structure(int type, int... body) {
            return structureWithLength(type, DmarLayout.STRUCT_HEADER_SIZE + body.length, body);
        }

        /** A structure header with a Length of the caller's choosing, then the body bytes. */
        Builder structureWithLength(int type, int length, int... body) {
            byte[] s = new byte[DmarLayout.STRUCT_HEADER_SIZE + body.length];
            put(s, DmarLayout.STRUCT_TYPE, type, Short.BYTES);
            put(s, DmarLayout.STRUCT_LENGTH, length, Short.BYTES);
            for (int i = 0; i < body.length; i++) {
                s[DmarLayout.STRUCT_HEADER_SIZE + i] = (byte) body[i];
            }
            return add(s);
        }

        /** Bytes appended verbatim (not counted as a structure). */
        Builder raw(int... bytes) {
            for (int b : bytes) {
                body.write(b);
            }
            return this;
        }

        /** Table offset where the next structure will start. */
        int offset() {
            return DmarLayout.STRUCTURES + body.size();
        }

        /** Table offset of the {@code index}-th structure added. */
        int offsetOf(int index) {
            return structureOffsets.get(index);
        }

        /** The table with Table Length = its size and a correct checksum. */
        byte[] build() {
            return buildWithLength(DmarLayout.STRUCTURES + body.size());
        }

        /** The table with the given Table Length (true or not) and a checksum over all its bytes. */
        byte[] buildWithLength(long tableLength) {
            byte[] t = new byte[DmarLayout.STRUCTURES + body.size()];
            text(t, AcpiHeaderLayout.SIGNATURE, signature, AcpiHeaderLayout.SIGNATURE_SIZE);
            put(t, AcpiHeaderLayout.LENGTH, tableLength, Integer.BYTES);
            t[AcpiHeaderLayout.REVISION] = (byte) revision;
            text(t, AcpiHeaderLayout.OEM_ID, oemId, AcpiHeaderLayout.OEM_ID_SIZE);
            text(t, AcpiHeaderLayout.OEM_TABLE_ID, oemTableId, AcpiHeaderLayout.OEM_TABLE_ID_SIZE);
            put(t, AcpiHeaderLayout.OEM_REVISION, oemRevision, Integer.BYTES);
            text(t, AcpiHeaderLayout.CREATOR_ID, creatorId, AcpiHeaderLayout.CREATOR_ID_SIZE);
            put(t, AcpiHeaderLayout.CREATOR_REVISION, creatorRevision, Integer.BYTES);
            t[DmarLayout.HOST_ADDRESS_WIDTH] = (byte) hostAddressWidth;
            t[DmarLayout.FLAGS] = (byte) flags;
            System.arraycopy(reserved, 0, t, DmarLayout.RESERVED, reserved.length);
            byte[] structures = body.toByteArray();
            System.arraycopy(structures, 0, t, DmarLayout.STRUCTURES, structures.length);
            return fixChecksum(t);
        }

        /** The header this builder writes, for a table of {@code length} bytes with checksum {@code checksum}. */
        AcpiTableHeader expectedHeader(long length, int checksum) {
            return new AcpiTableHeader(signature, length, revision, checksum, oemId, oemTableId, oemRevision,
                    creatorId, creatorRevision);
        }

        private byte[] fixed(int type, int fixedLength, Scope... scopes) {
            int length = fixedLength;
            for (Scope sc : scopes) {
                length += sc.length();
            }
            byte[] s = new byte[length];
            put(s, DmarLayout.STRUCT_TYPE, type, Short.BYTES);
            put(s, DmarLayout.STRUCT_LENGTH, length, Short.BYTES);
            int at = fixedLength;
            for (Scope sc : scopes) {
                byte[] b = sc.bytes();
                System.arraycopy(b, 0, s, at, b.length);
                at += b.length;
            }
            return s;
        }

        private Builder add(byte[] structure) {
            structureOffsets.add(offset());
            body.writeBytes(structure);
            return this;
        }
    }

    // ---- byte patchers: each returns a patched copy --------------------------------------------

    static byte[] withU8(byte[] table, int offset, int value) {
        return with(table, offset, value, Byte.BYTES);
    }

    static byte[] withU16(byte[] table, int offset, int value) {
        return with(table, offset, value, Short.BYTES);
    }

    static byte[] withU32(byte[] table, int offset, long value) {
        return with(table, offset, value, Integer.BYTES);
    }

    static byte[] withU64(byte[] table, int offset, long value) {
        return with(table, offset, value, Long.BYTES);
    }

    /** A copy whose checksum byte makes all its bytes sum to zero. */
    static byte[] fixChecksum(byte[] table) {
        return fixChecksum(table, table.length);
    }

    /** A copy whose checksum byte makes its first {@code length} bytes sum to zero. */
    static byte[] fixChecksum(byte[] table, int length) {
        byte[] t = table.clone();
        t[AcpiHeaderLayout.CHECKSUM] = 0;
        int sum = 0;
        for (int i = 0; i < length; i++) {
            sum += t[i];
        }
        t[AcpiHeaderLayout.CHECKSUM] = (byte) -sum;
        return t;
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static byte[] with(byte[] table, int offset, long value, int size) {
        byte[] t = table.clone();
        put(t, offset, value, size);
        return t;
    }

    private static void put(byte[] b, int offset, long value, int size) {
        for (int i = 0; i < size; i++) {
            b[offset + i] = (byte) (value >>> (Byte.SIZE * i));
        }
    }

    private static void text(byte[] b, int offset, String s, int size) {
        byte[] chars = s.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(chars, 0, b, offset, Math.min(size, chars.length));
    }
}
