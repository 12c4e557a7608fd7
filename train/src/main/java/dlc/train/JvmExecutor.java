package dlc.train;

import dlc.codegen.jvm.JvmCompiler;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Sizes;
import dlc.ir.eval.Tensor;
import dlc.runtime.CompiledGraph;
import dlc.runtime.Signature;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An {@link Executor} on the JVM backend: each graph is compiled once (cached by identity: the
 * trainer runs the same step and eval graphs every batch) and run through
 * {@link CompiledGraph#run(Object[], long[])}. Interpreter tensors (float64 storage) are converted
 * to the runtime's storage ({@code float[]} for f32, {@code double[]} otherwise) into arrays kept
 * per graph input and reused every call, and outputs are copied back to float64.
 *
 * <p>Inputs are always copied, never handed over: the compiled code may update a donated input in
 * place (an UPDATE output), and interpreter tensors are immutable (the trainer keeps snapshots of
 * the state for early stopping).
 *
 * <p>Not thread-safe: the compiled graphs and conversion arrays are this executor's own.
 */
public final class JvmExecutor implements Executor {
    private final Function<Graph, CompiledGraph> compiler;
    private final Map<Graph, Compiled> cache = new IdentityHashMap<>();

    /** An executor that compiles with {@link JvmCompiler#load}. */
    public JvmExecutor() { this(JvmCompiler::load); }

    /** An executor that compiles with {@code compiler} (tests pass hand-written graphs). */
    public JvmExecutor(Function<Graph, CompiledGraph> compiler) { this.compiler = compiler; }

    @Override public Map<String, Tensor> run(Graph graph, Map<String, Tensor> inputs) {
        return cache.computeIfAbsent(graph, this::compile).run(inputs);
    }

    private Compiled compile(Graph g) {
        try {
            return new Compiled(g, compiler.apply(g));
        } catch (UnsupportedOperationException | IllegalStateException | IllegalArgumentException e) {
            throw new TrainException("the JVM backend cannot compile graph " + g.name() + ": " + e.getMessage()
                    + " (the reference interpreter runs it: --backend interp)");
        }
    }

    /** Number of graphs compiled so far (each once). */
    public int compiledGraphs() { return cache.size(); }

    /** One compiled graph and its reusable input arrays. */
    private static final class Compiled {
        private final Graph ir;
        private final CompiledGraph graph;
        private final Signature sig;
        private final List<Signature.Port> ports;
        private final Object[] in;
        private final String[] symbolNames;
        private final long[] symbols;
        /** The symbol values whose sizes {@link Sizes#check} accepted last (null: none yet). */
        private long[] checked;

        Compiled(Graph ir, CompiledGraph graph) {
            this.ir = ir;
            this.graph = graph;
            this.sig = graph.signature();
            this.ports = sig.inputs();
            this.in = new Object[ports.size()];
            this.symbolNames = sig.symbols().toArray(new String[0]);
            this.symbols = new long[symbolNames.length];
        }

        Map<String, Tensor> run(Map<String, Tensor> inputs) {
            bindSymbols(inputs);
            if (!Arrays.equals(checked, symbols)) {
                // a size no array holds is one message naming the value, before the generated bind overflows
                Map<String, Long> env = new LinkedHashMap<>();
                for (int k = 0; k < symbols.length; k++) env.put(symbolNames[k], symbols[k]);
                Sizes.check(ir, env);
                checked = symbols.clone();
            }
            for (int i = 0; i < in.length; i++) in[i] = convert(ports.get(i), inputs.get(ports.get(i).name()), in[i]);
            Object[] out = graph.run(in, symbols);
            Map<String, Tensor> result = new LinkedHashMap<>();
            for (int i = 0; i < out.length; i++) {
                Signature.Port p = sig.outputs().get(i);
                int[] shape = p.shape(sig, symbols);
                result.put(p.name(), new Tensor(dtype(p.dtype()), shape, toDoubles(out[i], (int) Tensor.numel(shape))));
            }
            return result;
        }

        /**
         * Solves the symbols from the inputs' shapes (a dim that is a lone symbol binds it) and
         * checks every shape, as {@link Signature#bindSymbols} does, without wrapping each input.
         */
        private void bindSymbols(Map<String, Tensor> inputs) {
            boolean[] set = new boolean[symbols.length];
            for (Signature.Port p : ports) {
                Tensor t = inputs.get(p.name());
                if (t == null) throw new IllegalArgumentException("missing input " + p.name() + ": expected " + p.dtype() + p.shapeText() + "; inputs are " + sig.inputNames());
                if (t.rank() != p.dims().length)
                    throw new IllegalArgumentException("input " + p.name() + ": expected " + p.dtype() + p.shapeText() + ", got " + Arrays.toString(t.shape()));
                for (int d = 0; d < p.dims().length; d++)
                    for (int k = 0; k < symbolNames.length; k++)
                        if (!set[k] && symbolNames[k].equals(p.dims()[d].trim())) {
                            symbols[k] = t.dim(d);
                            set[k] = true;
                        }
            }
            for (int k = 0; k < set.length; k++)
                if (!set[k]) throw new IllegalArgumentException("no input shape binds dimension " + symbolNames[k] + " of graph inputs " + sig.inputNames());
            for (Signature.Port p : ports) {
                Tensor t = inputs.get(p.name());
                int[] want = p.shape(sig, symbols);
                for (int d = 0; d < want.length; d++)
                    if (want[d] != t.dim(d))
                        throw new IllegalArgumentException("input " + p.name() + ": expected " + p.dtype() + p.shapeText() + " = " + Arrays.toString(want)
                                + " under " + sig.describe(symbols) + ", got " + Arrays.toString(t.shape()));
            }
        }

        /** {@code t}'s values in the runtime storage of port {@code p}, in {@code reuse} when it has the right type and length. */
        private static Object convert(Signature.Port p, Tensor t, Object reuse) {
            double[] src = t.data();
            if (p.dtype().equals("f32")) {
                float[] f = reuse instanceof float[] r && r.length == src.length ? r : new float[src.length];
                for (int i = 0; i < src.length; i++) f[i] = (float) src[i];
                return f;
            }
            double[] d = reuse instanceof double[] r && r.length == src.length ? r : new double[src.length];
            System.arraycopy(src, 0, d, 0, src.length);
            return d;
        }

        private static double[] toDoubles(Object a, int n) {
            if (a instanceof double[] d) return Arrays.copyOf(d, n);
            float[] f = (float[]) a;
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = f[i];
            return d;
        }

        private static DType dtype(String text) {
            DType d = DType.fromText(text);
            if (d == null) throw new IllegalStateException("compiled graph has an output of unknown dtype " + text);
            return d;
        }
    }
}
