/**
 * ACPI tables as the kernel reads them: the DMA Remapping Reporting table (DMAR), Intel VT-d
 * Architecture Specification §8 ("BIOS Considerations"), and the ACPI system description table
 * header it starts with (ACPI 6.5 §5.2.6).
 *
 * <p>Models: every DMAR structure — DRHD, RMRR, ATSR, RHSA, ANDD, SATC, SIDP — with all device
 * scope types and every path entry; structures of unknown type are kept as raw bytes. Does not
 * model: finding the table through RSDP/XSDT (the platform hands the kernel the table's bytes).
 *
 * <p>{@link org.jdma.kernel.acpi.DmarParser} reads the bytes strictly (first problem rejected) or
 * leniently (problems collected as warnings, everything still readable kept); every problem names
 * its byte offset and field. {@link org.jdma.kernel.acpi.DmarDeviceLookup} answers which DRHD
 * translates a PCI function's DMA and which RMRRs it needs, walking device scopes through the
 * bridges the platform enumerates.
 *
 * <p>Invariant: parsing any byte array returns a table or throws {@link DmarParseException};
 * nothing else escapes, and no length field drives an allocation larger than the input.
 */
package org.jdma.kernel.acpi;
