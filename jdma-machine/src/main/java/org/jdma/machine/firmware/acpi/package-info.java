/**
 * ACPI tables the machine's firmware publishes: the DMAR table, from the firmware's own
 * description of its DMA remapping ({@link org.jdma.machine.firmware.acpi.DmarDescription}),
 * which {@link org.jdma.machine.firmware.acpi.DmarTableBuilder} writes, and the MCFG table that
 * tells an OS where PCI configuration space is ({@link org.jdma.machine.firmware.acpi.McfgTableBuilder},
 * PCI Firmware Specification 3.2 §4.1.2).
 *
 * <p>The byte layouts ({@code org.jdma.spec.acpi}) are the datasheet both sides read: the
 * firmware's table builders write with them and the kernel's parsers read with them. All
 * multi-byte fields are little-endian.
 *
 * <p>Models: the DMAR table and every structure in it; the MCFG table. Does not model: the
 * RSDP/XSDT that lead an OS to a table (the platform hands tables out by signature), or any other ACPI table. The
 * description records are the firmware's, not the kernel's model: the two sides share bytes and
 * layouts, never objects.
 *
 * <p>Invariant: the builders write only tables the specification allows (each structure and scope
 * Length right, Table Length right, bytes summing to zero); it rejects any other description,
 * naming the structure and field.
 */
package org.jdma.machine.firmware.acpi;
