package dlc.cli;

import dlc.codegen.jvm.JvmCompiler;
import dlc.codegen.jvm.NarrowWeights;
import dlc.codegen.jvm.RuntimeTensors;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.runtime.CompiledGraph;
import dlc.train.Executor;
import picocli.CommandLine.Option;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --weights-dtype f32|bf16|int8} of run and compile (a picocli mixin): the matmul weights
 * stored narrow (see {@link NarrowWeights}), computed in float32. On the interpreter the weights are
 * replaced by the values the narrow form stores, so both backends run the same model.
 */
final class WeightsDtypeChoice {
    /** The formats; a value picocli does not know is a usage error (exit 2) listing these. */
    enum WeightsDtype { f32, bf16, int8 }

    @Option(names = "--weights-dtype", paramLabel = "f32|bf16|int8", defaultValue = "f32",
            description = "Store the weights that feed a matmul (dense layers' w) narrow and compute in float32: bf16 (bfloat16, round to nearest even) "
                    + "or int8 (symmetric, one float32 scale per output channel, max|w| / 127); biases and other tensors stay f32 (default: ${DEFAULT-VALUE}).")
    WeightsDtype dtype = WeightsDtype.f32;

    boolean narrow() { return dtype != WeightsDtype.f32; }

    String format() { return dtype.name(); }

    /** The weights of {@code g} this choice stores narrow (name to format); empty for f32. */
    Map<String, String> select(Graph g) { return NarrowWeights.select(g, format()); }

    /** What a command's header says about the weights of {@code g}: "" for f32, else e.g. "weights int8: dense.w, dense_1.w". */
    String describe(Graph g) {
        if (!narrow()) return "";
        Map<String, String> chosen = select(g);
        return "weights " + format() + ": " + (chosen.isEmpty() ? "none (no weight feeds a matmul; all stay f32)" : String.join(", ", chosen.keySet()));
    }

    /** {@code base} (the --backend's executor) running every graph with this choice's weights. */
    Executor executor(Executor base, BackendChoice.Backend backend) {
        if (!narrow()) return base;
        if (backend == BackendChoice.Backend.interp)
            return (g, in) -> {
                Map<String, Tensor> rounded;
                try {
                    rounded = NarrowWeights.roundAll(in, select(g));
                } catch (IllegalArgumentException e) {
                    throw new UserError("--weights-dtype " + format() + ": " + e.getMessage());
                }
                return Interpreter.run(g, rounded);
            };
        Map<Graph, CompiledGraph> compiled = new IdentityHashMap<>();
        // the same weight tensors come back every batch (dlc eval): quantize each once
        Map<Tensor, dlc.runtime.Tensor> packed = new IdentityHashMap<>();
        return (g, in) -> {
            Map<String, String> formats = select(g);
            if (formats.isEmpty()) return base.run(g, in); // the init graph: nothing to narrow
            CompiledGraph cg = compiled.computeIfAbsent(g, x -> {
                try {
                    return JvmCompiler.compile(x, "dlc.gen." + JvmCompiler.javaName(x.name()), formats).instantiate();
                } catch (UnsupportedOperationException | IllegalArgumentException e) {
                    throw new UserError("the JVM backend cannot compile graph " + x.name() + " with --weights-dtype " + format() + ": " + e.getMessage()
                            + " (the reference interpreter runs it: --backend interp)");
                }
            });
            Map<String, dlc.runtime.Tensor> args = new LinkedHashMap<>();
            for (var e : in.entrySet())
                args.put(e.getKey(), formats.containsKey(e.getKey())
                        ? packed.computeIfAbsent(e.getValue(), t -> pack(e.getKey(), t, formats.get(e.getKey())))
                        : RuntimeTensors.of(e.getValue()));
            Map<String, Tensor> out = new LinkedHashMap<>();
            cg.run(args).forEach((name, t) -> out.put(name, interpreterTensor(t)));
            return out;
        };
    }

    /** A weight stored narrow; one that int8 cannot hold (NaN, infinity) is an error naming it. */
    private static dlc.runtime.Tensor pack(String name, Tensor t, String format) {
        try {
            return NarrowWeights.pack(t, format);
        } catch (IllegalArgumentException e) {
            throw new UserError("--weights-dtype " + format + ": weight " + name + ": " + e.getMessage());
        }
    }

    private static Tensor interpreterTensor(dlc.runtime.Tensor t) {
        double[] d = new double[t.numel()];
        for (int i = 0; i < d.length; i++) d[i] = t.get(i);
        DType dtype = DType.fromText(t.dtype());
        if (dtype == null) throw new IllegalStateException("compiled graph has an output of unknown dtype " + t.dtype());
        return new Tensor(dtype, t.shape(), d);
    }
}
