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
}
