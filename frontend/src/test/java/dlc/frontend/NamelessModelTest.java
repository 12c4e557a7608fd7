package dlc.frontend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A `model` keyword with nothing after it (found by MutationFuzzTest at its CI seed) is a syntax
 * error with a location; the parser's recovery leaves a model without a name, which the driver
 * once copied into an immutable list and crashed on.
 */
class NamelessModelTest {
    @Test
    void aBareModelKeywordIsADiagnosticNotACrash() {
        for (String text : new String[]{"model\n", "model", "model {\n}\n", "def f(x) { x }\nmodel\n"}) {
            Compilation c = Frontend.compileSource("main.dl", text, null);
            assertFalse(c.diagnostics().isEmpty(), () -> "no diagnostic for " + text.strip());
            assertTrue(c.diagnostics().stream().allMatch(d -> d.toString().contains("main.dl:")), () -> "unlocated: " + c.diagnostics());
            assertTrue(c.models().stream().allMatch(java.util.Objects::nonNull));
            assertNull(c.module());
        }
    }
}
