package dlc.bench;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/** The .dl workloads are the peers' models: same parameter shapes, they train, the loop feeds updates back. */
class BenchModelsTest {
    /** Float param shapes by name from the init graph (optimizer state: none, plain SGD). */
    private static Map<String, Integer> paramSizes(BenchModel m) {
        Map<String, Integer> sizes = new TreeMap<>();
        m.initialState(1).forEach((k, v) -> {
            if (v instanceof float[] f) sizes.put(k, f.length);
        });
        return sizes;
    }

    private static int total(Map<String, Integer> s) { return s.values().stream().mapToInt(Integer::intValue).sum(); }

    @Test void mlpHasThePeersLayers() {
        // DJL: Linear 256, 128, 10 on 784 inputs, each with a bias
        Map<String, Integer> s = paramSizes(BenchModel.load("mlp"));
        assertEquals(Map.of("dense.w", 784 * 256, "dense.b", 256, "dense_1.w", 256 * 128, "dense_1.b", 128,
                "dense_2.w", 128 * 10, "dense_2.b", 10), s);
    }

    @Test void cnnHasThePeersLayers() {
        // DJL: Conv2d 3x3 x32 (1 channel), Conv2d 3x3 x64, Linear 128 on 64*7*7 = 3136, Linear 10
        Map<String, Integer> s = paramSizes(BenchModel.load("cnn"));
        assertEquals(Map.of("conv.w", 32 * 9, "conv.b", 32, "conv_1.w", 64 * 32 * 9, "conv_1.b", 64,
                "dense.w", 3136 * 128, "dense.b", 128, "dense_1.w", 128 * 10, "dense_1.b", 10), s);
    }

    @Test void lstmHasThePeersLayers() {
        // DJL: LSTM 32 -> 128 (4 gates) + Linear 10; PyTorch keeps two gate biases, std.rnn one
        Map<String, Integer> s = paramSizes(BenchModel.load("lstm"));
        assertEquals(Map.of("lstm.w_x", 32 * 512, "lstm.w_h", 128 * 512, "lstm.b", 512, "dense.w", 1280, "dense.b", 10), s);
        assertEquals(82432 + 1290, total(s));
    }

    @Test void mlpStepLowersTheLossAndWritesUpdatesBack() {
        BenchModel m = BenchModel.load("mlp");
        int b = 8;
        Map<String, Object> store = new HashMap<>(m.initialState(3));
        store.put("x", Data.uniform(1, b * 784));
        store.put("y", Data.labels(2, b, 10));
        float[] w = (float[]) store.get("dense.w");
        float[] w0 = w.clone();
        Session s = new Session(new InterpreterExecutor(m.step()), store, Map.of("B", (long) b));
        double first = s.loss(s.run());
        assertNotEquals(w0[0], w[0], "the update of dense.w must land in the store's own array");
        assertSame(w, store.get("dense.w"));
        double last = first;
        for (int i = 0; i < 20; i++) last = s.loss(s.run());
        assertTrue(last < first, "loss " + first + " -> " + last);
        assertEquals(21.0, ((double[]) store.get("step"))[0], "the step counter counts runs");
    }

    @Test void inferenceGraphKeepsOnlyTheLogits() {
        BenchModel m = BenchModel.load("cnn");
        assertEquals(1, m.inference().outputs().size());
        assertEquals("logits", m.inference().outputs().get(0).name());
    }

    @Test void timingStatisticsAreThePeers() {
        // peers.Harness.Result: median of sorted, p10 at floor(0.1(n-1)), p90 at ceil(0.9(n-1))
        Timing.Result r = new Timing.Result("w", "m", 1, 0, new double[] {5, 1, 4, 2, 3, 10});
        assertEquals(3.5, r.median());
        assertEquals(1.0, r.p10());
        assertEquals(10.0, r.p90());
    }
}
