/**
 * What the machine's firmware tells the OS: the physical memory map (as an E820/UEFI memory map
 * would) and, in later issues, ACPI tables such as DMAR.
 *
 * <p>Invariant: the published map describes exactly the machine's RAM regions; an OS that
 * allocates only from RAM entries never touches MMIO or holes.
 */
package org.jdma.machine.firmware;
