/**
 * ACPI tables as the kernel reads them: the DMA Remapping Reporting table (DMAR), Intel VT-d
 * Architecture Specification §8 ("BIOS Considerations"); the PCI Express memory-mapped
 * configuration table (MCFG), PCI Firmware Specification 3.2 §4.1.2; and the ACPI system
 * description table header both start with (ACPI 6.5 §5.2.6).
 *
 * <p>Models: every DMAR structure — DRHD, RMRR, ATSR, RHSA, ANDD, SATC, SIDP — with all device
 * scope types and every path entry; structures of unknown type are kept as raw bytes. Every MCFG
 * allocation structure. Does not model: finding the tables through RSDP/XSDT (the platform hands
 * the kernel each table's bytes).
 *
 * <p>{@link org.jdma.kernel.acpi.DmarParser} and {@link org.jdma.kernel.acpi.McfgParser} read the
 * bytes strictly (first problem rejected) or leniently (problems collected as warnings, everything
 * still readable kept); every problem ({@link org.jdma.kernel.acpi.AcpiTableProblem}) names its
 * byte offset and field. What the two share (the header, the signature and checksum rules,
 * little-endian reads, strict-or-lenient reporting) is one package-private reader.
 * {@link org.jdma.kernel.acpi.DmarDeviceLookup} answers which DRHD translates a PCI function's DMA
 * and which RMRRs it needs, walking device scopes through the bridges the platform enumerates.
 *
 * <p>Invariant: parsing any byte array returns a table or throws that parser's one exception
 * ({@link DmarParseException}, {@link McfgParseException}); nothing else escapes, and no length
 * field drives an allocation larger than the input.
 */
package org.jdma.kernel.acpi;
