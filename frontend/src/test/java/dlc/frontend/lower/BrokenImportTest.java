package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.frontend.Diagnostic;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An imported module with syntax errors: its errors are reported (file:line:col, caret) and the
 * compilation stops there. The parser's error recovery leaves nulls in the tree, which the
 * loader once evaluated anyway (a NullPointerException, the syntax error never shown).
 */
class BrokenImportTest {
    private static final String MAIN = """
            import helpers.{f}
            model M {
              input x: f32[B, 2]
              output y = f(x)
            }
            """;

    @ParameterizedTest
    @ValueSource(strings = {"def f(x", "def f(x, a = 1 or", "const", "def f(x{state", "def f(x) { x }\nconst c = (1,",
            "def f(x: f32[B, ) { x }", "model", "import", "def f(x) { param w: f32[ = zeros(); x }", "train M { batch 1 +"})
    void aSyntaxErrorInAnImportedModuleIsReportedAndStops(String helpers) {
        Compilation c = assertDoesNotThrow(() -> TestSupport.compile(MAIN, null, Map.of("helpers", helpers)));
        assertFalse(c.ok());
        assertNull(c.module());
        String out = c.render();
        assertTrue(c.diagnostics().stream().filter(Diagnostic::isError).allMatch(d -> d.span().file().equals("helpers.dl")),
                "only the module's syntax errors, no follow-on errors in test.dl:\n" + out);
        assertTrue(out.contains("helpers.dl:"), out);
        assertTrue(out.contains("^"), "a caret under the error:\n" + out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"import helpers\nmodel M { input x: f32[B, 2]\n output y = helpers.f(x) }\n",
            "import helpers.f\nmodel M { input x: f32[B, 2]\n output y = f(x) }\n"})
    void everyImportFormStops(String main) {
        Compilation c = assertDoesNotThrow(() -> TestSupport.compile(main, null, Map.of("helpers", "def f(x")));
        assertFalse(c.ok());
        assertTrue(c.render().contains("helpers.dl:1:6"), c.render());
    }
}
