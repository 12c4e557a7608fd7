package dlc.codegen.opencl.jar;

import dlc.codegen.opencl.ClCompiledGraph;
import dlc.codegen.opencl.ClDevice;
import dlc.codegen.opencl.ClExecutor;
import dlc.codegen.opencl.Devices;
import dlc.codegen.opencl.OpenClException;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.ir.text.IrParser;
import dlc.runtime.CompiledGraph;
import dlc.runtime.Signature;

import java.lang.ref.Cleaner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph of an OpenCL model jar as a {@link CompiledGraph}, so the jar's typed class (a
 * {@code dlc.runtime.Model}) runs it exactly as it runs the JVM-compiled graph: the jar's text IR,
 * parsed and compiled by {@link ClCompiledGraph} for one device. The generated program must equal
 * the one the jar carries ({@code graph.cl}): the jar runs the kernels it shipped with.
 *
 * <p>Only {@link JarLauncher} creates it, by reflection, after checking that LWJGL is on the class
 * path: this class links LWJGL (through the OpenCL backend) and must never be touched without it.
 *
 * <p>Should OpenCL fail while running (a kernel that does not build, device memory), the failure is
 * printed once and this instance and its copies run the JVM-compiled graph from then on; shape and
 * index errors are the caller's and propagate as on the JVM.
 */
public final class ClJarGraph extends CompiledGraph {
    /** Closes an instance's executor (context, queue, programs, arena) once the instance is unreachable: a Model has no close(). */
    private static final Cleaner CLEANER = Cleaner.create();

    private final String signatureText;
    private final CompiledGraph jvm;
    private final Graph graph;
    private final ClDevice device;
    private final String expectedSource;
    private final ClCompiledGraph cl;
    /** Set once OpenCL failed: every run goes to {@link #jvm}. */
    private boolean fellBack;
    private long[] symbols = new long[0];
    private final Value[] inputs;
    /** The last weight array converted for each input (by identity) and its conversion: weights are the same arrays every call. */
    private final Object[] convertedFrom;
    private final Tensor[] converted;

    /**
     * Compiles {@code irText} (the optimized inference graph the jar carries) for the device that
     * {@code deviceSpec} picks (null: the default pick of {@link Devices#pickDefault}); {@code jvm}
     * is the same graph compiled for the JVM, whose signature this one takes.
     *
     * @throws OpenClException when there is no platform or device, or the device cannot run the graph
     */
    public ClJarGraph(CompiledGraph jvm, String irText, String expectedSource, String deviceSpec) {
        this(jvm, Signature.format(jvm.signature().symbols(), jvm.signature().inputs(), jvm.signature().outputs()),
                IrParser.parseGraph(irText), Devices.find(deviceSpec), expectedSource);
    }

    private ClJarGraph(CompiledGraph jvm, String signatureText, Graph graph, ClDevice device, String expectedSource) {
        super(signatureText);
        this.signatureText = signatureText;
        this.jvm = jvm;
        this.graph = graph;
        this.device = device;
        this.expectedSource = expectedSource;
        ClExecutor executor = ClExecutor.open(device, ClExecutor.Options.defaults());
        try {
            this.cl = ClCompiledGraph.compile(executor, graph);
            if (expectedSource != null && !expectedSource.equals(cl.source()))
                throw new OpenClException("the OpenCL program generated from the jar's graph differs from the one the jar carries (graph.cl); "
                        + "the jar's dlc classes do not match the ones that wrote it");
        } catch (RuntimeException e) {
            executor.close(); // the launcher falls back to the JVM graph: release the device now
            throw e;
        }
        CLEANER.register(this, executor::close);
        List<Signature.Port> ports = signature().inputs();
        this.inputs = new Value[ports.size()];
        Map<String, Value> byName = new HashMap<>();
        for (Value v : graph.inputs()) byName.put(v.name(), v);
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = byName.get(ports.get(i).name());
            if (inputs[i] == null) throw new OpenClException("the jar's graph has no input " + ports.get(i).name() + " of the compiled signature");
        }
        for (Signature.Port p : signature().outputs())
            if (graph.outputs().stream().noneMatch(o -> o.name().equals(p.name())))
                throw new OpenClException("the jar's graph has no output " + p.name() + " of the compiled signature");
        this.convertedFrom = new Object[inputs.length];
        this.converted = new Tensor[inputs.length];
    }

    /** The device the kernels run on. */
    public ClDevice device() { return device; }

    /** {@code device 0: NAME (cpu, platform P)}: what the launcher's line names. */
    @Override public String toString() { return device.describe(); }

    /** True once OpenCL failed and the JVM-compiled graph runs instead. */
    public boolean fellBack() { return fellBack; }

    /** Another instance on the same device with its own context and queue (one per thread), or the JVM graph's copy after a failure. */
    @Override public CompiledGraph copy() {
        if (fellBack) return jvm.copy();
        return new ClJarGraph(jvm.copy(), signatureText, graph, device, expectedSource);
    }

    @Override protected void bind(long[] symbols) { this.symbols = symbols.clone(); }

    @Override protected void execute(Object[] in, Object[] out) {
        if (!fellBack) {
            try {
                runOnDevice(in, out);
                return;
            } catch (OpenClException | LinkageError e) {
                fellBack = true;
                JarLauncher.report("dlc: OpenCL failed on " + device.describe() + " (" + e.getMessage() + "); running the JVM-compiled graph from now on");
            }
        }
        Object[] result = jvm.run(in, symbols);
        System.arraycopy(result, 0, out, 0, out.length);
    }

    private void runOnDevice(Object[] in, Object[] out) {
        Signature sig = signature();
        Map<String, Tensor> given = new HashMap<>();
        for (int i = 0; i < in.length; i++) {
            Signature.Port p = sig.inputs().get(i);
            boolean weight = p.role().equals("PARAM") || p.role().equals("STATE");
            Tensor t = weight && convertedFrom[i] == in[i] ? converted[i] : tensor(inputs[i], p.shape(sig, symbols), in[i]);
            if (weight) {
                convertedFrom[i] = in[i];
                converted[i] = t;
            }
            given.put(p.name(), t);
        }
        Map<String, Tensor> result = cl.run(given);
        for (int o = 0; o < out.length; o++) {
            Signature.Port p = sig.outputs().get(o);
            double[] d = result.get(p.name()).data();
            if (p.dtype().equals("f32")) {
                float[] f = out[o] instanceof float[] prev && prev.length == d.length ? prev : new float[d.length];
                for (int k = 0; k < d.length; k++) f[k] = (float) d[k];
                out[o] = f;
            } else out[o] = d;
        }
    }

    /** An input array (float[] for f32, double[] otherwise, as CompiledGraph stores them) as the OpenCL backend's tensor. */
    private static Tensor tensor(Value v, int[] shape, Object data) {
        double[] d;
        if (data instanceof float[] f) {
            d = new double[f.length];
            for (int k = 0; k < f.length; k++) d[k] = f[k];
        } else d = (double[]) data; // read, never written, by the upload
        return new Tensor(v.type().dtype(), shape, d);
    }
}
