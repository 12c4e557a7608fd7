package dlc.examples;

import dlc.data.Dataset;
import dlc.data.Synthetic;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.train.Metrics;
import dlc.train.TrainState;
import dlc.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static dlc.examples.ExamplesTrainRig.rig;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every example family trains through the real trainer (the lowered step graphs of its train
 * block, float64 interpreter) on tiny synthetic data, and the quantity that training should move
 * moves by a margin a wrong gradient cannot reach.
 */
class ExamplesTrainTest {

    /** Runs the eval graph on all of {@code data} in one batch with the tensors of {@code state}. */
    static Map<String, Tensor> eval(ExamplesTrainRig.Rig r, TrainState state, Dataset data) {
        Map<String, Tensor> in = new HashMap<>(state.values);
        in.putAll(data.tensors());
        in.put(Trainer.RNG, Tensor.scalar(DType.I64, 11));
        return Interpreter.run(r.trainer().evalGraph(), in);
    }

    static double mse(Tensor a, Tensor b) {
        assertEquals(a.size(), b.size());
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += (a.data()[i] - b.data()[i]) * (a.data()[i] - b.data()[i]);
        double m = s / a.size();
        assertTrue(Double.isFinite(m), "mse is " + m);
        return m;
    }

    @Test
    void mlpClassifiesSpirals() {
        var r = rig("mlp.dl", "Mlp", Map.of("hidden", "24"), Map.of("epochs", "40", "batch", "32", "lr", "0.02"));
        Dataset d = Synthetic.byName("spirals", 240, 3);
        Trainer.Result res = r.fit(d);
        ExamplesTrainRig.assertFiniteLosses("mlp", res);
        Metrics m = r.evaluate(res.state().values, d);
        assertTrue(m.accuracy() >= 0.85, "3-arm spirals accuracy " + m.accuracy() + " (chance 0.33)");
    }

    /** The Fashion-MNIST CNN, narrowed for the interpreter (FashionMnistTrainTest trains the full one on real images). */
    @Test
    void cnnFashionClassifiesBrightQuadrants() {
        var r = rig("cnn_fashion.dl", "CnnFashion", Map.of("c1", "4", "c2", "8", "hidden", "16", "classes", "4"),
                Map.of("epochs", "8", "batch", "16", "lr", "0.003"));
        Dataset train = ExamplesTrainData.brightQuadrant(128, 1, 28, 1);
        Trainer.Result res = r.fit(train);
        ExamplesTrainRig.assertFiniteLosses("cnn_fashion", res);
        // the block normalizes x (minmax by the training images), so the held-out images are too
        Dataset heldOut = r.trainer().likeTraining(ExamplesTrainData.brightQuadrant(64, 1, 28, 2), train, r.trainer().plan().seed());
        Metrics m = r.evaluate(res.state().values, heldOut);
        assertTrue(m.accuracy() >= 0.8, "held-out bright-quadrant accuracy " + m.accuracy() + " (chance 0.25)");
    }

    @Test
    void lenetClassifiesBrightQuadrants() {
        var r = rig("lenet.dl", "LeNet", Map.of("classes", "4"), Map.of("epochs", "18", "batch", "16", "optimizer", "adam(lr=0.003)"));
        Trainer.Result res = r.fit(ExamplesTrainData.brightQuadrant(128, 1, 28, 1));
        ExamplesTrainRig.assertFiniteLosses("lenet", res);
        Metrics m = r.evaluate(res.state().values, ExamplesTrainData.brightQuadrant(64, 1, 28, 2));
        assertTrue(m.accuracy() >= 0.8, "held-out bright-quadrant accuracy " + m.accuracy() + " (chance 0.25)");
    }

    @Test
    void autoencoderReconstructionErrorFallsTwentyfold() {
        var r = rig("autoencoder.dl", "DenoisingAutoencoder", Map.of("code", "8", "nu", "0.1"),
                Map.of("epochs", "80", "batch", "16", "lr", "0.05"));
        Dataset d = ExamplesTrainData.quadrantUnions(128, 3);
        Tensor x = d.tensors().get("x");
        double before = mse(eval(r, r.trainer().init(), d).get("recon"), x);
        Trainer.Result res = r.fit(d);
        double after = mse(eval(r, res.state(), d).get("recon"), x);
        assertTrue(after < before / 20, "reconstruction mse " + before + " -> " + after);
    }

    @Test
    void vaeLossFallsSoTheElboRises() {
        var r = rig("vae.dl", "Vae", Map.of("hidden", "16", "latent", "4"), Map.of("epochs", "60", "batch", "16", "lr", "0.01"));
        Dataset d = ExamplesTrainData.quadrantUnions(128, 4);
        double before = r.evaluate(r.trainer().init().values, d).loss();
        Trainer.Result res = r.fit(d);
        ExamplesTrainRig.assertFiniteLosses("vae", res);
        double after = r.evaluate(res.state().values, d).loss();
        // starts near 784 ln 2 = 543 nats; the four quadrant bits cost at most 4 ln 2 + KL when learned
        assertTrue(after < before / 4, "negative ELBO " + before + " -> " + after);
    }

    @Test
    void realNvpRaisesTheLogLikelihood() {
        var r = rig("realnvp.dl", "RealNvp", Map.of(), Map.of("epochs", "30", "batch", "32", "lr", "0.01"));
        Dataset d = Synthetic.byName("two_moons", 192, 4);
        double before = r.evaluate(r.trainer().init().values, d).loss();
        Trainer.Result res = r.fit(d);
        ExamplesTrainRig.assertFiniteLosses("realnvp", res);
        double after = r.evaluate(res.state().values, d).loss();
        assertTrue(after < before - 0.5, "negative log-likelihood per sample " + before + " -> " + after);
    }

    /**
     * Both GAN steps, run one after the other as the trainer runs them: the discriminator step
     * changes every discriminator parameter and no generator parameter, the generator step the
     * reverse, and every loss and parameter stays finite.
     */
    @Test
    void ganDiscriminatorAndGeneratorBothUpdateEveryStep() {
        var r = rig("gan.dl", "Gan", Map.of("hidden", "8"), Map.of("batch", "32", "lr", "0.01"));
        Graph disc = r.graph("step.disc"), gen = r.graph("step.gen");
        Set<String> params = new HashSet<>();
        for (Value v : r.trainer().evalGraph().inputs()) if (v.role() == Value.Role.PARAM) params.add(v.name());
        Set<String> dParams = updatedParams(disc, params), gParams = updatedParams(gen, params);
        assertFalse(dParams.isEmpty(), "the discriminator step updates no parameter");
        assertFalse(gParams.isEmpty(), "the generator step updates no parameter");
        assertTrue(dParams.stream().allMatch(p -> p.startsWith("discriminator")), "discriminator step updates " + dParams);
        assertTrue(gParams.stream().allMatch(p -> p.startsWith("generator")), "generator step updates " + gParams);
        Set<String> all = new HashSet<>(dParams);
        all.addAll(gParams);
        assertEquals(params, all, "every parameter belongs to one of the two steps");

        Map<String, Tensor> state = new HashMap<>(r.trainer().init().values);
        Dataset blobs = Synthetic.byName("blobs", 32 * 6, 5);
        for (int it = 0; it < 6; it++) {
            Map<String, Tensor> batch = blobs.slice(32 * it, 32 * (it + 1)).tensors();
            for (Graph step : new Graph[]{disc, gen}) {
                Map<String, Tensor> in = new HashMap<>(state);
                in.putAll(batch);
                in.put(Trainer.RNG, Tensor.scalar(DType.I64, 100 * it + (step == disc ? 1 : 2)));
                Map<String, Tensor> out = Interpreter.run(step, in);
                Set<String> moved = step == disc ? dParams : gParams;
                for (Graph.Output o : step.outputs()) {
                    Tensor t = out.get(o.name());
                    for (double v : t.data()) assertTrue(Double.isFinite(v), step.name() + " iteration " + it + ": " + o.name() + " has " + v);
                    if (o.role() != Graph.Output.Role.UPDATE) continue;
                    if (moved.contains(o.name()))
                        assertNotEquals(state.get(o.name()), t, step.name() + " iteration " + it + " left " + o.name() + " unchanged");
                    state.put(o.name(), t);
                }
            }
        }
    }

    private static Set<String> updatedParams(Graph step, Set<String> params) {
        Set<String> s = new HashSet<>();
        for (Graph.Output o : step.outputs()) if (o.role() == Graph.Output.Role.UPDATE && params.contains(o.name())) s.add(o.name());
        return s;
    }

    @Test
    void rbmReconstructionErrorFallsUnderCdK() {
        var r = rig("rbm.dl", "Rbm", Map.of("hidden", "16", "k", "2", "lr", "0.1"), Map.of("epochs", "40", "batch", "16"));
        Dataset d = ExamplesTrainData.quadrantUnions(128, 6);
        Tensor x = d.tensors().get("x");
        double before = mse(eval(r, r.trainer().init(), d).get("recon"), x);   // about 0.25: p(v|h) = 1/2 everywhere
        Trainer.Result res = r.fit(d);
        double after = mse(eval(r, res.state(), d).get("recon"), x);
        assertTrue(after < before / 3, "one-step reconstruction mse " + before + " -> " + after);
    }

    /**
     * The recall task: the last token repeats the first, and the tokens between are fillers drawn
     * independently of it. The best any model of the previous token alone can do at the last step
     * (the majority key per filler, measured on the test set itself) stays near chance; the LSTM
     * carries the key across the fillers.
     */
    @Test
    void lstmRemembersWhatALastStepModelCannot() {
        int length = 6, keys = 3, fillers = 3;
        var r = rig("lstm.dl", "LstmLm", Map.of("vocab", "8", "emb", "8", "hidden", "16"), Map.of("epochs", "30", "batch", "32", "lr", "0.01"));
        Trainer.Result res = r.fit(ExamplesTrainData.recall(192, length, keys, fillers, 7));
        ExamplesTrainRig.assertFiniteLosses("lstm", res);
        Dataset test = ExamplesTrainData.recall(128, length, keys, fillers, 8);
        int[] tokens = test.column("tokens").ints();
        Tensor probs = eval(r, res.state(), test).get("probs");              // [N, T, vocab]
        int vocab = probs.dim(2), n = test.size();
        int lstmRight = 0;
        int[][] counts = new int[vocab][vocab];                             // previous token -> last token
        for (int i = 0; i < n; i++) {
            int last = tokens[i * length + length - 1], prev = tokens[i * length + length - 2];
            counts[prev][last]++;
            int best = 0;
            for (int v = 1; v < vocab; v++) if (probs.get(i, length - 2, v) > probs.get(i, length - 2, best)) best = v;
            if (best == last) lstmRight++;
        }
        int baselineRight = 0;
        for (int[] row : counts) baselineRight += java.util.Arrays.stream(row).max().orElse(0);
        double lstm = lstmRight / (double) n, baseline = baselineRight / (double) n;
        assertTrue(baseline < 0.5, "the previous token should say little about the key; the best last-step rule gets " + baseline);
        assertTrue(lstm >= 0.9, "LSTM accuracy on the recalled token " + lstm + " (chance " + 1.0 / keys + ", best last-step rule " + baseline + ")");
    }

    /** The copy task (3 tokens from a vocabulary of 4, then the delimiter, then 3 blanks to fill): chance is 1/4 per token. */
    @Test
    void transformerLearnsTheCopyTask() {
        int length = 3, vocab = 6;
        var r = rig("transformer.dl", "TransformerEncoder",
                Map.of("vocab", String.valueOf(vocab), "dim", "32", "heads", "4", "d_ff", "64", "layers", "2", "p", "0.0"),
                Map.of("epochs", "60", "batch", "16", "lr", "0.005", "schedule", "warmup(steps=20)", "clip", "1.0"));
        Trainer.Result res = r.fit(Synthetic.copyTask(256, length, vocab, 9));
        ExamplesTrainRig.assertFiniteLosses("transformer", res);
        double acc = copyAccuracy(r, res.state(), Synthetic.copyTask(128, length, vocab, 10), length, vocab);
        assertTrue(acc >= 0.9, "copied-token accuracy " + acc + " (chance 0.25)");
    }

    /**
     * Hopfield (forward-only Hebbian rule, no gradients): store two orthogonal patterns (rows of a
     * 16x16 Sylvester-Hadamard matrix, in {0,1} form) and probe with every two-bit corruption of
     * each. The overlap with the stored pattern is at least 12/16 against at most 4/16 with the
     * other, so both the synchronous and the asynchronous recall must return the stored pattern
     * exactly; the train graph writes the Hebbian weights into the state {@code stored}.
     */
    @Test
    void hopfieldRecallsStoredPatternsFromEveryTwoBitCorruption() {
        int n = 16;
        ModelRunner r = ModelRunner.compile(ExamplesForwardTest.EXAMPLES.resolve("hopfield.dl"), 1);
        int[] rows = {3, 10};
        double[] patterns = new double[rows.length * n];
        for (int p = 0; p < rows.length; p++)
            for (int i = 0; i < n; i++) patterns[p * n + i] = Integer.bitCount(rows[p] & i) % 2 == 0 ? 1 : 0;
        int pairs = n * (n - 1) / 2, b = rows.length * pairs;
        double[] probes = new double[b * n];
        int k = 0;
        for (int p = 0; p < rows.length; p++)
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++, k++) {
                    for (int u = 0; u < n; u++) probes[k * n + u] = patterns[p * n + u];
                    probes[k * n + i] = 1 - probes[k * n + i];
                    probes[k * n + j] = 1 - probes[k * n + j];
                }
        Tensor stored = new Tensor(DType.F32, new int[]{rows.length, n}, patterns);
        Map<String, Tensor> out = r.run("eval", Map.of("patterns", stored, "probe", new Tensor(DType.F32, new int[]{b, n}, probes)));
        for (String how : new String[]{"recalled_sync", "recalled_async"}) {
            Tensor rec = out.get(how);
            for (int q = 0; q < b; q++) {
                int p = q / pairs;
                for (int u = 0; u < n; u++)
                    assertEquals(patterns[p * n + u] * 2 - 1, rec.get(q, u), how + ": probe " + q + " (pattern " + p + "), unit " + u);
            }
        }
        Map<String, Tensor> train = r.run("train", Map.of("patterns", stored, "probe", stored));
        Tensor w = train.get("stored");
        assertNotNull(w, "the train graph writes the state 'stored'; outputs " + train.keySet());
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double hebb = 0;
                if (i != j) for (int p = 0; p < rows.length; p++) hebb += (patterns[p * n + i] * 2 - 1) * (patterns[p * n + j] * 2 - 1) / n;
                assertEquals(hebb, w.get(i, j), 1e-12, "stored weight " + i + "," + j);
            }
    }

    @Test
    void resnetBlockClassifiesBrightQuadrants() {
        var r = rig("resnet_block.dl", "ResNetBlock", Map.of("width", "4", "classes", "4"),
                Map.of("epochs", "10", "batch", "16", "optimizer", "adam(lr=0.01)"));
        Trainer.Result res = r.fit(ExamplesTrainData.brightQuadrant(128, 3, 16, 11));
        ExamplesTrainRig.assertFiniteLosses("resnet block", res);
        Metrics m = r.evaluate(res.state().values, ExamplesTrainData.brightQuadrant(64, 3, 16, 12));
        assertTrue(m.accuracy() >= 0.8, "held-out bright-quadrant accuracy " + m.accuracy() + " (chance 0.25)");
    }

    /** The next value of a sine wave from 12 noisy samples: the held-out mean squared error falls tenfold. */
    @Test
    void gruAndElmanRnnPredictTheNextSineValue() {
        for (String[] ex : new String[][]{{"gru.dl", "GruRegressor"}, {"rnn.dl", "ElmanRnn"}}) {
            var r = rig(ex[0], ex[1], Map.of("hidden", "12"), Map.of("epochs", "30", "batch", "16", "lr", "0.01"));
            Dataset test = Synthetic.sineSequences(64, 12, 0.02, 14);
            double before = r.evaluate(r.trainer().init().values, test).loss();
            Trainer.Result res = r.fit(Synthetic.sineSequences(128, 12, 0.02, 13));
            ExamplesTrainRig.assertFiniteLosses(ex[1], res);
            double after = r.evaluate(res.state().values, test).loss();
            assertTrue(after < before / 10, ex[1] + ": held-out mse " + before + " -> " + after);
        }
    }

    /** A bidirectional RNN tagger on the copy task (3 tokens from a vocabulary of 4): chance is 1/4 per token. */
    @Test
    void biRnnLearnsTheCopyTask() {
        int length = 3, vocab = 6;
        var r = rig("birnn.dl", "BiRnn", Map.of("vocab", String.valueOf(vocab), "emb", "8", "hidden", "16", "layers", "1"),
                Map.of("epochs", "40", "batch", "16", "lr", "0.01"));
        Trainer.Result res = r.fit(Synthetic.copyTask(256, length, vocab, 15));
        ExamplesTrainRig.assertFiniteLosses("birnn", res);
        double acc = copyAccuracy(r, res.state(), Synthetic.copyTask(128, length, vocab, 16), length, vocab);
        assertTrue(acc >= 0.9, "copied-token accuracy " + acc + " (chance 0.25)");
    }

    /** Argmax accuracy of the eval output {@code probs} at the masked (copied) positions of a copy-task set. */
    static double copyAccuracy(ExamplesTrainRig.Rig r, TrainState state, Dataset test, int length, int vocab) {
        Tensor probs = eval(r, state, test).get("probs");                  // [N, 2L+1, vocab]
        int[] y = test.column("y").ints();
        float[] mask = test.column("mask").floats();
        int w = 2 * length + 1, right = 0, counted = 0;
        for (int i = 0; i < test.size(); i++)
            for (int t = 0; t < w; t++) {
                if (mask[i * w + t] == 0) continue;
                int best = 0;
                for (int v = 1; v < vocab; v++) if (probs.get(i, t, v) > probs.get(i, t, best)) best = v;
                if (best == y[i * w + t]) right++;
                counted++;
            }
        return right / (double) counted;
    }

    /** The GRU encoder-decoder with attention reverses 4 tokens from a vocabulary of 5 (chance 1/5 per token), teacher-forced. */
    @Test
    void seq2seqAttentionLearnsToReverse() {
        int length = 4, vocab = 7;
        var r = rig("seq2seq_attention.dl", "Seq2SeqAttention", Map.of("vocab", String.valueOf(vocab), "emb", "8", "hidden", "16"),
                Map.of("epochs", "40", "batch", "16", "lr", "0.01"));
        Trainer.Result res = r.fit(ExamplesTrainData.reversal(256, length, vocab, 17));
        ExamplesTrainRig.assertFiniteLosses("seq2seq", res);
        Dataset test = ExamplesTrainData.reversal(128, length, vocab, 18);
        Tensor probs = eval(r, res.state(), test).get("probs");              // [N, L+1, vocab]
        int[] y = test.column("tgt_out").ints();
        int right = 0, t = length + 1;
        for (int i = 0; i < test.size(); i++)
            for (int s = 0; s < length; s++) {                              // the reversed tokens, not the end token
                int best = 0;
                for (int v = 1; v < vocab; v++) if (probs.get(i, s, v) > probs.get(i, s, best)) best = v;
                if (best == y[i * t + s]) right++;
            }
        double acc = right / (double) (test.size() * length);
        assertTrue(acc >= 0.9, "reversed-token accuracy " + acc + " (chance 0.2)");
    }
}
