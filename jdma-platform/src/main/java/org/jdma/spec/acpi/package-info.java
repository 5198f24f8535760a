/**
 * ACPI table byte layouts, read by the kernel's parsers and written by the machine's firmware:
 * the common table header (ACPI 6.5 §5.2.6), the DMAR table with every remapping structure
 * and device scope (Intel VT-d Architecture Specification rev. 4.1, chapter 8), and the MCFG table
 * that locates PCI Express configuration space (PCI Firmware Specification 3.2 §4.1.2). All
 * multi-byte fields are little-endian.
 *
 * <p>Invariant: no class here holds state; each is a set of named offsets, sizes and values.
 */
package org.jdma.spec.acpi;
