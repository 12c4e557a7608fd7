package dlc.train;

import dlc.codegen.opencl.ClCompiledGraph;
import dlc.codegen.opencl.ClDevice;
import dlc.codegen.opencl.ClExecutor;
import dlc.codegen.opencl.Devices;
import dlc.codegen.opencl.OpenClException;
import dlc.codegen.opencl.ResidentValues;
import dlc.codegen.opencl.Transfers;
import dlc.ir.Graph;
import dlc.ir.eval.Tensor;
import dlc.passes.PassManager;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An {@link Executor} on the OpenCL backend: one device, one {@link ClExecutor} (context and
 * in-order queue); each graph is optimized by the standard pipeline and compiled once to OpenCL
 * kernels ({@link ClCompiledGraph}, cached by identity: the trainer runs the same step and eval
 * graphs every batch), each binding of its dims laid out once. {@link #run} uploads its inputs
 * and reads the outputs back; the trainer runs its graphs against {@link #resident} state instead,
 * which stays in device memory across steps (only the batch inputs go in and the loss comes out). A graph the backend cannot compile (an op without a kernel yet) is a
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
        ClCompiledGraph g = compiled(graph);
        try {
            return g.run(inputs);
        } catch (OpenClException e) {
            throw failed(graph, e);
        }
    }

    /**
     * The state kept in device memory ({@link ResidentValues}): uploaded when a graph first reads
     * it, updated in place by the step graphs, read back only by {@link ResidentState#read}.
     */
    @Override public ResidentState resident(Map<String, Tensor> values) {
        ResidentValues device = new ResidentValues(cl);
        device.putAll(values);
        return new ResidentState() {
            @Override public void put(Map<String, Tensor> v) { device.putAll(v); }

            @Override public Map<String, Tensor> read() {
                try {
                    return device.getAll();
                } catch (OpenClException e) {
                    throw new TrainException("the OpenCL backend failed reading the training state back: " + e.getMessage());
                }
            }

            @Override public Map<String, Tensor> run(Graph graph, Map<String, Tensor> inputs, Set<String> wanted, boolean update) {
                ClCompiledGraph g = compiled(graph);
                try {
                    return g.run(inputs, device, wanted, update);
                } catch (OpenClException e) {
                    throw failed(graph, e);
                }
            }

            @Override public void close() { device.close(); }
        };
    }

    /** What this executor has moved between host and device so far (and copied on the device). */
    public Transfers transfers() { return cl.transfers(); }

    private ClCompiledGraph compiled(Graph graph) {
        ClCompiledGraph g = cache.get(graph);
        if (g == null) {
            g = compile(graph);
            cache.put(graph, g);
        }
        return g;
    }

    private static TrainException failed(Graph graph, OpenClException e) {
        return new TrainException("the OpenCL backend failed running graph " + graph.name() + ": " + e.getMessage());
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
