package dlc.passes.fusion;

import dlc.ir.*;
import dlc.ir.OpDef.Kind;
import dlc.ir.ops.Ops;

import java.util.*;
import java.util.function.UnaryOperator;

/**
 * Builds the fused graph from a grouping: groups in a dependency order (ties broken by first node,
 * so the output is deterministic), a group of one as its own node (nested graphs passed through
 * {@code nested}), a larger group as a {@code fusion} node whose region copies the group's nodes.
 */
final class GroupEmitter {
    private GroupEmitter() {}

    static Graph emit(Graph g, List<List<Integer>> groups, UnaryOperator<Graph> nested) {
        List<Node> nodes = g.nodes();
        int[] groupOfNode = new int[nodes.size()];
        for (int k = 0; k < groups.size(); k++) for (int i : groups.get(k)) groupOfNode[i] = k;
        Map<Node, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < nodes.size(); i++) index.put(nodes.get(i), i);

        Set<Value> usedOutside = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Output o : g.outputs()) usedOutside.add(o.value());
        for (int i = 0; i < nodes.size(); i++)
            for (Value v : nodes.get(i).inputs())
                if (!v.isGraphInput() && groupOfNode[index.get(v.producer())] != groupOfNode[i]) usedOutside.add(v);

        Map<Value, Value> map = new IdentityHashMap<>();
        GraphBuilder b = new GraphBuilder(g.name());
        for (Value v : g.inputs()) map.put(v, b.input(v.name(), v.type(), v.role()));
        int fused = 0;
        for (int k : order(groups, nodes, groupOfNode, index)) {
            List<Integer> members = groups.get(k);
            if (members.size() == 1) {
                Node n = nodes.get(members.get(0));
                List<Value> ins = n.inputs().stream().map(map::get).toList();
                Node nn = new Node(n.op(), ins, n.attrs(), n.regions().stream().map(nested).toList(),
                        n.outputs().stream().map(Value::type).toList(), n.outputs().stream().map(Value::name).toList(), n.loc());
                b.add(nn);
                for (int j = 0; j < n.outputs().size(); j++) map.put(n.outputs().get(j), nn.outputs().get(j));
            } else {
                fusionNode(b, "fused_" + fused++, members.stream().map(nodes::get).toList(), usedOutside, map);
            }
        }
        for (Graph.Output o : g.outputs()) b.output(o.name(), o.role(), map.get(o.value()));
        return b.build();
    }

    /** Kahn's algorithm over the group graph, always taking the ready group whose first node is earliest. */
    private static List<Integer> order(List<List<Integer>> groups, List<Node> nodes, int[] groupOfNode, Map<Node, Integer> index) {
        int n = groups.size();
        List<Set<Integer>> succ = new ArrayList<>();
        int[] preds = new int[n];
        for (int k = 0; k < n; k++) succ.add(new TreeSet<>());
        for (int i = 0; i < nodes.size(); i++)
            for (Value v : nodes.get(i).inputs())
                if (!v.isGraphInput()) {
                    int from = groupOfNode[index.get(v.producer())], to = groupOfNode[i];
                    if (from != to && succ.get(from).add(to)) preds[to]++;
                }
        PriorityQueue<Integer> ready = new PriorityQueue<>(Comparator.comparingInt(k -> groups.get(k).get(0)));
        for (int k = 0; k < n; k++) if (preds[k] == 0) ready.add(k);
        List<Integer> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            int k = ready.poll();
            out.add(k);
            for (int s : succ.get(k)) if (--preds[s] == 0) ready.add(s);
        }
        if (out.size() != n) throw new IllegalStateException(Fusion.NAME + ": the groups depend on each other in a cycle (a bug in the grouping)");
        return out;
    }

    private static void fusionNode(GraphBuilder outer, String name, List<Node> members, Set<Value> usedOutside, Map<Value, Value> map) {
        Set<Node> inGroup = Collections.newSetFromMap(new IdentityHashMap<>());
        inGroup.addAll(members);
        GraphBuilder body = new GraphBuilder(name);
        Map<Value, Value> local = new IdentityHashMap<>();
        List<Value> operands = new ArrayList<>();
        boolean reduces = false, anchored = false;
        for (Node n : members) {
            Kind kind = Fusion.kindOf(n);
            reduces |= kind == Kind.REDUCE;
            anchored |= kind == Kind.OUT_FUSABLE;
            List<Value> ins = new ArrayList<>();
            for (Value v : n.inputs()) {
                Value l = local.get(v);
                if (l == null) { // an external operand: a new input of the region
                    l = body.input("in" + operands.size(), v.type(), Value.Role.INPUT);
                    local.put(v, l);
                    operands.add(map.get(v));
                }
                ins.add(l);
            }
            Node copy = new Node(n.op(), ins, n.attrs(), List.of(), n.outputs().stream().map(Value::type).toList(),
                    n.outputs().stream().map(Value::name).toList(), n.loc());
            body.add(copy);
            for (int j = 0; j < n.outputs().size(); j++) local.put(n.outputs().get(j), copy.outputs().get(j));
        }
        List<Value> results = new ArrayList<>();
        for (Node n : members)
            for (Value v : n.outputs())
                if (usedOutside.contains(v)) {
                    body.output(String.valueOf(results.size()), Graph.Output.Role.OUTPUT, local.get(v));
                    results.add(v);
                }
        String kind = anchored ? "output" : reduces ? "input" : "loop";
        List<Value> outs = outer.at(members.get(0).loc()).op(Ops.FUSION, Attrs.of("kind", kind), List.of(body.build()), operands,
                results.stream().map(Value::name).toList());
        for (int j = 0; j < results.size(); j++) map.put(results.get(j), outs.get(j));
    }
}
