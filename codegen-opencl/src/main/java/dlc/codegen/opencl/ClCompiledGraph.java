package dlc.codegen.opencl;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.Sizes;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.passes.memory.MemoryPlan;
import dlc.passes.memory.MemoryPlanner;
import org.lwjgl.system.MemoryStack;

import java.nio.IntBuffer;
import java.util.*;

import static org.lwjgl.opencl.CL10.CL_DEVICE_MEM_BASE_ADDR_ALIGN;
import static org.lwjgl.opencl.CL10.clGetDeviceInfo;

/**
 * A graph compiled for one OpenCL device: the OpenCL backend's graph compiler and what it made.
 *
 * <p>Compiling (once per graph): every node is checked against the {@link ClLoweringTable} (an op
 * the backend cannot run yet fails here, naming it); the memory plan is made for the backend's
 * {@link ClMaterialization}; each top-level node is lowered in order as its table entry says (a
 * fusion group or a lone inline/reduction node to generated kernels, {@link GroupKernels}; a kernel
 * call to a library or index-mapping kernel; an alias to nothing) into one launch list, and every
 * generated kernel joins one OpenCL C program ({@link #source}), built once.
 *
 * <p>Running (per binding of the symbolic dims, made once and kept): one device arena holds the
 * plan's slots at the layout's offsets (aligned to the device's CL_DEVICE_MEM_BASE_ADDR_ALIGN) and
 * then the graph inputs; the inputs are uploaded, the launch list is enqueued on the executor's one
 * in-order queue with no wait between kernels, and only the requested outputs are read back (the
 * first blocking read is where the host waits). Not thread-safe.
 */
public final class ClCompiledGraph {
    private final ClExecutor executor;
    private final Graph graph;
    private final MemoryPlan plan;
    private final List<ClStep> steps;
    private final String source;
    private final boolean doubles;
    private final long alignment;
    private final Map<Map<String, Long>, ClBinding> bindings = new HashMap<>();
    private ClProgram program;
    private BatchedSgemm sgemm;
    private ReduceKernels reduce;
    private RandomKernels random;
    private ConvKernels conv;
    private PoolKernels pool;
    private IndexKernels index;

    /** What lowering a graph makes, independent of any device: the plan, the launch list and the program source. */
    record Generated(MemoryPlan plan, List<ClStep> steps, String source, boolean doubles, int kernels) { }

    private ClCompiledGraph(ClExecutor executor, Graph graph, Generated gen) {
        this.executor = executor;
        this.graph = graph;
        this.plan = gen.plan();
        this.steps = gen.steps();
        this.source = gen.source();
        this.doubles = gen.doubles();
        this.alignment = alignment(executor.device());
    }

    /** Compiles {@code g} (as it is: run {@code PassManager.standard()} first for fused kernels) for the executor's device. */
    public static ClCompiledGraph compile(ClExecutor executor, Graph g) {
        Generated gen = generate(g);
        if (gen.doubles() && !executor.device().fp64())
            throw new OpenClException("graph " + g.name() + " has values that are not f32 (the OpenCL backend stores f64, integers and bools as double), but "
                    + executor.device().describe() + " has no double precision (cl_khr_fp64)");
        return new ClCompiledGraph(executor, g, gen);
    }

    /** The OpenCL C program the backend generates for {@code g}, without a device: what {@code dlc ir --emit opencl} prints. */
    public static String source(Graph g) { return generate(g).source(); }

    static Generated generate(Graph g) {
        ClLoweringTable.checkAll(g);
        List<KernelWriter> kernels = new ArrayList<>();
        Lowered lowered = lower(g, what -> {
            KernelWriter w = new KernelWriter("k" + kernels.size(), what);
            kernels.add(w);
            return w;
        });
        boolean doubles = kernels.stream().anyMatch(KernelWriter::doubles) || usesDoubles(g);
        StringBuilder src = new StringBuilder();
        long stores = kernels.stream().filter(KernelWriter::isStore).count();
        src.append("// dlc OpenCL program for graph ").append(g.name()).append(": ").append(kernels.size() - stores).append(" generated kernels")
                .append(stores == 0 ? "" : ", " + stores + " generated stores of GEMM/convolution kernels (each built into that kernel as its EPILOGUE)").append('\n');
        src.append(GroupKernels.HELPERS);
        for (KernelWriter w : kernels) src.append('\n').append(w.source());
        return new Generated(lowered.plan(), lowered.steps(), src.toString(), doubles, (int) (kernels.size() - stores));
    }

    /** A graph lowered to a launch list over its memory plan (a compiled graph's, or a scan body's inside it). */
    record Lowered(MemoryPlan plan, List<ClStep> steps) { }

    /**
     * Plans {@code g}'s memory and lowers each top-level node as its table entry says, its
     * generated kernels made by {@code kernels} (so a scan body's kernels join the enclosing
     * graph's one program).
     */
    static Lowered lower(Graph g, java.util.function.Function<String, KernelWriter> kernels) {
        for (Value v : g.inputs()) ClTypes.register(v);
        ClMaterialization m = new ClMaterialization();
        MemoryPlan plan = MemoryPlanner.plan(g, m);
        List<ClStep> steps = new ArrayList<>();
        ClLowering.KernelContext top = new ClLowering.KernelContext() {
            @Override public KernelWriter kernel(String what) { return kernels.apply(what); }

            @Override public void step(ClStep step) { steps.add(step); }

            @Override public Value home(Value v) { return v; }
        };
        for (Node n : g.nodes()) {
            ClLoweringTable.of(n).accept(n, new ClLowering.Visitor<Void>() {
                @Override public Void inline(Node m2, ClLowering.Inline how) {
                    GroupKernels.lower(ClGroupPlan.single(m2), "op " + m2.op().name() + " at " + m2.loc(), top);
                    return null;
                }

                @Override public Void reduction(Node m2, ClLowering.Reduction how) { return inline(m2, null); }

                @Override public Void alias(Node m2, ClLowering.Alias how) { return null; }

                @Override public Void kernel(Node m2, ClLowering.KernelCall how) {
                    how.code().lower(m2, top);
                    return null;
                }

                @Override public Void region(Node m2, ClLowering.Region how) {
                    if (m2.op() == Ops.SCAN) ClScan.lower(m2, top, kernels);
                    else if (m2.op() == Ops.FUSION)
                        GroupKernels.lower(m.group(m2), "fusion group " + m2.regions().get(0).name() + " (" + m2.attrs().get("kind") + ") at " + m2.loc(), top);
                    else throw ClLoweringTable.notYet(m2, null);
                    return null;
                }
            });
        }
        return new Lowered(plan, List.copyOf(steps));
    }

    private static boolean usesDoubles(Graph g) {
        for (Value v : g.inputs()) if (v.type().dtype() != DType.F32) return true;
        for (Node n : g.nodes()) {
            for (Value v : n.outputs()) if (v.type().dtype() != DType.F32) return true;
            for (Graph r : n.regions()) if (usesDoubles(r)) return true;
        }
        return false;
    }

    /** The device's base-address alignment in bytes, at least (and a multiple of) the arena's own. */
    private static long alignment(ClDevice d) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer bits = stack.mallocInt(1);
            ClErrors.check(clGetDeviceInfo(d.deviceId(), CL_DEVICE_MEM_BASE_ADDR_ALIGN, bits, null), "CL_DEVICE_MEM_BASE_ADDR_ALIGN of " + d.describe());
            long bytes = Math.max(1, bits.get(0) / 8);
            return bytes % ArenaLayout.ALIGN == 0 ? bytes : bytes * ArenaLayout.ALIGN;
        }
    }

    public Graph graph() { return graph; }

    /** The OpenCL C program this graph runs (every generated kernel, in launch order). */
    public String source() { return source; }

    /** The memory plan the arena follows. */
    public MemoryPlan plan() { return plan; }

    /** The arena alignment used (the device's base-address alignment). */
    public long alignment() { return alignment; }

    ClExecutor executor() { return executor; }

    ClProgram program() {
        if (program == null)
            program = executor.program(new ProgramSource("graph-" + graph.name().replaceAll("[^A-Za-z0-9_.-]", "_"), source,
                    doubles ? Map.of("FP64", "1") : Map.of()));
        return program;
    }

    BatchedSgemm sgemm() {
        if (sgemm == null) sgemm = new BatchedSgemm(executor);
        return sgemm;
    }

    ReduceKernels reduceKernels() {
        if (reduce == null) reduce = new ReduceKernels(executor);
        return reduce;
    }

    RandomKernels randomKernels() {
        if (random == null) random = new RandomKernels(executor);
        return random;
    }

    ConvKernels convKernels() {
        if (conv == null) conv = new ConvKernels(executor);
        return conv;
    }

    PoolKernels poolKernels() {
        if (pool == null) pool = new PoolKernels(executor);
        return pool;
    }

    IndexKernels indexKernels() {
        if (index == null) index = new IndexKernels(executor);
        return index;
    }

    static String inputSlice(int index) { return "input " + index; }

    static String scratchSlice(int step) { return "scratch " + step; }

    /** Runs the graph on {@code inputs} (every graph input by name) and reads back every output. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) { return run(inputs, null); }

    /** Runs the graph and reads back only the outputs named in {@code wanted} (null: all). */
    public Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> wanted) { return run(inputs, null, wanted, false); }

    /**
     * Runs the graph with every input taken from {@code inputs}, or else from {@code resident} (the
     * values kept on the device; null: none), and reads back only the outputs named in
     * {@code wanted} (null: every output but the updates applied). An input of {@code inputs} is
     * uploaded; a resident one is used where it is when this binding holds its current version,
     * else copied there on the device (or uploaded once when only the host has it).
     *
     * <p>With {@code update}, each UPDATE output named like a resident value becomes that value:
     * written over the input's range when the memory plan donates it (in place, nothing moved),
     * else copied into that range on the device after the kernels; nothing is read back. Without
     * it the updates are outputs like any other, and the resident values keep their versions.
     */
    public Map<String, Tensor> run(Map<String, Tensor> inputs, ResidentValues resident, Set<String> wanted, boolean update) {
        if (resident != null && resident.executor() != executor)
            throw new IllegalArgumentException("the resident values belong to another executor than graph " + graph.name() + "'s");
        List<Value> ins = graph.inputs();
        ResidentValues.Entry[] from = new ResidentValues.Entry[ins.size()];
        for (int i = 0; i < from.length; i++) {
            Value v = ins.get(i);
            if (inputs.containsKey(v.name()) || resident == null) continue;
            ResidentValues.Entry e = resident.entry(v.name());
            if (e == null) continue; // reported as missing by bind
            if (e.dtype != v.type().dtype())
                throw new IllegalArgumentException("resident value " + v.name() + " is " + e.dtype.text() + ", but graph " + graph.name() + " takes " + v.type());
            from[i] = e;
        }
        Map<String, Long> env = bind(name -> {
            Tensor t = inputs.get(name);
            if (t != null) return t.shape();
            int i = indexOfInput(name);
            return i >= 0 && from[i] != null ? from[i].shape.clone() : null;
        });
        ClBinding b = bindings.get(env);
        if (b == null) {
            b = bindTo(env);
            bindings.put(env, b);
        }
        // the resident value each UPDATE output becomes, by the index of the input it replaces
        ResidentValues.Entry[] advanced = new ResidentValues.Entry[ins.size()];
        Map<Graph.Output, Integer> applied = new LinkedHashMap<>();
        if (update && resident != null)
            for (Graph.Output o : graph.outputs()) {
                if (o.role() != Graph.Output.Role.UPDATE || !resident.contains(o.name())) continue;
                int i = indexOfInput(o.name());
                applied.put(o, i);
                if (i >= 0) advanced[i] = resident.entry(o.name());
            }
        for (int i = 0; i < from.length; i++) {
            Value v = ins.get(i);
            if (from[i] != null) b.stage(i, v, from[i]);
            else {
                b.release(i);
                b.upload(v, inputs.get(v.name()).data());
            }
        }
        // an input range a donated update writes over: free unless it carries a resident value forward
        for (Value p : plan.donated().values()) {
            int i = ins.indexOf(p);
            if (advanced[i] == null) b.release(i);
        }
        for (Runnable r : b.launches) r.run();
        for (Runnable check : b.checks) check.run();
        for (Map.Entry<Graph.Output, Integer> a : applied.entrySet()) {
            Graph.Output o = a.getKey();
            int i = a.getValue();
            ResidentValues.Entry e = resident.entry(o.name());
            e.version++;
            e.host = null;
            MemoryPlan.Home home = plan.home(o.value());
            if (i >= 0 && home instanceof MemoryPlan.InInput in && in.index() == i) b.hold(i, e); // donated: already in place
            else if (i >= 0) {
                executor.copy(b.arena(), b.byteOffset(o.value()), b.arena(), b.inputOffset(i), e.bytes());
                b.hold(i, e);
            } else {
                e.binding = null;
                e.host = b.read(b.byteOffset(o.value()), e.dtype, b.shape(o.value()));
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Graph.Output o : graph.outputs()) {
            if (wanted == null ? applied.containsKey(o) : !wanted.contains(o.name())) continue;
            Value v = o.value();
            out.put(o.name(), b.read(b.byteOffset(v), v.type().dtype(), b.shape(v)));
        }
        return out;
    }

    private int indexOfInput(String name) {
        List<Value> ins = graph.inputs();
        for (int i = 0; i < ins.size(); i++) if (ins.get(i).name().equals(name)) return i;
        return -1;
    }

    /** The binding made for {@code env} by an earlier run, or null. */
    ClBinding binding(Map<String, Long> env) { return bindings.get(new TreeMap<>(env)); }

    /** Number of bindings compiled so far (each once). */
    public int bindings() { return bindings.size(); }

    private ClBinding bindTo(Map<String, Long> env) {
        MemoryPlan.Layout layout = plan.layout(env, alignment);
        Map<String, Long> extra = new LinkedHashMap<>();
        for (int i = 0; i < graph.inputs().size(); i++) {
            Value v = graph.inputs().get(i);
            long n = 1;
            for (int d : v.type().shape().eval(env)) n *= d;
            extra.put(inputSlice(i), n * ClTypes.bytes(v));
        }
        for (int i = 0; i < steps.size(); i++) {
            long bytes = steps.get(i).scratchBytes(env);
            if (bytes > 0) extra.put(scratchSlice(i), bytes);
        }
        ArenaLayout arenaLayout = PlanArenas.layout(layout, extra);
        DeviceArena arena = executor.arena("arena of graph " + graph.name() + " " + env, arenaLayout);
        ClBinding b = new ClBinding(this, env, layout, arenaLayout, arena);
        Runnable[] launches = new Runnable[steps.size()];
        for (int i = 0; i < launches.length; i++) {
            b.preparing = i;
            launches[i] = steps.get(i).prepare(b);
        }
        b.launches = launches;
        return b;
    }

    /** Solves the symbolic dims from the inputs' shapes (a dim that is a lone symbol binds it) and checks every input's shape. */
    private Map<String, Long> bind(java.util.function.Function<String, int[]> shapes) {
        Map<String, Long> env = new TreeMap<>();
        for (Value v : graph.inputs()) {
            int[] t = shapes.apply(v.name());
            if (t == null) throw new IllegalArgumentException("missing input " + v.name() + ": expected " + v.type());
            List<Dim> dims = v.type().shape().dims();
            if (t.length != dims.size()) throw new IllegalArgumentException("input " + v.name() + ": expected " + v.type() + ", got shape " + Arrays.toString(t));
            for (int d = 0; d < dims.size(); d++) {
                Dim dim = dims.get(d);
                if (dim.isConst() || dim.symbols().size() != 1) continue;
                String s = dim.symbols().iterator().next();
                if (dim.equals(Dim.sym(s))) env.putIfAbsent(s, (long) t[d]);
            }
        }
        for (Value v : graph.inputs()) {
            int[] t = shapes.apply(v.name());
            int[] want;
            try {
                want = v.type().shape().eval(env);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("input shapes do not bind every dimension of " + v.name() + ": " + v.type() + " (" + e.getMessage() + ")");
            }
            if (!Arrays.equals(want, t))
                throw new IllegalArgumentException("input " + v.name() + ": expected " + v.type() + " = " + Arrays.toString(want) + " under " + env
                        + ", got " + Arrays.toString(t));
        }
        Sizes.check(graph, env);
        return env;
    }
}
