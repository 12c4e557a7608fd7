package dlc.onnx;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.*;
import dlc.ir.Module;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;

import java.nio.file.Path;
import java.util.*;

/** Lowering .dl models for the tests: the module, initial weights and random inputs. */
final class Models {
    private Models() {}

    private static final Map<Path, Module> LOWERED = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Map<Module, Map<String, Tensor>> WEIGHTS = Collections.synchronizedMap(new IdentityHashMap<>());

    /** The lowered model of a file, once per test run (the export and round-trip tests share the examples). */
    static Module lower(Path file) { return LOWERED.computeIfAbsent(file.toAbsolutePath().normalize(), Models::compile); }

    private static Module compile(Path file) {
        Compilation c = Frontend.compile(file, null);
        if (!c.ok() || c.module() == null) throw new AssertionError(file + " does not compile:\n" + c.render());
        return c.module();
    }

    static Module lowerSource(String name, String text) {
        Compilation c = Frontend.compileSource(name, text, null);
        if (!c.ok() || c.module() == null) throw new AssertionError(name + " does not compile:\n" + c.render() + "\n" + text);
        return c.module();
    }

    /** The init graph's outputs: every param and state, drawn from a fixed key. */
    static Map<String, Tensor> weights(Module m) { return WEIGHTS.computeIfAbsent(m, Models::initialize); }

    private static Map<String, Tensor> initialize(Module m) {
        Graph init = m.graph("init").orElseThrow();
        Map<String, Tensor> args = new HashMap<>();
        for (Value v : init.inputs()) args.put(v.name(), Tensor.scalar(DType.I64, 12345));
        return Interpreter.run(init, args);
    }

    /** Random values for the graph's INPUT values: floats N(0, 1), integers in [0, 2), fair coins; symbols from {@code dims}. */
    static Map<String, Tensor> inputs(Graph g, Map<String, Long> dims, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Value v : g.inputs(Value.Role.INPUT)) {
            int[] shape = v.type().shape().eval(dims);
            double[] d = new double[(int) Tensor.numel(shape)];
            DType t = v.type().dtype();
            for (int i = 0; i < d.length; i++)
                d[i] = t.isFloating() ? (float) r.nextGaussian() : t == DType.BOOL ? (r.nextBoolean() ? 1 : 0) : r.nextInt(2);
            out.put(v.name(), new Tensor(t, shape, d));
        }
        return out;
    }

    /** Every symbol of the graph's inputs bound: B to 2, others to 5 unless given. */
    static Map<String, Long> dims(Graph g, Map<String, Long> given) {
        Map<String, Long> dims = new HashMap<>(given);
        for (Value v : g.inputs()) for (String s : v.type().shape().symbols()) dims.putIfAbsent(s, s.equals("B") ? 2L : 5L);
        return dims;
    }

    /** The reference: the eval graph's OUTPUT results in float64. */
    static Map<String, Tensor> reference(Graph g, Map<String, Tensor> weights, Map<String, Tensor> inputs) {
        Map<String, Tensor> args = new HashMap<>(weights);
        args.putAll(inputs);
        Map<String, Tensor> all = Interpreter.run(g, args);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Graph.Output o : g.outputs()) if (o.role() == Graph.Output.Role.OUTPUT) out.put(o.name(), all.get(o.name()));
        return out;
    }
}
