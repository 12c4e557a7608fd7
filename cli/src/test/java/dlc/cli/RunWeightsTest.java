package dlc.cli;

import dlc.data.NpyFiles;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/** dlc run --weights and dlc eval --weights: a checkpoint's tensors matched to a model's weights by name, dtype and shape. */
class RunWeightsTest {
    @TempDir static Path dir;

    private static final Toolchain DLC = Toolchain.standard();
    private static Path ckpt;

    private static final String MOONS = """
            import std.nn.{dense}
            import std.loss.{cross_entropy}
            model Moons {
              input x: f32[B, 2]
              input y: i32[B]
              logits = dense(tanh(dense(x, 8)), 2)
              output probs = softmax(logits)
              loss cross_entropy(logits, y)
            }
            train Moons {
              data moons(n=128)
              optimizer sgd(lr=0.5)
              batch 16
              epochs 2
            }
            """;

    /** The same layers, renamed, with an extra output (the hidden units) and without the loss. */
    private static final String PROBE = """
            import std.nn.{dense}
            model Probe {
              input x: f32[B, 2]
              h = tanh(dense(x, 8))
              output hidden = h
              output probs = softmax(dense(h, 2))
            }
            """;

    @BeforeAll static void train() throws Exception {
        Path src = dir.resolve("moons.dl");
        Files.writeString(src, MOONS);
        ckpt = dir.resolve("moons.safetensors");
        CliHarness.Result t = exec(DLC, "train", src.toString(), "--backend", "interp", "--out", ckpt.toString());
        assertEquals(0, t.code(), t::toString);
    }

    /** A renamed, extended model runs with the trained weights: its probs are the trained model's, not a fresh initialization's. */
    @Test void aRenamedExtendedModelRunsWithTheCheckpointsWeights() throws Exception {
        Path probe = dir.resolve("probe.dl"), x = dir.resolve("x.npy"), out = dir.resolve("out"), fresh = dir.resolve("fresh");
        Files.writeString(probe, PROBE);
        Tensor points = CompileCommandTest.points(5, 4);
        NpyFiles.write(x, points);
        CliHarness.Result r = exec(DLC, "run", probe.toString(), "--weights", ckpt.toString(), "--input", "x=" + x, "--output-dir", out.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("model Probe (eval, weights " + ckpt + " (model Moons, after 2 epochs), seed 0)"), r::toString);
        assertTrue(r.out().contains("hidden: f32[5, 8]"), r::toString);

        var m = dlc.frontend.Frontend.compile(dir.resolve("moons.dl"), null, Map.of()).module();
        var eval = m.graph("eval").orElseThrow();
        Map<String, Tensor> in = new HashMap<>(dlc.checkpoint.SafeTensors.read(ckpt).tensors());
        in.keySet().retainAll(eval.inputs().stream().map(dlc.ir.Value::name).toList());
        in.put("x", points);
        in.put("y", Tensor.zeros(DType.I32, 5));
        Tensor trained = dlc.ir.eval.Interpreter.run(eval, in).get("probs");
        CompileCommandTest.assertClose(trained, NpyFiles.read(out.resolve("probs.npy")));

        assertEquals(0, exec(DLC, "run", probe.toString(), "--input", "x=" + x, "--output-dir", fresh.toString()).code());
        assertNotEquals(0, maxDiff(NpyFiles.read(fresh.resolve("probs.npy")), trained), "without --weights the parameters are the seed's, so the outputs differ");
    }

    @Test void evalReadsTheWeightsUnderAnotherModelName() throws Exception {
        Path renamed = dir.resolve("renamed.dl");
        Files.writeString(renamed, MOONS.replace("Moons", "Renamed"));
        CliHarness.Result e = exec(DLC, "eval", renamed.toString(), "--weights", ckpt.toString(), "--backend", "interp");
        assertEquals(0, e.code(), e::toString);
        assertTrue(e.out().startsWith("model Renamed, weights " + ckpt + " (model Moons, after 2 epochs)"), e::toString);
        assertTrue(e.out().contains("all data:   loss "), e::toString);
    }

    /** A model whose weights differ: exit 1 and every difference listed (no stack trace). */
    @Test void aMismatchListsEveryDifference() throws Exception {
        Path wide = dir.resolve("wide.dl");
        Files.writeString(wide, MOONS.replace("dense(x, 8)", "dense(x, 4)"));
        CliHarness.Result r = exec(DLC, "run", wide.toString(), "--weights", ckpt.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("(model Moons) does not match the weights of model Moons (3 differences)"), r::toString);
        assertTrue(r.err().contains("tensor 'dense.w' has shape [2, 8], expected [2, 4]"), r::toString);
        assertTrue(r.err().contains("tensor 'dense.b' has shape [8], expected [4]"), r::toString);
        assertTrue(r.err().contains("tensor 'dense_1.w' has shape [8, 2], expected [4, 2]"), r::toString);
        assertFalse(r.err().contains("Exception"), r::toString);
        CliHarness.Result missing = exec(DLC, "run", wide.toString(), "--weights", dir.resolve("absent.safetensors").toString());
        assertEquals(1, missing.code(), missing::toString);
        assertTrue(missing.err().contains("no such checkpoint file"), missing::toString);
    }

    private static double maxDiff(Tensor a, Tensor b) {
        double m = 0;
        for (int i = 0; i < a.size(); i++) m = Math.max(m, Math.abs(a.data()[i] - b.data()[i]));
        return m;
    }
}
