package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.Value;
import dlc.ir.Verifier;
import dlc.passes.simplify.DeadCodeElimination;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The part of a graph a deployed model runs: its OUTPUT results (and its losses only when asked),
 * without the nodes and inputs nothing of that needs. A model's eval graph computes the loss from
 * labels; a compiled inference jar takes only the features, so {@code y} and the loss go.
 */
public final class InferenceGraph {
    private InferenceGraph() {}

    /** {@code g} reduced to its OUTPUT outputs (and LOSS outputs when {@code keepLoss}); throws when none is left. */
    public static Graph of(Graph g, boolean keepLoss) {
        List<Graph.Output> outs = g.outputs().stream()
                .filter(o -> o.role() == Graph.Output.Role.OUTPUT || keepLoss && o.role() == Graph.Output.Role.LOSS).toList();
        if (outs.isEmpty())
            throw new IllegalArgumentException("graph " + g.name() + " has no " + (keepLoss ? "output or loss" : "output") + " to compute; its outputs are "
                    + g.outputs().stream().map(o -> o.name() + " (" + o.role() + ")").toList());
        Graph live = new DeadCodeElimination().run(new Graph(g.name(), g.inputs(), g.nodes(), outs));
        Set<Value> used = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : live.nodes()) used.addAll(n.inputs());
        for (Graph.Output o : live.outputs()) used.add(o.value());
        Graph pruned = new Graph(g.name(), live.inputs().stream().filter(used::contains).toList(), live.nodes(), live.outputs());
        Verifier.verify(pruned);
        return pruned;
    }
}
