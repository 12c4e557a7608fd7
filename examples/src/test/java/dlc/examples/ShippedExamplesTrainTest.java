package dlc.examples;

import dlc.data.Dataset;
import dlc.ir.eval.Tensor;
import dlc.train.Metrics;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dlc.examples.ShippedRig.train;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every example with a train block learns what it is for, trained as shipped ({@link ShippedRig}:
 * its own data, normalization, optimizer and metric; only epochs and sample counts cut where the
 * full run is long), measured by a figure a reader would accept, on data it did not train on:
 * accuracy, reconstruction error against the mean-image predictor, negative ELBO, negative
 * log-likelihood, copy accuracy, held-out mean squared error against the target's variance. The
 * full runs' figures are in BENCHMARKS.md ("Examples, trained as shipped"). The bars sit below
 * what a correct run reaches (the figure measured at CI scale, seed 0, is in each test's comment)
 * and far above what a mis-normalized, diverging or metric-confused run gives. The Fashion-MNIST
 * classifiers (mlp_fashion, cnn_fashion) are {@link FashionMnistTrainTest}; gan.dl has its own test.
 */
class ShippedExamplesTrainTest {

    /** 3-arm spirals, 10 epochs of Adam 1e-3 as shipped (full run, 1024 samples). */
    @Test
    void mlpClassifiesSpirals() throws Exception {
        Metrics v = train("mlp.dl", Map.of(), 0, 0).validation();
        assertTrue(v.accuracy() >= 0.60, "held-out spiral accuracy " + v + " (chance 0.33)");
    }

    /** Two moons, the README's run (full: 512 samples, 20 epochs of SGD 0.5). */
    @Test
    void mlpMoonsClassifiesMoons() throws Exception {
        Metrics v = train("mlp_moons.dl", Map.of(), 0, 0).validation();
        assertTrue(v.accuracy() >= 0.95, "held-out moons accuracy " + v + " (chance 0.5)");
    }

    /** LeNet-5 (sigmoids, SGD 0.1 momentum 0.9, pixels / 255) on the first 6000 images for 2 epochs, tested on 1000 t10k images. */
    @Test
    void lenetClassifiesFashionMnist() throws Exception {
        Metrics t = train("lenet.dl", Map.of("epochs", "2"), 6000, 1000).test();
        assertEquals(1000, t.samples());
        assertTrue(t.accuracy() >= 0.55, "t10k accuracy " + t + " (chance 0.10)");
    }

    /**
     * The denoising autoencoder on 6000 images for 2 epochs: its reconstructions of 1000 t10k images
     * are far closer than the best input-blind guess (the training images' mean image), and its
     * test loss, a binary cross-entropy per pixel of targets in [0, 1], is positive and below the
     * ln 2 of an untrained decoder (raw 0..255 targets drove it to minus thousands).
     */
    @Test
    void autoencoderReconstructsUnseenImages() throws Exception {
        ShippedRig.Run run = train("autoencoder.dl", Map.of("epochs", "2"), 6000, 1000);
        Dataset test = run.normalizedTest();
        double recon = ShippedRig.mse(run.eval(test).get("recon"), ShippedRig.features(test));
        double blind = ShippedRig.meanImageMse(run.trainer().whole(run.data(), run.trainer().plan().seed()), test);
        System.out.println("autoencoder.dl: test reconstruction mse " + recon + ", mean image " + blind);
        assertTrue(run.test().loss() > 0 && run.test().loss() < Math.log(2), "test BCE per pixel " + run.test());
        assertTrue(recon < blind / 2, "test reconstruction mse " + recon + " vs " + blind + " for the mean image");
    }

    /**
     * The VAE on 6000 images for 2 epochs: the test negative ELBO (nats per image, an upper bound
     * on the negative log-likelihood) is below the exact negative log-likelihood of the best model
     * that ignores its input (independent Bernoulli pixels at the mean training image), and far
     * below the 543 = 784 ln 2 of an untrained decoder.
     */
    @Test
    void vaeBoundsTheLikelihoodOfUnseenImages() throws Exception {
        ShippedRig.Run run = train("vae.dl", Map.of("epochs", "2"), 6000, 1000);
        Dataset test = run.normalizedTest();
        double blind = ShippedRig.meanImageBernoulliNll(run.trainer().whole(run.data(), run.trainer().plan().seed()), test);
        System.out.println("vae.dl: test negative ELBO " + run.test().loss() + ", mean-image Bernoulli NLL " + blind);
        assertTrue(run.test().loss() > 0 && run.test().loss() < blind, "test negative ELBO " + run.test() + " vs " + blind + " for the mean image");
    }

    /**
     * The CD-1 RBM on 6000 images for 1 epoch: one Gibbs step (v -> h -> v) reconstructs 1000
     * unseen images better than the mean image does (a third less squared error; the full run
     * does far better, BENCHMARKS.md).
     */
    @Test
    void rbmReconstructsUnseenImages() throws Exception {
        ShippedRig.Run run = train("rbm.dl", Map.of("epochs", "1"), 6000, 0);
        Dataset test = run.trainer().likeTraining(dlc.train.Datasets.load("fashion_mnist", Map.of("part", "test", "n", "1000"), null, null),
                run.data(), run.trainer().plan().seed());
        double recon = ShippedRig.mse(run.eval(test).get("recon"), ShippedRig.features(test));
        double blind = ShippedRig.meanImageMse(run.trainer().whole(run.data(), run.trainer().plan().seed()), test);
        System.out.println("rbm.dl: test one-step reconstruction mse " + recon + ", mean image " + blind);
        assertTrue(recon < 0.75 * blind, "one-step reconstruction mse " + recon + " vs " + blind + " for the mean image");
    }

    /**
     * RealNVP on two moons (full run): the held-out negative log-likelihood per sample is below
     * that of the best Gaussian (mean and full covariance fitted on the training part): the flow
     * models the moons' curvature, which no Gaussian can.
     */
    @Test
    void realNvpModelsTheMoonsBetterThanAnyGaussian() throws Exception {
        ShippedRig.Run run = train("realnvp.dl", Map.of(), 0, 0);
        Dataset.Split split = run.trainer().split(run.data(), run.trainer().plan().seed());
        double gaussian = gaussianNll(split.train(), split.validation());
        System.out.println("realnvp.dl: held-out NLL " + run.validation().loss() + ", best Gaussian " + gaussian);
        assertTrue(run.validation().loss() < gaussian - 0.05, "held-out NLL per sample " + run.validation() + " vs " + gaussian + " for the best Gaussian");
    }

    /** The negative log-likelihood per sample of 2-D {@code test} under the Gaussian fitted (maximum likelihood) to {@code train}. */
    static double gaussianNll(Dataset train, Dataset test) {
        double[] x = ShippedRig.features(train), t = ShippedRig.features(test);
        int n = train.size();
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += x[2 * i] / n; my += x[2 * i + 1] / n; }
        double sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[2 * i] - mx, dy = x[2 * i + 1] - my;
            sxx += dx * dx / n; syy += dy * dy / n; sxy += dx * dy / n;
        }
        double det = sxx * syy - sxy * sxy, nll = 0;
        for (int i = 0; i < test.size(); i++) {
            double dx = t[2 * i] - mx, dy = t[2 * i + 1] - my;
            double q = (syy * dx * dx - 2 * sxy * dx * dy + sxx * dy * dy) / det;
            nll += 0.5 * q + Math.log(2 * Math.PI) + 0.5 * Math.log(det);
        }
        return nll / test.size();
    }

    /** The residual block on 256 gratings (10 classes) as shipped: 2 epochs. */
    @Test
    void resnetBlockClassifiesGratings() throws Exception {
        Metrics v = train("resnet_block.dl", Map.of(), 0, 0).validation();
        assertTrue(v.accuracy() >= 0.5, "held-out grating accuracy " + v + " (chance 0.10)");
    }

    /** GRU and Elman RNN predict the next value of a noisy sine (full runs): held-out mse far below the target's variance (about 0.5). */
    @Test
    void recurrentRegressorsPredictTheSine() throws Exception {
        for (String f : new String[]{"gru.dl", "rnn.dl"}) {
            Metrics v = train(f, Map.of(), 0, 0).validation();
            assertTrue(v.loss() < 0.05, f + ": held-out mse " + v);
        }
    }

    /** The LSTM language model on the sparse bigram chain (full run, 3 epochs): next-token accuracy, best possible about 0.5. */
    @Test
    void lstmPredictsTheNextToken() throws Exception {
        Metrics v = train("lstm.dl", Map.of(), 0, 0).validation();
        assertTrue(v.accuracy() >= 0.35, "held-out next-token accuracy " + v + " (chance 0.02)");
    }

    /** The bidirectional GRU tagger copies (full run, 20 epochs): masked accuracy over the copied tokens only. */
    @Test
    void biRnnCopies() throws Exception {
        Metrics v = train("birnn.dl", Map.of(), 0, 0).validation();
        assertTrue(v.accuracy() >= 0.5, "held-out copied-token accuracy " + v + " (chance 0.125)");
    }

    /** The transformer encoder copies (full run, 20 epochs): masked accuracy over the copied tokens only. */
    @Test
    void transformerCopies() throws Exception {
        Metrics v = train("transformer.dl", Map.of(), 0, 0).validation();
        assertTrue(v.accuracy() >= 0.9, "held-out copied-token accuracy " + v + " (chance 0.125)");
    }

    /** The attention encoder-decoder reverses (full run, 3 epochs): teacher-forced token accuracy without padding. */
    @Test
    void seq2seqReverses() throws Exception {
        Metrics v = train("seq2seq_attention.dl", Map.of(), 0, 0).validation();
        assertTrue(v.accuracy() >= 0.5, "held-out reversed-token accuracy " + v + " (chance 1/30)");
    }
}
