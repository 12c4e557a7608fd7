package dlc.examples;

import dlc.ir.Graph;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every example model compiles without diagnostics and runs forward on the float64 interpreter,
 * in eval and in train mode, on random inputs (B = 3, other symbolic dims 5): every output has
 * its declared shape and only finite values, and every output named {@code probs} sums to 1 over
 * its last axis.
 */
class ExamplesForwardTest {
    /** Surefire runs with the examples module folder as working directory; the models live there. */
    static final Path EXAMPLES = Path.of(".");

    static List<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".dl")).sorted().toList();
        }
    }

    @Test
    void everyFamilyHasAnExample() throws IOException {
        List<String> names = examples().stream().map(p -> p.getFileName().toString()).toList();
        for (String family : List.of("mlp", "lenet", "resnet_block", "rnn", "lstm", "gru", "birnn",
                "seq2seq_attention", "autoencoder", "vae", "gan", "realnvp", "rbm", "hopfield",
                "transformer", "lif", "hodgkin_huxley"))
            assertTrue(names.contains(family + ".dl"), "missing examples/" + family + ".dl; found " + names);
    }

    @TestFactory
    Stream<DynamicTest> everyExampleRunsForwardInEval() throws IOException {
        return examples().stream().map(f -> DynamicTest.dynamicTest(f.getFileName() + " eval", () -> forward(f, "eval")));
    }

    @TestFactory
    Stream<DynamicTest> everyExampleRunsForwardInTrain() throws IOException {
        return examples().stream().map(f -> DynamicTest.dynamicTest(f.getFileName() + " train", () -> forward(f, "train")));
    }

    /** Eval mode is deterministic (docs/models.md 1.3) except where a model samples on purpose. */
    @TestFactory
    Stream<DynamicTest> evalIgnoresTheRngKey() throws IOException {
        List<String> sampling = List.of("gan.dl", "rbm.dl");   // G(z) with fresh z; Gibbs sampling
        return examples().stream().filter(f -> !sampling.contains(f.getFileName().toString()))
                .map(f -> DynamicTest.dynamicTest(f.getFileName() + " deterministic", () -> {
                    ModelRunner r = ModelRunner.compile(f, 42);
                    Map<String, Tensor> in = r.randomInputs("eval", new HashMap<>(), new Random(9));
                    Map<String, Tensor> a = r.run("eval", in, 1), b = r.run("eval", in, 987654321);
                    for (String k : a.keySet()) assertEquals(a.get(k), b.get(k), f + " eval output " + k + " depends on the RNG key");
                }));
    }

    private static void forward(Path file, String graphName) {
        ModelRunner r = ModelRunner.compile(file, 42);
        Map<String, Long> dims = new HashMap<>();
        Map<String, Tensor> out = r.run(graphName, r.randomInputs(graphName, dims, new Random(7)));
        Graph g = ModelRunner.graph(r.module, graphName);
        assertFalse(g.outputs().isEmpty(), file + " " + graphName + " has no outputs");
        for (Graph.Output o : g.outputs()) {
            String what = file.getFileName() + " " + graphName + " output " + o.name();
            Tensor t = out.get(o.name());
            ModelRunner.assertAllFinite(what, t);
            if (o.role() != Graph.Output.Role.UPDATE) ModelRunner.assertShape(what, o.value().type().shape(), t, dims);
            if (o.name().equals("probs")) assertRowsSumToOne(what, t);
        }
    }

    static void assertRowsSumToOne(String what, Tensor t) {
        int k = t.dim(t.rank() - 1);
        double[] d = t.data();
        for (int row = 0; row < d.length / k; row++) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                assertTrue(d[row * k + j] >= 0, what + ": negative probability");
                s += d[row * k + j];
            }
            // k terms each rounded once in float64: a few ulps of 1
            assertEquals(1.0, s, 1e-12, what + ": row " + row + " sums to " + s);
        }
    }
}
