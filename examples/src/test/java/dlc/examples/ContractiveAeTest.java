package dlc.examples;

import dlc.data.Dataset;
import dlc.ir.DType;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

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
     * Trained as shipped ({@link ShippedRig}: its data, normalization, optimizer; JVM backend) on
     * the first 2000 training images for 2 epochs (about 70 s on a shared 2-core machine: every
     * step differentiates through 32 gradients): the reconstruction MSE on 500 t10k images falls
     * below 3/4 of that of the mean training image, the best guess of a model that ignores its
     * input, and the contraction penalty of the trained encoder is below its initial value.
     */
    @Test
    void trainsToAReconstructionErrorWellBelowTheMeanImage() throws Exception {
        ShippedRig.Run run = ShippedRig.train("contractive_ae.dl", Map.of("epochs", "2"), 2000, 500);
        assertEquals("pixels", run.trainer().plan().normalize(), "pixels are scaled to [0, 1] for the BCE");
        Dataset test = run.normalizedTest();
        double recon = ShippedRig.mse(run.eval(test).get("recon"), ShippedRig.features(test));
        double blind = ShippedRig.meanImageMse(run.trainer().whole(run.data(), run.trainer().plan().seed()), test);
        System.out.println("contractive_ae.dl: test reconstruction mse " + recon + ", mean image " + blind);
        assertTrue(recon < 0.75 * blind, "test reconstruction MSE " + recon + " vs mean-image MSE " + blind);
        Map<String, Tensor> initial = new HashMap<>(run.trainer().init().values);
        initial.putAll(test.tensors());
        initial.put(dlc.train.Trainer.RNG, Tensor.scalar(DType.I64, 11));
        double before = avg(Interpreter.run(run.trainer().evalGraph(), initial).get("contraction"));
        double after = avg(run.eval(test).get("contraction"));
        assertTrue(after < before, "the contraction penalty falls: " + before + " -> " + after);
    }

    private static double avg(Tensor t) {
        double s = 0;
        for (double v : t.data()) s += v;
        return s / t.size();
    }
}
