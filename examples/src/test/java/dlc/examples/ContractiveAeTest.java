package dlc.examples;

import dlc.data.DataException;
import dlc.data.Dataset;
import dlc.data.FashionMnist;
import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.DType;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.train.Datasets;
import dlc.train.Executor;
import dlc.train.Progress;
import dlc.train.TrainBlocks;
import dlc.train.TrainPlan;
import dlc.train.Trainer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * examples/contractive_ae.dl: its Jacobian penalty, computed through one {@code grad} per code
 * unit, equals the closed form of a sigmoid encoder, and the model trains (second order: the
 * step differentiates through those gradients) to a reconstruction error well below the
 * mean-image baseline.
 */
class ContractiveAeTest {
    private static final Path FILE = ExamplesForwardTest.EXAMPLES.resolve("contractive_ae.dl");

    /** ||dh/dx||_F^2 = sum_j (h_j (1 - h_j))^2 sum_i W[i, j]^2 for h = sigmoid(x W + b), per sample. */
    static double[] closedForm(Tensor x, Tensor w, Tensor b) {
        int n = x.dim(0), in = w.dim(0), code = w.dim(1);
        double[] out = new double[n];
        for (int s = 0; s < n; s++)
            for (int j = 0; j < code; j++) {
                double z = b.data()[j];
                for (int i = 0; i < in; i++) z += x.data()[s * in + i] * w.data()[i * code + j];
                double h = 1 / (1 + Math.exp(-z)), colSq = 0;
                for (int i = 0; i < in; i++) colSq += w.data()[i * code + j] * w.data()[i * code + j];
                out[s] += (h * (1 - h)) * (h * (1 - h)) * colSq;
            }
        return out;
    }

    @Test
    void penaltyThroughGradEqualsTheSigmoidClosedForm() {
        ModelRunner r = ModelRunner.compile(FILE, 3);
        Random rnd = new Random(9);
        Tensor x = ModelRunner.random(DType.F32, new int[]{4, 1, 28, 28}, rnd);
        // a nonzero bias, so that h is not 1/2-symmetric around the initial weights
        Tensor b = ModelRunner.filled(DType.F32, new int[]{32}, (i, s) -> rnd.nextGaussian());
        Map<String, Tensor> out = r.run("eval", Map.of("x", x, "b_e", b));
        double[] want = closedForm(x, r.initial.get("w"), b), got = out.get("contraction").data();
        assertEquals(4, got.length);
        for (int s = 0; s < 4; s++) {
            assertTrue(want[s] > 1e-3, "a penalty that is not trivially zero: " + want[s]);
            // float64 interpreter: the two sums differ only in rounding order
            assertEquals(want[s], got[s], 1e-10 * want[s], "sample " + s);
        }
    }

    /**
     * 2000 training images, 2 epochs of batch 32 on the JVM backend (about 70 s on a shared 2-core
     * machine: every step differentiates 32 gradients): the reconstruction MSE on 500 test images
     * falls below 3/4 of that of the mean training image, the best guess of a model that ignores
     * its input (measured: 0.056 vs 0.088 after these 125 steps), and the contraction penalty
     * falls from its initial value.
     */
    @Test
    void trainsToAReconstructionErrorWellBelowTheMeanImage() throws Exception {
        try {
            FashionMnist.locate(null, System.getenv(), FashionMnist.Part.TRAIN);
            FashionMnist.locate(null, System.getenv(), FashionMnist.Part.TEST);
        } catch (DataException e) {
            Assumptions.abort("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist, or set $DLC_DATA): " + e.getMessage());
        }
        Compilation c = Frontend.compile(FILE, null, Map.of(), Map.of("epochs", "2", "batch", "32"));
        assertTrue(c.ok(), c.render());
        TrainPlan plan = TrainBlocks.plan(c, c.module());
        assertEquals("minmax", plan.normalize(), "pixels are scaled to [0, 1] for the BCE");
        Map<String, String> trainArgs = new HashMap<>(plan.dataArgs());
        trainArgs.put("n", "2000");
        Dataset data = Datasets.load(plan.dataset(), trainArgs, null, null);
        Dataset test = Datasets.load(plan.dataset(), Map.of("part", "\"test\"", "n", "500"), null, null);
        Trainer t = TrainBlocks.trainer(c.module(), plan, Executor.jvm()).progress(new Progress(new PrintWriter(new StringWriter()), false));
        Map<String, Tensor> before = new HashMap<>(t.init().values);
        Trainer.Result res = t.fit(data, t.init());
        ExamplesTrainRig.assertFiniteLosses("contractive_ae.dl", res);

        Tensor trainX = t.whole(data, plan.seed()).features().toTensor(), testX = t.likeTraining(test, data, plan.seed()).features().toTensor();
        int pixels = 784, n = testX.dim(0);
        double[] mean = new double[pixels];
        for (int s = 0; s < trainX.dim(0); s++) for (int i = 0; i < pixels; i++) mean[i] += trainX.data()[s * pixels + i] / trainX.dim(0);
        Map<String, Tensor> after = run(t, res.state().values, testX), initial = run(t, before, testX);
        double mse = 0, baseline = 0;
        for (int s = 0; s < n; s++)
            for (int i = 0; i < pixels; i++) {
                double v = testX.data()[s * pixels + i];
                mse += sq(after.get("recon").data()[s * pixels + i] - v) / (n * pixels);
                baseline += sq(mean[i] - v) / (n * pixels);
            }
        assertTrue(mse < 0.75 * baseline, "test reconstruction MSE " + mse + " vs mean-image MSE " + baseline);
        double penaltyBefore = avg(initial.get("contraction")), penaltyAfter = avg(after.get("contraction"));
        assertTrue(penaltyAfter < penaltyBefore, "the contraction penalty falls: " + penaltyBefore + " -> " + penaltyAfter);
    }

    private static Map<String, Tensor> run(Trainer t, Map<String, Tensor> values, Tensor x) {
        Map<String, Tensor> in = new HashMap<>();
        for (var v : t.evalGraph().inputs()) in.put(v.name(), v.name().equals("x") ? x : values.get(v.name()));
        return Interpreter.run(t.evalGraph(), in);
    }

    private static double sq(double v) { return v * v; }

    private static double avg(Tensor t) {
        double s = 0;
        for (double v : t.data()) s += v;
        return s / t.size();
    }
}
