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
     * test loss is a binary cross-entropy of pixels in [0, 1], so it is positive (a raw 0..255
     * target drives it to minus millions).
     */
    @Test
    void autoencoderReconstructsUnseenImages() throws Exception {
        ShippedRig.Run run = train("autoencoder.dl", Map.of("epochs", "2"), 6000, 1000);
        Dataset test = run.normalizedTest();
        double recon = ShippedRig.mse(run.eval(test).get("recon"), ShippedRig.features(test));
        double blind = ShippedRig.meanImageMse(run.trainer().whole(run.data(), run.trainer().plan().seed()), test);
        assertTrue(run.test().loss() > 0 && run.test().loss() < 0.45, "test BCE per pixel " + run.test());
        assertTrue(recon < blind / 2, "test reconstruction mse " + recon + " vs " + blind + " for the mean image");
    }

    /**
     * The VAE on 6000 images for 2 epochs: the test negative ELBO (nats per image) falls far below
     * the 543 = 784 ln 2 of an untrained decoder; reconstructions beat the mean image.
     */
    @Test
    void vaeBoundsTheLikelihoodOfUnseenImages() throws Exception {
        ShippedRig.Run run = train("vae.dl", Map.of("epochs", "2"), 6000, 1000);
        Dataset test = run.normalizedTest();
        double recon = ShippedRig.mse(run.eval(test).get("recon"), ShippedRig.features(test));
        double blind = ShippedRig.meanImageMse(run.trainer().whole(run.data(), run.trainer().plan().seed()), test);
        assertTrue(run.test().loss() > 0 && run.test().loss() < 320, "test negative ELBO " + run.test() + " (untrained: about 543)");
        assertTrue(recon < blind, "test reconstruction mse " + recon + " vs " + blind + " for the mean image");
    }

    /** The CD-1 RBM on 6000 images for 1 epoch: one Gibbs step reconstructs unseen images better than the mean image. */
    @Test
    void rbmReconstructsUnseenImages() throws Exception {
        ShippedRig.Run run = train("rbm.dl", Map.of("epochs", "1"), 6000, 0);
        Dataset test = run.trainer().likeTraining(dlc.train.Datasets.load("fashion_mnist", Map.of("part", "test", "n", "1000"), null, null),
                run.data(), run.trainer().plan().seed());
        double recon = ShippedRig.mse(run.eval(test).get("recon"), ShippedRig.features(test));
        double blind = ShippedRig.meanImageMse(run.trainer().whole(run.data(), run.trainer().plan().seed()), test);
        assertTrue(recon < blind / 2, "one-step reconstruction mse " + recon + " vs " + blind + " for the mean image");
    }

    /** RealNVP on two moons (full run: 1024 samples, 50 epochs): held-out NLL per sample well below a standard normal's fit. */
    @Test
    void realNvpModelsTheMoons() throws Exception {
        Metrics v = train("realnvp.dl", Map.of(), 0, 0).validation();
        assertTrue(v.loss() < 1.6, "held-out negative log-likelihood per sample " + v);
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
