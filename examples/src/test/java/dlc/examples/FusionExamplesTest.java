package dlc.examples;

import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.Verifier;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.text.IrParser;
import dlc.ir.text.IrPrinter;
import dlc.passes.autodiff.Autodiff;
import dlc.passes.fusion.Fusion;
import dlc.passes.fusion.Rematerialize;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every example's eval graph, train graph and training step (the train graph with the autodiff
 * gradients of its first loss for every parameter) fuses into a graph that verifies, has fewer
 * kernels, round-trips through the text IR, and computes bit-identical values in the float64 interpreter on random inputs (fusion
 * only regroups ops, so not even rounding may change). The same holds after rematerialization
 * ({@link Rematerialize}: it recomputes only comparisons and constants exactly), which moreover never
 * adds a value stored between kernels.
 */
class FusionExamplesTest {
    @TestFactory
    Stream<DynamicTest> everyExampleFusesWithoutChangingValues() throws IOException {
        return ExamplesForwardTest.examples().stream()
                .map(f -> DynamicTest.dynamicTest(f.getFileName() + " fused", () -> check(f)));
    }

    private static void check(Path file) {
        ModelRunner r = ModelRunner.compile(file, 42);
        for (String name : List.of("eval", "train")) {
            Optional<Graph> g = r.module.graph(name);
            if (g.isEmpty()) continue;
            Map<String, Tensor> data = r.randomInputs(name, new HashMap<>(), new Random(3));
            agree(file + " " + name, r, g.get(), data);
            List<Graph.Output> losses = g.get().outputs().stream().filter(o -> o.role() == Graph.Output.Role.LOSS).toList();
            List<String> params = g.get().inputs().stream().filter(v -> v.role() == Value.Role.PARAM).map(Value::name).toList();
            if (name.equals("train") && !losses.isEmpty() && !params.isEmpty())
                agree(file + " training step", r, new Autodiff().gradients(g.get(), losses.get(0).name(), params), data);
        }
    }

    private static void agree(String what, ModelRunner r, Graph g, Map<String, Tensor> data) {
        Graph fused = new Fusion().run(g);
        Verifier.verify(fused);
        assertTrue(fused.nodes().size() <= g.nodes().size(), what + ": fusion added kernels");
        String text = IrPrinter.print(fused);
        assertEquals(text, IrPrinter.print(IrParser.parseModule(text, what).graphs().get(0)), what + ": the fused graph round-trips through the text IR");
        Graph remat = new Rematerialize().run(fused);
        Verifier.verify(remat);
        assertTrue(storedValues(remat) <= storedValues(fused), what + ": rematerialization stored more values");
        String rematText = IrPrinter.print(remat);
        assertEquals(rematText, IrPrinter.print(IrParser.parseModule(rematText, what).graphs().get(0)), what + ": the rematerialized graph round-trips");
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            if (data.containsKey(v.name())) in.put(v.name(), data.get(v.name()));
            else if (r.initial.containsKey(v.name())) in.put(v.name(), r.initial.get(v.name()));
            else if (ModelRunner.isRngKey(v)) in.put(v.name(), Tensor.scalar(dlc.ir.DType.I64, 1234));
            else fail(what + ": no value for " + v);
        }
        Tensor[] want = Interpreter.run(g, in.values().toArray(new Tensor[0]), Map.of());
        for (Graph changed : List.of(fused, remat)) {
            String pass = changed == fused ? "fusion" : "rematerialization";
            Tensor[] got = Interpreter.run(changed, in.values().toArray(new Tensor[0]), Map.of());
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) {
                String out = g.outputs().get(i).name();
                assertArrayEquals(want[i].shape(), got[i].shape(), what + " output " + out);
                assertArrayEquals(want[i].data(), got[i].data(), what + " output " + out + " changed under " + pass);
            }
        }
    }

    /** The values a graph's kernels write for others to read: every top-level node's results. */
    private static int storedValues(Graph g) {
        return g.nodes().stream().mapToInt(n -> n.outputs().size()).sum();
    }
}
