package dlc.frontend.parse;

import dlc.frontend.Diagnostic;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade's contract: no output, no exceptions, errors capped, a program always. */
class SourceParserTest {

    @Test
    void syntaxErrorsAreNeverPrinted() {
        PrintStream err = System.err, out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream sink = new PrintStream(captured, true, StandardCharsets.UTF_8);
        ParseResult r;
        try {
            System.setErr(sink);
            System.setOut(sink);
            r = SourceParser.parse("bad.dl", "model M {\n  x = = (\n  y = $ ]\n}\n}\nh = 1\n");
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        assertFalse(r.ok());
        assertEquals("", captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void errorsAreCappedWithAFinalNote() {
        String text = "model M {\n" + "  x = x @@ 1\n".repeat(40) + "}\n";
        ParseResult r = SourceParser.parse("many.dl", text);
        assertEquals(SyntaxErrorSink.MAX_ERRORS + 1, r.diagnostics().size());
        assertTrue(r.diagnostics().get(SyntaxErrorSink.MAX_ERRORS).message().startsWith("too many syntax errors; 20 more"));
    }

    @Test
    void diagnosticsComeInSourceOrder() {
        ParseResult r = SourceParser.parse("o.dl", "def f(x) {\n  x = (1\n}\nmodel M {\n  y = 1 $ 2\n  z = =\n}\n");
        int line = 0;
        for (Diagnostic d : r.diagnostics()) {
            assertTrue(d.span().line() >= line, r::render);
            line = d.span().line();
        }
    }

    @Test
    void deeplyNestedBracketsAreADiagnosticNotAStackOverflow() {
        String text = "const C = " + "(".repeat(10_000) + "1" + ")".repeat(10_000) + "\n";
        ParseResult r = SourceParser.parse("deep.dl", text);
        assertFalse(r.ok());
        assertEquals("brackets nested more than 256 deep", r.diagnostics().get(0).message(), r::render);
        assertEquals(1, r.diagnostics().size(), r::render);
    }

    @Test
    void nestingUpToTheLimitParses() {
        String text = "const C = " + "[".repeat(256) + "1" + "]".repeat(256) + "\n";
        assertTrue(SourceParser.parse("ok.dl", text).ok());
    }

    @Test
    void deepPrefixChainsAreADiagnosticNotAStackOverflow() {
        ParseResult r = SourceParser.parse("chain.dl", "const C = " + "-".repeat(100_000) + "1\n");
        assertFalse(r.ok());
        assertTrue(r.diagnostics().get(0).message().contains("nested too deeply"), r::render);
    }

    @Test
    void renderShowsTheLineAndCaret() {
        ParseResult r = SourceParser.parse("r.dl", "def f(x) {\n\tx = 1 +\n}\n");
        // a tab is one column, drawn as one space
        assertEquals("r.dl:2:8: error: missing operand after '+'\n     x = 1 +\n           ^\n  hint: write the operand after '+'\n", r.render());
    }
}
