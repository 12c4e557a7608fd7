package dlc.examples;

import dlc.codegen.jvm.Agreement;
import dlc.codegen.jvm.JvmCompiler;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * log_softmax, cross_entropy and soft_cross_entropy on large float32 logits, and layer_norm on
 * values whose squares overflow float32, on the JVM backend (float32) and the interpreter. The
 * old formulas (x - logsumexp(x), logsumexp(z) - sum(t z), mean(xc^2) in float32) gave
 * -1.44043 for -1.44019, a loss of 1.0 or 0 for log 4, and zeros for layer_norm.
 */
class LargeLogitsTest {
    private static final String SOURCE = """
            import std.loss.{cross_entropy, soft_cross_entropy}
            import std.nn.{layer_norm}
            model M {
              input z: f32[B, 4]
              input y: i32[B]
              input t: f32[B, 4]
              output lsm = log_softmax(z)
              output ce = cross_entropy(z, y, reduction="none")
              output sce = soft_cross_entropy(z, t, reduction="none")
              output ln = layer_norm(z, affine=false)
            }
            """;

    private static final double LOG4 = Math.log(4);

    /** The eval graph's outputs on the interpreter and on the JVM backend. */
    private static Map<String, Tensor>[] run(Map<String, Tensor> given) {
        ModelRunner r = ModelRunner.compileSource(SOURCE, 1);
        Map<String, Tensor> ref = r.run("eval", given);
        Graph g = ModelRunner.graph(r.module, "eval");
        Map<String, Tensor> in = new LinkedHashMap<>(given);
        for (Value v : g.inputs()) if (!in.containsKey(v.name())) in.put(v.name(), r.initial.get(v.name()));
        Map<String, Tensor> jvm = Agreement.run(JvmCompiler.compile(g, "dlc.gen.LargeLogits").instantiate(), g, in);
        @SuppressWarnings("unchecked") Map<String, Tensor>[] both = new Map[]{ref, jvm};
        return both;
    }

    private static void assertClose(double want, double got, double tol, String what) {
        assertTrue(Double.isFinite(got) && Math.abs(want - got) <= tol, what + ": want " + want + ", got " + got);
    }

    @Test
    void lossesOnLargeLogitsKeepFloat32Precision() {
        Tensor z = new Tensor(DType.F32, new int[]{3, 4}, new double[]{10000, 10001, 10002, 10003, 1e7, 1e7, 1e7, 1e7, 1e30, 1e30, 1e30, 1e30});
        Tensor y = new Tensor(DType.I32, new int[]{3}, new double[]{0, 0, 2});
        double[] quarter = new double[12];
        java.util.Arrays.fill(quarter, 0.25);
        Tensor t = new Tensor(DType.F32, new int[]{3, 4}, quarter);
        double l = Math.log(1 + Math.exp(-1) + Math.exp(-2) + Math.exp(-3));
        for (Map<String, Tensor> out : run(Map.of("z", z, "y", y, "t", t))) {
            double[] lsm = out.get("lsm").data(), ce = out.get("ce").data(), sce = out.get("sce").data();
            // float32 of values near 1 and 3.4: a few ulps, 1e-6 absolute
            for (int k = 0; k < 4; k++) assertClose(k - 3 - l, lsm[k], 1e-6, "log_softmax(10000 + k)[" + k + "]");
            for (int k = 4; k < 12; k++) assertClose(-LOG4, lsm[k], 1e-6, "log_softmax of equal logits [" + k + "]");
            assertClose(3 + l, ce[0], 1e-6, "cross_entropy, label 0 of 10000..10003");
            assertClose(LOG4, ce[1], 1e-6, "cross_entropy of four logits 1e7");
            assertClose(LOG4, ce[2], 1e-6, "cross_entropy of four logits 1e30");
            assertClose(1.5 + l, sce[0], 1e-6, "soft_cross_entropy, uniform targets");
            assertClose(LOG4, sce[1], 1e-6, "soft_cross_entropy of four logits 1e7");
            assertClose(LOG4, sce[2], 1e-6, "soft_cross_entropy of four logits 1e30");
        }
    }

    /** A label outside [0, K) is one_hot's zero row: the loss stays logsumexp(z) - sum(t z), with t = e / K under smoothing. */
    @Test
    void aLabelOutsideTheClassesKeepsItsValueAfterTheShift() {
        String src = """
                import std.loss.{cross_entropy}
                model M {
                  input z: f32[B, 4]
                  input y: i32[B]
                  output ce = cross_entropy(z, y, reduction="none")
                  output smooth = cross_entropy(z, y, label_smoothing=0.1, reduction="none")
                }
                """;
        Tensor z = new Tensor(DType.F32, new int[]{2, 4}, new double[]{1, 2, 3, 4, 1, 2, 3, 4});
        Tensor y = new Tensor(DType.I32, new int[]{2}, new double[]{7, 1});
        Map<String, Tensor> out = ModelRunner.compileSource(src, 1).run("eval", Map.of("z", z, "y", y));
        double lse = 4 + Math.log(1 + Math.exp(-1) + Math.exp(-2) + Math.exp(-3));
        assertClose(lse, out.get("ce").data()[0], 1e-12, "label 7 of 4 classes");
        assertClose(lse - 2, out.get("ce").data()[1], 1e-12, "label 1");
        assertClose(lse - 0.025 * 10, out.get("smooth").data()[0], 1e-12, "label 7, smoothing 0.1");
        assertClose(lse - 0.9 * 2 - 0.025 * 10, out.get("smooth").data()[1], 1e-12, "label 1, smoothing 0.1");
    }

    @Test
    void layerNormOfValuesWhoseSquaresOverflowFloat32() {
        Tensor z = new Tensor(DType.F32, new int[]{3, 4}, new double[]{3e19, -2e19, 1e19, 0, 1e30, 1e30, 1e30, 1e30, 1, 2, 3, 4});
        Tensor y = new Tensor(DType.I32, new int[]{3}, new double[]{0, 0, 0});
        Tensor t = new Tensor(DType.F32, new int[]{3, 4}, new double[12]);
        Map<String, Tensor>[] both = run(Map.of("z", z, "y", y, "t", t));
        // row 0: mean 5e18, centred [2.5, -2.5, 0.5, -0.5] e19, std sqrt(3.25) e19; eps is negligible
        double sd = Math.sqrt(3.25);
        double[] want = {2.5 / sd, -2.5 / sd, 0.5 / sd, -0.5 / sd, 0, 0, 0, 0};
        for (Map<String, Tensor> out : both) {
            double[] ln = out.get("ln").data();
            for (int k = 0; k < 8; k++) assertClose(want[k], ln[k], 1e-5, "layer_norm[" + k + "]");
            double s = Math.sqrt(1.25 + 1e-5);
            for (int k = 0; k < 4; k++) assertClose((k - 1.5) / s, ln[8 + k], 1e-5, "layer_norm of 1..4 [" + k + "]");
        }
    }
}
