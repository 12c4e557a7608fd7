package dlc.train;

import dlc.checkpoint.CheckpointException;
import dlc.data.Dataset;
import dlc.data.Synthetic;
import dlc.frontend.train.TrainPlan;
import dlc.ir.Module;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    static final Module MLP = TestModels.compile(TestModels.mlp(8));
    static final Dataset MOONS = Synthetic.twoMoons(400, 0.1, 7);

    static TrainPlan plan(int epochs) {
        return TrainPlan.builder("Mlp", new TrainPlan.DataSet("moons")).batch(16).epochs(epochs).seed(3).validation(0.25).build();
    }

    static Progress quiet() { return new Progress(new java.io.PrintWriter(new java.io.StringWriter()), false); }

    @Test void mlpReachesNinetySevenPercentOnTwoMoons() {
        Trainer t = TestModels.sgdTrainer(MLP, plan(25), 0.5).progress(quiet());
        Trainer.Result r = t.fit(MOONS, t.init());
        EpochRecord last = r.history().get(r.history().size() - 1);
        assertEquals(25, r.history().size());
        assertTrue(last.validationAccuracy() >= 0.97, "validation accuracy " + last.validationAccuracy());
        assertTrue(last.trainLoss() < r.history().get(0).trainLoss(), "training loss falls");
        Metrics fresh = t.evaluate(Synthetic.twoMoons(200, 0.1, 99), t.weights(r.state().values));
        assertTrue(fresh.accuracy() >= 0.97, "accuracy on fresh moons " + fresh);
    }

    /**
     * The test set is measured on the final weights, normalized by the training part's statistics
     * (the moons' features are far from [0, 1], so an unnormalized test set would score otherwise),
     * and it changes nothing about the training itself.
     */
    @Test void theTestSetIsMeasuredNormalizedLikeTrainingAndDoesNotChangeTraining() {
        TrainPlan p = plan(3).toBuilder().normalize("minmax").build();
        Dataset test = Synthetic.twoMoons(120, 0.1, 99);
        Trainer with = TestModels.sgdTrainer(MLP, p, 0.5).progress(quiet()).testOn(test);
        Trainer.Result r = with.fit(MOONS, with.init());
        Trainer without = TestModels.sgdTrainer(MLP, p, 0.5).progress(quiet());
        Trainer.Result plain = without.fit(MOONS, without.init());
        assertEquals(plain.state().values, r.state().values, "measuring a test set must not change training");
        assertNull(plain.test());

        Map<String, Tensor> w = with.weights(r.state().values);
        Metrics expected = with.evaluate(with.likeTraining(test, MOONS, p.seed()), w);
        assertEquals(expected, r.test());
        assertEquals(120, r.test().samples());
        assertNotEquals(with.evaluate(test, w), r.test(), "the raw test set scores differently, so normalization is visible");
    }

    @Test void resumingFromACheckpointContinuesExactly(@TempDir Path dir) throws Exception {
        Trainer straight = TestModels.sgdTrainer(MLP, plan(4), 0.5).progress(quiet());
        TrainState full = straight.fit(MOONS, straight.init()).state();

        Path ckpt = dir.resolve("half.safetensors");
        Trainer first = TestModels.sgdTrainer(MLP, plan(2), 0.5).progress(quiet()).checkpointTo(ckpt);
        first.fit(MOONS, first.init());
        Trainer second = TestModels.sgdTrainer(MLP, plan(4), 0.5).progress(quiet());
        TrainState resumed = Checkpoints.read(ckpt, MLP.graph("init").orElseThrow(), MLP.name());
        assertEquals(2, resumed.epoch);
        TrainState end = second.fit(MOONS, resumed).state();

        assertEquals(full.values.keySet(), end.values.keySet());
        for (String k : full.values.keySet()) assertEquals(full.get(k), end.get(k), "tensor " + k + " after 4 epochs vs 2 + resume + 2");
        assertEquals(full.globalBatch, end.globalBatch);
        // and the run actually moved the weights
        assertNotEquals(straight.init().get("dense.w"), full.get("dense.w"));
    }

    @Test void checkpointRoundTripKeepsTensorsAndCounters(@TempDir Path dir) throws Exception {
        Trainer t = TestModels.sgdTrainer(MLP, plan(1), 0.5).progress(quiet());
        TrainState s = t.fit(MOONS, t.init()).state();
        Path f = dir.resolve("c.safetensors");
        Checkpoints.write(f, s, MLP.name());
        TrainState back = Checkpoints.read(f, MLP.graph("init").orElseThrow(), MLP.name());
        assertEquals(s.values, back.values);
        assertEquals(s.epoch, back.epoch);
        assertEquals(s.globalBatch, back.globalBatch);
        assertEquals(s.seed, back.seed);
        assertEquals(s.bestLoss, back.bestLoss);
        Map<String, Tensor> w = Checkpoints.readWeights(f, MLP.graph("eval").orElseThrow(), MLP.name()).tensors();
        assertEquals(s.get("dense_1.b"), w.get("dense_1.b"));
    }

    @Test void aCheckpointOfAnotherShapeIsAClearError(@TempDir Path dir) throws Exception {
        Module wide = TestModels.compile(TestModels.mlp(12));
        Trainer t = TestModels.sgdTrainer(wide, plan(0), 0.5);
        Path f = dir.resolve("wide.safetensors");
        Checkpoints.write(f, t.init(), wide.name());
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(f, MLP.graph("init").orElseThrow(), MLP.name()));
        assertTrue(e.getMessage().contains("tensor 'dense.w' has shape [2, 12], expected [2, 8]"), e.getMessage());
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> Checkpoints.readWeights(f, MLP.graph("eval").orElseThrow(), "Other"));
        assertTrue(e2.getMessage().contains("tensor 'dense.w' has shape [2, 12], expected [2, 8]"), e2.getMessage());
    }

    @Test void aMalformedCheckpointIsAClearError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("junk.safetensors");
        Files.write(f, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(f, MLP.graph("init").orElseThrow(), MLP.name()));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        CheckpointException none = assertThrows(CheckpointException.class,
                () -> Checkpoints.read(dir.resolve("absent"), MLP.graph("init").orElseThrow(), MLP.name()));
        assertTrue(none.getMessage().contains("no such checkpoint"), none.getMessage());
    }

    @Test void earlyStoppingRestoresTheBestWeights() {
        // Gradient ascent: the validation loss rises every epoch, so epoch 1 is the best.
        TrainPlan p = plan(10).toBuilder().earlyStopping(2, 0).build();
        Trainer t = TestModels.sgdTrainer(MLP, p, -0.2).progress(quiet());
        Trainer.Result r = t.fit(MOONS, t.init());
        assertTrue(r.stoppedEarly());
        assertEquals(3, r.history().size(), "stops after 2 epochs without improvement");
        assertTrue(r.history().get(2).validationLoss() > r.history().get(0).validationLoss());

        Trainer one = TestModels.sgdTrainer(MLP, plan(1), -0.2).progress(quiet());
        TrainState afterOne = one.fit(MOONS, one.init()).state();
        assertEquals(afterOne.get("dense.w"), r.state().get("dense.w"), "weights of epoch 1 restored");
        assertEquals(1, r.state().bestEpoch);
    }

    /**
     * Issue 9: after early stopping the run's final validation figures were the last epoch's, while
     * the weights it returned were an earlier epoch's. They are the restored weights' now.
     */
    @Test void afterEarlyStoppingTheReportedValidationIsTheRestoredWeights() {
        TrainPlan p = plan(10).toBuilder().earlyStopping(2, 0).build();
        Trainer t = TestModels.sgdTrainer(MLP, p, -0.2).progress(quiet());
        Trainer.Result r = t.fit(MOONS, t.init());
        assertTrue(r.stoppedEarly());
        double best = r.history().get(0).validationLoss(), last = r.history().get(r.history().size() - 1).validationLoss();
        assertEquals(best, r.validation().loss(), 1e-12, "the restored weights of epoch 1 score as epoch 1 did");
        assertNotEquals(last, r.validation().loss(), "not the last epoch's loss");
        assertEquals(t.evaluate(t.split(MOONS, p.seed()).validation(), t.weights(r.state().values)), r.validation());

        Trainer plain = TestModels.sgdTrainer(MLP, plan(2), 0.5).progress(quiet());
        Trainer.Result ran = plain.fit(MOONS, plain.init());
        assertEquals(ran.history().get(1).validationLoss(), ran.validation().loss(), 0, "without early stopping: the last epoch's");
    }

    /** normalize="pixels" divides by 255 (fixed: the same map for every split) and refuses data that are not 8-bit values. */
    @Test void pixelsAreDividedBy255AndOtherDataRefused() {
        float[] px = new float[40];
        int[] y = new int[10];
        for (int i = 0; i < px.length; i++) px[i] = (i * 37) % 256;
        Dataset bytes = Dataset.classification("bytes", dlc.data.Column.floats(Dataset.FEATURES, px, 4), dlc.data.Column.ints(Dataset.LABELS, y), 2);
        Trainer t = TestModels.sgdTrainer(MLP, plan(1).toBuilder().normalize("pixels").build(), 0.5);
        Dataset all = t.whole(bytes, 3);
        for (int i = 0; i < 10; i++)
            for (int f = 0; f < 4; f++) assertEquals(px[i * 4 + f] / 255.0, all.features().value(i, f), 1e-7);
        TrainException e = assertThrows(TrainException.class, () -> t.whole(MOONS, 3));
        assertTrue(e.getMessage().contains("normalize=\"pixels\" divides 8-bit values by 255"), e.getMessage());
    }

    @Test void earlyStoppingResumesExactlyToo(@TempDir Path dir) throws Exception {
        TrainPlan p = plan(10).toBuilder().earlyStopping(2, 0).build();
        Trainer straight = TestModels.sgdTrainer(MLP, p, -0.2).progress(quiet());
        TrainState full = straight.fit(MOONS, straight.init()).state();

        Path ckpt = dir.resolve("es.safetensors");
        Trainer first = TestModels.sgdTrainer(MLP, p.toBuilder().epochs(2).build(), -0.2).progress(quiet()).checkpointTo(ckpt);
        first.fit(MOONS, first.init());
        TrainState back = Checkpoints.read(ckpt, MLP.graph("init").orElseThrow(), MLP.name());
        assertEquals(1, back.bestEpoch);
        assertEquals(1, back.badEpochs);
        assertNotNull(back.best, "the best epoch's tensors travel in the checkpoint");
        Trainer.Result rest = TestModels.sgdTrainer(MLP, p, -0.2).progress(quiet()).fit(MOONS, back);
        assertTrue(rest.stoppedEarly());
        assertEquals(full.values, rest.state().values, "restored the same (epoch 1) weights as the uninterrupted run");
        assertEquals(full.epoch, rest.state().epoch);
    }

    @Test void modelInputsMissingFromTheDataSetAreNamed() {
        Trainer t = TestModels.sgdTrainer(MLP, plan(1), 0.5).progress(quiet());
        Dataset onlyX = Dataset.of("points", MOONS.features());
        TrainException e = assertThrows(TrainException.class, () -> t.fit(onlyX, t.init()));
        assertTrue(e.getMessage().contains("the model's inputs are [x, y] but the data set's columns are [x] (missing [y])"), e.getMessage());
        Dataset sine = Synthetic.sineSequences(20, 5, 0.1, 1);
        TrainException e2 = assertThrows(TrainException.class, () -> t.fit(sine, t.init()));
        assertTrue(e2.getMessage().contains("model input 'x' is f32[B, 2] but column 'x'"), e2.getMessage());
    }

    @Test void progressCsvAndPngAreProduced(@TempDir Path dir) throws Exception {
        java.io.StringWriter bytes = new java.io.StringWriter();
        Trainer t = TestModels.sgdTrainer(MLP, plan(3), 0.5).progress(new Progress(new java.io.PrintWriter(bytes, true), false));
        Trainer.Result r = t.fit(MOONS, t.init());
        String log = bytes.toString();
        assertTrue(log.contains("epoch 1/3 ["), log);
        assertTrue(log.matches("(?s).*18/18 loss \\d+\\.\\d{4} \\d+ samples/s.*"), log);
        assertTrue(log.contains("validation loss"), log);
        Path csv = dir.resolve("loss.csv"), png = dir.resolve("loss.png");
        LossCurve.writeCsv(csv, r.history());
        LossCurve.writePng(png, r.history());
        var lines = Files.readAllLines(csv);
        assertEquals("epoch,train_loss,val_loss,val_accuracy,samples_per_s", lines.get(0));
        assertEquals(4, lines.size());
        assertTrue(lines.get(1).startsWith("1,"));
        var img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        Files.copy(png, Path.of("target/loss-curve-sample.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test void theCurveOfSeveralStepsHasOneLinePerStep(@TempDir Path dir) throws Exception {
        java.util.List<EpochRecord> h = new java.util.ArrayList<>();
        for (int e = 1; e <= 30; e++) {
            Map<String, Double> losses = new java.util.LinkedHashMap<>();
            losses.put("step.disc", 1.4 - 0.01 * e);
            losses.put("step.gen", 0.7 + 0.02 * e);
            h.add(new EpochRecord(e, losses, Double.NaN, Double.NaN, 100));
        }
        Path csv = dir.resolve("gan.csv"), png = dir.resolve("gan.png");
        LossCurve.writeCsv(csv, h);
        LossCurve.writePng(png, h);
        assertEquals("epoch,step.disc_loss,step.gen_loss,val_loss,val_accuracy,samples_per_s", Files.readAllLines(csv).get(0));
        assertEquals("1,1.39000,0.720000,,,100.000", Files.readAllLines(csv).get(1));
        var img = javax.imageio.ImageIO.read(png.toFile());
        // the two curves' colours (blue, green) are both drawn; no orange without validation
        boolean blue = false, green = false, orange = false;
        for (int x = 0; x < img.getWidth(); x++)
            for (int y = 0; y < img.getHeight(); y++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                blue |= rgb == 0x1f77b4;
                green |= rgb == 0x2ca02c;
                orange |= rgb == 0xff7f0e;
            }
        assertTrue(blue && green && !orange);
        Files.copy(png, Path.of("target/loss-curve-steps.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test void niceTicksAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(0.05, LossCurve.niceStep(0.031), 1e-12);
        assertEquals(0.2, LossCurve.niceStep(0.11), 1e-12);
        assertEquals(1.0, LossCurve.niceStep(1.0), 1e-12);
        assertEquals(50.0, LossCurve.niceStep(21), 1e-9);
    }

    @Test void featuresAreNormalizedByTheTrainingPartsStatistics() {
        TrainPlan p = plan(1).toBuilder().normalize("standardize").build();
        assertEquals("standardize", p.normalize());
        Trainer t = TestModels.sgdTrainer(MLP, p, 0.5);
        Dataset.Split s = t.split(MOONS, 3);
        for (int f = 0; f < 2; f++) {
            double sum = 0, sq = 0;
            int n = s.train().size();
            for (int i = 0; i < n; i++) { double v = s.train().features().value(i, f); sum += v; sq += v * v; }
            assertEquals(0, sum / n, 1e-5, "training mean of feature " + f);
            assertEquals(1, sq / n, 1e-4, "training variance of feature " + f);
        }
        // validation rows go through the same map: the raw split's first validation row, standardized by training statistics
        Dataset.Split raw = MOONS.split(0.25, 3);
        double mean0 = 0;
        for (int i = 0; i < raw.train().size(); i++) mean0 += raw.train().features().value(i, 0);
        mean0 /= raw.train().size();
        assertEquals(Math.signum(raw.validation().features().value(0, 0) - mean0), Math.signum(s.validation().features().value(0, 0)));
        int row = indexOf(raw.validation().features().value(0, 0));
        assertEquals(s.validation().features().value(0, 0), t.whole(MOONS, 3).features().value(row, 0), 1e-6, "whole() maps rows as split() does");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan(1).toBuilder().normalize("zscore").build());
        assertTrue(e.getMessage().contains("normalize must be one of [standardize, minmax, pixels]"), e.getMessage());
    }

    private static int indexOf(double x0) {
        for (int i = 0; i < MOONS.size(); i++) if (MOONS.features().value(i, 0) == x0) return i;
        throw new AssertionError("no row with x0 = " + x0);
    }
}
