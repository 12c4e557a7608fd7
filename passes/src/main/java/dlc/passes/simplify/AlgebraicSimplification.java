package dlc.passes.simplify;

import dlc.ir.*;
import dlc.passes.Pass;

import java.util.*;

/**
 * Applies the {@link AlgebraicRules} to every node (nested graphs included), the first matching
 * rule per node, in one sweep over the graph in order, so a chain such as
 * {@code neg(neg(neg(neg x)))} collapses in one run; a rewrite's new node is itself rewritten
 * again (a bounded number of times). The replaced nodes stay for
 * {@link DeadCodeElimination}. A rewrite's value that is smaller than the node's result is
 * broadcast to it (numpy rules: the rewritten op broadcast it the same way).
 */
public final class AlgebraicSimplification implements Pass {
    public static final String NAME = "algebra";

    @Override public String name() { return NAME; }

    @Override public Graph run(Graph graph) {
        return GraphRewriter.rewrite(graph, this::run, (n, emit) -> {
            Value v = apply(n, emit);
            if (v == null) return null;
            // a rewrite's own new node may simplify further (permute(permute x) composes to the identity)
            for (int i = 0; i < MAX_CHAIN && v.producer() != null; i++) {
                Value w = apply(v.producer(), emit);
                if (w == null) break;
                v = w;
            }
            return List.of(v);
        });
    }

    /** How often the result of one rewrite is rewritten again, at most. */
    private static final int MAX_CHAIN = 8;

    /** The first matching rule's value for {@code n}, broadcast to its result's type, or null. */
    private static Value apply(Node n, GraphRewriter.Emitter emit) {
        if (n.outputs().size() != 1) return null;
        for (AlgebraicRules.Rule r : AlgebraicRules.RULES) {
            Optional<Pattern.Match> m = r.pattern().match(n);
            if (m.isEmpty() || !r.guard().test(m.get())) continue;
            Value v = r.rewrite().apply(m.get(), emit);
            TensorType want = n.output().type();
            if (v.type().dtype() != want.dtype())
                throw new IllegalStateException("rule " + r.name() + " changed the dtype of " + n + ": " + want + " to " + v.type());
            return emit.broadcast(v, want.shape());
        }
        return null;
    }

    /** The names of the rules, in the order they are tried. */
    public static List<String> ruleNames() { return AlgebraicRules.RULES.stream().map(AlgebraicRules.Rule::name).toList(); }
}
