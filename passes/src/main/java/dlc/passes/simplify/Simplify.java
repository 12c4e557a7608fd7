package dlc.passes.simplify;

import dlc.ir.Graph;
import dlc.ir.Verifier;
import dlc.passes.Pass;

import java.util.*;

/**
 * The simplification pipeline: scan merging and forwarding, batch-norm folding, algebraic rules, constant
 * folding, common subexpression elimination, merging products that share their right operand and dead code elimination, repeated until a whole round changes
 * nothing (each pass returns its input graph itself when it has nothing to do) or
 * {@link #maxRounds} rounds have run. One pass's result feeds the next's chances (a folded
 * constant makes {@code x * 1} visible; CSE makes {@code where(c, x, x)}), hence the loop; each
 * round leaves no dead node behind. The IR is verified after every pass of every round.
 */
public final class Simplify implements Pass {
    public static final String NAME = "simplify";
    public static final int DEFAULT_MAX_ROUNDS = 10;

    private final List<Pass> passes;
    private final int maxRounds;

    public Simplify() { this(ConstantFolding.DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_ROUNDS); }

    public Simplify(long maxFoldElements, int maxRounds) {
        this.passes = List.of(new ScanMerge(), new ScanForwarding(), new BatchNormFolding(), new AlgebraicSimplification(), new ConstantFolding(maxFoldElements),
                new CommonSubexpressionElimination(), new SharedOperandMatmul(), new DeadCodeElimination());
        this.maxRounds = maxRounds;
    }

    /** Options {@code max-elements=N} (constant folding's cap) and {@code max-rounds=N}. */
    public static Simplify fromOptions(Map<String, String> options) {
        long maxElements = ConstantFolding.DEFAULT_MAX_ELEMENTS;
        int rounds = DEFAULT_MAX_ROUNDS;
        for (var e : options.entrySet()) {
            try {
                switch (e.getKey()) {
                    case "max-elements" -> maxElements = Long.parseLong(e.getValue());
                    case "max-rounds" -> rounds = Integer.parseInt(e.getValue());
                    default -> throw new IllegalArgumentException(NAME + ": unknown option '" + e.getKey() + "'; known: max-elements, max-rounds");
                }
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(NAME + ": " + e.getKey() + "=" + e.getValue() + " must be an integer");
            }
        }
        return new Simplify(maxElements, rounds);
    }

    @Override public String name() { return NAME; }

    /** The passes of one round, in order. */
    public List<Pass> passes() { return passes; }

    @Override public Graph run(Graph graph) {
        Graph g = graph;
        for (int round = 0; round < maxRounds; round++) {
            Graph start = g;
            for (Pass p : passes) {
                Graph next = p.run(g);
                if (next != g) {
                    List<String> problems = Verifier.check(next);
                    if (!problems.isEmpty())
                        throw new IllegalStateException("pass " + p.name() + " (simplify round " + (round + 1) + ") produced invalid IR:\n  "
                                + String.join("\n  ", problems));
                }
                g = next;
            }
            if (g == start) break;
        }
        return g;
    }
}
