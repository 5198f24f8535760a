/**
 * ACPI tables the machine's firmware publishes, their byte layouts, and the firmware's own
 * description of its DMA remapping ({@link org.jdma.machine.firmware.acpi.DmarDescription}),
 * which {@link org.jdma.machine.firmware.acpi.DmarTableBuilder} writes as a DMAR table.
 *
 * <p>The layout classes here are the datasheet both sides read: the firmware's table builder
 * writes with them and the kernel's parser reads with them. Every layout cites its section of the
 * Intel VT-d Architecture Specification (rev. 4.1, chapter 8) or the ACPI specification (6.5).
 * All multi-byte fields are little-endian.
 *
 * <p>Models: the DMAR table and every structure in it. Does not model: the RSDP/XSDT that lead an
 * OS to a table (the platform hands tables out by signature), or any other ACPI table. The
 * description records are the firmware's, not the kernel's model: the two sides share bytes and
 * layouts, never objects.
 *
 * <p>Invariant: the builder writes only tables the specification allows (each structure and scope
 * Length right, Table Length right, bytes summing to zero); it rejects any other description,
 * naming the structure and field.
 */
package org.jdma.machine.firmware.acpi;
