package dlc.frontend.ast;

import dlc.ir.SourceLoc;

/** Where a syntax node is: file, 1-based line and column, and its length in characters on that line. */
public record Span(String file, int line, int col, int length) {
    public static final Span NONE = new Span("<none>", 0, 0, 0);

    public SourceLoc loc() { return new SourceLoc(file, line, col); }

    @Override public String toString() { return file + ":" + line + ":" + col; }
}
