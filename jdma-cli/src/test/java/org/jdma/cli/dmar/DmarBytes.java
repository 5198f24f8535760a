package org.jdma.cli.dmar;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
 * Writes DMAR table bytes by hand, field by field from the layout classes, for tests. Independent
 * of the firmware's table builder on purpose: the tests compare decoders against bytes that no
 * decoder under test produced.
 */
public final class DmarBytes {
    private DmarBytes() { }

    public static final String OEM_ID = "JDMA  ";
    public static final String OEM_TABLE_ID = "JDMAMACH";
    public static final long OEM_REVISION = 7;
    public static final String CREATOR_ID = "JDMA";
    public static final long CREATOR_REVISION = 0x2026_0101L;
    public static final int REVISION = 1;

    /** A device scope: {@code path} holds device, function pairs. */
    public static byte[] scope(int type, int flags, int enumerationId, int startBus, int... path) {
        ByteBuffer b = le(DeviceScopeLayout.PATH + path.length);
        b.put(DeviceScopeLayout.TYPE, (byte) type);
        b.put(DeviceScopeLayout.LENGTH, (byte) (DeviceScopeLayout.PATH + path.length));
        b.put(DeviceScopeLayout.FLAGS, (byte) flags);
        b.put(DeviceScopeLayout.ENUMERATION_ID, (byte) enumerationId);
        b.put(DeviceScopeLayout.START_BUS, (byte) startBus);
        for (int i = 0; i < path.length; i++) {
            b.put(DeviceScopeLayout.PATH + i, (byte) path[i]);
        }
        return b.array();
    }

    public static byte[] drhd(int flags, int size, int segment, long registerBase, byte[]... scopes) {
        ByteBuffer b = structure(DmarLayout.TYPE_DRHD, DrhdLayout.SCOPES, scopes);
        b.put(DrhdLayout.FLAGS, (byte) flags);
        b.put(DrhdLayout.SIZE_FIELD, (byte) size);
        b.putShort(DrhdLayout.SEGMENT, (short) segment);
        b.putLong(DrhdLayout.REGISTER_BASE, registerBase);
        return b.array();
    }

    public static byte[] rmrr(int segment, long base, long limit, byte[]... scopes) {
        ByteBuffer b = structure(DmarLayout.TYPE_RMRR, RmrrLayout.SCOPES, scopes);
        b.putShort(RmrrLayout.SEGMENT, (short) segment);
        b.putLong(RmrrLayout.BASE, base);
        b.putLong(RmrrLayout.LIMIT, limit);
        return b.array();
    }

    public static byte[] atsr(int flags, int segment, byte[]... scopes) {
        ByteBuffer b = structure(DmarLayout.TYPE_ATSR, AtsrLayout.SCOPES, scopes);
        b.put(AtsrLayout.FLAGS, (byte) flags);
        b.putShort(AtsrLayout.SEGMENT, (short) segment);
        return b.array();
    }

    public static byte[] rhsa(long registerBase, long proximityDomain) {
        ByteBuffer b = structure(DmarLayout.TYPE_RHSA, RhsaLayout.LENGTH);
        b.putLong(RhsaLayout.REGISTER_BASE, registerBase);
        b.putInt(RhsaLayout.PROXIMITY_DOMAIN, (int) proximityDomain);
        return b.array();
    }

    /** An ANDD: the name, its NUL, then {@code padding} more zero bytes (firmware often pads). */
    public static byte[] andd(int deviceNumber, String objectName, int padding) {
        byte[] name = objectName.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = structure(DmarLayout.TYPE_ANDD, AnddLayout.OBJECT_NAME + name.length + 1 + padding);
        b.put(AnddLayout.DEVICE_NUMBER, (byte) deviceNumber);
        b.put(AnddLayout.OBJECT_NAME, name);
        return b.array();
    }

    public static byte[] satc(int flags, int segment, byte[]... scopes) {
        ByteBuffer b = structure(DmarLayout.TYPE_SATC, SatcLayout.SCOPES, scopes);
        b.put(SatcLayout.FLAGS, (byte) flags);
        b.putShort(SatcLayout.SEGMENT, (short) segment);
        return b.array();
    }

    public static byte[] sidp(int segment, byte[]... scopes) {
        ByteBuffer b = structure(DmarLayout.TYPE_SIDP, SidpLayout.SCOPES, scopes);
        b.putShort(SidpLayout.SEGMENT, (short) segment);
        return b.array();
    }

    /** A structure of any type code with the given body after its 4-byte header. */
    public static byte[] raw(int type, byte... body) {
        ByteBuffer b = structure(type, DmarLayout.STRUCT_HEADER_SIZE + body.length);
        b.put(DmarLayout.STRUCT_HEADER_SIZE, body);
        return b.array();
    }

    /** The whole table: header (length and checksum right), HAW, flags, then the structures. */
    public static byte[] table(int hostAddressWidth, int flags, byte[]... structures) {
        byte[] body = concat(structures);
        ByteBuffer b = le(DmarLayout.STRUCTURES + body.length);
        b.put(AcpiHeaderLayout.SIGNATURE, DmarLayout.SIGNATURE.getBytes(StandardCharsets.US_ASCII));
        b.putInt(AcpiHeaderLayout.LENGTH, b.capacity());
        b.put(AcpiHeaderLayout.REVISION, (byte) REVISION);
        b.put(AcpiHeaderLayout.OEM_ID, OEM_ID.getBytes(StandardCharsets.US_ASCII));
        b.put(AcpiHeaderLayout.OEM_TABLE_ID, OEM_TABLE_ID.getBytes(StandardCharsets.US_ASCII));
        b.putInt(AcpiHeaderLayout.OEM_REVISION, (int) OEM_REVISION);
        b.put(AcpiHeaderLayout.CREATOR_ID, CREATOR_ID.getBytes(StandardCharsets.US_ASCII));
        b.putInt(AcpiHeaderLayout.CREATOR_REVISION, (int) CREATOR_REVISION);
        b.put(DmarLayout.HOST_ADDRESS_WIDTH, (byte) hostAddressWidth);
        b.put(DmarLayout.FLAGS, (byte) flags);
        b.put(DmarLayout.STRUCTURES, body);
        byte[] t = b.array();
        fixChecksum(t);
        return t;
    }

    /** Sets the checksum byte so that all bytes sum to zero modulo 256. */
    public static void fixChecksum(byte[] table) {
        table[AcpiHeaderLayout.CHECKSUM] = 0;
        int sum = 0;
        for (byte x : table) {
            sum += x;
        }
        table[AcpiHeaderLayout.CHECKSUM] = (byte) -sum;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static ByteBuffer structure(int type, int fixedLength, byte[]... scopes) {
        byte[] tail = concat(scopes);
        ByteBuffer b = le(fixedLength + tail.length);
        b.putShort(DmarLayout.STRUCT_TYPE, (short) type);
        b.putShort(DmarLayout.STRUCT_LENGTH, (short) b.capacity());
        b.put(fixedLength, tail);
        return b;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
