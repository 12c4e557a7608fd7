package dlc.frontend.train;

import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each std.optim optimizer against docs/models.md 3.7 computed by hand (in Java, step by step) over
 * three steps on a tiny f64 param. The loss sum(w * x) + 0.5 * c * sum(w * w) has gradient
 * x + c*w, so the gradient changes as w moves when c != 0.
 */
class OptimizerMathTest {
    static final double[] X = {0.5, -1.0, 2.0};
    static final double W0 = 0.25;

    static String model(String optimizer, double c) {
        return """
                model M {
                  input x: f64[3]
                  param w: f64[3] = %s
                  loss sum(w * x) + 0.5 * %s * sum(w * w)
                }
                train M { optimizer %s }
                """.formatted(W0, c, optimizer);
    }

    /** Runs three steps and compares w after each with ref(w, g) applied per element. */
    interface Ref {
        /** Updates w in place given gradient g at 1-based step t. */
        void step(double[] w, double[] g, int t);
    }

    static void check(String optimizer, double c, Ref ref) {
        TrainRun run = TrainRun.of(model(optimizer, c));
        double[] w = {W0, W0, W0};
        for (int t = 1; t <= 3; t++) {
            double[] g = new double[3];
            for (int i = 0; i < 3; i++) g[i] = X[i] + c * w[i];
            ref.step(w, g, t);
            run.step("step", Map.of("x", TrainRun.vec(X)));
            double[] got = run.get("w");
            for (int i = 0; i < 3; i++)
                assertEquals(w[i], got[i], 1e-12 * Math.max(1, Math.abs(w[i])), optimizer + " step " + t + " element " + i);
        }
        assertEquals(3, (long) run.values.get("step").item(), "the counter counts iterations");
    }

    @Test void sgdStepIsLrTimesGradient() {
        // one step by hand: w = 0.25 - 0.1 * x = (0.2, 0.35, 0.05)
        TrainRun run = TrainRun.of(model("sgd(lr=0.1)", 0));
        run.step("step", Map.of("x", TrainRun.vec(X)));
        assertArrayEquals(new double[]{0.2, 0.35, 0.05}, run.get("w"), 1e-15);
        check("sgd(lr=0.1)", 0.0, (w, g, t) -> { for (int i = 0; i < 3; i++) w[i] -= 0.1 * g[i]; });
    }

    @Test void sgdWeightDecayAndL1() {
        check("sgd(lr=0.1, wd=0.2)", 0.3, (w, g, t) -> { for (int i = 0; i < 3; i++) w[i] -= 0.1 * (g[i] + 0.2 * w[i]); });
        check("sgd(lr=0.1, weight_decay=0.2)", 0.0, (w, g, t) -> { for (int i = 0; i < 3; i++) w[i] -= 0.1 * (g[i] + 0.2 * w[i]); });
        check("sgd(lr=0.1, l1=0.05)", 0.0, (w, g, t) -> { for (int i = 0; i < 3; i++) w[i] -= 0.1 * (g[i] + 0.05 * Math.signum(w[i])); });
    }

    @Test void momentumAndNesterov() {
        double[] v = new double[3];
        check("momentum(lr=0.1, mu=0.9)", 0.3, (w, g, t) -> {
            for (int i = 0; i < 3; i++) { v[i] = 0.9 * v[i] + g[i]; w[i] -= 0.1 * v[i]; }
        });
        double[] v2 = new double[3];
        check("nesterov(lr=0.1, mu=0.9)", 0.3, (w, g, t) -> {
            for (int i = 0; i < 3; i++) { v2[i] = 0.9 * v2[i] + g[i]; w[i] -= 0.1 * (g[i] + 0.9 * v2[i]); }
        });
        double[] v3 = new double[3];
        check("sgd(lr=0.1, momentum=0.5)", 0.0, (w, g, t) -> {
            for (int i = 0; i < 3; i++) { v3[i] = 0.5 * v3[i] + g[i]; w[i] -= 0.1 * v3[i]; }
        });
    }

    @Test void adagradAndRmsprop() {
        double[] acc = new double[3];
        check("adagrad(lr=0.1)", 0.3, (w, g, t) -> {
            for (int i = 0; i < 3; i++) { acc[i] += g[i] * g[i]; w[i] -= 0.1 * g[i] / (Math.sqrt(acc[i]) + 1e-10); }
        });
        double[] s = new double[3];
        check("rmsprop(lr=0.01)", 0.3, (w, g, t) -> {
            for (int i = 0; i < 3; i++) { s[i] = 0.99 * s[i] + 0.01 * g[i] * g[i]; w[i] -= 0.01 * g[i] / (Math.sqrt(s[i]) + 1e-8); }
        });
    }

    static Ref adam(double lr, double b1, double b2, double eps, double wd, boolean decoupled) {
        double[] m = new double[3], v = new double[3];
        return (w, g, t) -> {
            for (int i = 0; i < 3; i++) {
                double gi = decoupled ? g[i] : g[i] + wd * w[i];
                if (decoupled) w[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double mh = m[i] / (1 - Math.pow(b1, t)), vh = v[i] / (1 - Math.pow(b2, t));
                w[i] -= lr * mh / (Math.sqrt(vh) + eps);
            }
        };
    }

    @Test void adamFirstStepMovesEveryWeightByLr() {
        // t = 1: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps) ~ lr * sign(g)
        TrainRun run = TrainRun.of(model("adam(lr=0.01)", 0));
        run.step("step", Map.of("x", TrainRun.vec(X)));
        double[] w = run.get("w");
        for (int i = 0; i < 3; i++) assertEquals(W0 - 0.01 * Math.signum(X[i]), w[i], 1e-9);
    }

    @Test void adamAndAdamW() {
        check("adam(lr=0.01)", 0.3, adam(0.01, 0.9, 0.999, 1e-8, 0, false));
        check("adam(lr=0.01, b1=0.5, b2=0.9, wd=0.1)", 0.3, adam(0.01, 0.5, 0.9, 1e-8, 0.1, false));
        check("adamw(lr=0.01)", 0.3, adam(0.01, 0.9, 0.999, 1e-8, 0.01, true));
        check("adamw(lr=0.05, weight_decay=0.5)", 0.0, adam(0.05, 0.9, 0.999, 1e-8, 0.5, true));
    }

    @Test void optimizerStateIsInitializedAndNamedPerParam() {
        TrainRun run = TrainRun.of(model("adam(lr=0.01)", 0));
        assertEquals(java.util.List.of("opt.w.0", "opt.w.1"), run.plan.steps().get(0).optimizerState());
        assertArrayEquals(new double[3], run.get("opt.w.0"));
        assertEquals(0, run.values.get("step").item());
        run.step("step", Map.of("x", TrainRun.vec(X)));
        // m after one step = (1 - b1) g
        double[] m = run.get("opt.w.0");
        for (int i = 0; i < 3; i++) assertEquals(0.1 * X[i], m[i], 1e-12);
    }
}
