package dlc.frontend.train;

import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/** Several steps (GAN), rule-only steps (RBM, Hebbian), model state (batch norm), and convergence. */
class StepStructureTest {
    static final String GAN = """
            def gen() {
              param w: f64[2] = 0.5
              w
            }
            def disc() {
              param v: f64[2] = 0.25
              v
            }
            model Gan {
              input z: f64[2]
              fake = z * gen()
              v = disc()
              loss d_loss = sum(stop_gradient(fake) * v)
              loss g_loss = -sum(fake * v)
              output fake
            }
            train Gan {
              step d {
                loss d_loss
                params disc
                optimizer momentum(lr=0.1, mu=0.5)
              }
              step g {
                loss g_loss
                params gen
                optimizer sgd(lr=0.1)
              }
            }
            """;

    @Test void eachStepUpdatesOnlyItsOwnParams() {
        TrainRun run = TrainRun.of(GAN);
        assertEquals(List.of("step.d", "step.g"), run.plan.steps().stream().map(TrainPlan.Step::graph).toList());
        assertEquals(List.of("disc.v"), run.plan.steps().get(0).params());
        assertEquals(List.of("gen.w"), run.plan.steps().get(1).params());
        assertEquals(List.of("opt.d.disc.v.0"), run.plan.steps().get(0).optimizerState());
        Set<String> dUpdates = updates(run.graph("step.d"));
        assertEquals(Set.of("disc.v", "opt.d.disc.v.0"), dUpdates, "the d step changes only the discriminator (and not the counter)");
        assertEquals(Set.of("gen.w", "step"), updates(run.graph("step.g")));

        double[] z = {1.0, -2.0};
        Map<String, Tensor> batch = Map.of("z", TrainRun.vec(z));
        Map<String, Tensor> d = run.step("step.d", batch);
        assertEquals(0.5 * 0.25 * (z[0] + z[1]), d.get("d_loss").item(), 1e-15);
        double[] v1 = {0.25 - 0.1 * 0.5 * z[0], 0.25 - 0.1 * 0.5 * z[1]};
        assertArrayEquals(v1, run.get("disc.v"), 1e-15);
        assertArrayEquals(new double[]{0.5, 0.5}, run.get("gen.w"), 0, "d step leaves the generator alone");
        run.step("step.g", batch);
        // g_loss = -sum(z * w * v): dg/dw = -z * v (the updated v)
        assertArrayEquals(new double[]{0.5 + 0.1 * z[0] * v1[0], 0.5 + 0.1 * z[1] * v1[1]}, run.get("gen.w"), 1e-15);
        assertArrayEquals(v1, run.get("disc.v"), 0, "g step leaves the discriminator alone");
        assertEquals(1, run.values.get("step").item(), "one iteration");
    }

    static Set<String> updates(Graph g) {
        Set<String> out = new TreeSet<>();
        for (Graph.Output o : g.outputs()) if (o.role() == Graph.Output.Role.UPDATE) out.add(o.name());
        return out;
    }

    @Test void ruleOnlyBlockAppliesTheModelsOwnUpdates() {
        // Hebbian: w += lr * x^T x (outer product), no optimizer; the loss is reported only
        TrainRun run = TrainRun.of("""
                model Hebb(lr: float = 0.5) {
                  input x: f64[2]
                  param w: f64[2, 2] = 0.0
                  w += unsqueeze(x, 1) * unsqueeze(x, 0) * lr
                  loss sum(x @ w)
                }
                train Hebb { epochs 3 }
                """);
        TrainPlan.Step s = run.plan.steps().get(0);
        assertEquals(List.of(), s.params());
        assertEquals(List.of("w"), s.rules());
        assertEquals("loss", s.loss());
        Graph step = run.graph("step");
        assertTrue(step.outputs().stream().noneMatch(o -> o.role() == Graph.Output.Role.GRAD));
        run.step("step", Map.of("x", TrainRun.vec(1, -1)));
        Map<String, Tensor> out = run.step("step", Map.of("x", TrainRun.vec(1, 2)));
        assertArrayEquals(new double[]{0.5 + 0.5, -0.5 + 1, -0.5 + 1, 0.5 + 2}, run.get("w"), 1e-15);
        // the loss is computed with w before this step's rule: x @ w_1 with w_1 = 0.5 [[1,-1],[-1,1]]
        assertEquals((1 * 0.5 + 2 * -0.5) + (1 * -0.5 + 2 * 0.5), out.get("loss").item(), 1e-15);
    }

    @Test void rbmExampleTrainsByItsRulesAlone() throws Exception {
        TrainRun run = TrainRun.of(java.nio.file.Files.readString(java.nio.file.Path.of("../examples/rbm.dl")));
        TrainPlan.Step s = run.plan.steps().get(0);
        assertEquals(List.of("w", "bv", "bh"), s.rules());
        assertEquals(List.of(), s.params());
        double[] w0 = run.get("w");
        double[] v = new double[2 * 784];
        for (int i = 0; i < v.length; i++) v[i] = (i * 7 % 3 == 0) ? 1 : 0;
        run.step("step", Map.of("x", new Tensor(dlc.ir.DType.F32, new int[]{2, 1, 28, 28}, v)));
        assertFalse(Arrays.equals(w0, run.get("w")), "CD-1 moves the weights");
        for (double x : run.get("w")) assertTrue(Double.isFinite(x));
    }

    @Test void batchNormRunningStatisticsAreUpdatedByTheStep() {
        TrainRun run = TrainRun.of("""
                import std.nn.batch_norm
                model Bn {
                  input x: f32[B, 2]
                  h = batch_norm(x)
                  output h
                  loss mean(h * h * 0.5)
                }
                train Bn { optimizer sgd(lr=0.1) }
                """);
        Graph step = run.graph("step");
        Set<String> up = updates(step);
        assertTrue(up.containsAll(Set.of("batch_norm.running_mean", "batch_norm.running_var", "batch_norm.gamma", "batch_norm.beta", "step")), up.toString());
        assertEquals(List.of("batch_norm.gamma", "batch_norm.beta"), run.plan.steps().get(0).params(), "state is not optimized");
        Tensor x = new Tensor(dlc.ir.DType.F32, new int[]{2, 2}, new double[]{1, 10, 3, 20});
        run.step("step", Map.of("x", x));
        // rm = 0.9 * 0 + 0.1 * mean; rv = 0.9 * 1 + 0.1 * unbiased var (n = 2)
        assertArrayEquals(new double[]{0.2, 1.5}, run.get("batch_norm.running_mean"), 1e-6);
        assertArrayEquals(new double[]{0.9 + 0.1 * 2, 0.9 + 0.1 * 50}, run.get("batch_norm.running_var"), 1e-5);
    }

    @Test void linearRegressionConverges() {
        TrainRun run = TrainRun.of("""
                model Lin {
                  input x: f64[B, 2]
                  input y: f64[B]
                  param w: f64[2] = 0.0
                  param b: f64[] = 0.0
                  output pred = sum(x * w, -1) + b
                  loss mean((pred - y) ** 2)
                }
                train Lin {
                  optimizer adam(lr=0.05)
                  batch 8
                }
                """);
        Random rnd = new Random(3);
        double first = Double.NaN, last = Double.NaN;
        for (int it = 0; it < 300; it++) {
            double[] x = new double[16], y = new double[8];
            for (int i = 0; i < 8; i++) {
                x[2 * i] = rnd.nextGaussian();
                x[2 * i + 1] = rnd.nextGaussian();
                y[i] = 2 * x[2 * i] - 3 * x[2 * i + 1] + 0.5 + 0.01 * rnd.nextGaussian();
            }
            Map<String, Tensor> out = run.iteration(Map.of("x", new Tensor(dlc.ir.DType.F64, new int[]{8, 2}, x), "y", TrainRun.vec(y)));
            double loss = out.get("loss").item();
            if (it == 0) first = loss;
            last = loss;
        }
        assertTrue(last < first / 10, "loss falls 10x: " + first + " -> " + last);
        assertArrayEquals(new double[]{2, -3}, run.get("w"), 0.05);
        assertEquals(0.5, run.get("b")[0], 0.05);
        assertEquals(8, run.plan.batch());
        assertEquals(300, run.values.get("step").item());
    }

    @Test void laterStepsDrawOtherNumbersThanTheFirst() {
        TrainRun run = TrainRun.of("""
                model M {
                  input x: f64[4]
                  param w: f64[4] = 1.0
                  n = normal([4], dtype=f64)
                  output noise = n
                  loss sum(w * x * n)
                }
                train M {
                  step a { optimizer sgd(lr=0.0) }
                  step b { optimizer sgd(lr=0.0) }
                }
                """);
        Map<String, Tensor> batch = Map.of("x", TrainRun.vec(1, 1, 1, 1));
        double[] a = run.step("step.a", batch).get("noise").data();
        double[] b = run.step("step.b", batch).get("noise").data();
        assertFalse(Arrays.equals(a, b));
        assertTrue(run.graph("step.b").inputs().stream().map(Value::name).toList().contains("rng"));
    }
}
