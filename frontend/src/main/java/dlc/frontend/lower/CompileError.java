package dlc.frontend.lower;

import dlc.frontend.Diagnostic;

/**
 * A user error found while evaluating; caught at the nearest statement boundary, which reports
 * the diagnostic and carries on. {@link #poisoned()} errors carry no diagnostic: they come from
 * using the result of an earlier failed statement, already reported.
 */
public final class CompileError extends RuntimeException {
    private final transient Diagnostic diagnostic;

    CompileError(Diagnostic diagnostic) {
        super(diagnostic == null ? "poisoned" : diagnostic.message(), null, false, false);
        this.diagnostic = diagnostic;
    }

    static CompileError poisoned() { return new CompileError(null); }

    /** The diagnostic to report, or null for a poisoned value. */
    public Diagnostic diagnostic() { return diagnostic; }
}
