package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.Value;
import dlc.ir.ops.Ops;
import dlc.runtime.Gemm;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the conv + bias + activation groups whose result only a 2x2 max pool (stride 2, no
 * padding) reads (an inference graph's {@code max_pool(relu(conv(x) + b), 2)}): the group then runs
 * {@code Conv.conv2dMaxPool2}, which pools each image in the direct kernel's registers where it can
 * and leaves the pooled planes at the front of the group's own result buffer, and the pool runs
 * {@code Conv.maxPool2AfterConv}, which copies them to its result (or pools the buffer where the
 * conv could not). Each value is written at its own node's turn into its own buffer, so the
 * memory plan holds as it is. A training graph keeps the relu's output for the backward pass, so
 * its pools stay as they are.
 */
final class ConvPoolFusion {
    private ConvPoolFusion() {}

    /** The window the runtime's fused kernel pools with, as ConvLowerings.window lays it out. */
    private static final int[] POOL_2X2 = {2, 2, 2, 2, 0, 0, 0, 0};

    /** Fusion node -> the max pool node it absorbs, for every such pair in {@code g}. */
    static Map<Node, Node> find(Graph g, StoragePlan storage) {
        Map<Node, Node> out = new IdentityHashMap<>();
        List<Node> nodes = g.nodes();
        for (Node pool : nodes) {
            if (pool.op() != Ops.MAX_POOL2D) continue;
            Node group = pool.input(0).producer();
            if (group != null && fuses(g, group, pool, storage)) out.put(group, pool);
        }
        return out;
    }

    private static boolean fuses(Graph g, Node group, Node pool, StoragePlan storage) {
        if (group.op() != Ops.FUSION || group.outputs().size() != 1 || pool.input(0) != group.output()) return false;
        if (!Arrays.equals(ConvLowerings.window(pool.attrs()), POOL_2X2)) return false;
        Value v = group.output();
        if (!KernelEmitter.isFloat(v.type().dtype()) || pool.output().type().dtype() != v.type().dtype()
                || g.outputValues().contains(v)) return false;
        for (Node n : g.nodes())
            if (n != pool && n.inputs().contains(v)) return false;
        GroupPlan plan = storage.group(group);
        if (plan == null || plan.steps.size() != 1 || !(plan.steps.get(0) instanceof GroupPlan.Epilogue ep)) return false;
        return ep.anchor().op() == Ops.CONV2D && ep.act() == Gemm.ACT_RELU;
    }
}
