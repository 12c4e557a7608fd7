package dlc.frontend.train;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.Value;

import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/** Which graph inputs each value of a graph is computed from (through regions' captures too). */
final class Dataflow {
    private Dataflow() {}

    /** For every input and node output of {@code g}: the names of the inputs it reads, directly or not. */
    static Map<Value, Set<String>> inputsRead(Graph g) {
        Map<Value, Set<String>> reads = new IdentityHashMap<>();
        for (Value v : g.inputs()) reads.put(v, Set.of(v.name()));
        for (Node n : g.nodes()) {
            Set<String> s = new HashSet<>();
            for (Value in : n.inputs()) s.addAll(reads.getOrDefault(in, Set.of()));
            for (Graph region : n.regions()) captured(region, reads, s);
            for (Value out : n.outputs()) reads.put(out, s);
        }
        return reads;
    }

    /** Adds what the outer values that {@code region} (and the regions inside it) reads are computed from. */
    private static void captured(Graph region, Map<Value, Set<String>> outer, Set<String> into) {
        for (Node n : region.nodes()) {
            for (Value in : n.inputs()) into.addAll(outer.getOrDefault(in, Set.of()));
            for (Graph inner : n.regions()) captured(inner, outer, into);
        }
        for (Value out : region.outputValues()) into.addAll(outer.getOrDefault(out, Set.of()));
    }
}
