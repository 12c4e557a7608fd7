package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.passes.Pass;

import java.util.*;

/**
 * Merges a scan into a later one that computes everything it does: the same operands (by
 * identity) and attributes, and a body whose first outputs are the earlier body's outputs (equal
 * up to dead code, {@link GraphEquivalence}) followed by more. The later scan moves up to the
 * earlier one's place (its operands are the same, so they are defined there) and the earlier
 * one's results become its first results.
 *
 * <p>This is what removes the second forward pass of backpropagation through time: the VJP of a
 * scan ({@code dlc.ir.ops.ScanGradient}) re-runs the loop as an augmented scan that also emits
 * every step's input carries; merged with the original, the forward runs once. Runs before dead
 * code elimination, which would otherwise trim the augmented scan's copies of the ys first.
 */
public final class ScanMerge implements Pass {
    public static final String NAME = "scan-merge";

    @Override public String name() { return NAME; }

    @Override public Graph run(Graph graph) {
        List<Node> nodes = graph.nodes();
        Map<Node, Node> into = new IdentityHashMap<>();
        Set<Node> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < nodes.size(); i++) {
            Node a = nodes.get(i);
            if (a.op() != Ops.SCAN || taken.contains(a)) continue;
            for (int j = i + 1; j < nodes.size(); j++) {
                Node b = nodes.get(j);
                if (b.op() == Ops.SCAN && !taken.contains(b) && subsumes(a, b)) {
                    into.put(a, b);
                    taken.add(b);
                    break;
                }
            }
        }
        Map<Node, List<Value>> emitted = new IdentityHashMap<>();
        return GraphRewriter.rewrite(graph, this::run, (n, emit) -> {
            Node original = emit.original();
            Node later = into.get(original);
            if (later != null) {
                List<String> names = later.outputs().stream().map(Value::name).toList();
                List<Graph> regions = later.regions().stream().map(this::run).toList();
                List<Value> outs = emit.op(later.op(), later.attrs(), regions, n.inputs(), names);
                emitted.put(later, outs);
                return outs.subList(0, n.outputs().size());
            }
            return emitted.get(original);
        });
    }

    /** Whether scan {@code b} computes all of scan {@code a}'s results as its first results. */
    static boolean subsumes(Node a, Node b) {
        if (a.inputs().size() != b.inputs().size() || !a.attrs().equals(b.attrs())) return false;
        for (int i = 0; i < a.inputs().size(); i++) if (a.input(i) != b.input(i)) return false;
        Graph ga = a.regions().get(0), gb = b.regions().get(0);
        int k = ga.outputs().size();
        if (gb.outputs().size() <= k) return false;
        List<Graph.Output> first = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Graph.Output oa = ga.outputs().get(i), ob = gb.outputs().get(i);
            if (!oa.value().type().equals(ob.value().type())) return false;
            first.add(new Graph.Output(oa.name(), oa.role(), ob.value()));
        }
        Graph truncated = new DeadCodeElimination().run(new Graph(ga.name(), gb.inputs(), gb.nodes(), first));
        return GraphEquivalence.equivalent(new DeadCodeElimination().run(ga), truncated);
    }
}
