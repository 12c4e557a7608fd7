package dlc.cli;

import dlc.checkpoint.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/** dlc train, eval and gradcheck on a small MLP and the built-in two-moons data. */
class TrainCommandsTest {
    @TempDir Path dir;

    private static final Toolchain DLC = Toolchain.standard();

    private static final String MLP = """
            import std.nn.{dense}
            import std.loss.{cross_entropy}

            model Mlp(hidden: int = 16) {
              input x: f32[B, 2]
              input y: i32[B]
              h = tanh(dense(x, hidden))
              logits = dense(h, 2)
              output probs = softmax(logits)
              loss cross_entropy(logits, y)
            }

            train Mlp {
              data moons(n=512, noise=0.1)
              optimizer sgd(lr=0.5)
              batch 16
              epochs 20
              validation 0.2
            }
            """;

    private Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static double accuracy(String out) {
        var m = java.util.regex.Pattern.compile("validation accuracy (\\d+\\.\\d+)%").matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    @Test void trainReachesNinetySevenPercentOnTwoMoonsWithProgressCheckpointAndCurve() throws Exception {
        Path f = write("mlp.dl", MLP);
        Path ckpt = dir.resolve("mlp.safetensors");
        CliHarness.Result r = exec(DLC, "train", f.toString(), "--out", ckpt.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(accuracy(r.out()) >= 97, r::toString);
        assertTrue(r.err().contains("epoch 20/20 [========================] 25/25 loss "), r::toString);
        assertTrue(r.err().contains("samples/s"), r::toString);
        assertTrue(r.err().contains("  validation loss "), r::toString);
        assertTrue(r.out().contains("checkpoint " + ckpt + "; loss curve " + dir.resolve("mlp.png") + " and " + dir.resolve("mlp.csv")), r::toString);
        assertEquals("Mlp", SafeTensors.read(ckpt).meta("dlc.model"));
        assertEquals(21, Files.readAllLines(dir.resolve("mlp.csv")).size());
        assertNotNull(javax.imageio.ImageIO.read(dir.resolve("mlp.png").toFile()));

        CliHarness.Result e = exec(DLC, "eval", f.toString(), "--weights", ckpt.toString());
        assertEquals(0, e.code(), e::toString);
        assertTrue(e.out().contains("(after 20 epochs)"), e::toString);
        assertTrue(e.out().matches("(?s).*validation: loss \\d\\.\\d{4}, accuracy (9[7-9]|100)\\.\\d\\d% \\(102 samples\\).*"), e::toString);
    }

    /**
     * The same tensors with values equal up to float32 rounding. Two JVM-backend runs in one JVM can
     * differ in the last bit: the vectorized exp/log (jdk.incubator.vector's EXP, LOG) round
     * differently before and after C2 compiles them. A lost or repeated batch, a restarted
     * optimizer or another learning rate moves the weights by far more than 1e-5.
     */
    private static void assertSameWeights(java.util.Map<String, dlc.ir.eval.Tensor> want, java.util.Map<String, dlc.ir.eval.Tensor> got, String what) {
        assertEquals(want.keySet(), got.keySet(), what);
        for (var e : want.entrySet()) {
            var w = e.getValue();
            var g = got.get(e.getKey());
            assertEquals(w.dtype(), g.dtype(), what + ": " + e.getKey());
            assertArrayEquals(w.shape(), g.shape(), what + ": " + e.getKey());
            for (int i = 0; i < w.data().length; i++) {
                double a = w.data()[i], b = g.data()[i];
                assertTrue(Math.abs(a - b) <= 1e-5 * (1 + Math.abs(a)), what + ": " + e.getKey() + "[" + i + "] " + a + " vs " + b);
            }
        }
    }

    @Test void resumeMatchesAnUninterruptedRun() throws Exception {
        Path f = write("mlp.dl", MLP);
        Path full = dir.resolve("full.safetensors"), half = dir.resolve("half.safetensors"), resumed = dir.resolve("resumed.safetensors");
        assertEquals(0, exec(DLC, "train", f.toString(), "--epochs", "4", "--out", full.toString()).code());
        assertEquals(0, exec(DLC, "train", f.toString(), "--epochs", "2", "--out", half.toString()).code());
        CliHarness.Result r = exec(DLC, "train", f.toString(), "--epochs", "4", "--resume", half.toString(), "--out", resumed.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("resuming Mlp from " + half + " at epoch 3, batch 1"), r::toString);
        assertSameWeights(SafeTensors.read(full).tensors(), SafeTensors.read(resumed).tensors(), "uninterrupted vs resumed");
    }

    @Test void evalOfAMismatchedCheckpointNamesTheProblems() throws Exception {
        Path f = write("mlp.dl", MLP);
        Path ckpt = dir.resolve("c.safetensors");
        assertEquals(0, exec(DLC, "train", f.toString(), "--epochs", "1", "--out", ckpt.toString()).code());
        CliHarness.Result r = exec(DLC, "eval", f.toString(), "-P", "hidden=4", "--weights", ckpt.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("does not match the weights of model Mlp (3 differences)"), r::toString);
        assertTrue(r.err().contains("tensor 'dense.w' has shape [2, 16], expected [2, 4]"), r::toString);
        Files.write(ckpt, new byte[]{42});
        CliHarness.Result bad = exec(DLC, "train", f.toString(), "--resume", ckpt.toString());
        assertEquals(1, bad.code(), bad::toString);
        assertTrue(bad.err().startsWith("dlc: " + ckpt), bad::toString);
    }

    @Test void trainReportsAnUnknownDataSetAndAMissingTrainBlock() throws Exception {
        Path f = write("bad.dl", MLP.replace("moons(n=512, noise=0.1)", "\"digits\""));
        CliHarness.Result r = exec(DLC, "train", f.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("unknown data set 'digits'; known sets are [moons"), r::toString);
        Path g = write("noblock.dl", MLP.substring(0, MLP.indexOf("train Mlp")));
        CliHarness.Result n = exec(DLC, "train", g.toString());
        assertEquals(1, n.code(), n::toString);
        assertTrue(n.err().contains("dlc: no train block for model Mlp"), n::toString);
    }

    @Test void aCheckpointInAMissingDirectoryFailsBeforeTraining() throws Exception {
        Path f = write("mlp.dl", MLP);
        Path out = dir.resolve("nope/c.safetensors");
        CliHarness.Result r = exec(DLC, "train", f.toString(), "--out", out.toString());
        assertEquals(1, r.code(), r::toString);
        assertEquals("dlc: cannot write " + out + ": directory " + dir.resolve("nope") + " does not exist\n", r.err());
    }

    /**
     * Issue 9: after early stopping the last line gave the last epoch's validation loss while the
     * checkpoint held an earlier epoch's weights. With min_delta 100 no epoch after the first counts
     * as an improvement, so epoch 1's weights are kept while epochs 2 and 3 score better.
     */
    @Test void afterEarlyStoppingTheLastLineReportsTheRestoredWeights() throws Exception {
        Path f = write("mlp.dl", MLP.replace("epochs 20", "epochs 10\n  patience 2\n  min_delta 100"));
        CliHarness.Result r = exec(DLC, "train", f.toString(), "--out", dir.resolve("m.safetensors").toString());
        assertEquals(0, r.code(), r::toString);
        var epochs = java.util.regex.Pattern.compile("validation loss (\\d+\\.\\d+), accuracy").matcher(r.err());
        java.util.List<String> losses = new java.util.ArrayList<>();
        while (epochs.find()) losses.add(epochs.group(1));
        assertEquals(3, losses.size(), r::toString);
        assertTrue(r.out().contains("(stopped early; kept the weights of epoch 1)"), r::toString);
        assertTrue(r.out().contains("validation loss " + losses.get(0) + ","), "epoch 1's validation loss " + losses.get(0) + " in the last line:\n" + r);
        assertFalse(r.out().contains("validation loss " + losses.get(2) + ","), r::toString);
    }

    @Test void theLearningRateOptionChangesTheUpdate() throws Exception {
        Path f = write("mlp.dl", MLP);
        Path base = dir.resolve("base.safetensors"), same = dir.resolve("same.safetensors"), slow = dir.resolve("slow.safetensors");
        assertEquals(0, exec(DLC, "train", f.toString(), "--epochs", "1", "--out", base.toString()).code());
        assertEquals(0, exec(DLC, "train", f.toString(), "--epochs", "1", "--lr", "0.5", "--out", same.toString()).code());
        assertEquals(0, exec(DLC, "train", f.toString(), "--epochs", "1", "--lr", "0.05", "--out", slow.toString()).code());
        assertSameWeights(SafeTensors.read(base).tensors(), SafeTensors.read(same).tensors(), "--lr equal to the block's changes nothing");
        assertNotEquals(SafeTensors.read(base).tensor("dense.w"), SafeTensors.read(slow).tensor("dense.w"));
    }

    @Test void gradcheckPassesAndPrintsEveryParameter() throws Exception {
        Path f = write("mlp.dl", MLP);
        CliHarness.Result r = exec(DLC, "gradcheck", f.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("gradcheck of Mlp (loss "), r::toString);
        for (String p : new String[]{"dense.w", "dense.b", "dense_1.w", "dense_1.b"})
            assertTrue(r.out().matches("(?s).*\\n  " + java.util.regex.Pattern.quote(p) + " +worst relative error \\d\\.\\d\\de-\\d\\d over \\d checks  ok\\n.*"), r::toString);
        assertTrue(r.out().contains("gradcheck passed (tolerance 1e-04"), r::toString);
    }

    @Test void gradcheckOfAModelWithoutALossSaysSo() throws Exception {
        Path f = write("noloss.dl", """
                model Id {
                  input x: f32[B, 2]
                  output y = x * 2.0
                }
                """);
        CliHarness.Result r = exec(DLC, "gradcheck", f.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals("gradcheck of Id: the model has no loss, so there is no gradient to check\n", r.out());
    }

    /** Regression: the note printed only the message's first line, "...add one, e.g.; using random inputs", losing the example. */
    @Test void gradcheckWithoutATrainBlockShowsTheExampleBlockAndUsesRandomInputs() throws Exception {
        Path f = write("notrain.dl", MLP.substring(0, MLP.indexOf("train Mlp")));
        CliHarness.Result r = exec(DLC, "gradcheck", f.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("gradcheck: no train block for model Mlp; add one, e.g.\n  train Mlp {\n    data moons(n=512)\n"), r::toString);
        assertTrue(r.err().contains("\n  }\ngradcheck: using random inputs\n"), r::toString);
        assertFalse(r.err().contains("e.g.;"), r::toString);
        assertTrue(r.out().startsWith("gradcheck of Mlp (loss ") && r.out().contains(" on random inputs, seed "), r::toString);
        assertTrue(r.out().contains("gradcheck passed"), r::toString);
    }

    /**
     * A tiny stand-in in the Fashion-MNIST layout: n 2x2 "images" of {@code part} ("train" or
     * "t10k"), class 0 on one diagonal, class 1 on the other, with pixel noise.
     */
    private static void diagonals(Path data, String part, int n, long seed) throws Exception {
        double[] img = new double[n * 4], lab = new double[n];
        java.util.Random rnd = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            lab[i] = i % 2;
            double[] px = i % 2 == 0 ? new double[]{200, 0, 0, 200} : new double[]{0, 200, 200, 0};
            for (int k = 0; k < 4; k++) img[4 * i + k] = Math.max(0, Math.min(255, px[k] + rnd.nextInt(81) - 40));
        }
        dlc.data.Idx.write(data.resolve(part + "-images-idx3-ubyte.gz"), dlc.data.Idx.Type.UBYTE, new int[]{n, 2, 2}, img, true);
        dlc.data.Idx.write(data.resolve(part + "-labels-idx1-ubyte"), dlc.data.Idx.Type.UBYTE, new int[]{n}, lab, false);
    }

    @Test void theTestSetIsMeasuredAfterEveryEpochAndByEval() throws Exception {
        Path data = Files.createDirectories(dir.resolve("fm"));
        diagonals(data, "train", 80, 1);
        diagonals(data, "t10k", 30, 2);
        Path f = write("fm.dl", """
                import std.nn.{dense}
                import std.loss.{cross_entropy}
                model Tiny {
                  input x: f32[B, 4]
                  input y: i32[B]
                  logits = dense(x, 10)
                  output probs = softmax(logits)
                  loss cross_entropy(logits, y)
                }
                train Tiny {
                  data fashion_mnist(normalize="minmax")
                  test fashion_mnist(part="test")
                  validation 0
                  optimizer adam(lr=0.1)
                  batch 8
                  epochs 5
                }
                """);
        Path ckpt = dir.resolve("fm.safetensors");
        CliHarness.Result r = exec(DLC, "train", f.toString(), "--out", ckpt.toString(), "--data", data.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("testing on fashion-mnist-test (30 samples, 10 classes)"), r::toString);
        assertEquals(5, r.err().split("\n  test loss ", -1).length - 1, r::toString);
        assertFalse(r.err().contains("validation"), r::toString);
        var m = java.util.regex.Pattern.compile("test accuracy (\\d+\\.\\d+)% \\(30 samples\\)").matcher(r.out());
        assertTrue(m.find(), r::toString);
        assertTrue(Double.parseDouble(m.group(1)) >= 95, r::toString);

        CliHarness.Result e = exec(DLC, "eval", f.toString(), "--weights", ckpt.toString(), "--data", data.toString());
        assertEquals(0, e.code(), e::toString);
        assertTrue(e.out().contains("test:       loss "), e::toString);
        assertTrue(e.out().contains(m.group(1) + "% (30 samples)"), e::toString);
    }

    @Test void fashionMnistIsFoundUnderDataDir() throws Exception {
        Path data = Files.createDirectories(dir.resolve("fm"));
        int n = 80;
        diagonals(data, "train", n, 1);
        Path f = write("fm.dl", """
                import std.nn.{dense}
                import std.loss.{cross_entropy}
                model Tiny {
                  input x: f32[B, 4]
                  input y: i32[B]
                  logits = dense(x, 10)
                  output probs = softmax(logits)
                  loss cross_entropy(logits, y)
                }
                train Tiny {
                  data fashion_mnist(normalize="minmax")
                  optimizer adam(lr=0.1)
                  batch 8
                  epochs 10
                  validation 0.25
                }
                """);
        // an explicit --data DIR is the only place searched, even where the system copy is installed
        CliHarness.Result missing = exec(DLC, "train", f.toString(), "--out", dir.resolve("a.safetensors").toString(), "--data", dir.resolve("nope").toString());
        assertEquals(1, missing.code(), missing::toString);
        assertTrue(missing.err().contains("Fashion-MNIST (train) not found"), missing::toString);
        CliHarness.Result r = exec(DLC, "train", f.toString(), "--out", dir.resolve("fm.safetensors").toString(), "--data", data.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("fashion-mnist-train (80 samples, 10 classes): [x: f32[80, 1, 2, 2], y: i32[80]]"), r::toString);
        assertTrue(accuracy(r.out()) >= 95, r::toString);
    }
}
