package org.jdma.kernel.acpi;

/**
 * The one exception the MCFG parser throws, for any input: names the byte offset and the field.
 * Retrying with the same bytes fails the same way; lenient parsing may still read the table.
 */
public final class McfgParseException extends AcpiParseException {
    private static final long serialVersionUID = 1L;

    public McfgParseException(AcpiTableProblem problem) {
        super(problem);
    }
}
