package dlc.passes.simplify;

import dlc.ir.*;
import dlc.passes.Pass;

import java.util.*;

/**
 * Applies the {@link AlgebraicRules} to every node (nested graphs included), the first matching
 * rule per node, in one sweep over the graph in order, so a chain such as
 * {@code neg(neg(neg(neg x)))} collapses in one run. The replaced nodes stay for
 * {@link DeadCodeElimination}. A rewrite's value that is smaller than the node's result is
 * broadcast to it (numpy rules: the rewritten op broadcast it the same way).
 */
public final class AlgebraicSimplification implements Pass {
    public static final String NAME = "algebra";

    @Override public String name() { return NAME; }

    @Override public Graph run(Graph graph) {
        return GraphRewriter.rewrite(graph, this::run, (n, emit) -> {
            if (n.outputs().size() != 1) return null;
            for (AlgebraicRules.Rule r : AlgebraicRules.RULES) {
                Optional<Pattern.Match> m = r.pattern().match(n);
                if (m.isEmpty() || !r.guard().test(m.get())) continue;
                Value v = r.rewrite().apply(m.get(), emit);
                TensorType want = n.output().type();
                if (v.type().dtype() != want.dtype())
                    throw new IllegalStateException("rule " + r.name() + " changed the dtype of " + n + ": " + want + " to " + v.type());
                return List.of(emit.broadcast(v, want.shape()));
            }
            return null;
        });
    }

    /** The names of the rules, in the order they are tried. */
    public static List<String> ruleNames() { return AlgebraicRules.RULES.stream().map(AlgebraicRules.Rule::name).toList(); }
}
