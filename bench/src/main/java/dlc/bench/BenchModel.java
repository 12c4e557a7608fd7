package dlc.bench;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark model: a .dl resource under {@code bench/} compiled by the frontend into its
 * module (graphs {@code init}, {@code step}, {@code eval}, ...), and its initial parameters.
 */
final class BenchModel {
    final String name;
    final Module module;

    private BenchModel(String name, Module module) {
        this.name = name;
        this.module = module;
    }

    /** Compiles {@code bench/NAME.dl} from the classpath; a diagnostic is a loud failure. */
    static BenchModel load(String name) {
        String res = "bench/" + name + ".dl";
        String text;
        try (InputStream in = BenchModel.class.getClassLoader().getResourceAsStream(res)) {
            if (in == null) throw new IllegalStateException("no resource " + res + " on the classpath");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + res, e);
        }
        Compilation c = Frontend.compileSource(res, text, null);
        if (!c.ok() || c.module() == null) throw new IllegalStateException("cannot compile " + res + ":\n" + c.render());
        return new BenchModel(name, c.module());
    }

    Graph graph(String graphName) {
        return module.graph(graphName).orElseThrow(() -> new IllegalStateException(
                name + " has no graph '" + graphName + "'; it has " + module.graphs().stream().map(Graph::name).toList()));
    }

    /** The training step graph (the train block has no step sub-blocks, so there is one: {@code step}). */
    Graph step() { return graph("step"); }

    /**
     * The eval graph reduced to its OUTPUT outputs (the logits), as the peers' inference computes
     * only the forward pass: the loss and its label input become dead code that the simplifier
     * removes (the label input stays in the signature, unused).
     */
    Graph inference() {
        Graph e = graph("eval");
        List<Graph.Output> outs = e.outputs().stream().filter(o -> o.role() == Graph.Output.Role.OUTPUT).toList();
        return new Graph(e.name() + ".infer", e.inputs(), e.nodes(), outs);
    }

    /**
     * Runs the init graph once with the reference interpreter (not timed) and returns every param,
     * optimizer state and the step counter by name, stored as the JVM backend stores them.
     */
    Map<String, Object> initialState(long seed) {
        Graph init = graph("init");
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Value v : init.inputs()) {
            if (!v.name().equals("rng")) throw new IllegalStateException("init graph input " + v + " is not the rng key");
            in.put("rng", Tensor.scalar(DType.I64, seed));
        }
        Map<String, Object> state = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : Interpreter.run(init, in).entrySet()) {
            Tensor t = e.getValue();
            state.put(e.getKey(), t.dtype() == DType.F32 ? InterpreterExecutor.toFloats(t.data()) : t.data().clone());
        }
        return state;
    }
}
