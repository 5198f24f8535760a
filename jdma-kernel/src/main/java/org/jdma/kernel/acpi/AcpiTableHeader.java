package org.jdma.kernel.acpi;

/**
 * The 36-byte header every ACPI system description table starts with (ACPI 6.5 §5.2.6, Table 5.4
 * "DESCRIPTION_HEADER Fields"). iasl calls the creator fields "Asl Compiler ID/Revision".
 *
 * @param signature       4 ASCII characters ("DMAR")
 * @param length          whole table length in bytes, header included (u32)
 * @param revision        table revision (u8)
 * @param checksum        the byte that makes the whole table sum to zero mod 256 (u8)
 * @param oemId           6 characters
 * @param oemTableId      8 characters
 * @param oemRevision     u32
 * @param creatorId       4 characters
 * @param creatorRevision u32
 */
public record AcpiTableHeader(String signature, long length, int revision, int checksum, String oemId,
                              String oemTableId, long oemRevision, String creatorId, long creatorRevision) {
}
