package dlc.examples;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.OpDef;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.passes.PassManager;
import dlc.passes.autodiff.Autodiff;
import dlc.passes.simplify.Simplify;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The simplify pipeline on every example model: for the init, train and eval graphs and for the
 * training step (train with the gradient of its first loss with respect to every parameter, from
 * autodiff), the simplified graph verifies after every pass and computes what the unsimplified one
 * computes on random inputs (B = 3, other dims 5) in the float64 interpreter: NaN where NaN,
 * otherwise within a relative 1e-9 (batch-norm folding reassociates a few float operations; every
 * other rewrite here is exact). Op counts before and after are printed, one line per graph, and as
 * a table when the class finishes.
 */
class SimplifyExamplesTest {
    private static final double REL_TOL = 1e-9;
    private static final List<String> REPORT = Collections.synchronizedList(new ArrayList<>());

    @TestFactory
    Stream<DynamicTest> simplifiedGraphsComputeTheSameValues() throws IOException {
        return ExamplesForwardTest.examples().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
    }

    private static void check(Path file) {
        ModelRunner r = ModelRunner.compile(file, 42);
        String model = file.getFileName().toString();
        for (String name : List.of("init", "train", "eval")) {
            Optional<Graph> g = r.module.graph(name);
            if (g.isPresent()) compare(r, model, name, g.get());
        }
        Graph train = ModelRunner.graph(r.module, "train");
        Optional<Graph.Output> loss = train.outputs().stream().filter(o -> o.role() == Graph.Output.Role.LOSS).findFirst();
        if (loss.isPresent()) {
            List<String> params = train.inputs(Value.Role.PARAM).stream().filter(v -> v.type().dtype().isFloating()).map(Value::name).toList();
            compare(r, model, "train step (d " + loss.get().name() + ")", new Autodiff().gradients(train, loss.get().name(), params));
        }
    }

    private static void compare(ModelRunner r, String model, String what, Graph g) {
        Graph s = PassManager.of(new Simplify()).run(g); // verifies after the pass; Simplify verifies after each of its own
        int before = ops(g), after = ops(s);
        String line = String.format("%-24s %-22s ops %5d -> %5d  (%.0f%% fewer)", model, what, before, after, 100.0 * (before - after) / Math.max(1, before));
        System.out.println("simplify: " + line);
        REPORT.add(line);
        assertTrue(after <= before, model + " " + what + ": simplify added ops");
        Map<String, Tensor> in = inputs(r, g);
        Map<String, Tensor> want = Interpreter.run(g, in), got = Interpreter.run(s, in);
        for (Graph.Output o : g.outputs()) {
            String where = model + " " + what + " output " + o.name();
            Tensor e = want.get(o.name()), a = got.get(o.name());
            assertNotNull(a, where + " is missing after simplify");
            assertArrayEquals(e.shape(), a.shape(), where);
            for (int k = 0; k < e.size(); k++) {
                double x = e.data()[k], y = a.data()[k];
                if (Double.isNaN(x) || Double.isNaN(y)) assertTrue(Double.isNaN(x) && Double.isNaN(y), where + " element " + k + ": " + x + " vs " + y);
                else if (x != y)
                    assertTrue(Double.isFinite(x) && Math.abs(x - y) <= REL_TOL * Math.max(1, Math.abs(x)), where + " element " + k + ": " + x + " vs " + y);
            }
        }
    }

    /**
     * std/nn.dl's batch_norm after dense and after conv (with its bias) folds in the eval graph:
     * no normalization of activations is left, and with running statistics far from their initial
     * 0 and 1 the folded graph computes what the unfolded one does.
     */
    @org.junit.jupiter.api.Test
    void batchNormFoldsIntoDenseAndConvLayers() {
        ModelRunner r = ModelRunner.compileSource("""
                import std.nn.{dense, batch_norm, conv}
                model BnNet {
                  input  x: f32[B, 4]
                  h      = relu(batch_norm(dense(x, 8)))
                  output y = batch_norm(conv(reshape(h, [B, 2, 2, 2]), 3, 1))
                }
                """, 5);
        Graph eval = ModelRunner.graph(r.module, "eval");
        Graph s = PassManager.of(new Simplify()).run(eval);
        List<OpDef> ops = s.nodes().stream().map(Node::op).toList();
        assertEquals(1, Collections.frequency(ops, Ops.MATMUL), s.toString());
        assertEquals(1, Collections.frequency(ops, Ops.CONV2D), s.toString());
        assertTrue(s.nodes().stream().noneMatch(n -> n.op() == Ops.RSQRT && n.output().type().shape().symbols().contains("B")),
                "a normalization of activations is left:\n" + s);
        Map<String, Tensor> in = inputs(r, eval);
        Random rnd = new Random(3);
        for (Value v : eval.inputs(Value.Role.STATE)) {
            double[] d = new double[in.get(v.name()).size()];
            for (int i = 0; i < d.length; i++) d[i] = v.name().endsWith("running_var") ? 0.2 + 2 * rnd.nextDouble() : 2 * rnd.nextDouble() - 1;
            in.put(v.name(), new Tensor(v.type().dtype(), in.get(v.name()).shape(), d));
        }
        Tensor want = Interpreter.run(eval, in).get("y"), got = Interpreter.run(s, in).get("y");
        for (int k = 0; k < want.size(); k++)
            assertEquals(want.data()[k], got.data()[k], REL_TOL * Math.max(1, Math.abs(want.data()[k])), "element " + k);
        REPORT.add(String.format("%-24s %-22s ops %5d -> %5d", "(inline) BnNet", "eval", ops(eval), ops(s)));
    }

    /** Params and state from init, RNG keys from the seed, random data for the rest. */
    private static Map<String, Tensor> inputs(ModelRunner r, Graph g) {
        Map<String, Long> dims = new HashMap<>();
        Random rnd = new Random(7);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            if (r.initial.containsKey(v.name())) in.put(v.name(), r.initial.get(v.name()));
            else if (ModelRunner.isRngKey(v)) in.put(v.name(), Tensor.scalar(v.type().dtype(), 1234));
            else in.put(v.name(), ModelRunner.random(v.type().dtype(), ModelRunner.concrete(v.type().shape(), dims), rnd));
        }
        return in;
    }

    /** Nodes, nested graphs included. */
    private static int ops(Graph g) {
        int n = 0;
        for (Node node : g.nodes()) {
            n++;
            for (Graph b : node.regions()) n += ops(b);
        }
        return n;
    }

    @AfterAll
    static void report() {
        List<String> lines = new ArrayList<>(REPORT);
        Collections.sort(lines);
        System.out.println("simplify: op counts before -> after, every example graph\n  " + String.join("\n  ", lines));
    }
}
