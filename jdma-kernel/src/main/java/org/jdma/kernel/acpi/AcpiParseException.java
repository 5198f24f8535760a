package org.jdma.kernel.acpi;

/**
 * What the kernel's ACPI table parsers throw: one {@link AcpiTableProblem}, naming the byte offset
 * and the field. Each parser throws only its own subclass ({@link DmarParseException},
 * {@link McfgParseException}), so a caller of one parser catches exactly that one. Retrying with
 * the same bytes fails the same way; lenient parsing may still read the table.
 */
public abstract sealed class AcpiParseException extends Exception permits DmarParseException, McfgParseException {
    private static final long serialVersionUID = 1L;

    private final transient AcpiTableProblem problem;

    AcpiParseException(AcpiTableProblem problem) {
        super(problem.toString());
        this.problem = problem;
    }

    public AcpiTableProblem problem() {
        return problem;
    }

    public int offset() {
        return problem.offset();
    }

    public String field() {
        return problem.field();
    }
}
