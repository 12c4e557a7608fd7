package dlc.passes.memory;

import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.Map;

/**
 * What a graph costs, for {@code dlc stats} and BENCHMARKS.md.
 *
 * @param ops             primitive ops, counted inside fusion groups and scan bodies (a fusion node itself is not an op)
 * @param kernels         kernel launches per step: each top-level node is one (a fusion group or a lone op);
 *                        a scan counts 1 plus the kernels of its body
 * @param bytesMoved      estimated memory traffic: each kernel reads its distinct operands and writes its
 *                        results once; a scan moves its body's traffic once per step
 * @param peakBytes       the {@link MemoryPlan}'s peak: the inputs plus every buffer the plan allocates
 * @param bufferBytes     the buffers the plan allocates (its slots): what the backend allocates for the graph's values
 * @param totalBytes      the sum of all stored values' sizes (no reuse)
 * @param lowerBoundBytes the most bytes live at once (no plan with the same in-place choices does better)
 */
public record GraphStats(long ops, long kernels, long bytesMoved, long peakBytes, long bufferBytes, long totalBytes, long lowerBoundBytes) {
    /**
     * The stats of {@code g} with symbolic dims bound by {@code bindings} (every symbol of a size
     * must be bound), memory from the backend-neutral plan ({@link Materialization#standard()}).
     */
    public static GraphStats of(Graph g, Map<String, Long> bindings) {
        return of(MemoryPlanner.plan(g).layout(bindings, 1));
    }

    /** The stats of a planned graph, memory from its plan under the layout's binding. */
    public static GraphStats of(MemoryPlan.Layout layout) {
        Graph g = layout.plan().graph();
        return new GraphStats(ops(g), kernels(g), bytesMoved(g, layout.bindings()), layout.peakBytes(), layout.bufferBytes(),
                layout.totalBytes(), layout.lowerBoundBytes());
    }

    static long ops(Graph g) {
        long n = 0;
        for (Node node : g.nodes()) {
            if (node.op() != Ops.FUSION) n++;
            for (Graph r : node.regions()) n += ops(r);
        }
        return n;
    }

    static long kernels(Graph g) {
        long n = 0;
        for (Node node : g.nodes()) {
            n++;
            if (node.op() == Ops.SCAN) n += kernels(node.regions().get(0));
        }
        return n;
    }

    static long bytesMoved(Graph g, Map<String, Long> bindings) {
        long total = 0;
        for (Node node : g.nodes()) {
            if (node.op() == Ops.SCAN) {
                total += Math.multiplyExact(scanSteps(node, bindings), bytesMoved(node.regions().get(0), bindings));
                continue;
            }
            for (Value v : node.inputs().stream().distinct().toList()) total += ByteSizes.of(v.type(), bindings);
            for (Value v : node.outputs()) total += ByteSizes.of(v.type(), bindings);
        }
        return total;
    }

    /** The number of steps of a scan node: its length attribute, or the first x's size on the scanned axis. */
    private static long scanSteps(Node scan, Map<String, Long> bindings) {
        Attrs a = scan.attrs();
        if (a.has("length")) return a.getLong("length");
        TensorType x = scan.input((int) a.getLong("num_carries")).type();
        int axis = (int) a.getLong("axis", 0);
        if (axis < 0) axis += x.rank();
        return x.shape().dim(axis).eval(bindings);
    }
}
