package dlc.frontend.train;

import dlc.frontend.lower.StagedGraph;
import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.Value;

import java.util.*;

/** Copies a graph's inputs and nodes into a {@link StagedGraph}, so that more can be built on top. */
final class GraphCopy {
    private GraphCopy() {}

    /**
     * Adds g's nodes to into and returns the map from g's values to the copies. Inputs already in
     * map are used as they are (a substitute); the others become inputs of into, with the same
     * names, types and roles. Outputs are not copied.
     */
    static Map<Value, Value> copy(Graph g, StagedGraph into, Map<Value, Value> map) {
        Map<Value, Value> m = new IdentityHashMap<>(map);
        for (Value in : g.inputs()) if (!m.containsKey(in)) m.put(in, into.input(in.name(), in.type(), in.role()));
        for (Node n : g.nodes()) {
            List<Value> operands = new ArrayList<>();
            for (Value v : n.inputs()) operands.add(Objects.requireNonNull(m.get(v), "operand not copied"));
            List<Value> outs = into.emit(n.loc(), n.op(), n.attrs(), n.regions(), operands);
            for (int i = 0; i < outs.size(); i++) m.put(n.outputs().get(i), outs.get(i));
        }
        return m;
    }
}
