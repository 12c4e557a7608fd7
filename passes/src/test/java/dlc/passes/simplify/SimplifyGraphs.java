package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.ir.testing.RandomGraphs;
import dlc.passes.ShapeInference;
import net.jqwik.api.*;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random graphs for the simplification properties: {@link RandomGraphs} with every symbol bound
 * (constants need concrete shapes) and some inputs turned into {@code constant} nodes holding random
 * values, all ones or all zeros, so that folding and the x*1 / x+0 / x*0 rules have something to
 * do. Also the comparison of two graphs' outputs in the interpreter.
 */
final class SimplifyGraphs {
    private SimplifyGraphs() {}

    /** A graph and values for its remaining inputs. */
    record Case(Graph graph, Map<String, Tensor> inputs) {
        @Override public String toString() { return graph.toString(); }
    }

    static Arbitrary<Case> cases() {
        Arbitrary<List<Integer>> choices = Arbitraries.integers().between(0, 3).list().ofSize(4);
        return Combinators.combine(RandomGraphs.graphs(), choices, Arbitraries.longs()).as(SimplifyGraphs::constantize);
    }

    /** Random graphs as generated, symbolic dims left symbolic (bound only by the inputs' values). */
    static Arbitrary<Case> symbolicCases() {
        return Combinators.combine(RandomGraphs.graphs(), Arbitraries.longs())
                .as((g, seed) -> new Case(g, RandomGraphs.randomInputs(g, RandomGraphs.BINDINGS, seed)));
    }

    /**
     * Binds the symbols of {@code g}, then replaces input i by a constant when choice i is 1
     * (its random values), 2 (ones) or 3 (zeros); 0 keeps it an input. Inputs named by a grad
     * output stay inputs (a grad must name an input).
     */
    static Case constantize(Graph random, List<Integer> choices, long seed) {
        Graph g = new ShapeInference(RandomGraphs.BINDINGS).run(random);
        Map<String, Tensor> values = RandomGraphs.randomInputs(g, RandomGraphs.BINDINGS, seed);
        GraphBuilder b = new GraphBuilder(g.name());
        Map<Value, Value> map = new IdentityHashMap<>();
        Map<String, Tensor> remaining = new LinkedHashMap<>();
        Set<String> grads = new HashSet<>();
        for (Graph.Output o : g.outputs()) if (o.role() == Graph.Output.Role.GRAD) grads.add(o.name());
        for (int i = 0; i < g.inputs().size(); i++) {
            Value v = g.inputs().get(i);
            int choice = grads.contains(v.name()) ? 0 : choices.get(i % choices.size());
            Tensor t = values.get(v.name());
            if (choice == 0) {
                map.put(v, b.input(v.name(), v.type(), v.role()));
                remaining.put(v.name(), t);
                continue;
            }
            double[] data = choice == 1 ? t.data() : new double[]{choice == 2 ? 1 : 0};
            long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
            map.put(v, b.op(Ops.CONSTANT, Attrs.of("dtype", v.type().dtype(), "shape", Shape.of(shape), "values", data)));
        }
        for (Node n : g.nodes()) {
            Node c = new Node(n.op(), n.inputs().stream().map(map::get).toList(), n.attrs(), n.regions(),
                    n.outputs().stream().map(Value::type).toList(), n.outputs().stream().map(Value::name).toList(), n.loc());
            b.add(c);
            for (int j = 0; j < c.outputs().size(); j++) map.put(n.outputs().get(j), c.outputs().get(j));
        }
        for (Graph.Output o : g.outputs()) b.output(o.name(), o.role(), map.get(o.value()));
        Graph out = b.build();
        Verifier.verify(out);
        return new Case(out, remaining);
    }

    /** The outputs of {@code g} in order, or null when the interpreter rejects the inputs (integer division by zero). */
    static Tensor[] run(Graph g, Map<String, Tensor> inputs) {
        Tensor[] args = g.inputs().stream().map(v -> inputs.get(v.name())).toArray(Tensor[]::new);
        try {
            return Interpreter.run(g, args, RandomGraphs.BINDINGS);
        } catch (Interpreter.EvalException e) {
            return null;
        }
    }

    /**
     * Asserts that {@code actual} computes what {@code expected} computes. Elements must be equal
     * (NaN where NaN, infinities of the same sign; +0 and -0 count as equal, since x + 0 -> x does
     * not keep the sign of a zero), or, when {@code relTol > 0}, finite and within
     * {@code relTol * max(1, |e|)}.
     */
    static void assertSameValues(Graph expected, Graph actual, Map<String, Tensor> inputs, double relTol) {
        Tensor[] want = run(expected, inputs);
        Assume.that(want != null);
        Tensor[] got;
        try {
            got = Interpreter.run(actual, actual.inputs().stream().map(v -> inputs.get(v.name())).toArray(Tensor[]::new), RandomGraphs.BINDINGS);
        } catch (RuntimeException e) {
            throw new AssertionError("the simplified graph fails where the original runs:\n" + actual, e);
        }
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            String where = "output " + expected.outputs().get(i).name() + "\noriginal:\n" + expected + "\nsimplified:\n" + actual;
            assertEquals(want[i].dtype(), got[i].dtype(), where);
            assertArrayEquals(want[i].shape(), got[i].shape(), where);
            double[] e = want[i].data(), a = got[i].data();
            for (int k = 0; k < e.length; k++) {
                if (Double.isNaN(e[k]) || Double.isNaN(a[k])) {
                    assertTrue(Double.isNaN(e[k]) && Double.isNaN(a[k]), "element " + k + ": " + e[k] + " vs " + a[k] + " in " + where);
                } else if (e[k] != a[k]) {
                    boolean close = relTol > 0 && Double.isFinite(e[k]) && Double.isFinite(a[k])
                            && Math.abs(e[k] - a[k]) <= relTol * Math.max(1, Math.abs(e[k]));
                    assertTrue(close, "element " + k + ": " + e[k] + " vs " + a[k] + " in " + where);
                }
            }
        }
    }

    /** Nodes in {@code g} and its nested graphs. */
    /** {@link #nodeCount} less the splat constants and the broadcasts of one (immediates in every backend). */
    static int computingNodeCount(Graph g) {
        int n = 0;
        for (Node node : g.nodes()) {
            if (!isSplat(node)) n++;
            for (Graph r : node.regions()) n += computingNodeCount(r);
        }
        return n;
    }

    private static boolean isSplat(Node node) {
        if (node.op() == dlc.ir.ops.Ops.BROADCAST_TO) return node.input(0).producer() != null && isSplat(node.input(0).producer());
        return node.op() == dlc.ir.ops.Ops.CONSTANT && node.attrs().getDoubles("values").length == 1;
    }

    static int nodeCount(Graph g) {
        int n = 0;
        for (Node node : g.nodes()) {
            n++;
            for (Graph r : node.regions()) n += nodeCount(r);
        }
        return n;
    }
}
