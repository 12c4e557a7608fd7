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
        has(out, "error: the dim 9223372036854775807 + ");
        has(out, "is beyond a 64-bit integer");
    }

    /** Found by the fuzzer in the contractive autoencoder example: == of -2 and 2^63 - 1 computed their difference. */
    @Test
    void equalityOfIntsFarApartIsDecidedWithoutOverflow() {
        TestSupport.ok("""
                def pick(n: int) { if n == 9223372036854775807 { 1.0 } else { 2.0 } }
                def order(n: int) { if n > -9223372036854775807 { 3.0 } else { 4.0 } }
                model M {
                  input x: f32[B, 2]
                  output y = x * pick(-2) * order(9223372036854775807)
                }
                """);
        String out = errors("""
                model M {
                  input x: f32[B, 2]
                  n = x.shape[0]
                  output y = x * (if n + 9223372036854775807 < n - 5 { 1.0 } else { 2.0 })
                }
                """);
        has(out, "cannot compare the symbolic dims");
    }

    /** Found by the fuzzer in the LIF example: an index of 2^63 - 1 into a symbolic axis computed index + 1. */
    @Test
    void anIndexBeyond64BitsIsADiagnosticAtTheIndex() {
        String out = errors("""
                model M {
                  input x: f32[B, T, 4]
                  output y = x[:, 9223372036854775807]
                }
                """);
        has(out, "test.dl:3:14: error: the dim 9223372036854775807 + 1 is beyond a 64-bit integer");
    }

    /** Found by the fuzzer in LeNet: padding=2^63-1 wrapped to a plausible output size, then the gradient overflowed. */
    @Test
    void aPaddingBeyond64BitsIsADiagnosticNotAWrappedSize() {
        String out = errors("""
                import std.nn.{conv}
                model M {
                  input x: f32[B, 1, 28, 28]
                  output y = conv(x, 6, 5, padding=9223372036854775807)
                }
                """);
        has(out, "is beyond a 64-bit integer");
    }
}
