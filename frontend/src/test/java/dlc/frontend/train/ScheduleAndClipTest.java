package dlc.frontend.train;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Schedules (docs/models.md 3.8) and gradient clipping (3.5). With sgd(lr=1) on loss sum(w) the gradient
 * is 1, so each step moves w by exactly the learning rate: the schedule's value at t.
 */
class ScheduleAndClipTest {
    /** w's decrease at steps 1..n for a model trained with the given settings. */
    static double[] steps(String settings, int n) {
        TrainRun run = TrainRun.of("""
                model M {
                  input x: f64[1]
                  param w: f64[1] = 0.0
                  loss sum(w * x)
                }
                train M {
                %s
                }
                """.formatted(settings));
        double[] out = new double[n];
        double prev = 0;
        for (int t = 0; t < n; t++) {
            run.step("step", Map.of("x", TrainRun.vec(1.0)));
            double w = run.get("w")[0];
            out[t] = prev - w;
            prev = w;
        }
        return out;
    }

    static void expect(IntToDoubleFunction f, double[] got) {
        for (int t = 1; t <= got.length; t++) assertEquals(f.applyAsDouble(t), got[t - 1], 1e-12, "at t = " + t);
    }

    @Test void stepDecay() {
        expect(t -> 0.5 * Math.pow(0.5, Math.floor((t - 1) / 2.0)), steps("optimizer sgd(lr=step_decay(2, gamma=0.5, lr0=0.5))", 6));
    }

    @Test void exponentialDecayAsScheduleSetting() {
        expect(t -> 0.3 * Math.pow(0.9, t - 1), steps("optimizer sgd(lr=0.3)\nschedule exponential_decay(0.9)", 5));
    }

    @Test void cosineDecayStaysAtTheMinimumAfterItsSteps() {
        expect(t -> 0.1 + 0.5 * (0.5 - 0.1) * (1 + Math.cos(Math.PI * Math.min(t - 1, 4) / 4)),
                steps("optimizer sgd(lr=cosine_decay(4, lr0=0.5, lr_min=0.1))", 7));
    }

    @Test void linearWarmupThenConstant() {
        expect(t -> 0.6 * Math.min(t, 3) / 3.0, steps("optimizer sgd(lr=0.6)\nschedule warmup(3)", 6));
    }

    @Test void warmupComposedWithAnotherScheduleShiftsIt() {
        // lr0 * t / W during warmup (lr0 = after(1) = 0.2), then after(t - W)
        double[] got = steps("optimizer sgd(lr=warmup(2, after=exponential_decay(0.5, lr0=0.2)))", 5);
        assertArrayEquals(new double[]{0.1, 0.2, 0.2, 0.1, 0.05}, got, 1e-12);
    }

    @Test void inverseSqrt() {
        expect(t -> Math.pow(16, -0.5) * Math.min(Math.pow(t, -0.5), t * Math.pow(2, -1.5)), steps("optimizer sgd(lr=inverse_sqrt(16, 2))", 5));
    }

    /** Gradients (3, 4) for a and 12 for b: global norm 13. */
    static TrainRun clipped(String clip) {
        TrainRun run = TrainRun.of("""
                model M {
                  input x: f64[2]
                  param a: f64[2] = 0.0
                  param b: f64[1] = 0.0
                  loss sum(a * x) + sum(b * 12.0) + sum(b * 0.0)
                }
                train M {
                  optimizer sgd(lr=1.0)
                  %s
                }
                """.formatted(clip));
        run.step("step", Map.of("x", TrainRun.vec(3, 4)));
        return run;
    }

    @Test void clipByGlobalNormScalesEveryGradient() {
        TrainRun run = clipped("clip norm(1.0)");
        double s = 1.0 / (13 + 1e-6);
        assertArrayEquals(new double[]{-3 * s, -4 * s}, run.get("a"), 1e-12);
        assertArrayEquals(new double[]{-12 * s}, run.get("b"), 1e-12);
        double n = Math.sqrt(Math.pow(run.get("a")[0], 2) + Math.pow(run.get("a")[1], 2) + Math.pow(run.get("b")[0], 2));
        assertTrue(n < 1.0 && n > 0.999999, "the clipped step has norm just under 1: " + n);
    }

    @Test void clipByNormBelowTheThresholdChangesNothing() {
        TrainRun run = clipped("clip norm(13.5)");
        assertArrayEquals(new double[]{-3, -4}, run.get("a"), 0);
        TrainRun bare = clipped("clip 100");
        assertArrayEquals(new double[]{-12}, bare.get("b"), 0);
    }

    @Test void clipByValueClampsEachElement() {
        TrainRun run = clipped("clip value(3.5)");
        assertArrayEquals(new double[]{-3, -3.5}, run.get("a"), 0);
        assertArrayEquals(new double[]{-3.5}, run.get("b"), 0);
    }
}
