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
 * Finds the conv + bias + relu groups whose result only a 2x2 max pool (stride 2, no padding)
 * right after them reads (an inference graph's {@code max_pool(relu(conv(x) + b), 2)}): the group
 * then runs {@code Conv.conv2dMaxPool2}, which writes the pool's result itself (pooling each image
 * in registers where its kernel allows) and the pool node emits no code. A training graph keeps
 * the relu's output for the backward pass, so its pools stay separate.
 *
 * <p>Why it is safe to write the pool's result at the group's turn: the pool is the next node, so
 * nothing runs between the two, and its result's buffer is checked to be none of the group's
 * inputs' or output's (the only values the early write could overlap that are live then).
 */
final class ConvPoolFusion {
    private ConvPoolFusion() {}

    /** The window the runtime's fused kernel pools with, as ConvLowerings.window lays it out. */
    private static final int[] POOL_2X2 = {2, 2, 2, 2, 0, 0, 0, 0};

    /** Fusion node -> the max pool node it absorbs, for every such pair in {@code g}. */
    static Map<Node, Node> find(Graph g, StoragePlan storage) {
        Map<Node, Node> out = new IdentityHashMap<>();
        List<Node> nodes = g.nodes();
        for (int i = 1; i < nodes.size(); i++) {
            Node pool = nodes.get(i), group = nodes.get(i - 1);
            if (pool.op() == Ops.MAX_POOL2D && fuses(g, group, pool, storage)) out.put(group, pool);
        }
        return out;
    }

    private static boolean fuses(Graph g, Node group, Node pool, StoragePlan storage) {
        if (group.op() != Ops.FUSION || group.outputs().size() != 1 || pool.input(0) != group.output()) return false;
        if (!Arrays.equals(ConvLowerings.window(pool.attrs()), POOL_2X2)) return false;
        Value v = group.output();
        if (!KernelEmitter.isFloat(v.type().dtype()) || g.outputValues().contains(v)) return false;
        for (Node n : g.nodes())
            if (n != pool && n.inputs().contains(v)) return false;
        GroupPlan plan = storage.group(group);
        if (plan == null || plan.steps.size() != 1 || !(plan.steps.get(0) instanceof GroupPlan.Epilogue ep)) return false;
        if (ep.anchor().op() != Ops.CONV2D || ep.act() != Gemm.ACT_RELU) return false;
        Location y = storage.location(pool.output());
        if (y.equals(storage.location(v))) return false;
        for (Value in : group.inputs()) if (y.equals(storage.location(in))) return false;
        return true;
    }
}
