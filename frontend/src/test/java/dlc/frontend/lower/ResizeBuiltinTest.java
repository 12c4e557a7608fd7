package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.ir.Node;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dlc.frontend.lower.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** The resize and upsample builtins: what they lower to (and its IR text round trip), values, and their misuses. */
class ResizeBuiltinTest {
    @Test
    void resizeAndUpsampleLowerToTheResizeOp() {
        Compilation c = ok("""
                model R {
                  input x: f32[B, 2, 1, 2]
                  output a = resize(x, (1, 4), mode="bilinear")
                  output b = upsample(x, (1, 2))
                  output s = resize(x, 3)
                }
                """);
        var eval = graph(c, "eval");
        assertEquals(3, eval.nodes().stream().map(Node::op).filter(op -> op == Ops.RESIZE).count(), eval.toString());
        assertEquals("f32[B, 2, 3, 3]", eval.output("s").orElseThrow().value().type().toString());
        Map<String, Tensor> out = run(eval, Map.of("x", t(new int[]{1, 2, 1, 2}, 0, 1, 2, 6)));
        assertClose(new double[]{0, 0.25, 0.75, 1, 2, 3, 5, 6}, out.get("a").data(), 1e-12);
        assertClose(new double[]{0, 0, 1, 1, 2, 2, 6, 6}, out.get("b").data(), 0);
    }

    @Test
    void misusesAreDiagnosedAtTheirArgument() {
        assertTrue(errors("""
                model R {
                  input x: f32[B, 8, 8]
                  output a = resize(x, 4)
                }
                """).contains("test.dl:3:21: error: resize takes an image batch [N, C, H, W], got f32[B, 8, 8]"));
        String mode = errors("""
                model R {
                  input x: f32[B, 1, 8, 8]
                  output a = resize(x, 4, mode="bilinar")
                }
                """);
        assertTrue(mode.contains("resize's mode must be \"nearest\" or \"bilinear\", got \"bilinar\""), mode);
        assertTrue(mode.contains("did you mean 'bilinear'?"), mode);
        assertTrue(errors("""
                model R {
                  input x: f32[B, 1, H, 8]
                  output a = upsample(x, 2)
                }
                """).contains("upsample needs the height and width known at compile time, got f32[B, 1, H, 8]"));
        assertTrue(errors("""
                model R {
                  input x: f32[B, 1, 8, 8]
                  output a = resize(x, (B, 4))
                }
                """).contains("the output size must be known at compile time"));
    }
}
