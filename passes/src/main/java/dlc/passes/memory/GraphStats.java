package dlc.passes.memory;

import dlc.ir.*;

import java.util.Map;

/**
 * What a graph costs, for {@code dlc stats} and BENCHMARKS.md.
 *
 * @param ops             primitive ops, counted inside fusion groups and scan bodies (a fusion node itself is not an op)
 * @param kernels         kernel launches per step: each top-level node is one (a fusion group or a lone op);
 *                        a scan counts 1 plus the kernels of its body
 * @param bytesMoved      estimated memory traffic: each kernel reads its distinct operands and writes its
 *                        results once; a scan moves its body's traffic once per step
 * @param peakBytes       the {@link MemoryPlan}'s peak (reuse of dead values' memory and in-place updates)
 * @param totalBytes      the sum of all values' sizes (no reuse)
 * @param lowerBoundBytes the most bytes live at once (no plan does better)
 */
public record GraphStats(long ops, long kernels, long bytesMoved, long peakBytes, long totalBytes, long lowerBoundBytes) {
    /** The stats of {@code g} with symbolic dims bound by {@code bindings} (every symbol of a size must be bound). */
    public static GraphStats of(Graph g, Map<String, Long> bindings) {
        MemoryPlan plan = MemoryPlanner.plan(g, bindings);
        return new GraphStats(ops(g), kernels(g), bytesMoved(g, bindings), plan.peakBytes(), plan.totalBytes(), plan.lowerBoundBytes());
    }

    static long ops(Graph g) {
        long n = 0;
        for (Node node : g.nodes()) {
            if (!node.op().name().equals("fusion")) n++;
            for (Graph r : node.regions()) n += ops(r);
        }
        return n;
    }

    static long kernels(Graph g) {
        long n = 0;
        for (Node node : g.nodes()) {
            n++;
            if (node.op().name().equals("scan")) n += kernels(node.regions().get(0));
        }
        return n;
    }

    static long bytesMoved(Graph g, Map<String, Long> bindings) {
        long total = 0;
        for (Node node : g.nodes()) {
            if (node.op().name().equals("scan")) {
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
