package dlc.examples;

import dlc.data.Dataset;
import dlc.data.FashionMnist;
import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.frontend.train.TrainPlan;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import dlc.train.Datasets;
import dlc.train.Executor;
import dlc.train.Metrics;
import dlc.train.Progress;
import dlc.train.TrainBlocks;
import dlc.train.Trainer;
import org.junit.jupiter.api.Assumptions;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trains an example as {@code dlc train examples/X.dl} does: its own train block (data set,
 * normalization, optimizer, schedule, batch, validation split, metric), on the JVM backend, with
 * only the epoch count and the number of samples cut where the full run is long. Nothing about
 * the model or its hyperparameters is overridden, so what passes here is what a user gets.
 */
final class ShippedRig {
    private ShippedRig() {}

    /** A finished run: the trainer (for its plan and normalization), the data it saw, the result. */
    record Run(Trainer trainer, Dataset data, Dataset testSet, Trainer.Result result) {
        /** The metrics of the final weights on the held-out validation part. */
        Metrics validation() {
            assertNotNull(result.validation(), "the block holds out a validation part");
            return result.validation();
        }

        /** The metrics of the final weights on the block's test set. */
        Metrics test() {
            assertNotNull(result.test(), "the block names a test set");
            return result.test();
        }

        /** The eval graph's outputs on all of {@code set} (already normalized as training saw it) in one batch, float64 interpreter. */
        Map<String, Tensor> eval(Dataset set) {
            Map<String, Tensor> in = new HashMap<>(result.state().values);
            in.putAll(set.tensors());
            in.put(Trainer.RNG, Tensor.scalar(DType.I64, 11));
            return dlc.ir.eval.Interpreter.run(trainer.evalGraph(), in);
        }

        /** The test set normalized as the training data was (the block's normalize, training statistics). */
        Dataset normalizedTest() { return trainer.likeTraining(testSet, data, trainer.plan().seed()); }
    }

    /**
     * Trains {@code file} as shipped, with train settings overridden ({@code epochs}: .dl texts;
     * empty for none) and the data and test sets cut to their first {@code n} / {@code testN}
     * samples (0: as the block says).
     */
    static Run train(String file, Map<String, String> settings, int n, int testN) throws Exception {
        Compilation c = Frontend.compile(ExamplesForwardTest.EXAMPLES.resolve(file), null, Map.of(), settings);
        assertTrue(c.ok(), c.render());
        assertTrue(c.diagnostics().isEmpty(), file + " compiles without warnings:\n" + c.render());
        TrainPlan plan = TrainBlocks.plan(c, c.module());
        if (plan.data().name().startsWith("fashion")) needsFashionMnist();
        Dataset data = Datasets.load(n > 0 ? plan.data().with("n", (long) n) : plan.data(), ExamplesForwardTest.EXAMPLES, null);
        Dataset test = null;
        if (plan.hasTest()) {
            test = Datasets.load(testN > 0 ? plan.test().with("n", (long) testN) : plan.test(), ExamplesForwardTest.EXAMPLES, null);
        }
        if (n > 0) assertEquals(n, data.size());
        Trainer t = TrainBlocks.trainer(c.module(), plan, Executor.jvm())
                .progress(new Progress(new PrintWriter(new StringWriter()), false)).testOn(test);
        Trainer.Result r = t.fit(data, t.init());
        ExamplesTrainRig.assertFiniteLosses(file, r);
        System.out.println(file + " as shipped" + (settings.isEmpty() ? "" : " with " + settings) + (n > 0 ? ", " + n + " samples" : "")
                + ": validation " + r.validation() + (r.test() == null ? "" : "; test " + r.test()));
        return new Run(t, data, test, r);
    }

    static void needsFashionMnist() {
        try {
            FashionMnist.locate(null, System.getenv(), FashionMnist.Part.TRAIN);
            FashionMnist.locate(null, System.getenv(), FashionMnist.Part.TEST);
        } catch (dlc.data.DataException e) {
            Assumptions.abort("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist, or set $DLC_DATA): " + e.getMessage());
        }
    }

    /** Mean squared difference of two tensors of the same size; fails on NaN. */
    static double mse(Tensor a, double[] b) {
        assertEquals(a.size(), b.length);
        double s = 0;
        for (int i = 0; i < b.length; i++) s += (a.data()[i] - b[i]) * (a.data()[i] - b[i]);
        double m = s / b.length;
        assertTrue(Double.isFinite(m), "mse is " + m);
        return m;
    }

    /** The features of {@code d} as float64 values, sample-major. */
    static double[] features(Dataset d) { return d.tensors().get(Dataset.FEATURES).data(); }

    /** The mean sample of {@code train}'s features. */
    static double[] meanSample(Dataset train) {
        double[] x = features(train);
        int per = x.length / train.size();
        double[] mean = new double[per];
        for (int i = 0; i < x.length; i++) mean[i % per] += x[i] / train.size();
        return mean;
    }

    /**
     * The negative log-likelihood in nats per sample of {@code test} (values in [0, 1]) under independent
     * Bernoulli pixels with the mean training image as probabilities (clipped to [1e-4, 1 - 1e-4]):
     * the best model that ignores its input, and the bar a VAE's negative ELBO must clear.
     */
    static double meanImageBernoulliNll(Dataset train, Dataset test) {
        double[] m = meanSample(train), t = features(test);
        int per = m.length;
        double s = 0;
        for (int i = 0; i < t.length; i++) {
            double p = Math.min(1 - 1e-4, Math.max(1e-4, m[i % per]));
            s -= t[i] * Math.log(p) + (1 - t[i]) * Math.log(1 - p);
        }
        return s / test.size();
    }

    /** The mean squared error of predicting every sample of {@code test} by the mean sample of {@code train}. */
    static double meanImageMse(Dataset train, Dataset test) {
        double[] x = features(train), t = features(test);
        int per = x.length / train.size();
        double[] mean = new double[per];
        for (int i = 0; i < x.length; i++) mean[i % per] += x[i] / train.size();
        double s = 0;
        for (int i = 0; i < t.length; i++) s += (t[i] - mean[i % per]) * (t[i] - mean[i % per]);
        return s / t.length;
    }
}
