package dlc.examples;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standard library's functions, checked against hand-computed values by compiling tiny
 * models that call them and running them on the float64 interpreter.
 */
class StdFunctionsTest {
    private static Map<String, Tensor> eval(String source, Map<String, Tensor> inputs) {
        return ModelRunner.compileSource(source, 1).run("eval", inputs);
    }

    private static Map<String, Tensor> train(String source, Map<String, Tensor> inputs) {
        return ModelRunner.compileSource(source, 1).run("train", inputs);
    }

    private static Tensor t(int[] shape, double... data) { return new Tensor(DType.F32, shape, data); }

    private static void assertClose(double[] expected, Tensor actual, double tol, String what) {
        assertEquals(expected.length, actual.size(), what + ": size");
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], actual.data()[i], tol * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
    }

    // ---- prelude -------------------------------------------------------------------------------

    private static final String SOFTMAX = """
            model M {
              input x: f32[B, 3]
              output sm = softmax(x)
              output lsm = log_softmax(x)
              output lse = logsumexp(x)
              output lse_keep = logsumexp(x, -1, keepdims=true)
            }
            """;

    @Test
    void softmaxFamilyIsStableOnHugeInputs() {
        // rows: ordinary values, huge positive values (exp overflows without the max shift), huge negative
        Tensor x = t(new int[]{3, 3}, 1, 2, 3, 1000, 1001, 1002, -1000, -1001, -1002);
        Map<String, Tensor> out = eval(SOFTMAX, Map.of("x", x));
        double z = 1 + Math.exp(1) + Math.exp(2);                 // shift-invariant part of rows 0 and 1
        double[] row = {1 / z, Math.exp(1) / z, Math.exp(2) / z};
        double[] rowNeg = {row[2], row[1], row[0]};
        assertClose(concat(row, row, rowNeg), out.get("sm"), 1e-14, "softmax");
        double l = Math.log(z);
        // logsumexp(c + [0, 1, 2]) = c + 2 + log(1 + e^-1 + e^-2) = c + log z
        assertClose(new double[]{1 + l, 1000 + l, -1002 + l}, out.get("lse"), 1e-14, "logsumexp");
        double[] lsm0 = {-l, 1 - l, 2 - l};
        assertClose(concat(lsm0, lsm0, new double[]{lsm0[2], lsm0[1], lsm0[0]}), out.get("lsm"), 1e-13, "log_softmax");
        assertEquals(2, out.get("lse_keep").rank(), "keepdims keeps the axis");
    }

    private static double[] concat(double[]... parts) {
        int n = 0;
        for (double[] p : parts) n += p.length;
        double[] r = new double[n];
        int k = 0;
        for (double[] p : parts) for (double v : p) r[k++] = v;
        return r;
    }

    @Test
    void activationsMatchTheirFormulas() {
        String src = """
                model M {
                  input x: f32[5]
                  output sp = softplus(x)
                  output lr = leaky_relu(x)
                  output el = elu(x)
                  output se = selu(x)
                  output ge = gelu(x)
                  output si = silu(x)
                  output mi = mish(x)
                  output st = step(x)
                  output cl = clamp(x, -1.0, 1.0)
                }
                """;
        double[] xs = {-800, -1, 0, 2, 800};
        Map<String, Tensor> out = eval(src, Map.of("x", t(new int[]{5}, xs)));
        for (int i = 0; i < xs.length; i++) {
            double x = xs[i];
            double sp = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
            assertEquals(sp, out.get("sp").data()[i], 1e-15 * Math.max(1, Math.abs(sp)), "softplus(" + x + ")");
            assertEquals(x > 0 ? x : 0.01 * x, out.get("lr").data()[i], 1e-12, "leaky_relu(" + x + ")");
            assertEquals(x > 0 ? x : Math.expm1(x), out.get("el").data()[i], 1e-15, "elu(" + x + ")");
            double lam = 1.0507009873554805, al = 1.6732632423543772;
            assertEquals(lam * (x > 0 ? x : al * Math.expm1(x)), out.get("se").data()[i], 1e-12, "selu(" + x + ")");
            double sig = 1 / (1 + Math.exp(-x));
            assertEquals(x * sig, out.get("si").data()[i], 1e-12 * Math.max(1, Math.abs(x)), "silu(" + x + ")");
            assertEquals(x * Math.tanh(sp), out.get("mi").data()[i], 1e-12 * Math.max(1, Math.abs(x)), "mish(" + x + ")");
            assertEquals(x >= 0 ? 1 : 0, out.get("st").data()[i], "step(" + x + ")");
            assertEquals(Math.max(-1, Math.min(1, x)), out.get("cl").data()[i], "clamp(" + x + ")");
        }
        // gelu: 0 at 0, x for large x, 0 for very negative x; gelu(2) = 2 * Phi(2) = 1.9544997361036416
        double[] ge = out.get("ge").data();
        assertEquals(0.0, ge[0], 1e-300);
        assertEquals(0.0, ge[2]);
        assertEquals(1.9544997361036416, ge[3], 1e-13);
        assertEquals(800.0, ge[4], 1e-12);
        assertEquals(-0.15865525393145707, ge[1], 1e-13);   // -Phi(-1)
    }

    @Test
    void smallerActivationsAndNorms() {
        String src = """
                model M {
                  input x: f32[2, 3]
                  output gt = gelu_tanh(x)
                  output sw = swish(x, 2.0)
                  output ls = log_sigmoid(x)
                  output r6 = relu6(x)
                  output hs = hard_sigmoid(x)
                  output ss = softsign(x)
                  output nrm = l2_norm(x)
                  output unit = l2_normalize(x)
                  output lo = tril(x)
                  output up = triu(x, 1)
                }
                """;
        double[] xs = {-900, 0, 7, 0, 0, 0};
        Map<String, Tensor> out = eval(src, Map.of("x", t(new int[]{2, 3}, xs)));
        for (int i = 0; i < 3; i++) {
            double x = xs[i];
            double gt = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            assertEquals(gt, out.get("gt").data()[i], 1e-12, "gelu_tanh(" + x + ")");
            assertEquals(x / (1 + Math.exp(-2 * x)), out.get("sw").data()[i], 1e-12, "swish beta 2");
            assertEquals(-(Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)))), out.get("ls").data()[i], 1e-12, "log_sigmoid");
            assertEquals(Math.min(Math.max(x, 0), 6), out.get("r6").data()[i], "relu6");
            assertEquals(Math.min(Math.max(x / 6 + 0.5, 0), 1), out.get("hs").data()[i], 1e-15, "hard_sigmoid");
            assertEquals(x / (1 + Math.abs(x)), out.get("ss").data()[i], 1e-15, "softsign");
        }
        double n0 = Math.sqrt(900 * 900 + 49);
        assertClose(new double[]{n0, 0}, out.get("nrm"), 1e-14, "l2_norm, 0 for the zero row");
        assertClose(new double[]{-900 / n0, 0, 7 / n0, 0, 0, 0}, out.get("unit"), 1e-14, "l2_normalize leaves 0 at 0");
        assertClose(new double[]{-900, 0, 0, 0, 0, 0}, out.get("lo"), 0, "tril on [2, 3]");
        assertClose(new double[]{0, 0, 7, 0, 0, 0}, out.get("up"), 0, "triu k=1 on [2, 3]");
    }

    @Test
    void oneHotAndTriangularMasks() {
        String src = """
                model M {
                  input idx: i32[B]
                  output oh = one_hot(idx, 4)
                  output lower = tril_mask(3, 3)
                  output upper = triu_mask(3, 3, 1)
                }
                """;
        Map<String, Tensor> out = eval(src, Map.of("idx", new Tensor(DType.I32, new int[]{3}, new double[]{2, 0, 3})));
        assertClose(new double[]{0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1}, out.get("oh"), 0, "one_hot");
        assertClose(new double[]{1, 0, 0, 1, 1, 0, 1, 1, 1}, out.get("lower"), 0, "tril_mask");
        assertClose(new double[]{0, 1, 1, 0, 0, 1, 0, 0, 0}, out.get("upper"), 0, "triu_mask k=1");
    }

    // ---- nn ------------------------------------------------------------------------------------

    @Test
    void layerNormGivesZeroMeanUnitVariance() {
        String src = """
                import std.nn.{layer_norm}
                model M {
                  input x: f32[B, 6]
                  output y = layer_norm(x)
                }
                """;
        Tensor x = t(new int[]{2, 6}, 1, 2, 3, 4, 5, 100, -3, 0.5, 7, 7, 2, 1e3);
        Tensor y = eval(src, Map.of("x", x)).get("y");
        for (int r = 0; r < 2; r++) {
            double m = 0, v = 0, mx = 0, vx = 0;
            for (int j = 0; j < 6; j++) { m += y.get(r, j) / 6; mx += x.get(r, j) / 6; }
            for (int j = 0; j < 6; j++) {
                v += Math.pow(y.get(r, j) - m, 2) / 6;
                vx += Math.pow(x.get(r, j) - mx, 2) / 6;
            }
            assertEquals(0, m, 1e-12, "row mean");
            // eps = 1e-5 inside the sqrt: var(y) = var(x) / (var(x) + eps)
            assertEquals(vx / (vx + 1e-5), v, 1e-12, "row variance");
        }
    }

    @Test
    void batchNormTrainNormalisesAndUpdatesRunningStats() {
        String src = """
                import std.nn.{batch_norm}
                model M {
                  input x: f32[B, 2]
                  output y = batch_norm(x)
                }
                """;
        Tensor x = t(new int[]{4, 2}, 1, 10, 2, 20, 3, 30, 6, 40);
        Map<String, Tensor> out = train(src, Map.of("x", x));
        // channel 0: mean 3, biased var (4+1+0+9)/4 = 3.5, unbiased 14/3
        Tensor y = out.get("y");
        assertEquals((1 - 3) / Math.sqrt(3.5 + 1e-5), y.get(0, 0), 1e-12);
        Tensor rm = null, rv = null;
        for (var e : out.entrySet()) {
            if (e.getKey().endsWith("running_mean")) rm = e.getValue();
            if (e.getKey().endsWith("running_var")) rv = e.getValue();
        }
        assertTrue(rm != null && rv != null, "train outputs must include running_mean and running_var updates: " + out.keySet());
        assertClose(new double[]{0.1 * 3, 0.1 * 25}, rm, 1e-12, "running_mean");
        assertClose(new double[]{0.9 + 0.1 * 14 / 3.0, 0.9 + 0.1 * 500 / 3.0}, rv, 1e-12, "running_var (unbiased)");
        // eval reads the initial running stats (0, 1): y = x / sqrt(1 + eps)
        Tensor ye = eval(src, Map.of("x", x)).get("y");
        assertEquals(10 / Math.sqrt(1 + 1e-5), ye.get(0, 1), 1e-12);
    }

    @Test
    void dropoutIsIdentityInEvalAndInvertedInTrain() {
        String src = """
                import std.nn.{dropout}
                model M {
                  input x: f32[B, 50]
                  output y = dropout(x, 0.5)
                }
                """;
        double[] ones = new double[200];
        java.util.Arrays.fill(ones, 1.0);
        Tensor x = t(new int[]{4, 50}, ones);
        assertClose(ones, eval(src, Map.of("x", x)).get("y"), 0, "eval dropout");
        Tensor y = train(src, Map.of("x", x)).get("y");
        int kept = 0;
        for (double v : y.data()) {
            assertTrue(v == 0 || v == 2, "train dropout gives 0 or x/(1-p), got " + v);
            if (v == 2) kept++;
        }
        // 200 fair coins: 100 +- 5 sigma (sigma ~ 7)
        assertTrue(kept > 65 && kept < 135, "kept " + kept + " of 200");
    }

    @Test
    void denseAndConvShapesAndFans() {
        String src = """
                import std.nn.{dense, conv, max_pool, global_avg_pool}
                import std.init.{fan_in, fan_out}
                model M {
                  input x: f32[B, 3, 8, 8]
                  c = conv(x, 4, 3, padding="same")
                  output pooled = max_pool(c, 2)
                  output gap = global_avg_pool(c)
                  output y = dense(gap, 5)
                  output fans = constant([fan_in([4, 3, 3, 3]), fan_out([4, 3, 3, 3]), fan_in([7, 5]), fan_out([7, 5])])
                }
                """;
        Map<String, Long> dims = new java.util.HashMap<>();
        ModelRunner r = ModelRunner.compileSource(src, 1);
        Map<String, Tensor> out = r.run("eval", r.randomInputs("eval", dims, new java.util.Random(1)));
        assertEquals("[3, 4, 4, 4]", java.util.Arrays.toString(out.get("pooled").shape()));
        assertEquals("[3, 5]", java.util.Arrays.toString(out.get("y").shape()));
        assertClose(new double[]{27, 36, 7, 5}, out.get("fans"), 0, "fans");
        Tensor w = r.initial.entrySet().stream().filter(e -> e.getKey().startsWith("conv") && e.getKey().endsWith(".w"))
                .findFirst().orElseThrow().getValue();
        double bound = Math.sqrt(6.0 / (27 + 36));           // glorot_uniform on [4, 3, 3, 3]
        for (double v : w.data()) assertTrue(Math.abs(v) <= bound, "glorot bound " + bound + ", got " + v);
    }

    // ---- attention -----------------------------------------------------------------------------

    @Test
    void causalMaskAndPositionalEncoding() {
        String src = """
                import std.attention.{causal_mask, sinusoidal_positional_encoding}
                model M {
                  input x: f32[T, 4]
                  output mask = causal_mask(x.shape[0])
                  output pe = sinusoidal_positional_encoding(x.shape[0], 4)
                }
                """;
        Map<String, Tensor> out = eval(src, Map.of("x", t(new int[]{3, 4}, new double[12])));
        assertClose(new double[]{0, -1e9, -1e9, 0, 0, -1e9, 0, 0, 0}, out.get("mask"), 0, "causal mask");
        Tensor pe = out.get("pe");
        for (int p = 0; p < 3; p++)
            for (int j = 0; j < 4; j++) {
                double angle = p / Math.pow(10000, (j - j % 2) / 4.0);
                assertEquals(j % 2 == 0 ? Math.sin(angle) : Math.cos(angle), pe.get(p, j), 1e-13, "PE[" + p + "," + j + "]");
            }
    }

    @Test
    void attentionWithAMaskIgnoresBlockedKeys() {
        String src = """
                import std.attention.{scaled_dot_product_attention}
                model M {
                  input q: f32[1, 1, 2]
                  input k: f32[1, 3, 2]
                  input v: f32[1, 3, 2]
                  input mask: f32[1, 1, 3]
                  output o = scaled_dot_product_attention(q, k, v, mask)
                }
                """;
        Tensor q = t(new int[]{1, 1, 2}, 1, 0);
        Tensor k = t(new int[]{1, 3, 2}, 1, 0, 0, 1, 5, 5);
        Tensor v = t(new int[]{1, 3, 2}, 1, 2, 3, 4, 100, 100);
        Tensor m = t(new int[]{1, 1, 3}, 0, 0, -1e9);
        Tensor o = eval(src, Map.of("q", q, "k", k, "v", v, "mask", m)).get("o");
        double s0 = Math.exp(1 / Math.sqrt(2)), s1 = 1;       // scores 1/sqrt2 and 0; key 2 blocked
        double a0 = s0 / (s0 + s1), a1 = s1 / (s0 + s1);
        assertClose(new double[]{a0 * 1 + a1 * 3, a0 * 2 + a1 * 4}, o, 1e-13, "attention output");
    }

    // ---- losses --------------------------------------------------------------------------------

    @Test
    void lossesMatchHandComputedValues() {
        String src = """
                import std.loss.{cross_entropy, bce_with_logits, bce, mse, gaussian_kl, hinge, nll}
                model M {
                  input z: f32[B, 3]
                  input y: i32[B]
                  input p: f32[B]
                  input t: f32[B]
                  input mu: f32[B, 2]
                  input lv: f32[B, 2]
                  output ce = cross_entropy(z, y)
                  output ce_smooth = cross_entropy(z, y, label_smoothing=0.3)
                  output nl = nll(log_softmax(z), y)
                  output bcel = bce_with_logits(p, t)
                  output bcep = bce(sigmoid(p), t)
                  output sq = mse(p, t)
                  output kl = gaussian_kl(mu, lv)
                  output hi = hinge(p, t * 2 - 1)
                }
                """;
        Tensor z = t(new int[]{2, 3}, 1, 2, 3, 500, -500, 0);
        Tensor y = new Tensor(DType.I32, new int[]{2}, new double[]{0, 1});
        Tensor p = t(new int[]{2}, 800, -0.5);
        Tensor tt = t(new int[]{2}, 0, 1);
        Map<String, Tensor> out = eval(src, Map.of("z", z, "y", y, "p", p, "t", tt,
                "mu", t(new int[]{2, 2}, 0.5, -1, 0, 2), "lv", t(new int[]{2, 2}, 0.2, -0.3, 0, 1)));
        double lse0 = 3 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), lse1 = 500 + Math.log1p(Math.exp(-500) + Math.exp(-1000));
        double ce0 = lse0 - 1, ce1 = lse1 + 500;
        assertEquals((ce0 + ce1) / 2, out.get("ce").item(), 1e-12, "cross_entropy");
        assertEquals((ce0 + ce1) / 2, out.get("nl").item(), 1e-12, "nll of log_softmax");
        // smoothing e: target (1-e) onehot + e/K; loss = lse - sum(target * z)
        double e = 0.3;
        double s0 = lse0 - ((1 - e) * 1 + e / 3 * (1 + 2 + 3));
        double s1 = lse1 - ((1 - e) * -500 + e / 3 * (500 - 500 + 0));
        assertEquals((s0 + s1) / 2, out.get("ce_smooth").item(), 1e-12, "label smoothing");
        // BCEL: z=800,t=0 -> 800; z=-0.5,t=1 -> log1p(exp(0.5)) ... = softplus(0.5)
        double b1 = 0.5 + Math.log1p(Math.exp(-0.5));
        assertEquals((800 + b1) / 2, out.get("bcel").item(), 1e-12, "bce_with_logits");
        // BCE on probabilities: sigmoid(800) = 1 exactly in float64, so log(1 - p) clamps at -100
        assertEquals((100 + b1) / 2, out.get("bcep").item(), 1e-9, "bce clamps the log at -100");
        assertEquals((800 * 800 + 1.5 * 1.5) / 2, out.get("sq").item(), 1e-9, "mse");
        // KL(N(mu, e^lv) || N(0, 1)) per row = -0.5 sum(1 + lv - mu^2 - e^lv), batch mean
        double kl = 0;
        double[][] mu = {{0.5, -1}, {0, 2}}, lv = {{0.2, -0.3}, {0, 1}};
        for (int r = 0; r < 2; r++)
            for (int j = 0; j < 2; j++) kl += -0.5 * (1 + lv[r][j] - mu[r][j] * mu[r][j] - Math.exp(lv[r][j])) / 2;
        assertEquals(kl, out.get("kl").item(), 1e-12, "gaussian_kl");
        // hinge with t in {-1, +1}: max(0, 1 + 800) and max(0, 1 + 0.5)
        assertEquals((801 + 1.5) / 2, out.get("hi").item(), 1e-12, "hinge");
    }
}
