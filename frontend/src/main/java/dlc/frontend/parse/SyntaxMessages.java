package dlc.frontend.parse;

import dlc.frontend.Diagnostic;
import dlc.grammar.DlLexer;
import dlc.grammar.DlParser;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;

import java.util.Set;

/**
 * Turns a parser error (the token it stopped at, what it expected, the rule it was in) into a
 * diagnostic that names the likely mistake: a missing value after '=', '=' for '==' in a
 * condition, a keyword used as a name, or else "unexpected X; expected Y" in words.
 */
final class SyntaxMessages {
    private static final Set<String> ASSIGN_OPS = Set.of("=", "<-", "+=", "-=");
    private static final Set<Integer> ENDS = Set.of(DlLexer.NL, Token.EOF, DlLexer.RBRACE, DlLexer.RPAREN, DlLexer.RBRACK);

    private final SpanFactory spans;
    private final SyntaxErrorSink sink;

    SyntaxMessages(SpanFactory spans, SyntaxErrorSink sink) {
        this.spans = spans;
        this.sink = sink;
    }

    /**
     * Reports one parser error.
     *
     * @param expected what the parser could have accepted, or null when unknown
     * @param missing  true when ANTLR will insert the expected token and go on (one token missing)
     */
    void report(Parser p, Token offending, IntervalSet expected, ParserRuleContext ctx, boolean missing) {
        sink.parserError(offending, diagnose(p.getTokenStream(), offending, expected, ctx, missing));
    }

    /** The parser matched a token (other than an end of line) since the last error. */
    void progress() { sink.progress(); }

    /** A token at the top level that starts no declaration. */
    void reportTopLevel(Parser p, Token t) {
        // an indented stray line after an earlier error is most likely the rest of a declaration
        // that recovery left early, not a new mistake
        if (sink.treeMayBeBroken() && firstOnLine(p.getTokenStream(), t).getCharPositionInLine() > 0) {
            sink.parserErrorSuppressed();
            return;
        }
        Diagnostic d;
        boolean startsLine = previousOnLine(p.getTokenStream(), t) == null;
        if (t.getType() == DlLexer.RBRACE || t.getType() == DlLexer.RPAREN || t.getType() == DlLexer.RBRACK || !startsLine) {
            d = Diagnostic.error(spans.of(t), "unexpected " + TokenWords.describe(t) + (startsLine ? "" : "; expected a declaration"));
        } else {
            d = Diagnostic.error(spans.of(t), "unexpected " + TokenWords.describe(t) + "; expected a declaration",
                    "a file holds import, const, def, model and train declarations; statements belong inside a def or model block");
        }
        sink.parserError(t, d);
    }

    /** The parser-visible token before t on t's line, or null when t starts its line. */
    private static Token previousOnLine(TokenStream tokens, Token t) {
        Token p = previous(tokens, t);
        return p != null && p.getLine() == t.getLine() ? p : null;
    }

    private Diagnostic diagnose(TokenStream tokens, Token t, IntervalSet expected, ParserRuleContext ctx, boolean missing) {
        Token prev = previous(tokens, t);

        // x =<newline>}  or  y = a +<EOF>
        if (prev != null && isValueIntro(prev) && (ENDS.contains(t.getType()) || t.getText().equals(";"))) {
            return missingValue(prev, null);
        }
        // x =<newline>y = 2: the line after '=' was read as the value, so its '=' is unexpected
        if (ASSIGN_OPS.contains(t.getText()) || t.getText().equals(":") && t.getType() != DlLexer.STRING) {
            Token lineEnd = previous(tokens, firstOnLine(tokens, t));
            if (lineEnd != null && lineEnd.getLine() < t.getLine() && isValueIntro(lineEnd)) return missingValue(lineEnd, firstOnLine(tokens, t));
        }
        // x = input + 1   |   def f(model: int)
        if ((TokenWords.isReserved(t) || t.getType() == DlLexer.DTYPE) && expected != null && expected.contains(DlLexer.ID)
                && !expected.contains(t.getType())) {
            return keywordAsName(t);
        }
        // def f(x, output: int)   |   fn(input, y) { ... }
        Token next = tokens.LT(1) == t ? tokens.LT(2) : null;
        if ((TokenWords.isReserved(t) || t.getType() == DlLexer.DTYPE) && prev != null && (prev.getText().equals("(") || prev.getText().equals(","))
                && next != null && Set.of(":", "=", ",", ")").contains(next.getText())) {
            return keywordAsName(t);
        }
        // input = 3   |   f32, y = ...
        if (prev != null && (TokenWords.isReserved(prev) || prev.getType() == DlLexer.DTYPE) && prev.getLine() == t.getLine()
                && (ASSIGN_OPS.contains(t.getText()) || t.getText().equals(","))) {
            return keywordAsName(prev);
        }
        if (t.getText().equals("=") && t.getType() != DlLexer.STRING) {
            if (inIfCondition(ctx, t)) {
                return Diagnostic.error(spans.of(t), "unexpected '=' in a condition", "use '==' to compare values");
            }
            if (insideExpression(ctx)) {
                return Diagnostic.error(spans.of(t), "unexpected '='",
                        "'=' assigns only at the start of a statement (or names an argument); use '==' to compare values");
            }
        }
        String want = TokenWords.expectedPhrase(expected);
        if (missing && want != null) {
            return Diagnostic.error(spans.of(t), "missing " + want + " before " + TokenWords.describe(t));
        }
        String message = "unexpected " + TokenWords.describe(t) + (want == null ? "" : "; expected " + want);
        String hint = null;

        if (prev != null && prev.getLine() == t.getLine() && startsStatement(t) && expected != null && expected.contains(DlLexer.NL)) {
            hint = "put each statement on its own line, or separate them with ';'";
        }
        return Diagnostic.error(spans.of(t), message, hint);
    }

    private Diagnostic missingValue(Token op, Token readAsValue) {
        String o = op.getText();
        String what = ASSIGN_OPS.contains(o) ? "value" : "operand";
        String hint = readAsValue == null
                ? "write the " + what + " after '" + o + "'"
                : "a line that ends with '" + o + "' continues on the next one, so line " + readAsValue.getLine()
                        + " was read as the " + what + "; write the " + what + " after '" + o + "'";
        return Diagnostic.error(spans.of(op), "missing " + what + " after '" + o + "'", hint);
    }

    private Diagnostic keywordAsName(Token k) {
        String kind = k.getType() == DlLexer.DTYPE ? "a dtype" : "a keyword";
        return Diagnostic.error(spans.of(k), "'" + k.getText() + "' is " + kind + "; rename the variable",
                "'" + k.getText() + "' cannot be used as a name");
    }

    /** '=' or a binary operator: a token after which a value must come (possibly on the next line). */
    private static boolean isValueIntro(Token t) {
        return ASSIGN_OPS.contains(t.getText()) && t.getType() != DlLexer.STRING || TokenWords.isBinaryOp(t);
    }

    private static boolean startsStatement(Token t) {
        int type = t.getType();
        return type == DlLexer.ID || type == DlLexer.INT || type == DlLexer.FLOAT || type == DlLexer.STRING
                || type == DlLexer.LPAREN || TokenWords.isReserved(t);
    }

    /** The parser-visible token before t, skipping ends of lines. */
    private static Token previous(TokenStream tokens, Token t) {
        for (int i = t.getTokenIndex() - 1; i >= 0; i--) {
            Token p = tokens.get(i);
            if (p.getChannel() == Token.DEFAULT_CHANNEL && p.getType() != DlLexer.NL) return p;
        }
        return null;
    }

    /** The first parser-visible token on t's line. */
    private static Token firstOnLine(TokenStream tokens, Token t) {
        Token first = t;
        for (int i = t.getTokenIndex() - 1; i >= 0; i--) {
            Token p = tokens.get(i);
            if (p.getLine() != t.getLine()) break;
            if (p.getChannel() == Token.DEFAULT_CHANNEL && p.getType() != DlLexer.NL) first = p;
        }
        return first;
    }

    /** Whether t lies in the condition of an if: before the if's first block. */
    private static boolean inIfCondition(RuleContext ctx, Token t) {
        for (RuleContext c = ctx; c != null; c = c.parent) {
            if (c instanceof DlParser.IfExprContext ifc) {
                return ifc.block().isEmpty() || t.getTokenIndex() <= ifc.block(0).getStart().getTokenIndex();
            }
            if (c instanceof DlParser.BlockContext b && b.getParent() instanceof DlParser.IfExprContext ifc && ifc.block(0) == b
                    && (b.getStart() == t || b.getStart().getTokenIndex() >= t.getTokenIndex())) {
                return true;
            }
        }
        return false;
    }

    private static boolean insideExpression(RuleContext ctx) {
        for (RuleContext c = ctx; c != null; c = c.parent) {
            if (c instanceof DlParser.ExprContext || c instanceof DlParser.PrimaryContext || c instanceof DlParser.IndexContext) return true;
            if (c instanceof DlParser.StmtContext || c instanceof DlParser.BlockContext) return false;
        }
        return false;
    }
}
