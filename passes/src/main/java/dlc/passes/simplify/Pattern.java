package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.*;

/**
 * A pattern over the IR, for rewrite rules written as data: an op applied to sub-patterns
 * ({@link Op}, optionally binding the matched node to a name), a variable that matches any value
 * ({@link Var}; a variable used twice matches only the same value twice), or a {@code constant}
 * node all of whose elements equal a number ({@link Splat}, any shape).
 *
 * <p>An op pattern on a {@link OpTrait#COMMUTATIVE} op matches its operands in either order, so a
 * rule is written once ({@code x * 1} also matches {@code 1 * x}). Matching backtracks: when
 * several commutative ops nest, every combination of operand orders is tried, first the written one.
 */
sealed interface Pattern {
    record Var(String name) implements Pattern {}

    record Op(OpDef op, String bind, List<Pattern> operands) implements Pattern {}

    record Splat(double value) implements Pattern {}

    static Pattern var(String name) { return new Var(name); }

    static Pattern op(OpDef op, Pattern... operands) { return new Op(op, null, List.of(operands)); }

    /** An op whose node is bound to {@code bind}, for guards and rewrites that read its attributes. */
    static Pattern node(String bind, OpDef op, Pattern... operands) { return new Op(op, bind, List.of(operands)); }

    static Pattern splat(double value) { return new Splat(value); }

    /** The bindings of a successful match; the matched node itself is {@code root}. */
    final class Match {
        private final Node root;
        private final Map<String, Value> values = new HashMap<>();
        private final Map<String, Node> nodes = new HashMap<>();

        Match(Node root) { this.root = root; }

        Node root() { return root; }

        Value get(String var) { return Objects.requireNonNull(values.get(var), var); }

        Node node(String bind) { return Objects.requireNonNull(nodes.get(bind), bind); }

        TensorType type(String var) { return get(var).type(); }
    }

    /** Matches this pattern against the node {@code root}; empty when it does not match. */
    default Optional<Match> match(Node root) {
        Match m = new Match(root);
        if (!(this instanceof Op p) || !matchNode(p, root, List.of(), m)) return Optional.empty();
        return Optional.of(m);
    }

    /** A sub-pattern still to be matched against a value. */
    record Goal(Pattern pattern, Value value) {}

    /** Matches op pattern {@code p} against node {@code n} and then the pending goals, trying both operand orders of a commutative op. */
    private static boolean matchNode(Op p, Node n, List<Goal> rest, Match m) {
        if (n.op() != p.op() || n.inputs().size() != p.operands().size()) return false;
        if (p.bind() != null) m.nodes.put(p.bind(), n);
        if (matchOperands(p.operands(), n.inputs(), rest, m)) return true;
        return n.op().is(OpTrait.COMMUTATIVE) && n.inputs().size() == 2 && n.input(0) != n.input(1)
                && matchOperands(p.operands(), List.of(n.input(1), n.input(0)), rest, m);
    }

    /** Matches {@code operands} against {@code values}, then {@code rest}; on failure the bindings are as before. */
    private static boolean matchOperands(List<Pattern> operands, List<Value> values, List<Goal> rest, Match m) {
        Map<String, Value> values0 = new HashMap<>(m.values);
        Map<String, Node> nodes0 = new HashMap<>(m.nodes);
        List<Goal> goals = new ArrayList<>();
        for (int i = 0; i < operands.size(); i++) goals.add(new Goal(operands.get(i), values.get(i)));
        goals.addAll(rest);
        if (matchGoals(goals, m)) return true;
        m.values.clear();
        m.values.putAll(values0);
        m.nodes.clear();
        m.nodes.putAll(nodes0);
        return false;
    }

    /** Matches the goals in order; a commutative op among them may retry the ones after it. */
    private static boolean matchGoals(List<Goal> goals, Match m) {
        if (goals.isEmpty()) return true;
        Goal g = goals.get(0);
        List<Goal> rest = goals.subList(1, goals.size());
        if (g.pattern() instanceof Var var) {
            Value bound = m.values.get(var.name());
            if (bound != null) return bound == g.value() && matchGoals(rest, m);
            m.values.put(var.name(), g.value());
            if (matchGoals(rest, m)) return true;
            m.values.remove(var.name());
            return false;
        }
        Node n = g.value().producer();
        if (n == null || n.outputs().size() != 1) return false;
        if (g.pattern() instanceof Splat s) return isSplat(n, s.value()) && matchGoals(rest, m);
        return matchNode((Op) g.pattern(), n, rest, m);
    }

    /** True when {@code n} is a constant every element of which equals {@code value} (an empty one is not). */
    static boolean isSplat(Node n, double value) {
        // a splat broadcast is one too: a constant over symbolic dims cannot be folded into one (a
        // scan body's zero cotangent of shape [B, 128] stays broadcast_to(constant))
        if (n.op() == Ops.BROADCAST_TO && n.input(0).producer() != null) n = n.input(0).producer();
        if (n.op() != Ops.CONSTANT) return false;
        double[] values = n.attrs().getDoubles("values");
        if (values.length == 0) return false;
        for (double x : values) if (x != value) return false;
        return true;
    }
}
