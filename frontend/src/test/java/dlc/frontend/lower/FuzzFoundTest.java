package dlc.frontend.lower;

import org.junit.jupiter.api.Test;

import static dlc.frontend.lower.TestSupport.errors;
import static org.junit.jupiter.api.Assertions.*;

/** Programs the mutation fuzzer (cli's MutationFuzzTest) found crashing the front end: each is now a diagnostic. */
class FuzzFoundTest {
    private static void has(String text, String part) { assertTrue(text.contains(part), () -> "expected '" + part + "' in:\n" + text); }

    @Test
    void aDimBeyond64BitsInAShapeRuleIsADiagnosticAtTheCall() {
        String out = errors("""
                import std.nn.{conv}
                model M {
                  input x: f32[B, 1, 9223372036854775807, 28]
                  output y = conv(x, 4, 3, padding=1)
                }
                """);
        has(out, "error: the dim 9223372036854775807 + 2 is beyond a 64-bit integer");
    }
}
