package dlc.train;

import dlc.codegen.opencl.ClCompiledGraph;
import dlc.codegen.opencl.ClDevice;
import dlc.codegen.opencl.ClExecutor;
import dlc.codegen.opencl.Devices;
import dlc.codegen.opencl.OpenClException;
import dlc.ir.Graph;
import dlc.ir.eval.Tensor;
import dlc.passes.PassManager;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * An {@link Executor} on the OpenCL backend: one device, one {@link ClExecutor} (context and
 * in-order queue); each graph is optimized by the standard pipeline and compiled once to OpenCL
 * kernels ({@link ClCompiledGraph}, cached by identity: the trainer runs the same step and eval
 * graphs every batch), each binding of its dims laid out once. Inputs are uploaded every call and
 * the outputs read back. A graph the backend cannot compile (an op without a kernel yet) is a
 * {@link TrainException} naming the op and suggesting the JVM backend; a missing OpenCL platform
 * or device is one too. Not thread-safe.
 */
public final class OpenClExecutor implements Executor, AutoCloseable {
    private final ClExecutor cl;
    private final Map<Graph, ClCompiledGraph> cache = new IdentityHashMap<>();

    /** An executor on the device {@code device} picks (null: the default device). */
    public OpenClExecutor(String device) {
        try {
            ClDevice d = Devices.find(device);
            cl = ClExecutor.open(d, ClExecutor.Options.defaults());
        } catch (OpenClException e) {
            throw new TrainException("--backend opencl: " + e.getMessage());
        }
    }

    public ClDevice device() { return cl.device(); }

    @Override public Map<String, Tensor> run(Graph graph, Map<String, Tensor> inputs) {
        ClCompiledGraph g = cache.get(graph);
        if (g == null) {
            g = compile(graph);
            cache.put(graph, g);
        }
        try {
            return g.run(inputs);
        } catch (OpenClException e) {
            throw new TrainException("the OpenCL backend failed running graph " + graph.name() + ": " + e.getMessage());
        }
    }

    private ClCompiledGraph compile(Graph g) {
        try {
            return ClCompiledGraph.compile(cl, PassManager.standard().run(g));
        } catch (UnsupportedOperationException | OpenClException e) {
            throw new TrainException("the OpenCL backend cannot compile graph " + g.name() + ": " + e.getMessage()
                    + " (the JVM backend runs it: --backend jvm)");
        }
    }

    /** Number of graphs compiled so far (each once). */
    public int compiledGraphs() { return cache.size(); }

    @Override public void close() { cl.close(); }
}
