package dlc.frontend.parse;

import dlc.grammar.DlLexer;
import dlc.grammar.DlParser;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Readable words for tokens and token sets in syntax errors: "end of line" rather than NL. */
final class TokenWords {
    private TokenWords() {}

    /** Words that cannot be names ('step' and 'loss' can: they are keywords only in some places). */
    static final Set<String> RESERVED = Set.of("import", "as", "const", "def", "model", "train", "input", "param", "state",
            "output", "return", "if", "else", "fn", "and", "or", "not", "true", "false", "inf");

    private static final Set<String> BINARY_OPS = Set.of("+", "-", "*", "/", "%", "@", "**", "<", "<=", ">", ">=", "==", "!=", "and", "or");

    /** Tokens that may start an expression; a set holding most of them reads "an expression". */
    private static final Set<String> EXPR_START = Set.of("-", "+", "not", "if", "fn", "true", "false", "inf", "step", "loss", "(", "[");

    /** Tokens that may continue an expression; left out of a list that has other choices. */
    private static final Set<String> CONTINUATION = Set.of("+", "-", "*", "/", "%", "@", "**", "<", "<=", ">", ">=", "==", "!=",
            "and", "or", ".", "(", "[");

    static boolean isBinaryOp(Token t) { return BINARY_OPS.contains(t.getText()) && t.getType() != DlLexer.ID; }

    static boolean isReserved(Token t) { return t.getType() != DlLexer.ID && t.getType() != DlLexer.STRING && RESERVED.contains(t.getText()); }

    /** The offending token as a user would name it: {@code ')'}, {@code name 'x'}, {@code end of line}. */
    static String describe(Token t) {
        return switch (t.getType()) {
            case Token.EOF -> "end of file";
            case DlLexer.NL -> "end of line";
            case DlLexer.ID -> "name '" + t.getText() + "'";
            case DlLexer.INT, DlLexer.FLOAT -> "number " + t.getText();
            case DlLexer.STRING -> "string " + (t.getText().length() > 20 ? t.getText().substring(0, 17) + "..." : t.getText());
            case DlLexer.DTYPE -> "dtype '" + t.getText() + "'";
            default -> "'" + t.getText() + "'";
        };
    }

    /** One expected token type as words. */
    static String expected(int type) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case DlLexer.NL -> "end of line";
            case DlLexer.ID -> "a name";
            case DlLexer.INT -> "an integer";
            case DlLexer.FLOAT -> "a number";
            case DlLexer.STRING -> "a string";
            case DlLexer.DTYPE -> "a dtype";
            default -> DlParser.VOCABULARY.getLiteralName(type) != null ? DlParser.VOCABULARY.getLiteralName(type)
                    : DlParser.VOCABULARY.getDisplayName(type);
        };
    }

    /**
     * What the parser wanted, as a short phrase ("')' or ','", "an expression"), or null when the
     * set is too broad to help. Operators are left out when anything else fits.
     */
    static String expectedPhrase(IntervalSet set) {
        if (set == null || set.isNil()) return null;
        List<Integer> types = set.toList();
        List<String> words = new ArrayList<>();
        boolean expression = types.contains(DlLexer.ID) && types.contains(DlLexer.INT) && types.contains(DlLexer.LPAREN);
        boolean continuation = false;
        if (expression) words.add("an expression");
        for (int type : types) {
            String literal = DlParser.VOCABULARY.getLiteralName(type);
            String bare = literal == null ? null : literal.substring(1, literal.length() - 1);
            if (expression && (bare != null && EXPR_START.contains(bare) || isValueToken(type))) continue;
            if (bare != null && CONTINUATION.contains(bare)) {
                continuation = true;
                continue;
            }
            if ("';'".equals(literal) && types.contains(DlLexer.NL)) continue;
            if (type == DlLexer.NL && expression) continue; // a line break before the value is allowed, not wanted
            if (types.contains(DlLexer.ID) && ("'loss'".equals(literal) || "'step'".equals(literal))) continue; // names too // ';' next to end of line says nothing new
            words.add(expected(type));
        }
        if (words.isEmpty() && continuation) words.add("an operator");
        if (words.isEmpty() || words.size() > 4) return null;
        if (words.size() == 1) return words.get(0);
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }

    private static boolean isValueToken(int type) {
        return type == DlLexer.ID || type == DlLexer.INT || type == DlLexer.FLOAT || type == DlLexer.STRING || type == DlLexer.DTYPE;
    }
}
