package org.jdma.kernel.acpi;

/**
 * The one exception the MCFG parser throws, for any input: names the byte offset and the field
 * ({@link DmarProblem} is the same triple for either table). Retrying with the same bytes fails the
 * same way; lenient parsing may still read the table.
 */
public final class McfgParseException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient DmarProblem problem;

    public McfgParseException(DmarProblem problem) {
        super(problem.toString());
        this.problem = problem;
    }

    public DmarProblem problem() {
        return problem;
    }

    public int offset() {
        return problem.offset();
    }

    public String field() {
        return problem.field();
    }
}
