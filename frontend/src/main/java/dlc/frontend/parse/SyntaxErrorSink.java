package dlc.frontend.parse;

import dlc.frontend.Diagnostic;
import org.antlr.v4.runtime.Token;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the syntax diagnostics of one file: those found in the tokens first, then the
 * parser's. A parser error is dropped when it is a consequence of something already reported
 * (another error on the same line, an error before it with no token matched in between, or
 * an unclosed bracket before it); at most
 * {@value #MAX_ERRORS} are kept.
 */
final class SyntaxErrorSink {
    static final int MAX_ERRORS = 20;

    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final int suppressFrom;
    private final boolean unclosedBrace;
    private boolean sawParserError;
    private boolean progressSinceError = true;

    SyntaxErrorSink(TokenChecks checks) {
        diagnostics.addAll(checks.diagnostics());
        this.suppressFrom = checks.suppressParserErrorsFrom();
        this.unclosedBrace = checks.unclosedBrace();
    }

    /** The parser matched a real token: a later error is a new one, not a consequence of the last. */
    void progress() { progressSinceError = true; }

    void parserError(Token offending, Diagnostic d) {
        sawParserError = true;
        boolean cascade = !progressSinceError;
        progressSinceError = false;
        if (cascade) return;
        // the end of the file after an earlier error: what is missing there is most likely a consequence
        if (offending.getType() == Token.EOF && !diagnostics.isEmpty()) return;
        if (offending.getTokenIndex() >= suppressFrom) return;
        if (unclosedBrace && offending.getType() == Token.EOF) return;
        for (Diagnostic seen : diagnostics) {
            if (seen.span().line() == d.span().line()) return;
        }
        diagnostics.add(d);
    }

    /** A parser error known to be a consequence of an earlier one: recorded, not reported. */
    void parserErrorSuppressed() {
        sawParserError = true;
        progressSinceError = false;
    }

    /** Add a diagnostic found while building the tree (always kept). */
    void other(Diagnostic d) {
        diagnostics.add(d);
    }

    /** Whether the parse tree may be incomplete: any error at all, reported or not. */
    boolean treeMayBeBroken() { return sawParserError || !diagnostics.isEmpty(); }

    /** The diagnostics in source order, cut at {@value #MAX_ERRORS} with a final note when cut. */
    List<Diagnostic> sorted() {
        List<Diagnostic> all = new ArrayList<>(diagnostics);
        all.sort(Comparator.comparingInt((Diagnostic d) -> d.span().line()).thenComparingInt(d -> d.span().col()));
        if (all.size() <= MAX_ERRORS) return all;
        Diagnostic next = all.get(MAX_ERRORS);
        List<Diagnostic> cut = new ArrayList<>(all.subList(0, MAX_ERRORS));
        cut.add(Diagnostic.error(next.span(), "too many syntax errors; " + (all.size() - MAX_ERRORS) + " more not shown",
                "fix the errors above first"));
        return cut;
    }
}
