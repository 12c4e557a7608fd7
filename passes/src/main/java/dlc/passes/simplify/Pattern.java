package dlc.passes.simplify;

import dlc.ir.*;

import java.util.*;

/**
 * A pattern over the IR, for rewrite rules written as data: an op applied to sub-patterns
 * ({@link Op}, optionally binding the matched node to a name), a variable that matches any value
 * ({@link Var}; a variable used twice matches only the same value twice), or a {@code constant}
 * node all of whose elements equal a number ({@link Splat}, any shape).
 */
sealed interface Pattern {
    record Var(String name) implements Pattern {}

    record Op(String op, String bind, List<Pattern> operands) implements Pattern {}

    record Splat(double value) implements Pattern {}

    static Pattern var(String name) { return new Var(name); }

    static Pattern op(String op, Pattern... operands) { return new Op(op, null, List.of(operands)); }

    /** An op whose node is bound to {@code bind}, for guards and rewrites that read its attributes. */
    static Pattern node(String bind, String op, Pattern... operands) { return new Op(op, bind, List.of(operands)); }

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
        if (!(this instanceof Op p) || !matchNode(p, root, m)) return Optional.empty();
        return Optional.of(m);
    }

    private static boolean matchValue(Pattern p, Value v, Match m) {
        if (p instanceof Var var) {
            Value bound = m.values.putIfAbsent(var.name(), v);
            return bound == null || bound == v;
        }
        Node n = v.producer();
        if (n == null || n.outputs().size() != 1) return false;
        if (p instanceof Splat s) return isSplat(n, s.value());
        return matchNode((Op) p, n, m);
    }

    private static boolean matchNode(Op p, Node n, Match m) {
        if (!n.op().name().equals(p.op()) || n.inputs().size() != p.operands().size()) return false;
        if (p.bind() != null) m.nodes.put(p.bind(), n);
        for (int i = 0; i < p.operands().size(); i++)
            if (!matchValue(p.operands().get(i), n.input(i), m)) return false;
        return true;
    }

    /** True when {@code n} is a constant every element of which equals {@code value} (an empty one is not). */
    static boolean isSplat(Node n, double value) {
        if (!n.op().name().equals("constant")) return false;
        double[] values = n.attrs().getDoubles("values");
        if (values.length == 0) return false;
        for (double x : values) if (x != value) return false;
        return true;
    }

}
