package dlc.examples;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour each model family must show beyond "runs and is finite". */
class FamilyChecksTest {
    private static Path example(String name) { return ExamplesForwardTest.EXAMPLES.resolve(name + ".dl"); }

    @Test
    void realNvpInverseUndoesForward() {
        ModelRunner r = ModelRunner.compile(example("realnvp"), 3);
        Random rnd = new Random(11);
        // standard-normal-ish data, wider than the [0, 1) default so the couplings do real work
        Tensor x = ModelRunner.filled(DType.F32, new int[]{4, 2}, (i, s) -> 2 * rnd.nextGaussian());
        Map<String, Tensor> out = r.run("eval", Map.of("x", x));
        Tensor rec = out.get("x_rec");
        Tensor z = out.get("z");
        double moved = 0;
        for (int i = 0; i < x.size(); i++) {
            double a = x.data()[i], b = rec.data()[i];
            // relative 1e-9: a handful of float64 roundings through 4 exp/tanh couplings and back
            assertEquals(a, b, 1e-9 * Math.max(1, Math.abs(a)), "x_rec[" + i + "]");
            moved = Math.max(moved, Math.abs(z.data()[i] - a));
        }
        assertTrue(moved > 1e-3, "the flow must not be the identity at init (max |z - x| = " + moved + ")");
    }

    @Test
    void realNvpLogdetIsSumOfLogScales() {
        // logdet is finite and bounded by 4 couplings * 1 transformed feature * |tanh| <= 4
        ModelRunner r = ModelRunner.compile(example("realnvp"), 5);
        Tensor x = ModelRunner.filled(DType.F32, new int[]{3, 2}, (i, s) -> Math.sin(i));
        Tensor ld = r.run("eval", Map.of("x", x)).get("logdet");
        assertEquals(1, ld.rank());
        for (double v : ld.data()) assertTrue(Math.abs(v) <= 4, "logdet " + v);
    }

    @Test
    void lifSpikeRateRisesWithCurrent() {
        ModelRunner r = ModelRunner.compile(example("lif"), 1);
        double[] currents = {0.5, 1.5, 3.0, 6.0};
        int steps = 50;
        // one sample, 50 steps, one neuron per current level, constant drive
        Tensor in = ModelRunner.filled(DType.F32, new int[]{1, steps, currents.length},
                (i, s) -> currents[i % currents.length]);
        Map<String, Tensor> out = r.run("eval", Map.of("current", in));
        Tensor rate = out.get("rate");
        Tensor spikes = out.get("spikes");
        for (double v : spikes.data()) assertTrue(v == 0 || v == 1, "spikes are 0/1, got " + v);
        double[] rt = rate.data();
        assertEquals(0.0, rt[0], "below threshold (v_in = 0.5 < 1) the neuron never fires");
        for (int k = 1; k < rt.length; k++)
            assertTrue(rt[k] > rt[k - 1], "rate must rise with current: " + java.util.Arrays.toString(rt));
    }

    @Test
    void lifFirstSpikeTimeMatchesClosedForm() {
        // v_in = 3, dt = 1, tau_m = 20: Euler v_t = 3(1 - (19/20)^t) first reaches 1 at t = 8
        // (3(1 - 0.95^7) = 0.9055, 3(1 - 0.95^8) = 1.0072), i.e. at step index 7.
        ModelRunner r = ModelRunner.compile(example("lif"), 1);
        Tensor in = ModelRunner.filled(DType.F32, new int[]{1, 12, 1}, (i, s) -> 3.0);
        Tensor spikes = r.run("eval", Map.of("current", in)).get("spikes");
        for (int t = 0; t < 12; t++)
            assertEquals(t == 7 ? 1.0 : 0.0, spikes.data()[t], "spike at step " + t);
    }

    @Test
    void hodgkinHuxleyRestsWithoutInputAndSpikesWithStrongInput() {
        ModelRunner r = ModelRunner.compile(example("hodgkin_huxley"), 1);
        Tensor current = new Tensor(DType.F32, new int[]{1, 2}, new double[]{0.0, 20.0});
        Map<String, Tensor> out = r.run("eval", Map.of("current", current));
        Tensor v = out.get("voltage");            // [1, steps, 2]
        Tensor spikes = out.get("spikes");        // [1, 2]
        ModelRunner.assertAllFinite("voltage", v);
        int steps = v.dim(1);
        for (int t = 0; t < steps; t++)
            assertEquals(-65.0, v.get(0, t, 0), 0.5, "no input: V stays near rest at step " + t);
        assertEquals(0.0, spikes.get(0, 0), "no input, no spike");
        assertTrue(spikes.get(0, 1) >= 1, "20 uA/cm^2 for 5 ms must fire at least once");
        double peak = -1e9;
        for (int t = 0; t < steps; t++) peak = Math.max(peak, v.get(0, t, 1));
        assertTrue(peak > 20 && peak < 60, "action potential peak " + peak + " mV");
    }

    @Test
    void hopfieldRecallsAStoredPatternFromANoisyProbe() {
        ModelRunner r = ModelRunner.compile(example("hopfield"), 1);
        int n = 16;
        Random rnd = new Random(5);
        double[] p = new double[2 * n];
        for (int i = 0; i < p.length; i++) p[i] = rnd.nextBoolean() ? 1 : 0;
        double[] probe = new double[n];
        for (int i = 0; i < n; i++) probe[i] = p[i];
        probe[3] = 1 - probe[3];                      // flip two bits of pattern 0
        probe[10] = 1 - probe[10];
        Map<String, Tensor> out = r.run("eval", Map.of(
                "patterns", new Tensor(DType.F32, new int[]{2, n}, p),
                "probe", new Tensor(DType.F32, new int[]{1, n}, probe)));
        Tensor rec = out.get("recalled_async");
        for (int i = 0; i < n; i++)
            assertEquals(p[i] * 2 - 1, rec.get(0, i), "unit " + i + " of the recalled pattern");
        Tensor path = out.get("energy_path");        // [sweeps*units, B]
        double prev = out.get("energy_start").data()[0];
        for (int t = 0; t < path.dim(0); t++) {
            double e = path.get(t, 0);
            assertTrue(e <= prev + 1e-12, "async updates never raise the energy (step " + t + ")");
            prev = e;
        }
    }

    @Test
    void batchNormTrainGraphUpdatesRunningStatistics() {
        // resnet_block's train graph must expose the running-stat updates of its batch norms
        ModelRunner r = ModelRunner.compile(example("resnet_block"), 1);
        var train = ModelRunner.graph(r.module, "train");
        long updates = train.outputs().stream().filter(o -> o.role() == dlc.ir.Graph.Output.Role.UPDATE).count();
        assertTrue(updates >= 2 * 6, "6 batch norms x (mean, var) updates, got " + updates);
        var eval = ModelRunner.graph(r.module, "eval");
        assertTrue(eval.outputs().stream().noneMatch(o -> o.role() == dlc.ir.Graph.Output.Role.UPDATE),
                "eval never updates state");
    }

    @Test
    void ganHasTwoNamedLosses() {
        ModelRunner r = ModelRunner.compile(example("gan"), 1);
        var train = ModelRunner.graph(r.module, "train");
        assertTrue(train.output("d_loss").isPresent() && train.output("g_loss").isPresent(),
                "train graph outputs " + train.outputs());
        Map<String, Long> dims = new HashMap<>();
        Map<String, Tensor> out = r.run("train", r.randomInputs("train", dims, new Random(1)));
        // at init D is near chance: each BCE term is close to log 2
        assertEquals(2 * Math.log(2), out.get("d_loss").item(), 0.5);
        assertEquals(Math.log(2), out.get("g_loss").item(), 0.5);
    }

    @Test
    void ganDiscriminatorLossNeverReachesTheGenerator() {
        // the D-step must not move G (docs/models.md 2.10): d_loss sees the fake batch through stop_gradient
        ModelRunner r = ModelRunner.compile(example("gan"), 1);
        var train = ModelRunner.graph(r.module, "train");
        java.util.List<String> gen = train.inputs().stream().map(dlc.ir.Value::name).filter(n -> n.startsWith("generator.")).toList();
        assertTrue(gen.size() >= 4, "generator parameters: " + gen);
        var g = new dlc.passes.autodiff.Autodiff().gradients(train, "d_loss", gen);
        Map<String, Tensor> in = new java.util.LinkedHashMap<>(r.randomInputs("train", new HashMap<>(), new Random(2)));
        Tensor[] out = run(r, g, in);
        int grads = 0;
        for (int k = 0; k < out.length; k++)
            if (g.outputs().get(k).role() == dlc.ir.Graph.Output.Role.GRAD) {
                grads++;
                for (double v : out[k].data()) assertEquals(0.0, v, "d d_loss / d " + g.outputs().get(k).name());
            }
        assertEquals(gen.size(), grads);
        // while g_loss does reach the generator
        var gg = new dlc.passes.autodiff.Autodiff().gradients(train, "g_loss", gen);
        Tensor[] out2 = run(r, gg, in);
        double norm = 0;
        for (int k = 0; k < out2.length; k++)
            if (gg.outputs().get(k).role() == dlc.ir.Graph.Output.Role.GRAD) for (double v : out2[k].data()) norm += v * v;
        assertTrue(norm > 0, "g_loss must have a gradient for the generator");
    }

    private static Tensor[] run(ModelRunner r, dlc.ir.Graph g, Map<String, Tensor> data) {
        java.util.List<Tensor> args = new java.util.ArrayList<>();
        for (dlc.ir.Value v : g.inputs()) {
            if (data.containsKey(v.name())) args.add(data.get(v.name()));
            else if (r.initial.containsKey(v.name())) args.add(r.initial.get(v.name()));
            else if (ModelRunner.isRngKey(v)) args.add(Tensor.scalar(DType.I64, 77));
            else throw new AssertionError("no value for " + v);
        }
        return dlc.ir.eval.Interpreter.run(g, args.toArray(new Tensor[0]), new HashMap<>());
    }

    @Test
    void rbmContrastiveDivergenceUpdatesFollowTheRule() {
        // k = 1: vk is the mean p(v|h0) and phk = p(h|vk); check bv' = bv + lr mean_0(v0 - vk) and
        // bh' = bh + lr mean_0(ph0 - phk) against the train graph's own recon and hidden_probs
        ModelRunner r = ModelRunner.compile(example("rbm"), 1);
        Map<String, Tensor> data = r.randomInputs("train", new HashMap<>(), new Random(4));
        var train = ModelRunner.graph(r.module, "train");
        Tensor[] out = run(r, train, data);
        Map<String, Tensor> byName = new HashMap<>();
        Map<String, Tensor> updates = new HashMap<>();
        for (int k = 0; k < out.length; k++) {
            var o = train.outputs().get(k);
            (o.role() == dlc.ir.Graph.Output.Role.UPDATE ? updates : byName).put(o.name(), out[k]);
        }
        assertTrue(updates.keySet().containsAll(java.util.List.of("w", "bv", "bh")), "updates " + updates.keySet());
        Tensor x = data.get("x"), vk = byName.get("recon"), ph0 = byName.get("hidden_probs");
        Tensor w = r.initial.get("w"), bh = r.initial.get("bh");
        int b = x.dim(0), nv = 784, nh = w.dim(1);
        double lr = 0.05;
        for (int i = 0; i < nv; i += 97) {
            double d = 0;
            for (int s = 0; s < b; s++) d += (x.data()[s * nv + i] - vk.get(s, i)) / b;
            assertEquals(r.initial.get("bv").data()[i] + lr * d, updates.get("bv").data()[i], 1e-12, "bv update " + i);
        }
        for (int j = 0; j < nh; j++) {
            double d = 0;
            for (int s = 0; s < b; s++) {
                double a = bh.data()[j];
                for (int i = 0; i < nv; i++) a += vk.get(s, i) * w.get(i, j);
                d += (ph0.get(s, j) - 1 / (1 + Math.exp(-a))) / b;
            }
            assertEquals(bh.data()[j] + lr * d, updates.get("bh").data()[j], 1e-12, "bh update " + j);
        }
    }
}
