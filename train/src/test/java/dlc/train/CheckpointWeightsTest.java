package dlc.train;

import dlc.checkpoint.CheckpointException;
import dlc.ir.Module;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Checkpoints.readWeights matches a model's weights by name, dtype and shape, whatever the model is called. */
class CheckpointWeightsTest {
    private static final Module MLP = TestModels.compile(TestModels.mlp(8));

    private static Path trained(Path dir) throws Exception {
        Trainer t = TestModels.sgdTrainer(MLP, TrainerTest.plan(1), 0.5).progress(TrainerTest.quiet());
        TrainState s = t.fit(TrainerTest.MOONS, t.init()).state();
        Path f = dir.resolve("mlp.safetensors");
        Checkpoints.write(f, s, MLP.name());
        return f;
    }

    /** The same layers under another model name, with an extra output: it reads the weights it shares. */
    @Test void aRenamedModelWithAnExtraOutputReadsTheWeightsItShares(@TempDir Path dir) throws Exception {
        Path f = trained(dir);
        Module probe = TestModels.compile("""
                import std.nn.{dense}
                model Probe(hidden: int = 8) {
                  input x: f32[B, 2]
                  h = tanh(dense(x, hidden))
                  output hidden_units = h
                  output probs = softmax(dense(h, 2))
                }
                """);
        Checkpoints.Weights w = Checkpoints.readWeights(f, probe.graph("eval").orElseThrow(), probe.name());
        assertEquals("Mlp", w.model());
        assertEquals(1, w.epoch());
        Map<String, Tensor> stored = dlc.checkpoint.SafeTensors.read(f).tensors();
        assertEquals(java.util.Set.of("dense.w", "dense.b", "dense_1.w", "dense_1.b"), w.tensors().keySet());
        for (String name : w.tensors().keySet()) assertEquals(stored.get(name), w.tensors().get(name), name);
    }

    /** Every difference is listed: the missing weight, the wrong shapes, and the stored weight nothing matched. */
    @Test void aMismatchListsEveryDifference(@TempDir Path dir) throws Exception {
        Path f = trained(dir);
        Module other = TestModels.compile("""
                import std.nn.{dense}
                model Other {
                  param scale: f32[5] = ones()
                  input x: f32[B, 2]
                  output probs = softmax(tanh(dense(x, 5)) * scale)
                }
                """);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.readWeights(f, other.graph("eval").orElseThrow(), other.name()));
        String m = e.getMessage();
        assertTrue(m.contains("(model Mlp) does not match the weights of model Other"), m);
        assertTrue(m.contains("tensor 'dense.w' has shape [2, 8], expected [2, 5]"), m);
        assertTrue(m.contains("tensor 'dense.b' has shape [8], expected [5]"), m);
        assertTrue(m.contains("missing tensor 'scale' (expected f32[5])"), m);
        assertTrue(m.contains("unexpected tensor 'dense_1.w' (f32[8, 2]) is not a weight of the model"), m);
        assertTrue(m.contains("unexpected tensor 'dense_1.b' (f32[2]) is not a weight of the model"), m);
        assertTrue(m.contains("(5 differences)"), m);
        assertFalse(m.contains("'step'"), "the step counter is bookkeeping, not an unexpected weight: " + m);
    }
}
