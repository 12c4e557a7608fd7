package dlc.frontend.parse;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Ast;
import dlc.frontend.ast.Span;
import dlc.grammar.DlParser;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

import java.util.ArrayList;
import java.util.List;

/**
 * The entry point from text to {@link Ast.Program}. Syntax errors never throw and never print:
 * they come back as diagnostics, with a partial program (or an empty one) beside them.
 */
public final class SourceParser {
    private SourceParser() {}

    /**
     * Parses one file.
     *
     * @param fileName the name spans and diagnostics carry
     * @param text     the source
     * @return the program and the syntax diagnostics (empty when the file is well formed)
     */
    public static ParseResult parse(String fileName, String text) {
        SpanFactory spans = new SpanFactory(fileName, text);
        DiagnosingLexer lexer = new DiagnosingLexer(CharStreams.fromString(text, fileName));
        List<Token> tokens = new ArrayList<>();
        for (Token t = lexer.nextToken(); ; t = lexer.nextToken()) {
            ((CommonToken) t).setTokenIndex(tokens.size());
            tokens.add(t);
            if (t.getType() == Token.EOF) break;
        }
        TokenChecks checks = new TokenChecks(tokens, lexer.unterminatedStrings(), spans);
        SyntaxErrorSink sink = new SyntaxErrorSink(checks);
        if (checks.tooDeep()) return new ParseResult(fileName, text, new Ast.Program(fileName, List.of()), sink.sorted());

        DlParser parser = new DlParser(new CommonTokenStream(new ListTokenSource(tokens, fileName)));
        parser.removeErrorListeners(); // no ConsoleErrorListener: errors are diagnostics, not stderr
        parser.addErrorListener(new BaseErrorListener() {
            // the strategy reports every recognition error itself; this catches anything else ANTLR reports
            @Override
            public void syntaxError(Recognizer<?, ?> r, Object offending, int line, int col, String msg, RecognitionException e) {
                if (offending instanceof Token t) sink.parserError(t, Diagnostic.error(spans.of(t), "syntax error: " + msg));
            }
        });
        parser.setErrorHandler(new SyntaxErrorStrategy(new SyntaxMessages(spans, sink)));

        Ast.Program program;
        try {
            DlParser.ProgramContext tree = parser.program();
            program = new AstBuilder(spans, sink.treeMayBeBroken(), sink::other).program(tree);
        } catch (StackOverflowError tooDeep) {
            // nesting without brackets (a long chain of prefix operators) can still exhaust the stack
            sink.other(Diagnostic.error(new Span(fileName, 1, 1, 1), "the program is nested too deeply to parse",
                    "split deeply nested expressions into several statements"));
            program = new Ast.Program(fileName, List.of());
        }
        return new ParseResult(fileName, text, program, sink.sorted());
    }
}
