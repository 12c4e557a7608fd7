package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.*;

import static dlc.frontend.lower.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** The example at the top of docs/language.md, against the real std modules on the classpath. */
class StdlibIntegrationTest {
    private static final String MLP = """
            import std.nn.{dense, dropout}
            import std.loss.cross_entropy

            model Mlp(hidden: int = 256) {
              input  x: f32[B, 784]          # B is a symbolic dim, bound when the model runs
              input  y: i32[B]
              h      = relu(dense(x, hidden))
              logits = dense(dropout(h, 0.2), 10)
              output probs = softmax(logits)
              loss   cross_entropy(logits, y)
            }
            """;

    @Test
    void languageReferenceExampleCompilesAndRuns() {
        Compilation c = ok(MLP);
        Graph train = graph(c, "train"), eval = graph(c, "eval");
        assertEquals("f32[B, 10]", eval.output("probs").orElseThrow().value().type().toString());
        assertEquals(List.of("dense.w", "dense.b", "dense_1.w", "dense_1.b"),
                train.inputs(Value.Role.PARAM).stream().map(Value::name).toList());
        assertTrue(train.input("rng").isPresent(), "dropout draws in training");
        assertTrue(eval.input("rng").isEmpty(), "evaluation is deterministic");

        Map<String, Tensor> in = new HashMap<>(run(graph(c, "init"), Map.of("rng", Tensor.scalar(DType.I64, 1))));
        Random r = new Random(0);
        double[] x = new double[2 * 784];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
        in.put("x", t(new int[]{2, 784}, x));
        in.put("y", new Tensor(DType.I32, new int[]{2}, new double[]{3, 7}));
        Map<String, Tensor> out = run(eval, in);
        double[] p = out.get("probs").data();
        for (int row = 0; row < 2; row++) {
            double s = 0;
            for (int k = 0; k < 10; k++) s += p[row * 10 + k];
            assertEquals(1.0, s, 1e-9, "softmax rows sum to one");
        }
        double loss = out.get("loss").item();
        double expected = -(Math.log(p[3]) + Math.log(p[17])) / 2;
        assertEquals(expected, loss, 1e-9, "cross entropy is the mean negative log-probability of the labels");
        in.put("rng", Tensor.scalar(DType.I64, 9));
        assertTrue(Double.isFinite(run(train, in).get("loss").item()));
    }
}
