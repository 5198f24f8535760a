package org.jdma.kernel.acpi;

/**
 * The one exception the DMAR parser throws, for any input: names the byte offset and the field.
 * Retrying with the same bytes fails the same way; lenient parsing may still read the table.
 */
public final class DmarParseException extends AcpiParseException {
    private static final long serialVersionUID = 1L;

    public DmarParseException(AcpiTableProblem problem) {
        super(problem);
    }
}
