package dlc.examples;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * std.rnn against straightforward Java loops of the docs/models.md 2.3-2.5 equations, using the weights
 * the init graph drew: gate order (i, f, g, o) and (r, z, n), the reset_after GRU, the forget
 * bias, reverse scans (outputs stay aligned with time) and the bidirectional final-state layout.
 */
class RecurrentTest {
    static final int B = 2, T = 4, F = 3, H = 3;

    private static Tensor input(long seed) {
        Random rnd = new Random(seed);
        return ModelRunner.filled(DType.F32, new int[]{B, T, F}, (i, s) -> rnd.nextGaussian());
    }

    private static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    /** row-vector times matrix: x [n] @ w [n, m] (w flat, row-major) plus bias. */
    private static double[] affine(double[] x, double[] w, int m, double[] b) {
        double[] y = new double[m];
        for (int j = 0; j < m; j++) {
            double s = b == null ? 0 : b[j];
            for (int i = 0; i < x.length; i++) s += x[i] * w[i * m + j];
            y[j] = s;
        }
        return y;
    }

    private static double[] step(Tensor x, int b, int t) {
        double[] r = new double[F];
        for (int f = 0; f < F; f++) r[f] = x.get(b, t, f);
        return r;
    }

    private static void assertSeq(double[][][] expected, Tensor ys, int offset, String what) {
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++)
                for (int j = 0; j < H; j++)
                    assertEquals(expected[b][t][j], ys.get(b, t, offset + j), 1e-12, what + " [" + b + "," + t + "," + j + "]");
    }

    @Test
    void lstmForwardAndReverseMatchTheEquations() {
        ModelRunner r = ModelRunner.compileSource("""
                import std.rnn.{lstm}
                model M {
                  input x: f32[B, T, 3]
                  ys, final = lstm(x, 3, forget_bias=1.0)
                  ys_r, final_r = lstm(x, 3, reverse=true)
                  h_T, c_T = final
                  output ys
                  output c_T
                  output ys_r
                }
                """, 3);
        Tensor x = input(1);
        Map<String, Tensor> out = r.run("eval", Map.of("x", x));
        double[] bias = r.initial.get("lstm.b").data();
        for (int j = 0; j < 4 * H; j++) assertEquals(j >= H && j < 2 * H ? 1.0 : 0.0, bias[j], "forget bias block");
        double[][] cLast = new double[B][];
        assertSeq(lstm(r, "lstm", x, false, cLast), out.get("ys"), 0, "lstm");
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++) assertEquals(cLast[b][j], out.get("c_T").get(b, j), 1e-12, "c_T");
        assertSeq(lstm(r, "lstm_1", x, true, new double[B][]), out.get("ys_r"), 0, "reverse lstm");
    }

    private static double[][][] lstm(ModelRunner r, String scope, Tensor x, boolean reverse, double[][] cLast) {
        double[] wx = r.initial.get(scope + ".w_x").data(), wh = r.initial.get(scope + ".w_h").data(), bb = r.initial.get(scope + ".b").data();
        double[][][] ys = new double[B][T][];
        for (int b = 0; b < B; b++) {
            double[] h = new double[H], c = new double[H];
            for (int k = 0; k < T; k++) {
                int t = reverse ? T - 1 - k : k;
                double[] gx = affine(step(x, b, t), wx, 4 * H, bb), gh = affine(h, wh, 4 * H, null);
                double[] hn = new double[H], cn = new double[H];
                for (int j = 0; j < H; j++) {
                    double i = sigmoid(gx[j] + gh[j]), f = sigmoid(gx[H + j] + gh[H + j]);
                    double g = Math.tanh(gx[2 * H + j] + gh[2 * H + j]), o = sigmoid(gx[3 * H + j] + gh[3 * H + j]);
                    cn[j] = f * c[j] + i * g;
                    hn[j] = o * Math.tanh(cn[j]);
                }
                h = hn;
                c = cn;
                ys[b][t] = h;
            }
            cLast[b] = c;
        }
        return ys;
    }

    @Test
    void gruMatchesTheResetAfterEquations() {
        ModelRunner r = ModelRunner.compileSource("""
                import std.rnn.{gru}
                model M {
                  input x: f32[B, T, 3]
                  ys, h_T = gru(x, 3)
                  output ys
                }
                """, 4);
        Tensor x = input(2);
        Tensor ys = r.run("eval", Map.of("x", x)).get("ys");
        double[] wx = r.initial.get("gru.w_x").data(), wh = r.initial.get("gru.w_h").data(), bb = r.initial.get("gru.b").data();
        double[] bhn = r.initial.get("gru.b_hn").data();
        double[][][] expected = new double[B][T][];
        for (int b = 0; b < B; b++) {
            double[] h = new double[H];
            for (int t = 0; t < T; t++) {
                double[] gx = affine(step(x, b, t), wx, 3 * H, bb), gh = affine(h, wh, 3 * H, null);
                double[] hn = new double[H];
                for (int j = 0; j < H; j++) {
                    double rr = sigmoid(gx[j] + gh[j]), z = sigmoid(gx[H + j] + gh[H + j]);
                    double n = Math.tanh(gx[2 * H + j] + rr * (gh[2 * H + j] + bhn[j]));
                    hn[j] = (1 - z) * n + z * h[j];
                }
                h = hn;
                expected[b][t] = h;
            }
        }
        assertSeq(expected, ys, 0, "gru");
    }

    @Test
    void bidirectionalElmanStackConcatenatesDirectionsAndOrdersFinalStates() {
        ModelRunner r = ModelRunner.compileSource("""
                import std.rnn.{rnn_stack}
                model M {
                  input x: f32[B, T, 3]
                  ys, h_n, c_n = rnn_stack(x, 3, n_layers=1, cell="rnn", bidirectional=true)
                  output ys
                  output h_n
                }
                """, 5);
        Tensor x = input(3);
        Map<String, Tensor> out = r.run("eval", Map.of("x", x));
        String fwd = "rnn_stack.recurrent_layer.recurrent.rnn", bwd = "rnn_stack.recurrent_layer.recurrent_1.rnn";
        double[][][] ef = elman(r, fwd, x, false), eb = elman(r, bwd, x, true);
        Tensor ys = out.get("ys"), hn = out.get("h_n");
        assertEquals("[2, 4, 6]", java.util.Arrays.toString(ys.shape()));
        assertSeq(ef, ys, 0, "forward half");
        assertSeq(eb, ys, H, "backward half");
        assertEquals("[2, 2, 3]", java.util.Arrays.toString(hn.shape()));
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++) {
                assertEquals(ef[b][T - 1][j], hn.get(0, b, j), 1e-12, "h_n[0] is the forward state after the last step");
                assertEquals(eb[b][0][j], hn.get(1, b, j), 1e-12, "h_n[1] is the backward state after step 0");
            }
    }

    private static double[][][] elman(ModelRunner r, String scope, Tensor x, boolean reverse) {
        double[] wx = r.initial.get(scope + ".w_x").data(), wh = r.initial.get(scope + ".w_h").data(), bb = r.initial.get(scope + ".b").data();
        double[][][] ys = new double[B][T][];
        for (int b = 0; b < B; b++) {
            double[] h = new double[H];
            for (int k = 0; k < T; k++) {
                int t = reverse ? T - 1 - k : k;
                double[] a = affine(step(x, b, t), wx, H, bb), ah = affine(h, wh, H, null);
                double[] hn = new double[H];
                for (int j = 0; j < H; j++) hn[j] = Math.tanh(a[j] + ah[j]);
                h = hn;
                ys[b][t] = h;
            }
        }
        return ys;
    }

    @Test
    void stackedLayersFeedEachOtherAndStackFinalStatesLayerMajor() {
        ModelRunner r = ModelRunner.compileSource("""
                import std.rnn.{rnn_stack}
                model M {
                  input x: f32[B, T, 3]
                  ys, h_n, c_n = rnn_stack(x, 3, n_layers=3, cell="lstm", bidirectional=true)
                  output ys
                  output h_n
                  output c_n
                }
                """, 6);
        Map<String, Tensor> out = r.run("eval", Map.of("x", input(4)));
        assertEquals("[2, 4, 6]", java.util.Arrays.toString(out.get("ys").shape()));
        assertEquals("[6, 2, 3]", java.util.Arrays.toString(out.get("h_n").shape()));
        assertEquals("[6, 2, 3]", java.util.Arrays.toString(out.get("c_n").shape()));
        // the top layer's forward final state is the top sequence's last forward output
        Tensor ys = out.get("ys"), hn = out.get("h_n");
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++) {
                assertEquals(ys.get(b, T - 1, j), hn.get(4, b, j), 1e-15);
                assertEquals(ys.get(b, 0, H + j), hn.get(5, b, j), 1e-15);
            }
    }
}
