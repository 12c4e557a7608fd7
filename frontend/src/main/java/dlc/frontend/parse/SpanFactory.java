package dlc.frontend.parse;

import dlc.frontend.ast.Span;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * Turns tokens into {@link Span}s: 1-based line and column of the first token, and the length of
 * the construct on its first line (a construct that wraps is underlined up to the end of the line).
 * Columns count code points, as ANTLR's lexer does; a tab counts as one column, matching
 * {@link dlc.frontend.Diagnostic#render}, which draws a tab as one space.
 */
final class SpanFactory {
    private final String file;
    private final int[] lineLengths;

    SpanFactory(String file, String text) {
        this.file = file;
        String[] lines = text.split("\r?\n", -1);
        this.lineLengths = new int[lines.length];
        for (int i = 0; i < lines.length; i++) lineLengths[i] = lines[i].codePointCount(0, lines[i].length());
    }

    String file() { return file; }

    /** The span of one token; an end-of-line or end-of-file token gets length 1. */
    Span of(Token t) {
        return between(t, t);
    }

    /** The span of a rule's tokens; a context that matched nothing gets its start token's span. */
    Span of(ParserRuleContext ctx) {
        return between(ctx.getStart(), ctx.getStop());
    }

    /** From the start of {@code first} to the end of {@code last}, cut at the end of first's line. */
    Span between(Token first, Token last) {
        int line = Math.max(1, first.getLine());
        int col = first.getCharPositionInLine() + 1;
        int lineLen = line <= lineLengths.length ? lineLengths[line - 1] : 0;
        int end;
        if (last == null || last.getTokenIndex() < first.getTokenIndex() && last.getTokenIndex() >= 0) {
            end = col - 1 + visibleLength(first);
        } else if (last.getLine() == line) {
            end = last.getCharPositionInLine() + visibleLength(last);
        } else {
            end = lineLen;
        }
        return new Span(file, line, col, Math.max(1, end - (col - 1)));
    }

    /** Length a token occupies on its own line (an end-of-line or end-of-file token: 1). */
    private static int visibleLength(Token t) {
        if (t.getType() == Token.EOF) return 1;
        String s = t.getText();
        if (s == null || s.isEmpty() || t.getStartIndex() < 0) return 1;
        int nl = s.indexOf('\n');
        if (nl >= 0) s = s.substring(0, nl);
        if (s.endsWith("\r")) s = s.substring(0, s.length() - 1);
        return Math.max(1, s.codePointCount(0, s.length()));
    }
}
