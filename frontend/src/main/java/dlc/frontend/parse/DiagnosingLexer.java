package dlc.frontend.parse;

import dlc.grammar.DlLexer;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;

import java.util.HashSet;
import java.util.Set;

/**
 * The grammar's lexer, plus one repair: a string that is not closed on its line lexes as a
 * STRING token running to the end of the line (instead of a stray {@code "} followed by the
 * string's words as tokens), so the parser sees one value and the user one error. Such tokens are
 * listed in {@link #unterminatedStrings()} for {@link TokenChecks} to report.
 */
final class DiagnosingLexer extends DlLexer {
    private final Set<Token> unterminated = new HashSet<>();

    DiagnosingLexer(CharStream input) {
        super(input);
        removeErrorListeners(); // ERRCHAR matches every character, so the lexer itself never reports
    }

    /** STRING tokens that the repair above produced. */
    Set<Token> unterminatedStrings() { return unterminated; }

    @Override
    public Token nextToken() {
        Token t = super.nextToken();
        if (t.getType() != ERRCHAR || !t.getText().equals("\"")) return t;
        while (_input.LA(1) != CharStream.EOF && _input.LA(1) != '\n' && _input.LA(1) != '\r') {
            getInterpreter().consume(_input); // keeps line and column bookkeeping right
        }
        CommonToken s = new CommonToken(_tokenFactorySourcePair, STRING, Token.DEFAULT_CHANNEL, t.getStartIndex(), _input.index() - 1);
        s.setLine(t.getLine());
        s.setCharPositionInLine(t.getCharPositionInLine());
        unterminated.add(s);
        return s;
    }
}
