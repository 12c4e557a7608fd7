package dlc.bench;

import dlc.codegen.opencl.ClCompiledGraph;
import dlc.codegen.opencl.ClExecutor;
import dlc.codegen.opencl.Devices;
import dlc.codegen.opencl.ResidentValues;
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
 * The OpenCL backend behind the {@link Executor} interface, run as the trainer's
 * {@code Executor.opencl()} runs it: the graph through the standard pipeline, compiled once by
 * {@link ClCompiledGraph}; parameters and model/optimizer state (inputs of role PARAM or STATE)
 * kept on the device in {@link ResidentValues}, their UPDATE outputs applied there (in place where
 * the memory plan donates), so a step uploads only the data inputs and reads back only the loss
 * or the logits. That host work (array-to-tensor conversion, upload, read-back) is part of the
 * timed step.
 *
 * <p>A resident value is (re)put from the host array whenever a run is handed a different array
 * for it than the last (a check's copies, a new session); the same array means the device holds
 * its current version, and the array stays stale until {@link #sync}.
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
    private final ResidentValues resident;
    /** Per input: kept on the device (a param or state). */
    private final boolean[] keep;
    /** Per input: the host array last put into {@link #resident}, or null. */
    private final Object[] lastPut;
    /** Per output: the input an UPDATE of a kept value replaces, else -1. */
    private final int[] applies;

    /**
     * Compiles {@code g}; an op the backend does not run yet is an {@link UnsupportedOperationException}
     * whose message says "not supported by the OpenCL backend yet".
     */
    OpenClExecutor(Graph g) {
        this.source = g;
        this.signature = GraphSignature.of(g);
        this.graph = ClCompiledGraph.compile(device(), PassManager.standard().run(g));
        this.resident = new ResidentValues(device());
        List<Value> ins = g.inputs();
        keep = new boolean[ins.size()];
        lastPut = new Object[ins.size()];
        for (int i = 0; i < keep.length; i++) keep[i] = ins.get(i).role() == Value.Role.PARAM || ins.get(i).role() == Value.Role.STATE;
        applies = new int[signature.outputs().size()];
        for (int k = 0; k < applies.length; k++) {
            Out o = signature.outputs().get(k);
            applies[k] = -1;
            if (o.role().equals("UPDATE"))
                for (int i = 0; i < keep.length; i++) if (keep[i] && ins.get(i).name().equals(o.updates())) applies[k] = i;
        }
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
            if (keep[i] && in[i] == lastPut[i]) continue; // the device has it
            Tensor t = new Tensor(v.type().dtype(), v.type().shape().eval(env), InterpreterExecutor.toDoubles(in[i]));
            if (keep[i]) {
                resident.put(v.name(), t);
                lastPut[i] = in[i];
            } else args.put(v.name(), t);
        }
        Map<String, Tensor> res = graph.run(args, resident, null, true); // every output but the applied updates
        Object[] out = new Object[outputs().size()];
        for (int k = 0; k < out.length; k++) {
            if (applies[k] >= 0) {
                out[k] = in[applies[k]]; // stays on the device; the array is brought up to date by sync
                continue;
            }
            Tensor t = res.get(outputs().get(k).name());
            out[k] = t.dtype() == DType.F32 ? InterpreterExecutor.toFloats(t.data()) : t.data();
        }
        return out;
    }

    @Override public void sync(Object[] in) {
        for (int i = 0; i < in.length; i++) {
            if (!keep[i] || in[i] != lastPut[i]) continue;
            double[] d = resident.get(source.inputs().get(i).name()).data();
            if (in[i] instanceof float[] f) for (int j = 0; j < f.length; j++) f[j] = (float) d[j];
            else System.arraycopy(d, 0, (double[]) in[i], 0, d.length);
        }
    }
}
