package dlc.passes.fusion;

import dlc.ir.*;
import dlc.ir.OpDef.Kind;
import dlc.passes.Pass;

import java.util.*;

/**
 * Op fusion by the op-pattern lattice ({@link Kind}), in the manner of XLA's loop, input and output
 * fusion. Nodes are visited in order; each node tries to join the groups of its operands' producers,
 * one after another in operand order, and a merge happens when every rule below holds. A group of
 * more than one op becomes one {@code fusion} node ({@link dlc.ir.ops.FusionOp}) whose region is the
 * group; a group of one stays a plain node (a kernel of one).
 *
 * <p>Rules for merging two groups A and B (one of them holds the node being visited):
 * <ul>
 *   <li>OPAQUE ops (scan, random, scatter, pooling gathers, existing fusion nodes) never merge; the
 *       bodies of scans are fused recursively.</li>
 *   <li>ELEMENTWISE, BROADCAST and INJECTIVE ops merge freely with each other (loop fusion).</li>
 *   <li>A REDUCE op merges with its elementwise/injective producers (input fusion) and with
 *       elementwise consumers of its result (an injective consumer, such as the transpose of a
 *       gradient, starts a new group: it would keep a large value and its moved copy live at
 *       once); two reductions share a group only when their operands
 *       have the same shape (the same iteration space: softmax's max and sum of exp, layer norm's
 *       mean and variance).</li>
 *   <li>An OUT_FUSABLE op (matmul, convolution) anchors an output-fusion group: only ELEMENTWISE and
 *       BROADCAST ops join it (and injective ops that read only graph inputs: constants, a conv bias
 *       reshaped to [1, C, 1, 1]), no reduction, at most one anchor per group, and nothing that feeds
 *       the anchor (epilogues only, no prologues).</li>
 *   <li>A group holds at most {@link #MAX_GROUP_SIZE} ops.</li>
 *   <li>No cycles: two groups merge only when no path leads from one to the other through a third
 *       group, so the groups still run in some order (no value leaves a group and re-enters it).</li>
 * </ul>
 * This pass never recomputes anything: every op lands in exactly one group, and a value used
 * outside its group (or as a graph output) becomes a result of the group. So an expensive producer
 * (matmul, convolution, reduction) is never duplicated, and neither is a cheap one. The output is
 * deterministic: it depends only on the node order of the input.
 */
public final class Fusion implements Pass {
    public static final String NAME = "fusion";
    /** The most ops one group may hold. */
    public static final int MAX_GROUP_SIZE = 64;

    @Override public String name() { return NAME; }

    /** No options. */
    public static Fusion fromOptions(Map<String, String> options) {
        if (!options.isEmpty()) throw new IllegalArgumentException(NAME + " takes no options, got " + options.keySet());
        return new Fusion();
    }

    @Override public Graph run(Graph graph) {
        List<List<Integer>> groups = new Grouping(graph).groups();
        return GroupEmitter.emit(graph, groups, this::run);
    }

    /** The fusion category of a node: nodes with nested graphs are opaque whatever their op. */
    static Kind kindOf(Node n) { return n.regions().isEmpty() ? n.op().kind() : Kind.OPAQUE; }
}
