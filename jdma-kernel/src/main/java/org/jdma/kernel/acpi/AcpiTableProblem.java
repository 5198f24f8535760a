package org.jdma.kernel.acpi;

/**
 * One thing wrong with an ACPI table the kernel parses (DMAR, MCFG): where (byte offset from the
 * table start), which field (as "STRUCTURE.Field", e.g. "DRHD.Register Base Address"), and what.
 */
public record AcpiTableProblem(int offset, String field, String message) {
    @Override
    public String toString() {
        return String.format("offset 0x%x (%s): %s", offset, field, message);
    }
}
