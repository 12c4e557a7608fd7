package dlc.codegen.opencl;

import dlc.ir.Dim;
import dlc.ir.Value;
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
    final java.util.List<Runnable> checks = new java.util.ArrayList<>();
    /** The step being prepared (its scratch range is "scratch K"). */
    int preparing = -1;

    ClBinding(ClCompiledGraph graph, Map<String, Long> env, MemoryPlan.Layout layout, ArenaLayout arenaLayout, DeviceArena arena) {
        this.graph = graph;
        this.env = env;
        this.layout = layout;
        this.arenaLayout = arenaLayout;
        this.arena = arena;
    }

    long eval(Dim d) { return d.eval(env); }

    int[] shape(Value v) { return v.type().shape().eval(env); }

    DeviceArena arena() { return arena; }

    ClExecutor executor() { return graph.executor(); }

    BatchedSgemm sgemm() { return graph.sgemm(); }

    ReduceKernels reduce() { return graph.reduceKernels(); }

    IndexKernels index() { return graph.indexKernels(); }

    /** The byte offset of the scratch of the step being prepared. */
    long scratchBytesOffset() { return arenaLayout.slice(ClCompiledGraph.scratchSlice(preparing)).offsetBytes(); }

    RandomKernels random() { return graph.randomKernels(); }

    ConvKernels conv() { return graph.convKernels(); }

    PoolKernels pool() { return graph.poolKernels(); }

    ClKernel kernel(String name) { return graph.program().kernel(name); }

    /** The byte offset of {@code v}'s memory in the arena (a slot, or a graph input's range). */
    long byteOffset(Value v) {
        MemoryPlan.Home h = layout.plan().home(v);
        if (h instanceof MemoryPlan.InInput in) return arenaLayout.slice(ClCompiledGraph.inputSlice(in.index())).offsetBytes();
        return layout.slotOffset()[((MemoryPlan.InSlot) h).slot().index()];
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
}
