package dlc.codegen.opencl;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.passes.memory.MemoryPlan;

import java.util.Map;

/**
 * One binding of a compiled graph's symbolic dims: the memory plan laid out for it (slots at the
 * layout's offsets, then the graph inputs), the device arena, and the launch list with every size
 * and offset resolved. Made once per binding and kept by the {@link ClCompiledGraph}.
 */
final class ClBinding {
    final Map<String, Long> env;
    final MemoryPlan.Layout layout;
    final ArenaLayout arenaLayout;
    private final ClCompiledGraph graph;
    private final DeviceArena arena;
    Runnable[] launches;
    /** Checks run after the launches, before any output is read (an index kernel's error word). */
    final java.util.List<Runnable> checks;
    /** The step being prepared (its scratch range is "scratch K"). */
    int preparing = -1;
    /** Per graph input: the resident value whose version {@link #heldVersion} its range holds, or null. */
    private final ResidentValues.Entry[] held;
    private final long[] heldVersion;
    /**
     * Where {@link #layout} and {@link #arenaLayout} start in the arena (0 for a graph; a scan
     * body's memory lies inside its scan's scratch), the byte offsets of the graph inputs when they
     * live in the enclosing graph's memory (null: the input ranges of {@link #arenaLayout}), and
     * slots moved out of the layout (a body output written straight into its scan's memory).
     */
    private final long base;
    private final long[] inputBytes;
    private final Map<Integer, Long> movedSlots;
    /** Whether an index kernel clears its error word before it runs (not at a scan step after the first, which would forget an earlier step's bad index). */
    final boolean resetsErrors;
    /**
     * What the interpreter puts before a failure inside this graph: "" for a graph, each enclosing
     * scan's {@code "scan at model.dl:4:5: "} for a scan body (as its nested evaluation reports it).
     */
    final String failurePrefix;

    ClBinding(ClCompiledGraph graph, Map<String, Long> env, MemoryPlan.Layout layout, ArenaLayout arenaLayout, DeviceArena arena) {
        this(graph, env, layout, arenaLayout, arena, new java.util.ArrayList<>(), 0, null, Map.of(), true, "");
    }

    private ClBinding(ClCompiledGraph graph, Map<String, Long> env, MemoryPlan.Layout layout, ArenaLayout arenaLayout, DeviceArena arena,
                      java.util.List<Runnable> checks, long base, long[] inputBytes, Map<Integer, Long> movedSlots, boolean resetsErrors,
                      String failurePrefix) {
        this.graph = graph;
        this.env = env;
        this.layout = layout;
        this.arenaLayout = arenaLayout;
        this.arena = arena;
        this.held = new ResidentValues.Entry[graph.graph().inputs().size()];
        this.heldVersion = new long[held.length];
        this.checks = checks;
        this.base = base;
        this.inputBytes = inputBytes;
        this.movedSlots = movedSlots;
        this.resetsErrors = resetsErrors;
        this.failurePrefix = failurePrefix;
    }

    /**
     * The binding of a nested graph (a scan body) in this binding's arena: its plan laid out as
     * {@code layout}/{@code arenaLayout} from byte {@code base}, its inputs at {@code inputBytes},
     * the slots in {@code movedSlots} at the given byte offsets; its checks join this binding's
     * when {@code keepChecks}; {@code scan} is the node whose body it is.
     */
    ClBinding nested(MemoryPlan.Layout layout, ArenaLayout arenaLayout, long base, long[] inputBytes, Map<Integer, Long> movedSlots,
                     boolean keepChecks, boolean resetsErrors, dlc.ir.Node scan) {
        return new ClBinding(graph, env, layout, arenaLayout, arena, keepChecks ? checks : new java.util.ArrayList<>(), base, inputBytes,
                movedSlots, resetsErrors, failurePrefix + scan.op().name() + " at " + scan.loc() + ": ");
    }

    long eval(Dim d) { return d.eval(env); }

    int[] shape(Value v) { return v.type().shape().eval(env); }

    DeviceArena arena() { return arena; }

    ClExecutor executor() { return graph.executor(); }

    BatchedSgemm sgemm() { return graph.sgemm(); }

    ReduceKernels reduce() { return graph.reduceKernels(); }

    IndexKernels index() { return graph.indexKernels(); }

    /** The byte offset of the scratch of the step being prepared. */
    long scratchBytesOffset() { return base + arenaLayout.slice(ClCompiledGraph.scratchSlice(preparing)).offsetBytes(); }

    RandomKernels random() { return graph.randomKernels(); }

    ConvKernels conv() { return graph.convKernels(); }

    PoolKernels pool() { return graph.poolKernels(); }

    ClKernel kernel(String name) { return graph.program().kernel(name); }

    /** Values kept in a range of their own instead of their plan's home (constants), by the value owning the memory. */
    private final Map<Value, Long> pinned = new java.util.IdentityHashMap<>();

    /** Moves {@code v}'s memory to the scratch range of the step being prepared (a constant, uploaded once there). */
    void pinToScratch(Value v) { pinned.put(layout.plan().root(v), scratchBytesOffset()); }

    /** The byte offset of {@code v}'s memory in the arena (a slot, or a graph input's range). */
    long byteOffset(Value v) {
        Long at = pinned.isEmpty() ? null : pinned.get(layout.plan().root(v));
        if (at != null) return at;
        MemoryPlan.Home h = layout.plan().home(v);
        if (h instanceof MemoryPlan.InInput in)
            return inputBytes != null ? inputBytes[in.index()] : base + arenaLayout.slice(ClCompiledGraph.inputSlice(in.index())).offsetBytes();
        int slot = ((MemoryPlan.InSlot) h).slot().index();
        Long moved = movedSlots.get(slot);
        return moved != null ? moved : base + layout.slotOffset()[slot];
    }

    /** The offset of {@code v}'s memory in elements of its storage type, as kernels take it. */
    long offset(Value v) {
        long bytes = byteOffset(v);
        int e = ClTypes.bytes(v);
        if (bytes % e != 0) throw new IllegalStateException(v + " at byte " + bytes + " is not aligned to " + e + "-byte elements");
        return bytes / e;
    }

    /** The range of {@code v}'s elements. */
    ArenaLayout.Slice slice(Value v, String name) {
        long n = 1;
        for (int d : shape(v)) n *= d;
        return new ArenaLayout.Slice(name, byteOffset(v), n * ClTypes.bytes(v));
    }

    /** Enqueues a copy of {@code values} into {@code v}'s memory (converted to its storage type). */
    void upload(Value v, double[] values) {
        ArenaLayout.Slice s = slice(v, "value " + v);
        if (s.bytes() == 0) return;
        if (ClTypes.isFloat(v)) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
            executor().upload(arena, s, f);
        } else executor().upload(arena, s, values);
    }

    // ---------------------------------------------------------------- resident values

    /** The byte offset of graph input {@code i}'s range. */
    long inputOffset(int i) {
        return inputBytes != null ? inputBytes[i] : base + arenaLayout.slice(ClCompiledGraph.inputSlice(i)).offsetBytes();
    }

    /** Whether input {@code i}'s range holds the current version of {@code e}. */
    boolean holds(int i, ResidentValues.Entry e) { return held[i] == e && heldVersion[i] == e.version; }

    /** Records that input {@code i}'s range holds the current version of {@code e}, and makes it {@code e}'s place. */
    void hold(int i, ResidentValues.Entry e) {
        held[i] = e;
        heldVersion[i] = e.version;
        e.binding = this;
        e.input = i;
    }

    /**
     * Input {@code i}'s range is about to be overwritten: a resident value whose only current copy
     * is there is read back to the host first (a store used by another caller of the same graph),
     * and the range holds nothing after.
     */
    void release(int i) {
        ResidentValues.Entry e = held[i];
        held[i] = null;
        if (e == null || !e.liveAt(this, i) || heldVersion[i] != e.version) return;
        e.toHost();
        e.binding = null;
    }

    /** Puts the current version of {@code e} into input {@code i}'s range: nothing when it is there, else a copy on the device or an upload. */
    void stage(int i, Value v, ResidentValues.Entry e) {
        if (holds(i, e)) return;
        release(i);
        if (e.binding != null) executor().copy(e.binding.arena, e.binding.inputOffset(e.input), arena, inputOffset(i), e.bytes());
        else upload(v, e.host.data());
        hold(i, e);
    }

    /** Input {@code i}'s range read back as a tensor of {@code dtype} and {@code shape} (waits for the queue). */
    Tensor read(int i, DType dtype, int[] shape) { return read(inputOffset(i), dtype, shape); }

    /** The tensor of {@code dtype} and {@code shape} at byte {@code offset}, read back (waits for the queue). */
    Tensor read(long offset, DType dtype, int[] shape) {
        double[] data = new double[Math.toIntExact(Tensor.numel(shape))];
        ArenaLayout.Slice s = new ArenaLayout.Slice("value at byte " + offset, offset, (long) data.length * ClTypes.bytes(dtype));
        if (data.length > 0) {
            if (dtype == DType.F32) {
                float[] f = new float[data.length];
                executor().download(arena, s, f);
                for (int k = 0; k < f.length; k++) data[k] = f[k];
            } else executor().download(arena, s, data);
        }
        return new Tensor(dtype, shape, data);
    }
}
