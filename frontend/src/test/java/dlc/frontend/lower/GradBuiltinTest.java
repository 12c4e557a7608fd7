package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.frontend.Diagnostic;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.passes.autodiff.Autodiff;
import org.junit.jupiter.api.Test;

import java.util.*;

import static dlc.frontend.lower.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code grad} builtin: values against calculus, a gradient of a gradient, tuples and params
 * prefixes, the diagnostics of its misuses, and a WGAN-GP gradient penalty written in .dl whose
 * per-sample value matches finite differences of the critic and whose parameter gradients (second
 * order, through the penalty's grad) match finite differences of the loss.
 */
class GradBuiltinTest {
    private static final int[] X23 = {2, 3};

    @Test
    void gradientAndGradientOfGradientFollowCalculus() {
        Compilation c = ok("""
                model G {
                  input x: f32[B, 3]
                  input z: f32[B, 3]
                  g = grad(sum(x * x * x), x)                # 3 x^2
                  output g1 = g
                  output g2 = grad(sum(g), x)                # 6 x
                  (gx, gz) = grad(sum(sin(x) * z), (x, z))   # (z cos x, sin x)
                  output gx_out = gx
                  output gz_out = gz
                }
                """);
        double[] x = {0.5, -1.5, 2.0, 0.1, -0.3, 1.1}, z = {1, 2, -1, 0.5, 3, -2};
        Map<String, Tensor> out = run(graph(c, "eval"), Map.of("x", t(X23, x), "z", t(X23, z)));
        double[] g1 = new double[6], g2 = new double[6], gx = new double[6], gz = new double[6];
        for (int i = 0; i < 6; i++) {
            g1[i] = 3 * x[i] * x[i];
            g2[i] = 6 * x[i];
            gx[i] = z[i] * Math.cos(x[i]);
            gz[i] = Math.sin(x[i]);
        }
        assertClose(g1, out.get("g1").data(), 1e-12);
        assertClose(g2, out.get("g2").data(), 1e-12);
        assertClose(gx, out.get("gx_out").data(), 1e-12);
        assertClose(gz, out.get("gz_out").data(), 1e-12);
    }

    @Test
    void gradWithRespectToADefsParamsGivesATupleInDeclarationOrder() {
        Compilation c = ok("""
                import std.nn.{dense}
                model P {
                  input x: f32[B, 3]
                  y = dense(x, 2)
                  (gw, gb) = grad(sum(y), dense)
                  output gw_out = gw
                  output gb_out = gb
                  output both = grad(sum(y), "dense")[1]
                }
                """);
        double[] x = {1, 2, 3, 4, 5, 6};
        Map<String, Tensor> in = new HashMap<>();
        in.put("x", t(X23, x));
        in.put("dense.w", t(new int[]{3, 2}, 1, 2, 3, 4, 5, 6));
        in.put("dense.b", t(new int[]{2}, 0, 0));
        Map<String, Tensor> out = run(graph(c, "eval"), in);
        // d sum(x w + b) / d w[i, j] = sum over samples of x[s, i]; / d b[j] = B
        assertClose(new double[]{5, 5, 7, 7, 9, 9}, out.get("gw_out").data(), 1e-12);
        assertClose(new double[]{2, 2}, out.get("gb_out").data(), 1e-12);
        assertClose(new double[]{2, 2}, out.get("both").data(), 1e-12);
    }

    /** A shared instance's params: one gradient per param, summing over every call of the instance. */
    @Test
    void gradWithRespectToASharedInstanceSumsOverItsCalls() {
        Compilation c = ok("""
                import std.nn.{dense}
                model P {
                  input x: f32[B, 3]
                  d = share(dense)
                  y = sum(d(x, 2)) + sum(d(2 * x, 2))
                  (gw, gb) = grad(y, d)
                  output gw_out = gw
                  output gb_out = gb
                }
                """);
        Map<String, Tensor> in = new HashMap<>();
        in.put("x", t(X23, 1, 2, 3, 4, 5, 6));
        in.put("dense.w", t(new int[]{3, 2}, 1, 2, 3, 4, 5, 6));
        in.put("dense.b", t(new int[]{2}, 0, 0));
        Map<String, Tensor> out = run(graph(c, "eval"), in);
        // the first call gives sum over samples of x[s, i], the second twice that; each call adds B to the bias's
        assertClose(new double[]{15, 15, 21, 21, 27, 27}, out.get("gw_out").data(), 1e-12);
        assertClose(new double[]{4, 4}, out.get("gb_out").data(), 1e-12);
    }

    @Test
    void aValueThatDoesNotDependOnXHasZeroGradientAndAWarning() {
        Compilation c = ok("""
                model Z {
                  input x: f32[B, 3]
                  input i: i32[B, 3]
                  output g = grad(sum(cast(i, f32)), x)
                }
                """);
        Diagnostic w = c.diagnostics().stream().filter(d -> !d.isError()).findFirst().orElseThrow();
        assertTrue(w.message().contains("does not depend on x; the gradient is zeros"), w.message());
        assertEquals("test.dl:4:38", w.span().toString());
        Map<String, Tensor> out = run(graph(c, "eval"), Map.of("x", t(X23, 1, 2, 3, 4, 5, 6), "i", t(X23, 1, 2, 3, 4, 5, 6)));
        assertClose(new double[6], out.get("g").data(), 0);
    }

    @Test
    void misusesAreDiagnosedAtTheirArgument() {
        String e = errors("""
                model Bad {
                  input x: f32[B, 3]
                  input i: i32[B]
                  output a = grad(x * 2, x)
                }
                """);
        assertTrue(e.contains("test.dl:4:19: error: grad needs a scalar y, but y is f32[B, 3]"), e);
        assertTrue(e.contains("hint: reduce it first"), e);
        assertTrue(errors("""
                model Bad {
                  input x: f32[B, 3]
                  input i: i32[B]
                  output a = grad(sum(x), i)
                }
                """).contains("test.dl:4:27: error: grad: x is i32[B], which has no gradient"));
        assertTrue(errors("""
                model Bad {
                  input i: i32[B]
                  output a = grad(sum(i), i)
                }
                """).contains("test.dl:3:19: error: grad's y must be a floating scalar, but it is i32[]"));
        String prefix = errors("""
                import std.nn.{dense}
                model Bad {
                  input x: f32[B, 3]
                  y = dense(x, 2)
                  output a = grad(sum(y), "dens")[0]
                }
                """);
        assertTrue(prefix.contains("test.dl:5:27: error: grad: no floating param is declared under 'dens' (so far)"), prefix);
        assertTrue(prefix.contains("did you mean 'dense"), prefix);
        String rule = errors("""
                model Bad {
                  input x: f32[B, 1, H, 8]
                  input w: f32[1, 1, 3, 3]
                  y = conv2d(x, w, stride=2)
                  output a = grad(sum(y), x)
                }
                """);
        assertTrue(rule.contains("test.dl:5:14: error: grad: cannot differentiate: the gradient of conv2d with stride 2 needs to know the input"), rule);
        assertTrue(rule.contains("note: the operation whose gradient failed at test.dl:4:7"), rule);
        assertTrue(errors("""
                model Bad {
                  input x: f32[B, 3]
                  output a = grad(sum(x), 3)
                }
                """).contains("grad's x must be a tensor, a tuple of tensors, a def, a shared instance or a param path prefix (a string), got an int"));
    }

    /** grad inside a scan body differentiates the body's step; a grad of the scan's outputs goes through those grads. */
    @Test
    void gradInsideAScanBodyIsPerStep() {
        Compilation c = ok("""
                model S {
                  input x: f32[B, 2, 3]
                  input w: f32[3]
                  hT, gs = scan(fn(h, x_t) {
                    h2 = tanh(h * w + x_t)
                    (h2, grad(sum(h2 * h2), x_t))      # 2 h2 (1 - h2^2)
                  }, zeros([B, 3]), xs=x)
                  output g = gs
                  output gw = grad(sum(gs), w)
                }
                """);
        double[] x = {0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, -0.8, 0.9, -1.0, 1.1, -1.2}, w = {0.5, -1.5, 2.0};
        Map<String, Tensor> in = Map.of("x", t(new int[]{2, 2, 3}, x), "w", t(new int[]{3}, w));
        Map<String, Tensor> out = run(graph(c, "eval"), in);
        double[] want = new double[12];
        for (int b = 0; b < 2; b++)
            for (int k = 0; k < 3; k++) {
                double h = 0;
                for (int s = 0; s < 2; s++) {
                    int i = (b * 2 + s) * 3 + k;
                    h = Math.tanh(h * w[k] + x[i]);
                    want[i] = 2 * h * (1 - h * h);
                }
            }
        assertClose(want, out.get("g").data(), 1e-12);
        // d/dw of sum(gs) by central differences (second order through the scan and the body's grad)
        for (int k = 0; k < 3; k++) {
            double[] wp = w.clone(), wm = w.clone();
            wp[k] += 1e-6;
            wm[k] -= 1e-6;
            double fp = sum(run(graph(c, "eval"), Map.of("x", in.get("x"), "w", t(new int[]{3}, wp))).get("g").data());
            double fm = sum(run(graph(c, "eval"), Map.of("x", in.get("x"), "w", t(new int[]{3}, wm))).get("g").data());
            assertEquals((fp - fm) / 2e-6, out.get("gw").data()[k], 1e-6, "d sum(gs) / d w[" + k + "]");
        }
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s;
    }

    // ---- WGAN-GP -------------------------------------------------------------------------------

    /** The critic, shared by its three calls (share), and its gradient penalty, in a few lines. */
    static final String WGAN_GP = """
            import std.nn.{dense}
            def critic(x) { sum(dense(tanh(dense(x, 5)), 1), axis=1) }          # [B]
            model WganGp(lam: float = 10.0) {
              input real: f32[B, 2]
              input fake: f32[B, 2]
              input eps: f32[B, 1]
              d = share(critic)
              x_hat = eps * real + (1 - eps) * fake
              g = grad(sum(d(x_hat)), x_hat)                    # [B, 2]: each sample's own gradient
              gp = (sqrt(sum(g * g, axis=1)) - 1) ** 2          # [B]
              output penalty = gp
              output critic_hat = d(x_hat)
              loss mean(d(fake)) - mean(d(real)) + lam * mean(gp)
            }
            """;

    private static Map<String, Tensor> wganInputs(Graph g, Random r) {
        Map<String, Tensor> in = new HashMap<>();
        for (Value v : g.inputs()) {
            int[] shape = v.type().shape().eval(Map.of("B", 4L));
            double[] d = new double[(int) Tensor.numel(shape)];
            for (int i = 0; i < d.length; i++) d[i] = v.name().equals("eps") ? r.nextDouble() : r.nextGaussian();
            in.put(v.name(), Tensor.of(shape, d).withDType(v.type().dtype()));
        }
        return in;
    }

    /** The per-sample penalty against central differences of the critic along each axis of x_hat. */
    @Test
    void wganGpPenaltyMatchesFiniteDifferencesOfTheCritic() {
        Graph eval = graph(ok(WGAN_GP), "eval");
        Map<String, Tensor> in = wganInputs(eval, new Random(4));
        double[] penalty = run(eval, in).get("penalty").data();
        double h = 1e-6;
        for (int s = 0; s < 4; s++) {
            double norm2 = 0;
            for (int k = 0; k < 2; k++) {
                // moving real and fake by the same delta moves x_hat = eps real + (1 - eps) fake by it
                double dp = critic(eval, in, s, k, h), dm = critic(eval, in, s, k, -h);
                double d = (dp - dm) / (2 * h);
                norm2 += d * d;
            }
            double want = Math.pow(Math.sqrt(norm2) - 1, 2);
            assertTrue(want > 1e-4, "a penalty that is not trivially zero");
            assertEquals(want, penalty[s], 1e-6 * Math.max(1, want), "sample " + s);
        }
    }

    private static double critic(Graph eval, Map<String, Tensor> in, int s, int k, double h) {
        Map<String, Tensor> moved = new HashMap<>(in);
        for (String name : List.of("real", "fake")) {
            double[] d = in.get(name).data().clone();
            d[s * 2 + k] += h;
            moved.put(name, Tensor.of(new int[]{4, 2}, d).withDType(in.get(name).dtype()));
        }
        return run(eval, moved).get("critic_hat").data()[s];
    }

    /**
     * The loss's gradient w.r.t. every param (second order through the penalty's grad, as the
     * training step computes it) against central differences of the loss (float64, h = 1e-6,
     * rtol 1e-3 as gradcheck), along a random direction and per coordinate.
     */
    @Test
    void wganGpParamGradientsAreSecondOrderCorrect() {
        Graph train = graph(ok(WGAN_GP), "train");
        Random r = new Random(8);
        Map<String, Tensor> in = wganInputs(train, r);
        List<String> params = train.inputs().stream().filter(v -> v.role() == Value.Role.PARAM).map(Value::name).toList();
        Graph grad = new Autodiff().gradients(train, "loss", params);
        Map<String, Tensor> out = run(grad, in);
        int checks = 0;
        for (String p : params) {
            double[] gp = gradOutput(grad, out, p);
            for (int i = 0; i < gp.length; i++) {
                double numeric = (lossAt(train, in, p, i, 1e-6) - lossAt(train, in, p, i, -1e-6)) / 2e-6;
                double rel = Math.abs(gp[i] - numeric) / Math.max(1e-8, Math.abs(gp[i]) + Math.abs(numeric));
                assertTrue(rel <= 1e-3 || Math.abs(gp[i] - numeric) <= 1e-7, p + "[" + i + "]: autodiff " + gp[i] + ", finite differences " + numeric);
                checks++;
            }
        }
        assertEquals(List.of("critic.dense.w", "critic.dense.b", "critic.dense_1.w", "critic.dense_1.b"), params);
        assertEquals(2 * 5 + 5 + 5 + 1, checks);
    }

    private static double[] gradOutput(Graph grad, Map<String, Tensor> out, String p) {
        for (Graph.Output o : grad.outputs())
            if (o.role() == Graph.Output.Role.GRAD && o.name().equals(p)) return out.get(p).data();
        throw new AssertionError("no gradient output for " + p);
    }

    private static double lossAt(Graph g, Map<String, Tensor> in, String p, int i, double h) {
        Map<String, Tensor> moved = new HashMap<>(in);
        Tensor x = in.get(p);
        double[] d = x.data().clone();
        d[i] += h;
        moved.put(p, new Tensor(x.dtype(), x.shape(), d));
        return run(g, moved).get("loss").item();
    }

    /** A model whose loss holds a grad gets a training step like any other: its autodiff goes through the grad's nodes. */
    @Test
    void aTrainBlockOverALossWithGradLowersItsStep() {
        Compilation c = ok(WGAN_GP + """
                train WganGp {
                  data      blobs(n = 64)
                  optimizer adam(lr=1e-3)
                }
                """);
        assertTrue(c.module().graph("step").isPresent());
    }
}
