package dlc.frontend.lower;

import dlc.frontend.Diagnostic;

import java.util.*;

/**
 * Collects diagnostics in the order found. A def inlined at several call sites, or a model
 * lowered twice (train and eval), may find the same mistake more than once; it is reported once.
 */
final class Reporter {
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();

    void report(Diagnostic d) {
        if (seen.add(d.span() + "|" + d.message())) diagnostics.add(d);
    }

    void report(CompileError e) {
        if (e.diagnostic() != null) report(e.diagnostic());
    }

    boolean hasErrors() { return diagnostics.stream().anyMatch(Diagnostic::isError); }

    int errorCount() { return (int) diagnostics.stream().filter(Diagnostic::isError).count(); }

    List<Diagnostic> diagnostics() { return List.copyOf(diagnostics); }
}
