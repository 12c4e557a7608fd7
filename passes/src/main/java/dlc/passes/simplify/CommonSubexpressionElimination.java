package dlc.passes.simplify;

import dlc.ir.*;
import dlc.passes.Pass;

import java.util.*;

/**
 * Common subexpression elimination: a node with the same op, attributes and operands (by identity,
 * after earlier merges) as an earlier node, and structurally equal nested graphs
 * ({@link GraphEquivalence}), is replaced by that earlier node's results. Every op is a pure
 * function of these (see {@link OpTrait#RANDOM}), random ops included: two draws with the same key and
 * the same attributes are the same tensor, while draws with different keys (each {@code rng_fold}
 * salt gives a new key) never merge. Each nested graph is its own scope and is simplified too.
 */
public final class CommonSubexpressionElimination implements Pass {
    public static final String NAME = "cse";

    @Override public String name() { return NAME; }

    @Override public Graph run(Graph graph) {
        Map<Key, List<Value>> seen = new HashMap<>();
        return GraphRewriter.rewrite(graph, this::run, (n, emit) -> {
            Key k = new Key(n.op(), n.attrs(), n.inputs().stream().map(Identity::new).toList(),
                    n.regions().stream().map(Structure::new).toList());
            List<Value> earlier = seen.putIfAbsent(k, n.outputs());
            return earlier;
        });
    }

    private record Key(OpDef op, Attrs attrs, List<Identity> operands, List<Structure> regions) {}

    /** A value compared by identity. */
    private record Identity(Value v) {
        @Override public boolean equals(Object o) { return o instanceof Identity i && i.v == v; }

        @Override public int hashCode() { return System.identityHashCode(v); }
    }

    /** A nested graph compared structurally. */
    private record Structure(Graph g) {
        @Override public boolean equals(Object o) { return o instanceof Structure s && GraphEquivalence.equivalent(g, s.g); }

        @Override public int hashCode() { return Objects.hash(g.inputs().size(), g.nodes().size(), g.outputs().size()); }
    }
}
