package org.jdma.machine.firmware.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jdma.spec.acpi.AcpiHeaderLayout;

/**
 * What every table the firmware writes shares (ACPI 6.5 §5.2.6, Table 5.4): the system description
 * table header, little-endian, and the checksum byte that makes the whole table sum to zero modulo
 * 256. The DMAR and MCFG builders start a table here, write their own fields after the header, and
 * finish it here.
 */
final class AcpiTableWriter {

    private AcpiTableWriter() { }

    /**
     * A zeroed little-endian buffer of {@code length} bytes with the header filled in: Signature,
     * Length, the firmware's ids, and Checksum 0 until {@link #finish}.
     */
    static ByteBuffer start(String signature, int length, AcpiTableIds ids) {
        ByteBuffer t = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        ascii(t, AcpiHeaderLayout.SIGNATURE, signature);
        t.putInt(AcpiHeaderLayout.LENGTH, length);
        t.put(AcpiHeaderLayout.REVISION, (byte) ids.revision());
        ascii(t, AcpiHeaderLayout.OEM_ID, ids.oemId());
        ascii(t, AcpiHeaderLayout.OEM_TABLE_ID, ids.oemTableId());
        t.putInt(AcpiHeaderLayout.OEM_REVISION, (int) ids.oemRevision());
        ascii(t, AcpiHeaderLayout.CREATOR_ID, ids.creatorId());
        t.putInt(AcpiHeaderLayout.CREATOR_REVISION, (int) ids.creatorRevision());
        return t;
    }

    /** The table's bytes, with the Checksum byte that makes them sum to zero. */
    static byte[] finish(ByteBuffer t) {
        byte[] table = t.array();
        table[AcpiHeaderLayout.CHECKSUM] = 0;
        int sum = 0;
        for (byte b : table) {
            sum += b;
        }
        table[AcpiHeaderLayout.CHECKSUM] = (byte) -sum;
        return table;
    }

    /** {@code s} one byte per character (ISO-8859-1) at {@code offset}. */
    static void ascii(ByteBuffer b, int offset, String s) {
        for (int i = 0; i < s.length(); i++) {
            b.put(offset + i, (byte) s.charAt(i));
        }
    }
}
