package org.jdma.machine.firmware.acpi;

import org.jdma.spec.acpi.AcpiHeaderLayout;

/**
 * The identifying fields of an ACPI table header (ACPI 6.5 §5.2.6, Table 5.4) that firmware
 * chooses; Signature, Length and Checksum follow from the table itself.
 *
 * <p>Strings are written one byte per character (ISO-8859-1, so NULs and any byte a real table
 * holds can be expressed). One shorter than its field is padded with spaces here, as firmware
 * does ("INTEL "), so the record holds exactly the bytes a table will carry.
 *
 * @param revision        table revision, u8
 * @param oemId           up to 6 characters
 * @param oemTableId      up to 8 characters
 * @param oemRevision     u32
 * @param creatorId       up to 4 characters (iasl: "Asl Compiler ID")
 * @param creatorRevision u32
 */
public record AcpiTableIds(int revision, String oemId, String oemTableId, long oemRevision, String creatorId,
                           long creatorRevision) {

    /** The machine's own firmware signs its tables so. */
    public static final String JDMA_OEM_ID = "JDMA";
    public static final String JDMA_CREATOR_ID = "JDMA";

    public AcpiTableIds {
        if (revision < 0 || revision > 0xFF) {
            throw new IllegalArgumentException("ACPI table revision must be a u8, was " + revision);
        }
        oemId = padded("OEM ID", oemId, AcpiHeaderLayout.OEM_ID_SIZE);
        oemTableId = padded("OEM Table ID", oemTableId, AcpiHeaderLayout.OEM_TABLE_ID_SIZE);
        creatorId = padded("Creator ID", creatorId, AcpiHeaderLayout.CREATOR_ID_SIZE);
        if (oemRevision < 0 || oemRevision > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(String.format("OEM Revision must be a u32, was %#x", oemRevision));
        }
        if (creatorRevision < 0 || creatorRevision > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(String.format("Creator Revision must be a u32, was %#x", creatorRevision));
        }
    }

    /** The machine firmware's ids for a table: OEM "JDMA", creator "JDMA", revisions 1. */
    public static AcpiTableIds jdma(int revision, String oemTableId) {
        return new AcpiTableIds(revision, JDMA_OEM_ID, oemTableId, 1, JDMA_CREATOR_ID, 1);
    }

    private static String padded(String field, String value, int size) {
        if (value.length() > size) {
            throw new IllegalArgumentException(String.format("%s \"%s\" has %d characters; the field holds %d",
                    field, value, value.length(), size));
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 0xFF) {
                throw new IllegalArgumentException(String.format("%s \"%s\": character %d (U+%04X) is not one byte",
                        field, value, i, (int) value.charAt(i)));
            }
        }
        return value + " ".repeat(size - value.length());
    }
}
