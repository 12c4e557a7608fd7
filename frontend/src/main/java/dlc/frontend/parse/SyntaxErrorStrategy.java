package dlc.frontend.parse;

import dlc.grammar.DlLexer;
import dlc.grammar.DlParser;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.FailedPredicateException;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;

import java.util.Set;

/**
 * ANTLR's recovery (single-token insertion and deletion, resynchronisation within rules), with
 * the reports sent to {@link SyntaxMessages} instead of ANTLR's "mismatched input" texts.
 */
final class SyntaxErrorStrategy extends DefaultErrorStrategy {
    private static final Set<String> DECL_KEYWORDS = Set.of("import", "const", "def", "model", "train");

    private final SyntaxMessages messages;

    SyntaxErrorStrategy(SyntaxMessages messages) {
        this.messages = messages;
    }

    @Override
    public void reportMatch(Parser p) {
        super.reportMatch(p);
        if (p.getCurrentToken().getType() != DlLexer.NL) messages.progress();
    }

    @Override
    protected void reportNoViableAlternative(Parser p, NoViableAltException e) {
        // the expected set is only meaningful when the decision failed at its first token
        boolean atStart = e.getStartToken() == e.getOffendingToken();
        messages.report(p, e.getOffendingToken(), atStart ? e.getExpectedTokens() : null, ctx(p, e.getCtx()), false);
    }

    @Override
    protected void reportInputMismatch(Parser p, InputMismatchException e) {
        messages.report(p, e.getOffendingToken(), e.getExpectedTokens(), ctx(p, e.getCtx()), false);
    }

    @Override
    protected void reportFailedPredicate(Parser p, FailedPredicateException e) {
        messages.report(p, e.getOffendingToken(), null, ctx(p, e.getCtx()), false);
    }

    @Override
    protected void reportUnwantedToken(Parser p) {
        if (inErrorRecoveryMode(p)) return;
        beginErrorCondition(p);
        messages.report(p, p.getCurrentToken(), getExpectedTokens(p), p.getContext(), false);
    }

    @Override
    protected void reportMissingToken(Parser p) {
        if (inErrorRecoveryMode(p)) return;
        beginErrorCondition(p);
        messages.report(p, p.getCurrentToken(), getExpectedTokens(p), p.getContext(), true);
    }

    /**
     * At the top level, skips a stretch of tokens that cannot start a declaration (a stray '}',
     * a statement outside any block) up to the next line that starts one, so that one bad line
     * does not end the parse of the file: ANTLR alone would give up on the rest of it.
     */
    @Override
    public void sync(Parser p) throws RecognitionException {
        if (!(p.getContext() instanceof DlParser.ProgramContext)) {
            super.sync(p);
            return;
        }
        TokenStream in = p.getInputStream();
        int k = 1;
        while (in.LA(k) == DlLexer.NL || in.LT(k).getText().equals(";") && in.LA(k) != DlLexer.STRING) k++;
        Token first = in.LT(k);
        if (first.getType() == Token.EOF || DECL_KEYWORDS.contains(first.getText()) && first.getType() != DlLexer.STRING) return;
        if (!inErrorRecoveryMode(p)) {
            beginErrorCondition(p);
            messages.reportTopLevel(p, first);
        }
        for (int i = 1; i < k; i++) p.consume();
        // consume through the bad stretch, stopping at the end of line before a declaration (or EOF)
        while (in.LA(1) != Token.EOF && !(in.LA(1) == DlLexer.NL && startsDeclaration(in))) p.consume();
    }

    private static boolean startsDeclaration(TokenStream in) {
        int k = 1;
        while (in.LA(k) == DlLexer.NL) k++;
        Token t = in.LT(k);
        return t.getType() == Token.EOF || DECL_KEYWORDS.contains(t.getText()) && t.getType() != DlLexer.STRING;
    }

    private static ParserRuleContext ctx(Parser p, Object c) {
        return c instanceof ParserRuleContext r ? r : p.getContext();
    }
}
