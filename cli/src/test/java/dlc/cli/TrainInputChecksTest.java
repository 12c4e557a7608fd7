package dlc.cli;

import dlc.checkpoint.Checkpoint;
import dlc.checkpoint.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/** Issue 10: mistakes in what dlc train is given are found before training, as one line and exit 1. */
class TrainInputChecksTest {
    @TempDir Path dir;

    private static final Toolchain DLC = Toolchain.standard();

    private static final String CSV_MODEL = """
            import std.nn.{dense}
            import std.loss.{cross_entropy}
            model M {
              input x: f32[B, 2]
              input y: i32[B]
              logits = dense(x, 2)
              output probs = softmax(logits)
              loss cross_entropy(logits, y)
            }
            train M {
              data csv(path="labels.csv", label="label")
              optimizer sgd(lr=0.1)
              batch 2
              epochs 1
              validation 0
            }
            """;

    private CliHarness.Result trainOn(String csv) throws Exception {
        Files.writeString(dir.resolve("labels.csv"), csv);
        Path f = dir.resolve("m.dl");
        Files.writeString(f, CSV_MODEL);
        return exec(DLC, "train", f.toString(), "--out", dir.resolve("m.safetensors").toString(), "--backend", "interp");
    }

    private static void oneLineError(CliHarness.Result r, String expected) {
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains(expected), r::toString);
        assertFalse(r.err().contains("epoch 1/1"), "refused before training: " + r);
        assertEquals(1, r.err().strip().lines().count(), r::toString);
    }

    @Test void labelsOutsideTheModelsClassesAreRefused() throws Exception {
        oneLineError(trainOn("a,b,label\n1,2,0\n3,4,5\n"), "data set 'labels', column 'y', sample 2: label 5 is not a class of the model: its output scores 2 classes");
        oneLineError(trainOn("a,b,label\n1,2,0\n3,4,-1\n"), "sample 2: label -1 is not a class of the model");
        oneLineError(trainOn("a,b,label\n1,2,0.5\n3,4,1\n"), "sample 1: 0.5 is not a whole number, but model input 'y' is i32[B]");
        CliHarness.Result ok = trainOn("a,b,label\n1,2,0\n3,4,1\n");
        assertEquals(0, ok.code(), ok::toString);
    }

    /** Issue 10: data moons(n=2000000000) was a NegativeArraySizeException (exit 70); now an error at the setting. */
    @Test void aDataSetTooLargeForJavaArraysIsAnErrorAtItsSetting() throws Exception {
        Path f = dir.resolve("big.dl");
        Files.writeString(f, CSV_MODEL.replace("data csv(path=\"labels.csv\", label=\"label\")", "data moons(n=2000000000)"));
        oneLineError(exec(DLC, "train", f.toString()), f + ":11:8: data moons(n=2000000000): 2 x 2000000000 = 4000000000 values do not fit one Java array");
    }

    /** A file that does not compile, trained with settings from the command line: its diagnostics were counted ("1 error") but not shown. */
    @Test void compileErrorsAreShownWhenSettingsComeFromTheCommandLine() throws Exception {
        Path f = dir.resolve("two.dl");
        Files.writeString(f, CSV_MODEL.replace("data csv(path=\"labels.csv\", label=\"label\")", "data moons(512, 0.1)"));
        CliHarness.Result r = exec(DLC, "train", f.toString(), "--epochs", "1");
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains(f + ":11:19: error: data moons: give the arguments after the first by name"), r::toString);
        assertEquals(1, r.err().lines().filter(l -> l.contains(": error:")).count(), "shown once: " + r);
    }

    @Test void outputPathsAreCheckedBeforeTraining() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        CliHarness.Result r = exec(DLC, "train", "../examples/mlp_moons.dl", "--out", out.toString());
        oneLineError(r, "cannot write " + out + ": it is a directory; give a file name such as " + out.resolve("Mlp.safetensors"));
    }

    @Test void aResumedBatchPastTheEpochIsRefused() throws Exception {
        Path ckpt = dir.resolve("moons.safetensors");
        assertEquals(0, exec(DLC, "train", "../examples/mlp_moons.dl", "--epochs", "1", "--out", ckpt.toString()).code());
        Checkpoint c = SafeTensors.read(ckpt);
        SafeTensors.write(ckpt, c.with("dlc.batch", "100000").with(Checkpoint.STEP_KEY, "100000"));
        CliHarness.Result r = exec(DLC, "train", "../examples/mlp_moons.dl", "--epochs", "2", "--resume", ckpt.toString(), "--out", dir.resolve("r.safetensors").toString());
        oneLineError(r, "'dlc.batch' = 100000 is past the end of the epoch (28 batches");
        SafeTensors.write(ckpt, c.with("dlc.batch", "-5"));
        oneLineError(exec(DLC, "train", "../examples/mlp_moons.dl", "--epochs", "2", "--resume", ckpt.toString()), "metadata 'dlc.batch' = -5 is out of range");
    }
}
