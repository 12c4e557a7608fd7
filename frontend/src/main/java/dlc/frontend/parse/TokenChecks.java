package dlc.frontend.parse;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Span;
import dlc.grammar.DlLexer;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Problems visible in the token list alone, found before parsing: characters no token starts
 * with, strings not closed on their line, and brackets that do not balance. Unknown characters
 * are moved off the parser's channel so that the parser reads on as if they were not there.
 *
 * <p>An unclosed {@code (} or {@code [} makes the lexer treat every later newline as a space, so
 * every parser error after it is a consequence; {@link #suppressParserErrorsFrom()} says where
 * the parser's errors stop being worth reporting.
 */
final class TokenChecks {
    /** Deeper nesting is refused before parsing: the parser recurses once per level. */
    static final int MAX_NESTING = 256;

    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private boolean tooDeep;
    private int suppressFrom = Integer.MAX_VALUE;
    private boolean unclosedBrace;
    private Set<Token> unterminated = Set.of();

    /** Reports on {@code tokens} (EOF last), and hides unknown characters from the parser. */
    TokenChecks(List<Token> tokens, Set<Token> unterminatedStrings, SpanFactory spans) {
        checkCharacters(tokens, spans);
        for (Token t : unterminatedStrings) {
            diagnostics.add(Diagnostic.error(spans.of(t), "unterminated string",
                    "close the string with '\"' on the same line; write a line break inside a string as \\n"));
        }
        this.unterminated = unterminatedStrings;
        checkBrackets(tokens, spans);
    }

    List<Diagnostic> diagnostics() { return diagnostics; }

    /** Whether brackets nest deeper than {@link #MAX_NESTING}: the file is not parsed then. */
    boolean tooDeep() { return tooDeep; }

    /** Index of the first token after which parser errors are consequences of an unclosed ( or [. */
    int suppressParserErrorsFrom() { return suppressFrom; }

    /** Whether a { is never closed, so that an error at the end of the file is its consequence. */
    boolean unclosedBrace() { return unclosedBrace; }

    private void checkCharacters(List<Token> tokens, SpanFactory spans) {
        int line = -1;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.getType() != DlLexer.ERRCHAR) continue;
            StringBuilder chars = new StringBuilder(t.getText());
            ((CommonToken) t).setChannel(Token.HIDDEN_CHANNEL);
            Token last = t;
            // adjacent unknown characters (&&, ||) are one problem
            while (i + 1 < tokens.size() && tokens.get(i + 1).getType() == DlLexer.ERRCHAR
                    && tokens.get(i + 1).getStartIndex() == last.getStopIndex() + 1) {
                last = tokens.get(++i);
                ((CommonToken) last).setChannel(Token.HIDDEN_CHANNEL);
                chars.append(last.getText());
            }
            Span span = spans.between(t, last);
            if (line == t.getLine()) continue; // one unknown-character error per line ('text' has two quotes)
            line = t.getLine();
            String shown = printable(chars.toString());
            String what = chars.codePointCount(0, chars.length()) == 1 ? "unexpected character " : "unexpected characters ";
            diagnostics.add(Diagnostic.error(span, what + shown, hintFor(chars.toString())));
        }
    }

    private static String printable(String s) {
        String quote = s.contains("'") ? "\"" : "'";
        StringBuilder sb = new StringBuilder(quote);
        s.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || Character.isWhitespace(c) && c != ' ') sb.append(String.format("\\u%04x", c));
            else sb.appendCodePoint(c);
        });
        return sb.append(quote).toString();
    }

    private static String hintFor(String chars) {
        return switch (chars) {
            case "&&", "&" -> "write 'and' for logical and";
            case "||", "|" -> "write 'or' for logical or";
            case "!" -> "write 'not' for logical negation; '!=' compares";
            case "'" -> "strings use double quotes: \"text\"";
            case "\\" -> "a backslash continues a line only as the last character of the line";
            case "^" -> "write '**' for powers";
            default -> null;
        };
    }

    private void checkBrackets(List<Token> tokens, SpanFactory spans) {
        Deque<Token> open = new ArrayDeque<>();
        Set<Token> blamed = new HashSet<>();
        for (Token t : tokens) {
            switch (t.getType()) {
                case DlLexer.LPAREN, DlLexer.LBRACK, DlLexer.LBRACE -> {
                    open.addLast(t);
                    if (open.size() == MAX_NESTING + 1) {
                        tooDeep = true;
                        diagnostics.add(Diagnostic.error(spans.of(t), "brackets nested more than " + MAX_NESTING + " deep",
                                "split the expression into several statements"));
                    }
                }
                case DlLexer.RPAREN, DlLexer.RBRACK, DlLexer.RBRACE -> {
                    char want = openerOf(t.getText().charAt(0));
                    if (!open.isEmpty() && open.peekLast().getText().charAt(0) == want) {
                        open.removeLast();
                    } else if (opens(open, want)) {
                        // closes an outer bracket: the inner ones were never closed
                        while (open.peekLast().getText().charAt(0) != want) unclosed(open.removeLast(), blamed, spans);
                        open.removeLast();
                    } else if (open.isEmpty() || blamed.contains(open.peekLast()) || !roundOrSquare(open.peekLast()) || !roundOrSquare(t)) {
                        diagnostics.add(Diagnostic.error(spans.of(t), "unexpected '" + t.getText() + "'",
                                "no '" + want + "' is open here; remove it or add the missing '" + want + "'"));
                    } else {
                        // a wrong closer: the lexer leaves the opener open, so blame it here, once
                        Token o = open.peekLast();
                        blamed.add(o);
                        diagnostics.add(Diagnostic.error(spans.of(t), "'" + t.getText() + "' does not close '" + o.getText()
                                + "' opened at " + where(o), "close '" + o.getText() + "' with '" + closerOf(o.getText().charAt(0)) + "' first"));
                    }
                }
                default -> { }
            }
        }
        for (Token o : open) unclosed(o, blamed, spans);
    }

    private void unclosed(Token o, Set<Token> blamed, SpanFactory spans) {
        if (o.getText().equals("{")) unclosedBrace = true;
        else suppressFrom = Math.min(suppressFrom, o.getTokenIndex());
        if (blamed.contains(o) || closerSwallowedByString(o)) return;
        diagnostics.add(Diagnostic.error(spans.of(o), "'" + o.getText() + "' opened at " + where(o) + " is never closed",
                "add the matching '" + closerOf(o.getText().charAt(0)) + "'"));
    }

    /** An unterminated string after the opener on its line has likely swallowed its closer ("train)). */
    private boolean closerSwallowedByString(Token o) {
        for (Token s : unterminated) if (s.getLine() == o.getLine() && s.getStartIndex() > o.getStartIndex()) return true;
        return false;
    }

    private static boolean roundOrSquare(Token t) {
        char c = t.getText().charAt(0);
        return c != '{' && c != '}';
    }

    private static boolean opens(Deque<Token> open, char want) {
        for (Token o : open) if (o.getText().charAt(0) == want) return true;
        return false;
    }

    private static String where(Token t) {
        return t.getLine() + ":" + (t.getCharPositionInLine() + 1);
    }

    private static char openerOf(char close) {
        return close == ')' ? '(' : close == ']' ? '[' : '{';
    }

    private static char closerOf(char open) {
        return open == '(' ? ')' : open == '[' ? ']' : '}';
    }
}
