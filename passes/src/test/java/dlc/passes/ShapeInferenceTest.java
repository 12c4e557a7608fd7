package dlc.passes;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.testing.RandomGraphs;
import dlc.ir.text.IrParser;
import net.jqwik.api.*;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

class ShapeInferenceTest {
    @Provide
    Arbitrary<Graph> graphs() { return RandomGraphs.graphs(); }

    @Property
    void withoutBindingsAWellTypedGraphIsUnchanged(@ForAll("graphs") Graph g) {
        assertEquals(Optional.empty(), GraphEquivalence.difference(g, new ShapeInference().run(g)));
    }

    @Property
    void bindingEverySymbolGivesConcreteTypesThatAreTheSubstitutedOnes(@ForAll("graphs") Graph g) {
        Graph c = new ShapeInference(RandomGraphs.BINDINGS).run(g);
        assertEquals(List.of(), Verifier.check(c));
        Map<String, Dim> env = new HashMap<>();
        RandomGraphs.BINDINGS.forEach((k, v) -> env.put(k, Dim.of(v)));
        for (int i = 0; i < g.nodes().size(); i++)
            for (int j = 0; j < g.nodes().get(i).outputs().size(); j++) {
                TensorType before = g.nodes().get(i).outputs().get(j).type(), after = c.nodes().get(i).outputs().get(j).type();
                assertTrue(after.shape().isConcrete(), after.toString());
                assertEquals(before.shape().substitute(env), after.shape());
                assertEquals(before.dtype(), after.dtype());
            }
    }

    @Property
    void bindingSymbolsPreservesWhatTheGraphComputes(@ForAll("graphs") Graph g, @ForAll long seed) {
        Map<String, Tensor> named = RandomGraphs.randomInputs(g, RandomGraphs.BINDINGS, seed);
        Tensor[] in = g.inputs().stream().map(v -> named.get(v.name())).toArray(Tensor[]::new);
        Graph c = new ShapeInference(RandomGraphs.BINDINGS).run(g);
        Tensor[] expected;
        try {
            // symbols such as H in 2*H cannot be read off input shapes, so they are passed in
            expected = Interpreter.run(g, in, RandomGraphs.BINDINGS);
        } catch (Interpreter.EvalException e) {
            // integer division by zero: the concrete graph must fail the same way
            Statistics.label("outcome").collect("eval error");
            assertThrows(Interpreter.EvalException.class, () -> Interpreter.run(c, in, Map.of()));
            return;
        }
        Statistics.label("outcome").collect("compared");
        // the comparison, not the error path, must be what this property mostly tests
        Statistics.label("outcome").coverage(cov -> cov.check("compared").percentage(p -> p >= 80));
        Tensor[] actual = Interpreter.run(c, in, Map.of());
        assertEquals(expected.length, actual.length);
        for (int k = 0; k < expected.length; k++) {
            assertArrayEquals(expected[k].shape(), actual[k].shape(), "output " + k);
            // the same ops on the same values: bit-identical, NaN exactly where the original has NaN
            assertArrayEquals(expected[k].data(), actual[k].data(), 0.0, "output " + k);
        }
    }

    @Test
    void failureNamesTheNodesSourceLocationAndTheShapes() {
        Graph g = IrParser.parseGraph("""
                graph f(%x: f32[B], %y: f32[T]) {
                  %0 = add(%x, %y) : f32[B]  # model.dl:4:9
                  output z = %0
                }
                """);
        var e = assertThrows(ShapeInference.NodeShapeException.class, () -> new ShapeInference(Map.of("B", 2L, "T", 3L)).run(g));
        assertEquals(new SourceLoc("model.dl", 4, 9), e.loc());
        assertTrue(e.getMessage().startsWith("model.dl:4:9: add (graph f, node 0): cannot broadcast shapes [2] and [3]"), e.getMessage());
        assertNotNull(e.hint());
    }

    @Test
    void optionsMustBindSymbolsToIntegers() {
        assertEquals(Map.of("B", Dim.of(32)), ShapeInference.fromOptions(Map.of("B", "32")).bindings());
        var e = assertThrows(IllegalArgumentException.class, () -> ShapeInference.fromOptions(Map.of("B", "many")));
        assertTrue(e.getMessage().contains("B=many must bind the symbol to an integer"), e.getMessage());
    }
}
