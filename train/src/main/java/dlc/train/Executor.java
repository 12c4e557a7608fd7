package dlc.train;

import dlc.ir.Graph;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;

import java.util.Map;

/**
 * Runs one graph on named inputs and returns its outputs by name. The trainer only talks to this
 * interface, so a compiled backend can replace the reference interpreter without touching the loop.
 */
@FunctionalInterface
public interface Executor {
    /** Runs {@code graph} with every input bound by name (inputs, params, state alike); outputs by name, in graph order. */
    Map<String, Tensor> run(Graph graph, Map<String, Tensor> inputs);

    /**
     * The training state {@code values} kept where this executor computes, for runs of its graphs
     * (see {@link ResidentState}). The default keeps host tensors and hands them to {@link #run}
     * every time; a device backend keeps them in device memory.
     */
    default ResidentState resident(Map<String, Tensor> values) { return new HostState(this, values); }

    /** The float64 reference interpreter. */
    static Executor interpreter() { return Interpreter::run; }

    /**
     * The JVM backend: each graph compiled once to a JVM class, f32 computed in float32 (not
     * thread-safe; see {@link JvmExecutor}).
     */
    static Executor jvm() { return new JvmExecutor(); }

    /**
     * The OpenCL backend on the device {@code device} picks ({@code null}: the default, the first
     * GPU, else accelerator, else CPU; an index or a name substring otherwise): each graph compiled
     * once to OpenCL kernels (see {@link OpenClExecutor}).
     */
    static Executor opencl(String device) { return new OpenClExecutor(device); }
}
