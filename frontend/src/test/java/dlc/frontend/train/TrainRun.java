package dlc.frontend.train;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/** Compiles a model with its train block and runs its graphs on the interpreter, as a trainer would. */
final class TrainRun {
    final Compilation compilation;
    final Module module;
    final TrainPlan plan;
    /** Every param, state, optimizer state and the counter, by name. */
    final Map<String, Tensor> values = new LinkedHashMap<>();

    private TrainRun(Compilation c) {
        this.compilation = c;
        this.module = c.module();
        this.plan = c.train();
    }

    /** Compiles src (expecting no errors) and runs its init graph with rng = seed. */
    static TrainRun of(String src) { return of(Frontend.compileSource("test.dl", src, null)); }

    /** Runs the init graph of a compilation with a train block. */
    static TrainRun of(Compilation c) {
        assertTrue(c.ok(), () -> "expected no errors, got:\n" + c.render());
        assertNotNull(c.train(), "a model with a train block has a training configuration");
        dlc.ir.Verifier.verify(c.module());
        TrainRun r = new TrainRun(c);
        Graph init = r.graph("init");
        Map<String, Tensor> in = new HashMap<>();
        if (init.input("rng").isPresent()) in.put("rng", Tensor.scalar(DType.I64, 7));
        r.values.putAll(Interpreter.run(init, in));
        return r;
    }

    /** The rendered diagnostics of src, which must have errors. */
    static String errors(String src) {
        Compilation c = Frontend.compileSource("test.dl", src, null);
        assertFalse(c.ok(), "expected errors");
        return c.render();
    }

    Graph graph(String name) { return module.graph(name).orElseThrow(() -> new AssertionError("no graph " + name + " in " + module.graphs().stream().map(Graph::name).toList())); }

    /** Runs one step graph on batch, feeds its UPDATEs back and returns all its outputs. */
    Map<String, Tensor> step(String graphName, Map<String, Tensor> batch) {
        Graph g = graph(graphName);
        Map<String, Tensor> in = new HashMap<>();
        for (Value v : g.inputs()) {
            if (v.role() == Value.Role.INPUT && !v.name().equals("rng")) in.put(v.name(), Objects.requireNonNull(batch.get(v.name()), v.name()));
            else if (v.name().equals("rng")) in.put("rng", Tensor.scalar(DType.I64, 1000 + values.get(TrainPlan.STEP_COUNTER).item()));
            else in.put(v.name(), Objects.requireNonNull(values.get(v.name()), () -> "no value for " + v.name()));
        }
        Map<String, Tensor> out = Interpreter.run(g, in);
        for (Graph.Output o : g.outputs()) if (o.role() == Graph.Output.Role.UPDATE) values.put(o.name(), out.get(o.name()));
        return out;
    }

    /** One iteration: every step of the plan in order; returns the last step's outputs. */
    Map<String, Tensor> iteration(Map<String, Tensor> batch) {
        Map<String, Tensor> out = null;
        for (TrainPlan.Step s : plan.steps()) out = step(s.graph(), batch);
        return out;
    }

    double[] get(String name) { return values.get(name).data().clone(); }

    static Tensor vec(double... xs) { return new Tensor(DType.F64, new int[]{xs.length}, xs); }
}
