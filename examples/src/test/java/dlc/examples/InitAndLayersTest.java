package dlc.examples;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** std.init distributions, the remaining std.nn layers, attention masking and extra losses. */
class InitAndLayersTest {

    private static double[] moments(Tensor t) {
        double m = 0, v = 0;
        for (double x : t.data()) m += x / t.size();
        for (double x : t.data()) v += (x - m) * (x - m) / t.size();
        return new double[]{m, Math.sqrt(v)};
    }

    @Test
    void initializersHaveTheirScales() {
        ModelRunner r = ModelRunner.compileSource("""
                import std.init.{glorot_normal, he_normal, he_uniform, lecun_normal, uniform_fan_in, xavier_legacy}
                model M {
                  input x: f32[B, 1]
                  param a: f32[200, 100] = glorot_normal()
                  param b: f32[200, 100] = he_normal()
                  param c: f32[200, 100] = he_normal(mode="fan_out")
                  param d: f32[200, 100] = lecun_normal()
                  param e: f32[200, 100] = uniform_fan_in()
                  param f: f32[16, 8, 3, 3] = he_uniform()
                  param g: f32[100] = xavier_legacy(fan=25)
                  output y = x
                }
                """, 9);
        // 20000 draws: the sample std is within ~1% (1/sqrt(2n)); 5% leaves no flakiness
        assertEquals(Math.sqrt(2.0 / 300), moments(r.initial.get("a"))[1], 0.05 * Math.sqrt(2.0 / 300), "glorot_normal");
        assertEquals(Math.sqrt(2.0 / 200), moments(r.initial.get("b"))[1], 0.05 * Math.sqrt(2.0 / 200), "he_normal fan_in");
        assertEquals(Math.sqrt(2.0 / 100), moments(r.initial.get("c"))[1], 0.05 * Math.sqrt(2.0 / 100), "he_normal fan_out");
        assertEquals(Math.sqrt(1.0 / 200), moments(r.initial.get("d"))[1], 0.05 * Math.sqrt(1.0 / 200), "lecun_normal");
        double bound = 1 / Math.sqrt(200);
        for (double v : r.initial.get("e").data()) assertTrue(Math.abs(v) <= bound, "uniform_fan_in bound");
        assertEquals(bound / Math.sqrt(3), moments(r.initial.get("e"))[1], 0.05 * bound, "U(-a, a) has std a/sqrt 3");
        double heBound = Math.sqrt(2) * Math.sqrt(3.0 / (8 * 9));   // conv fan_in = 8*3*3
        double maxAbs = Arrays.stream(r.initial.get("f").data()).map(Math::abs).max().orElseThrow();
        assertTrue(maxAbs <= heBound && maxAbs > 0.9 * heBound, "he_uniform conv bound " + heBound + ", max " + maxAbs);
        for (double v : r.initial.get("g").data()) assertTrue(Math.abs(v) <= 0.2, "explicit fan 25 gives bound 0.2");
    }

    @Test
    void orthogonalInitFailsLoudly() {
        Compilation c = Frontend.compileSource("o.dl", """
                import std.init.{orthogonal}
                model M {
                  input x: f32[B, 4]
                  param w: f32[4, 4] = orthogonal()
                  output y = x @ w
                }
                """, null);
        assertFalse(c.ok(), "orthogonal must not compile yet");
        assertTrue(c.render().contains("orthogonal init needs a QR op"), c.render());
    }

    @Test
    void convTransposeK4S2P1DoublesAndPreluLearnsASlope() {
        ModelRunner r = ModelRunner.compileSource("""
                import std.nn.{conv_transpose, prelu, avg_pool, embedding}
                model M {
                  input x: f32[B, 3, 5, 5]
                  input tok: i32[B, 7]
                  output up = conv_transpose(x, 2, 4, stride=2, padding=1)
                  output pr = prelu(x - 0.5)
                  output prc = prelu(x - 0.5, per_channel=true)
                  output pooled = avg_pool(x, 2, stride=1)
                  output emb = embedding(tok, 10, 4)
                }
                """, 2);
        Map<String, Long> dims = new HashMap<>();
        Map<String, Tensor> in = r.randomInputs("eval", dims, new Random(3));
        Map<String, Tensor> out = r.run("eval", in);
        assertEquals("[3, 2, 10, 10]", Arrays.toString(out.get("up").shape()));
        assertEquals("[3, 3, 4, 4]", Arrays.toString(out.get("pooled").shape()));
        assertEquals("[3, 7, 4]", Arrays.toString(out.get("emb").shape()));
        Tensor x = in.get("x"), pr = out.get("pr"), prc = out.get("prc");
        for (int i = 0; i < x.size(); i++) {
            double v = x.data()[i] - 0.5;
            assertEquals(v > 0 ? v : 0.25 * v, pr.data()[i], 1e-15, "prelu init slope 0.25");
            assertEquals(v > 0 ? v : 0.25 * v, prc.data()[i], 1e-15, "per-channel prelu init slope 0.25");
        }
        assertEquals(0, r.initial.get("prelu.alpha").rank(), "scalar slope");
        assertEquals("[3]", Arrays.toString(r.initial.get("prelu_1.alpha").shape()), "one slope per channel");
    }

    @Test
    void causalSelfAttentionNeverLooksAhead() {
        ModelRunner r = ModelRunner.compileSource("""
                import std.attention.{transformer_encoder_layer, causal_mask}
                model M {
                  input x: f32[B, T, 8]
                  output y = transformer_encoder_layer(x, 2, 16, causal_mask(x.shape[1]))
                }
                """, 4);
        Random rnd = new Random(8);
        Tensor x1 = ModelRunner.filled(DType.F32, new int[]{2, 5, 8}, (i, s) -> rnd.nextGaussian());
        double[] d2 = x1.data().clone();
        for (int b = 0; b < 2; b++) for (int t = 3; t < 5; t++) for (int f = 0; f < 8; f++) d2[(b * 5 + t) * 8 + f] += 1.0;
        Tensor x2 = new Tensor(DType.F32, new int[]{2, 5, 8}, d2);
        Tensor y1 = r.run("eval", Map.of("x", x1)).get("y"), y2 = r.run("eval", Map.of("x", x2)).get("y");
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 5; t++) {
                double diff = 0;
                for (int f = 0; f < 8; f++) diff = Math.max(diff, Math.abs(y1.get(b, t, f) - y2.get(b, t, f)));
                if (t < 3) assertEquals(0, diff, 1e-12, "position " + t + " must not see later positions");
                else assertNotEquals(0, diff, "position " + t + " sees its own change");
            }
    }

    @Test
    void moreLossesMatchHandComputedValues() {
        Map<String, Tensor> out = ModelRunner.compileSource("""
                import std.loss.{kl_div, soft_cross_entropy, multiclass_hinge, bce_with_logits, masked_mean, accuracy, huber}
                model M {
                  input z: f32[B, 3]
                  input p: f32[B, 3]
                  input y: i32[B]
                  input m: f32[B]
                  output kl = kl_div(log_softmax(z), p)
                  output sce = soft_cross_entropy(z, p)
                  output mh = multiclass_hinge(z, y)
                  output pw = bce_with_logits(z, p, pos_weight=3.0)
                  output mm = masked_mean(sum(z, -1), m)
                  output acc = accuracy(z, y)
                  output hu = huber(z, p)
                }
                """, 1).run("eval", Map.of(
                "z", new Tensor(DType.F32, new int[]{2, 3}, new double[]{1, 2, 0, -1, 0, 3}),
                "p", new Tensor(DType.F32, new int[]{2, 3}, new double[]{0.5, 0.5, 0, 0.2, 0.3, 0.5}),
                "y", new Tensor(DType.I32, new int[]{2}, new double[]{1, 0}),
                "m", new Tensor(DType.F32, new int[]{2}, new double[]{1, 0})));
        double[][] z = {{1, 2, 0}, {-1, 0, 3}}, p = {{0.5, 0.5, 0}, {0.2, 0.3, 0.5}};
        double kl = 0, sce = 0, pw = 0, hu = 0;
        for (int b = 0; b < 2; b++) {
            double lse = Math.log(Math.exp(z[b][0]) + Math.exp(z[b][1]) + Math.exp(z[b][2]));
            for (int k = 0; k < 3; k++) {
                double lq = z[b][k] - lse;
                if (p[b][k] > 0) kl += p[b][k] * (Math.log(p[b][k]) - lq) / 2;      // batchmean, 0 log 0 = 0
                sce -= p[b][k] * lq / 2;
                double sp = Math.log1p(Math.exp(-z[b][k]));                         // softplus(-z)
                pw += ((1 - p[b][k]) * z[b][k] + (1 + 2 * p[b][k]) * sp) / 6;
                double a = Math.abs(z[b][k] - p[b][k]);
                hu += (a <= 1 ? 0.5 * a * a : a - 0.5) / 6;
            }
        }
        assertEquals(kl, out.get("kl").item(), 1e-12, "kl_div");
        assertEquals(sce, out.get("sce").item(), 1e-12, "soft_cross_entropy");
        // row 0, y=1: max(0, 1-2+1) + max(0, 0-2+1) = 0; row 1, y=0: max(0, 0+1+1) + max(0, 3+1+1) = 7
        assertEquals(3.5, out.get("mh").item(), 1e-12, "multiclass_hinge");
        assertEquals(pw, out.get("pw").item(), 1e-12, "bce_with_logits pos_weight");
        assertEquals(3.0, out.get("mm").item(), 1e-12, "masked_mean keeps row 0 only");
        assertEquals(0.5, out.get("acc").item(), 0, "argmax 1 = y 1; argmax 2 != y 0 -> 0.5");
        assertEquals(hu, out.get("hu").item(), 1e-12, "huber");
    }
}
