/**
 * ACPI table byte layouts, read by the kernel's parsers and written by the machine's firmware:
 * the common table header (ACPI 6.5 §5.2.6) and the DMAR table with every remapping structure
 * and device scope (Intel VT-d Architecture Specification rev. 4.1, chapter 8). All multi-byte
 * fields are little-endian.
 *
 * <p>Invariant: no class here holds state; each is a set of named offsets, sizes and values.
 */
package org.jdma.spec.acpi;
