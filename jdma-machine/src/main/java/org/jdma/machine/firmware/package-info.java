/**
 * What the machine's firmware tells the OS: the physical memory map (as an E820/UEFI memory map
 * would) and ACPI tables (the DMAR, in {@link org.jdma.machine.firmware.acpi}).
 *
 * <p>Invariant: the published map describes exactly the machine's RAM regions, less the reserved
 * memory regions the DMAR reports (RMRRs), which appear as RESERVED; an OS that allocates only
 * from RAM entries never touches MMIO, holes, or memory a device may use behind its back.
 */
package org.jdma.machine.firmware;
