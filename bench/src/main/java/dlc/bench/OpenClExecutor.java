package dlc.bench;

import dlc.codegen.opencl.ClCompiledGraph;
import dlc.codegen.opencl.ClExecutor;
import dlc.codegen.opencl.Devices;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.passes.PassManager;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenCL backend behind the {@link Executor} interface: the graph through the standard pipeline
 * (as {@code JvmCompiler.load} and {@code dlc --backend opencl} do), compiled once by
 * {@link ClCompiledGraph}, run through its public {@code run} API. Each run converts the flat
 * arrays to tensors, uploads every input and reads every output back, as the trainer's
 * {@code Executor.opencl()} does; that host work is part of the timed step.
 *
 * <p>One {@link ClExecutor} (context and in-order queue) per JVM, on the device
 * {@code -Dbench.device=SPEC} picks (an index, {@code gpu}, {@code cpu} or a name substring, as
 * {@code dlc devices --device}); the default device otherwise (the first GPU, else the first CPU).
 */
final class OpenClExecutor implements Executor {
    private static ClExecutor shared;

    private final Graph source;
    private final ClCompiledGraph graph;
    private final GraphSignature signature;

    /**
     * Compiles {@code g}; an op the backend does not run yet is an {@link UnsupportedOperationException}
     * whose message says "not supported by the OpenCL backend yet".
     */
    OpenClExecutor(Graph g) {
        this.source = g;
        this.signature = GraphSignature.of(g);
        this.graph = ClCompiledGraph.compile(device(), PassManager.standard().run(g));
    }

    /** The executor every compiled graph of this JVM shares (opened on first use). */
    static synchronized ClExecutor device() {
        if (shared == null) {
            shared = ClExecutor.open(Devices.find(System.getProperty("bench.device")), ClExecutor.Options.defaults());
            System.err.println("[dlc] OpenCL " + shared.device().describe());
        }
        return shared;
    }

    @Override public List<String> symbols() { return signature.symbols(); }

    @Override public List<In> inputs() { return signature.inputs(); }

    @Override public List<Out> outputs() { return signature.outputs(); }

    @Override public Object[] run(Object[] in, long[] symbolValues) {
        Map<String, Long> env = new HashMap<>();
        for (int i = 0; i < symbolValues.length; i++) env.put(symbols().get(i), symbolValues[i]);
        Map<String, Tensor> args = new LinkedHashMap<>();
        for (int i = 0; i < in.length; i++) {
            Value v = source.inputs().get(i);
            args.put(v.name(), new Tensor(v.type().dtype(), v.type().shape().eval(env), InterpreterExecutor.toDoubles(in[i])));
        }
        Map<String, Tensor> res = graph.run(args);
        Object[] out = new Object[outputs().size()];
        for (int i = 0; i < out.length; i++) {
            Tensor t = res.get(outputs().get(i).name());
            out[i] = t.dtype() == DType.F32 ? InterpreterExecutor.toFloats(t.data()) : t.data();
        }
        return out;
    }
}
