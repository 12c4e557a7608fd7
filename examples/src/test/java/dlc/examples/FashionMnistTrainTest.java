package dlc.examples;

import dlc.data.DataException;
import dlc.data.Dataset;
import dlc.data.FashionMnist;
import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.frontend.train.TrainPlan;
import dlc.train.Datasets;
import dlc.train.Executor;
import dlc.train.Progress;
import dlc.train.TrainBlocks;
import dlc.train.Trainer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Fashion-MNIST examples learn real images: each trains through the real trainer (its train
 * block's lowered step graphs, with the block's optimizer, schedule and normalization) on the JVM
 * backend, as {@code dlc train} runs it, on the first images of the training part, and is measured
 * on the first images of the t10k test part by the block's own test setting. Chance is 10%; the bars are far above what a wrong gradient, a
 * broken kernel or a mis-normalized test set reaches, and below what a correct run gives with
 * room for seed noise (figures in the tests). Skipped, saying why, only where the data set is
 * absent: CI installs Debian's dataset-fashion-mnist.
 */
class FashionMnistTrainTest {
    @BeforeAll
    static void needsTheDataSet() {
        try {
            FashionMnist.locate(null, System.getenv(), FashionMnist.Part.TRAIN);
            FashionMnist.locate(null, System.getenv(), FashionMnist.Part.TEST);
        } catch (DataException e) {
            Assumptions.abort("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist, or set $DLC_DATA): " + e.getMessage());
        }
    }

    /** What one run measured on the test images. */
    record Outcome(double testAccuracy, double firstLoss, double lastLoss) {}

    /**
     * Trains {@code file}'s model as its train block says, with the train settings overridden
     * (.dl texts) and the data cut to the first {@code trainImages} training and {@code testImages}
     * test images.
     */
    static Outcome train(String file, String model, Map<String, String> settings, int trainImages, int testImages, Executor executor)
            throws Exception {
        Compilation c = Frontend.compile(ExamplesForwardTest.EXAMPLES.resolve(file), model, Map.of(), settings);
        assertTrue(c.ok(), c.render());
        TrainPlan plan = TrainBlocks.plan(c, c.module());
        assertEquals("fashion_mnist", plan.data().name(), file + " trains on Fashion-MNIST");
        assertTrue(plan.hasTest() && "test".equals(plan.test().args().get("part")), file + " measures the t10k part: " + plan.test());
        Dataset data = Datasets.load(plan.data().with("n", (long) trainImages), null, null);
        Dataset test = Datasets.load(plan.test().with("n", (long) testImages), null, null);
        assertEquals(trainImages, data.size());
        assertEquals(testImages, test.size());
        Trainer t = TrainBlocks.trainer(c.module(), plan, executor)
                .progress(new Progress(new PrintWriter(new StringWriter()), false)).testOn(test);
        Trainer.Result r = t.fit(data, t.init());
        ExamplesTrainRig.assertFiniteLosses(file, r);
        assertNotNull(r.test(), "the block's test set was measured");
        assertEquals(testImages, r.test().samples());
        return new Outcome(r.test().accuracy(), r.history().get(0).trainLoss(), r.history().get(r.history().size() - 1).trainLoss());
    }

    /**
     * The MLP (784-256-128-10, Adam 1e-3) on 8000 images for 2 epochs of batch 64 reaches about 0.82 on
     * 2000 test images (0.821 on the float64 interpreter; seed 0); a model that learns nothing
     * stays near 0.10. About 15 s on a busy 2-core machine.
     */
    @Test
    void mlpLearnsFashionMnist() throws Exception {
        Outcome o = train("mlp_fashion.dl", "MlpFashion", Map.of("epochs", "2", "batch", "64"), 8000, 2000, Executor.jvm());
        assertTrue(o.testAccuracy() >= 0.75, "test accuracy " + o.testAccuracy() + " on 2000 t10k images (chance 0.10)");
        assertTrue(o.lastLoss() < o.firstLoss(), "training loss falls: " + o);
    }

    /**
     * The CNN (the peers' benchmark network) on 4000 images for 2 epochs of batch 32 reaches about 0.83
     * on 1000 test images (seed 0), in 80 s on a 2-core machine shared with a dozen other jobs (load
     * 17; far less alone).
     */
    @Test
    void cnnLearnsFashionMnist() throws Exception {
        Outcome o = train("cnn_fashion.dl", "CnnFashion", Map.of("epochs", "2", "batch", "32"), 4000, 1000, Executor.jvm());
        assertTrue(o.testAccuracy() >= 0.75, "test accuracy " + o.testAccuracy() + " on 1000 t10k images (chance 0.10)");
        assertTrue(o.lastLoss() < o.firstLoss(), "training loss falls: " + o);
    }
}
