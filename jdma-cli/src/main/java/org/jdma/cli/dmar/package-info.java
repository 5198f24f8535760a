/**
 * {@code jdma dmar}'s output: a DMAR table's bytes printed the way ACPICA's disassembler prints
 * them ({@link org.jdma.cli.dmar.IaslDmarFormat}), the kernel's parsed model as JSON
 * ({@link org.jdma.cli.dmar.DmarJson}), and where the bytes come from
 * ({@link org.jdma.cli.dmar.DmarInput}: a file, the running system's firmware, the default
 * machine's firmware).
 *
 * <p>Models: the text of {@code iasl -d} (ACPICA 20200925, Debian's acpica-tools) for every DMAR
 * structure it knows, and newer ACPICA's text for SATC and SIDP. Does not model: parsing or
 * validating a table — that is the kernel's {@code DmarParser}, which the command runs first —
 * nor any other ACPI table.
 *
 * <p>Invariant: the disassembly never reads outside the byte array and never throws, whatever
 * the bytes; for a valid table of structure types 0-4 its text after the banner is identical to
 * iasl 20200925's.
 */
package org.jdma.cli.dmar;
