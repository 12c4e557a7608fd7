package dlc.frontend;

import dlc.frontend.ast.Span;

import java.util.List;

/**
 * One message for the user about their program: where (a span), what (message), and how to fix
 * it (hint, may be null). Notes add context, such as the chain of inlined calls that led here.
 */
public record Diagnostic(Severity severity, Span span, String message, String hint, List<Note> notes) {
    public enum Severity { ERROR, WARNING }

    /** Extra context with its own location, printed after the main message. */
    public record Note(Span span, String message) {}

    public Diagnostic {
        notes = List.copyOf(notes);
    }

    public static Diagnostic error(Span span, String message) { return new Diagnostic(Severity.ERROR, span, message, null, List.of()); }

    public static Diagnostic error(Span span, String message, String hint) { return new Diagnostic(Severity.ERROR, span, message, hint, List.of()); }

    public Diagnostic withNote(Note n) {
        List<Note> ns = new java.util.ArrayList<>(notes);
        ns.add(n);
        return new Diagnostic(severity, span, message, hint, ns);
    }

    public boolean isError() { return severity == Severity.ERROR; }

    /**
     * The text a user sees:
     * <pre>
     * model.dl:7:12: error: matmul shapes do not match: f32[B, 784] @ f32[256, 10]
     *     logits = h @ w
     *              ^~~~~
     *   hint: the inner dims 784 and 256 must be equal
     *   note: in call to dense at model.dl:3:5
     * </pre>
     * {@code lines} looks up a source line by file and 1-based line number (null when unknown).
     */
    public String render(SourceLines lines) {
        StringBuilder sb = new StringBuilder();
        sb.append(span).append(": ").append(severity == Severity.ERROR ? "error" : "warning").append(": ").append(message).append('\n');
        String text = lines == null ? null : lines.line(span.file(), span.line());
        if (text != null && span.col() >= 1) {
            String shown = text.replace('\t', ' ');
            sb.append("    ").append(shown).append('\n');
            int col = Math.min(span.col() - 1, shown.length());
            int len = Math.max(1, Math.min(span.length(), Math.max(1, shown.length() - col)));
            sb.append("    ").append(" ".repeat(col)).append('^').append("~".repeat(len - 1)).append('\n');
        }
        if (hint != null) sb.append("  hint: ").append(hint).append('\n');
        for (Note n : notes) sb.append("  note: ").append(n.message()).append(n.span() == null || n.span() == Span.NONE ? "" : " at " + n.span()).append('\n');
        return sb.toString();
    }

    /** Source text by file name, for rendering carets. */
    @FunctionalInterface
    public interface SourceLines {
        String line(String file, int line);
    }
}
