package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.passes.Pass;

import java.util.*;

/**
 * Dead code elimination: removes nodes none of whose results reach an output (every op is pure,
 * see {@link OpTrait#RANDOM}). A {@code scan} is trimmed as well: per-step outputs (ys) nobody uses are no
 * longer stacked, carries whose final value is unused and that no kept output reads are dropped,
 * and xs and captured values the body no longer reads stop being passed (the last x stays when
 * the number of steps is symbolic, since it is what sets the step count). Nested graphs lose their
 * dead nodes too. Graph inputs are never removed: they are the graph's interface.
 */
public final class DeadCodeElimination implements Pass {
    public static final String NAME = "dce";

    @Override public String name() { return NAME; }

    @Override public Graph run(Graph graph) {
        Set<Value> used = identitySet();
        for (Graph.Output o : graph.outputs()) used.add(o.value());
        // backward: decide each node's fate, marking the operands of what stays
        Map<Node, TrimmedScan> replaced = new IdentityHashMap<>();
        List<Node> kept = new ArrayList<>();
        boolean changed = false;
        for (int i = graph.nodes().size() - 1; i >= 0; i--) {
            Node n = graph.nodes().get(i);
            boolean[] live = new boolean[n.outputs().size()];
            boolean any = false;
            for (int j = 0; j < live.length; j++) any |= live[j] = used.contains(n.outputs().get(j));
            if (!any) {
                changed = true;
                continue;
            }
            TrimmedScan t = n.op() == Ops.SCAN ? TrimmedScan.trim(n, live, this) : null;
            if (t != null) {
                replaced.put(n, t);
                changed = true;
            }
            used.addAll(t != null ? t.node().inputs() : n.inputs());
            kept.add(n);
        }
        if (!changed) return graph;
        Collections.reverse(kept);
        // forward: rebuild with the kept nodes, results of trimmed scans renumbered
        Map<Value, Value> map = new IdentityHashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (Value v : graph.inputs()) map.put(v, v);
        for (Node n : kept) {
            TrimmedScan t = replaced.get(n);
            Node r = t == null ? n : t.node();
            List<Value> operands = r.inputs().stream().map(v -> Objects.requireNonNull(map.get(v), "operand of a kept node")).toList();
            Node nn = new Node(r.op(), operands, r.attrs(), r.regions(), r.outputs().stream().map(Value::type).toList(),
                    r.outputs().stream().map(Value::name).toList(), r.loc());
            nodes.add(nn);
            for (int j = 0; j < nn.outputs().size(); j++)
                map.put(n.outputs().get(t == null ? j : t.sources()[j]), nn.outputs().get(j));
        }
        // graph inputs are reused: a value carries no link to its graph, and the old graph is left unchanged
        List<Graph.Output> outputs = graph.outputs().stream().map(o -> new Graph.Output(o.name(), o.role(), map.get(o.value()))).toList();
        return new Graph(graph.name(), graph.inputs(), nodes, outputs);
    }

    static Set<Value> identitySet() { return Collections.newSetFromMap(new IdentityHashMap<>()); }
}
