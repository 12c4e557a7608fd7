package dlc.passes.fusion;

import dlc.ir.*;
import dlc.ir.OpDef.Kind;

import java.util.*;

/**
 * Decides the fusion groups of one graph (not its nested graphs) by the rules of {@link Fusion}:
 * a union of node indices per group, merged greedily in node order.
 */
final class Grouping {
    /** What a merge needs to know about a group. */
    private static final class Group {
        final TreeSet<Integer> members = new TreeSet<>();
        /** The matmul/convolution of an output-fusion group, or -1. */
        int anchor = -1;
        /** The operand shape of the group's reductions, or null when it has none. */
        Shape reduceShape;
        /** Whether every op is ELEMENTWISE, BROADCAST or an injective op on graph inputs only (allowed into an output group). */
        boolean epilogueOnly = true;
        boolean opaque;
    }

    private final Graph graph;
    private final List<Node> nodes;
    private final Map<Node, Integer> index = new IdentityHashMap<>();
    /** users.get(i): indices of the nodes that read a result of node i, ascending. */
    private final List<List<Integer>> users = new ArrayList<>();
    private final Group[] groupOf;

    Grouping(Graph graph) {
        this.graph = graph;
        this.nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            index.put(nodes.get(i), i);
            users.add(new ArrayList<>());
        }
        for (int i = 0; i < nodes.size(); i++)
            for (int p : producers(i)) if (!users.get(p).contains(i)) users.get(p).add(i);
        groupOf = new Group[nodes.size()];
    }

    /** The groups in order of their first node, each a sorted list of node indices. */
    List<List<Integer>> groups() {
        for (int i = 0; i < nodes.size(); i++) visit(i);
        List<List<Integer>> out = new ArrayList<>();
        Set<Group> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Group g : groupOf) if (seen.add(g)) out.add(List.copyOf(g.members));
        return out;
    }

    private void visit(int i) {
        Group g = single(i);
        groupOf[i] = g;
        if (g.opaque || transposeForMatmuls(i)) return;
        for (int p : producers(i)) {
            Group other = groupOf[p];
            if (injectiveAfterReduce(i, other)) continue;
            if (maskForLater(i, other)) continue;
            if (other != g && compatible(g, other) && !cycleIfMerged(g, other)) g = merge(g, other);
        }
    }

    /**
     * A comparison (a bool mask, such as relu's x > 0 in its gradient) does not join a layer's
     * output-fusion group (a matmul or convolution with its epilogue): its readers are in the
     * backward pass, so there it would become a group output, a whole tensor of bools written in
     * the forward pass and read back in the backward one. In its reader's group it is computed
     * from the layer's output instead, which is stored anyway (CNN step at batch 64: 2.4M mask
     * elements no longer stored).
     */
    private boolean maskForLater(int i, Group producer) {
        Node n = nodes.get(i);
        return producer.anchor >= 0 && n.outputs().size() == 1 && n.output().type().dtype() == DType.BOOL
                && n.op().kind() == Kind.ELEMENTWISE;
    }

    /**
     * A transpose of the last two axes that only matmuls read stays a node of its own: a backend
     * can read it as the matmul's transposed operand (the JVM backend's GEMM trans flag) with no
     * copy at all, where inside its producer's group it is a transposing copy. The LSTM's combined
     * weight gradient reads [x h 1]^T: fused, its group wrote the [161, B*T] transpose point by
     * point (0.8 ms of a 13 ms step); now the group writes the [B*T, 161] concat row by row and the
     * GEMM reads it transposed.
     */
    private boolean transposeForMatmuls(int i) {
        Node n = nodes.get(i);
        if (!dlc.ir.ops.Ops.isLastTwoAxesSwap(n) || graph.outputValues().contains(n.output()) || users.get(i).isEmpty()) return false;
        for (int u : users.get(i)) if (nodes.get(u).op() != dlc.ir.ops.Ops.MATMUL) return false;
        return true;
    }

    /**
     * An injective op (permute, reshape, slice...) reading a group that reduces starts a group of
     * its own: inside the reduction's group it would make the group return both a large value and
     * its moved copy while its operands are still live (LeNet's backward: peak memory +29%).
     */
    private boolean injectiveAfterReduce(int i, Group producer) {
        Node n = nodes.get(i);
        return Fusion.kindOf(n) == Kind.INJECTIVE && producer.reduceShape != null;
    }

    private Group single(int i) {
        Node n = nodes.get(i);
        Group g = new Group();
        g.members.add(i);
        switch (Fusion.kindOf(n)) {
            case ELEMENTWISE, BROADCAST -> { }
            // a constant, or a reshape of a parameter (a conv bias to [1, C, 1, 1]), reads only graph
            // inputs: an index mapping on a side input, as cheap in an epilogue as an elementwise op
            case INJECTIVE -> g.epilogueOnly = n.inputs().stream().allMatch(Value::isGraphInput);
            case REDUCE -> {
                g.epilogueOnly = false;
                g.reduceShape = n.input(0).type().shape();
            }
            case OUT_FUSABLE -> g.anchor = i;
            case OPAQUE -> g.opaque = true;
        }
        return g;
    }

    private boolean compatible(Group a, Group b) {
        if (a.opaque || b.opaque) return false;
        if (a.members.size() + b.members.size() > Fusion.MAX_GROUP_SIZE) return false;
        if (a.anchor >= 0 && b.anchor >= 0) return false;
        if (a.anchor >= 0 || b.anchor >= 0) {
            Group anchored = a.anchor >= 0 ? a : b, rest = anchored == a ? b : a;
            if (!rest.epilogueOnly || rest.reduceShape != null) return false;
            // epilogues only: nothing in the other group may feed the anchor
            for (int p : producers(anchored.anchor)) if (rest.members.contains(p)) return false;
        }
        return a.reduceShape == null || b.reduceShape == null || a.reduceShape.equals(b.reduceShape);
    }

    /** Whether a path leads from a to b or from b to a through some third group. */
    private boolean cycleIfMerged(Group a, Group b) {
        return reachesThroughOthers(a, b) || reachesThroughOthers(b, a);
    }

    private boolean reachesThroughOthers(Group from, Group to) {
        Set<Group> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Group> work = new ArrayDeque<>();
        for (Group s : successors(from)) if (s != to && s != from && seen.add(s)) work.add(s);
        while (!work.isEmpty()) {
            Group g = work.poll();
            for (Group s : successors(g)) {
                if (s == to) return true;
                if (s != from && seen.add(s)) work.add(s);
            }
        }
        return false;
    }

    /** The groups (visited so far) that read a value of {@code g}. */
    private List<Group> successors(Group g) {
        List<Group> out = new ArrayList<>();
        for (int m : g.members)
            for (int u : users.get(m)) {
                Group s = groupOf[u];
                if (s != null && s != g && !out.contains(s)) out.add(s);
            }
        return out;
    }

    private Group merge(Group a, Group b) {
        Group m = new Group();
        m.members.addAll(a.members);
        m.members.addAll(b.members);
        m.anchor = Math.max(a.anchor, b.anchor);
        m.reduceShape = a.reduceShape != null ? a.reduceShape : b.reduceShape;
        m.epilogueOnly = a.epilogueOnly && b.epilogueOnly;
        for (int i : m.members) groupOf[i] = m;
        return m;
    }

    /** Indices of the nodes producing node i's operands, in operand order, without repeats. */
    private List<Integer> producers(int i) {
        List<Integer> out = new ArrayList<>();
        for (Value v : nodes.get(i).inputs())
            if (!v.isGraphInput()) {
                Integer p = index.get(v.producer());
                if (p == null) throw new IllegalArgumentException(Fusion.NAME + ": graph " + graph.name() + " uses " + v + " from outside it");
                if (!out.contains(p)) out.add(p);
            }
        return out;
    }
}
