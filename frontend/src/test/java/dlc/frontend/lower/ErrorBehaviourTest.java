package dlc.frontend.lower;

import dlc.frontend.Compilation;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dlc.frontend.lower.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** How errors are found and reported: recovery, no cascades, deduplication, limits. */
class ErrorBehaviourTest {
    private static long count(String rendered) { return rendered.lines().filter(l -> l.contains(": error: ")).count(); }

    @Test
    void endlessRecursionIsADiagnosticNotAStackOverflow() {
        String out = errors("""
                def forever(x) { forever(x + 1) }
                model M {
                  input x: f32[3]
                  output y = forever(x)
                }
                """);
        assertTrue(out.contains("calls nest deeper than 200 levels in forever"), out);
        assertTrue(out.contains("hint: is a recursive def missing its base case?"), out);
    }

    @Test
    void aMistakeInADefCalledTwiceIsReportedOnce() {
        String out = errors("""
                def bad(x) { x @ x }
                model M {
                  input x: f32[3, 4]
                  a = bad(x)
                  b = bad(x)
                  output y = a + b
                }
                """);
        assertEquals(1, count(out), out);
    }

    @Test
    void errorsOnlyInTheEvalBranchAreFound() {
        String out = errors("""
                model M {
                  input x: f32[3]
                  y = if training { x } else { x + undefined_in_eval }
                  output y
                }
                """);
        assertTrue(out.contains("unknown name 'undefined_in_eval'"), out);
        assertEquals(1, count(out), out);
    }

    @Test
    void statementsAfterAFailedOneAreStillChecked() {
        String out = errors("""
                model M {
                  input x: f32[3]
                  a = nope(x)
                  b = a + 1
                  output c = x @ x @ x
                  output d = x[7]
                }
                """);
        assertTrue(out.contains("unknown name 'nope'"), out);
        assertTrue(out.contains("index 7 is out of range for axis 0 of size 3"), out);
        assertFalse(out.contains("'b'"), "no cascade from the poisoned a: " + out);
    }

    @Test
    void tensorsAtModuleLevelAndStrayReturnsAreErrors() {
        String out = errors("""
                const Z = zeros([3])
                model M {
                  input x: f32[3]
                  return x
                }
                """);
        assertTrue(out.contains("tensor operations need a model"), out);
        assertTrue(out.contains("'return' outside a def or lambda"), out);
    }

    @Test
    void syntaxErrorsStopBeforeLowering() {
        Compilation c = compile("model M {\n  input x: f32[3]\n  output y = (x +\n}\n");
        assertFalse(c.ok());
        assertNull(c.module());
        assertEquals(java.util.List.of("M"), c.models());
    }

    @Test
    void initializersCannotUseModelTensors() {
        String out = errors("""
                model M {
                  input x: f32[3]
                  param w: f32[3] = x
                  output y = x * w
                }
                """);
        assertTrue(out.contains("this tensor belongs to another graph"), out);
        assertTrue(out.contains("hint: a parameter initializer may use compile-time values only"), out);
        assertTrue(out.contains("note: in the initializer of w"), out);
    }

    @Test
    void duplicateParamsOutputsAndUpdatesAreErrors() {
        String out = errors("""
                model M {
                  input x: f32[3]
                  param w: f32[3] = 0.0
                  param w: f32[3] = 1.0
                  output y = x
                  output y = x * 2
                  state s: f32[3]
                  s <- x
                  s += x
                  loss sum(x)
                  loss sum(x * 2)
                }
                """);
        assertTrue(out.contains("duplicate parameter 'w'"), out);
        assertTrue(out.contains("duplicate output 'y'"), out);
        assertTrue(out.contains("'s' is updated twice in one step"), out);
        assertTrue(out.contains("duplicate loss 'loss'"), out);
    }

    @Test
    void aLambdaDeclaringParamsCalledTwiceIsExplained() {
        String out = errors("""
                def make_scale() { fn(x) { param s: f32[] = 1.0; x * s } }
                model M {
                  input x: f32[3]
                  f = make_scale()
                  output y = f(f(x))
                }
                """);
        assertTrue(out.contains("duplicate parameter 's'"), out);
        assertTrue(out.contains("make it a def to get a scope per call"), out);
    }

    @Test
    void undecidableDimComparisonsAreErrorsNotFalse() {
        Compilation ok = ok("""
                model M {
                  input x: f32[B, T]
                  a = if x.shape == (B, T) and T != T - 1 and B * T / T == B { 1.0 } else { error("decidable") }
                  output y = x * a
                }
                """);
        assertNotNull(ok.module());
        String out = errors("""
                model M {
                  input x: f32[B, 4]
                  a = if x.shape[0] == 1 { 2.0 } else { 3.0 }
                  output y = x * a
                }
                """);
        assertTrue(out.contains("cannot decide B == 1 at compile time"), out);
    }

    @Test
    void trainBlocksAreCheckedAgainstTheModel() {
        Compilation c = compile("""
                model Gan {
                  input x: f32[3]
                  param w: f32[3] = 0.0
                  loss d_loss = sum(x * w)
                }
                train Gan {
                  step disc {
                    loss d_los
                    params w, v
                  }
                }
                train Gun { batch 3 }
                """, null, Map.of());
        String out = c.render();
        assertTrue(out.contains("the model has no loss named 'd_los'") && out.contains("did you mean 'd_loss'?"), out);
        assertTrue(out.contains("no parameter of the model is named 'v'"), out);
        assertTrue(out.contains("train block for unknown model 'Gun'") && out.contains("did you mean 'Gan'?"), out);
    }
}
