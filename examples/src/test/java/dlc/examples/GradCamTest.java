package dlc.examples;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.DType;
import dlc.ir.eval.Interpreter;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * examples/gradcam.dl on a hand-built LeNet whose class 3 is scored only by feature channel 0 (a
 * detector of bright pixels) and class 5 only by channel 1 (a detector of dark pixels), on an
 * image with a bright square in its top-left quadrant and a dark square in its bottom-right one.
 * Grad-CAM must put class 3's heatmap on the bright square and class 5's on the dark one; both
 * channels see the whole image, so only the per-class channel weights alpha can tell them apart.
 */
class GradCamTest {
    private static final Path GRADCAM = ExamplesForwardTest.EXAMPLES.resolve("gradcam.dl");
    private static final Path LENET = ExamplesForwardTest.EXAMPLES.resolve("lenet.dl");

    @Test
    void gradCamHasLeNetsParametersSoALeNetCheckpointLoads() {
        Map<String, String> lenet = params(ModelRunner.compile(LENET, 0)), cam = params(ModelRunner.compile(GRADCAM, 0));
        assertEquals(lenet, cam);
    }

    private static Map<String, String> params(ModelRunner r) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Value v : ModelRunner.graph(r.module, "eval").inputs())
            if (v.role() == Value.Role.PARAM) out.put(v.name(), v.type().toString());
        return out;
    }

    @Test
    void heatmapOfEachClassSitsOnTheEvidenceForIt() {
        Map<String, Tensor> w = handBuiltWeights();
        Tensor x = image();
        double[] cam3 = heatmap(3, w, x), cam5 = heatmap(5, w, x);
        assertTrue(quadrantShare(cam3, true) > 0.9, "class 3's heatmap in the top-left quadrant: " + quadrantShare(cam3, true));
        assertTrue(quadrantShare(cam5, false) > 0.9, "class 5's heatmap in the bottom-right quadrant: " + quadrantShare(cam5, false));
        assertEquals(1.0, max(cam3), 1e-9, "heatmaps are scaled to a maximum of 1");
        // the peak of class 3 lies inside the bright square (rows and cols 4..11), of class 5 inside the dark one (16..23)
        int p3 = argmax(cam3), p5 = argmax(cam5);
        assertTrue(inside(p3, 2, 13), "class 3 peaks at " + p3 / 28 + "," + p3 % 28);
        assertTrue(inside(p5, 14, 27), "class 5 peaks at " + p5 / 28 + "," + p5 % 28);
    }

    /** The predicted class (target = -1) is explained by default: here class 3 wins on this image. */
    @Test
    void defaultTargetIsThePredictedClass() {
        ModelRunner r = ModelRunner.compile(GRADCAM, 0);
        Map<String, Tensor> given = new HashMap<>(handBuiltWeights());
        given.put("x", image());
        Map<String, Tensor> out = r.run("eval", given);
        double[] p = out.get("probs").data();
        int best = 0;
        for (int k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
        assertEquals(best, (int) out.get("class").data()[0]);
    }

    private static double[] heatmap(int target, Map<String, Tensor> weights, Tensor x) {
        Compilation c = Frontend.compile(GRADCAM, null, Map.of("target", Integer.toString(target)));
        assertTrue(c.diagnostics().isEmpty(), c::render);
        Map<String, Tensor> given = new HashMap<>(weights);
        given.put("x", x);
        Map<String, Tensor> out = Interpreter.run(ModelRunner.graph(c.module(), "eval"), given);
        assertEquals(target, (int) out.get("class").data()[0]);
        Tensor h = out.get("heatmap");
        assertEquals("[1, 1, 28, 28]", java.util.Arrays.toString(h.shape()));
        ModelRunner.assertAllFinite("heatmap", h);
        return h.data();
    }

    /** A 28x28 image: +1 on rows/cols 4..11, -1 on rows/cols 16..23, 0 elsewhere. */
    static Tensor image() {
        return ModelRunner.filled(DType.F32, new int[]{1, 1, 28, 28}, (i, s) -> {
            int r = i / 28, c = i % 28;
            if (r >= 4 && r <= 11 && c >= 4 && c <= 11) return 1.0;
            if (r >= 16 && r <= 23 && c >= 16 && c <= 23) return -1.0;
            return 0.0;
        });
    }

    /**
     * conv: channel 0 = sigmoid(10 x - 5) (bright), channel 1 = sigmoid(-10 x - 5) (dark), the
     * others off; conv_1 passes channels 0 and 1 on by their centre tap, the others off; dense
     * sums each of the two pooled channels into units 0 and 1; dense_1 passes them on; dense_2
     * scores class 3 from unit 0 and class 5 from unit 1.
     */
    static Map<String, Tensor> handBuiltWeights() {
        Map<String, Tensor> w = new HashMap<>();
        double[] c0w = new double[6 * 25], c0b = new double[6];
        java.util.Arrays.fill(c0b, -10);
        c0w[0 * 25 + 12] = 10;
        c0b[0] = -5;
        c0w[1 * 25 + 12] = -10;
        c0b[1] = -5;
        w.put("conv.w", t(c0w, 6, 1, 5, 5));
        w.put("conv.b", t(c0b, 6));
        double[] c1w = new double[16 * 6 * 25], c1b = new double[16];
        java.util.Arrays.fill(c1b, -10);
        for (int c = 0; c < 2; c++) {
            c1w[(c * 6 + c) * 25 + 12] = 10;
            c1b[c] = -5;
        }
        w.put("conv_1.w", t(c1w, 16, 6, 5, 5));
        w.put("conv_1.b", t(c1b, 16));
        double[] d0w = new double[400 * 120], d0b = new double[120];
        java.util.Arrays.fill(d0b, -10);
        for (int c = 0; c < 2; c++) {
            for (int k = 0; k < 25; k++) d0w[(c * 25 + k) * 120 + c] = 1;
            d0b[c] = -2;
        }
        w.put("dense.w", t(d0w, 400, 120));
        w.put("dense.b", t(d0b, 120));
        double[] d1w = new double[120 * 84], d1b = new double[84];
        java.util.Arrays.fill(d1b, -10);
        for (int c = 0; c < 2; c++) {
            d1w[c * 84 + c] = 4;
            d1b[c] = -2;
        }
        w.put("dense_1.w", t(d1w, 120, 84));
        w.put("dense_1.b", t(d1b, 84));
        double[] d2w = new double[84 * 10];
        d2w[0 * 10 + 3] = 5;
        d2w[1 * 10 + 5] = 5;
        w.put("dense_2.w", t(d2w, 84, 10));
        w.put("dense_2.b", t(new double[10], 10));
        return w;
    }

    private static Tensor t(double[] d, int... shape) { return new Tensor(DType.F32, shape, d); }

    private static double quadrantShare(double[] h, boolean topLeft) {
        double in = 0, all = 0;
        for (int i = 0; i < h.length; i++) {
            int r = i / 28, c = i % 28;
            all += h[i];
            if (topLeft ? r < 14 && c < 14 : r >= 14 && c >= 14) in += h[i];
        }
        return in / all;
    }

    private static boolean inside(int flat, int lo, int hi) {
        int r = flat / 28, c = flat % 28;
        return r >= lo && r <= hi && c >= lo && c <= hi;
    }

    private static int argmax(double[] h) {
        int b = 0;
        for (int i = 1; i < h.length; i++) if (h[i] > h[b]) b = i;
        return b;
    }

    private static double max(double[] h) { return h[argmax(h)]; }
}
