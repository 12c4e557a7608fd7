package dlc.frontend.parse;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Ast;

import java.util.List;

/**
 * What {@link SourceParser#parse} gives: the program (partial when there were syntax errors,
 * never null) and the syntax diagnostics in source order.
 *
 * @param text the source, kept for rendering the diagnostics with their lines
 */
public record ParseResult(String file, String text, Ast.Program program, List<Diagnostic> diagnostics) {
    public ParseResult {
        diagnostics = List.copyOf(diagnostics);
    }

    /** True when the file has no syntax errors. */
    public boolean ok() { return diagnostics.stream().noneMatch(Diagnostic::isError); }

    /** Every diagnostic rendered with its source line and caret, in order. */
    public String render() {
        String[] lines = text.split("\r?\n", -1);
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : diagnostics) {
            sb.append(d.render((f, line) -> f.equals(file) && line >= 1 && line <= lines.length ? lines[line - 1] : null));
        }
        return sb.toString();
    }
}
