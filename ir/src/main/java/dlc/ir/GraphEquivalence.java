package dlc.ir;

import java.util.*;

/**
 * Structural equality of graphs and modules modulo value identity: two graphs are equivalent
 * when they have the same name, the same inputs (names, roles, types) in order, the same nodes in
 * order (same op, attributes, operands by position, result types, nested graphs recursively) and
 * the same outputs (names, roles, values). Name hints of node results and source locations are
 * not compared: they do not change what a graph computes. Attributes compare with
 * {@link Attrs#equals}, so a NaN attribute equals NaN.
 */
public final class GraphEquivalence {
    private GraphEquivalence() {}

    public static boolean equivalent(Graph a, Graph b) { return difference(a, b).isEmpty(); }

    public static boolean equivalent(Module a, Module b) { return difference(a, b).isEmpty(); }

    /** The first difference found, described for a test failure, or empty when equivalent. */
    public static Optional<String> difference(Module a, Module b) {
        if (!a.name().equals(b.name())) return Optional.of("module names differ: " + a.name() + " vs " + b.name());
        if (a.graphs().size() != b.graphs().size())
            return Optional.of("module " + a.name() + " has " + a.graphs().size() + " graphs vs " + b.graphs().size());
        for (int i = 0; i < a.graphs().size(); i++) {
            Optional<String> d = difference(a.graphs().get(i), b.graphs().get(i));
            if (d.isPresent()) return d;
        }
        return Optional.empty();
    }

    /** The first difference found, described for a test failure, or empty when equivalent. */
    public static Optional<String> difference(Graph a, Graph b) {
        return new Matcher().graph(a, b, "graph " + a.name());
    }

    private static final class Matcher {
        /** Each value of the first graph to its counterpart in the second. */
        private final Map<Value, Value> map = new IdentityHashMap<>();

        Optional<String> graph(Graph a, Graph b, String where) {
            if (!Objects.equals(a.name(), b.name())) return diff(where, "names differ: " + a.name() + " vs " + b.name());
            if (a.inputs().size() != b.inputs().size())
                return diff(where, a.inputs().size() + " inputs vs " + b.inputs().size());
            for (int i = 0; i < a.inputs().size(); i++) {
                Value x = a.inputs().get(i), y = b.inputs().get(i);
                if (!Objects.equals(x.name(), y.name()) || x.role() != y.role() || !x.type().equals(y.type()))
                    return diff(where, "input " + i + ": " + x.role() + " " + x + " vs " + y.role() + " " + y);
                map.put(x, y);
            }
            if (a.nodes().size() != b.nodes().size()) return diff(where, a.nodes().size() + " nodes vs " + b.nodes().size());
            for (int i = 0; i < a.nodes().size(); i++) {
                Node x = a.nodes().get(i), y = b.nodes().get(i);
                String at = where + ", node " + i + " (" + x.op().name() + ")";
                Optional<String> d = node(x, y, at);
                if (d.isPresent()) return d;
            }
            if (a.outputs().size() != b.outputs().size())
                return diff(where, a.outputs().size() + " outputs vs " + b.outputs().size());
            for (int i = 0; i < a.outputs().size(); i++) {
                Graph.Output x = a.outputs().get(i), y = b.outputs().get(i);
                if (!Objects.equals(x.name(), y.name()) || x.role() != y.role())
                    return diff(where, "output " + i + ": " + x.role() + " " + x.name() + " vs " + y.role() + " " + y.name());
                if (!same(x.value(), y.value()))
                    return diff(where, "output " + x.name() + " is " + x.value() + " vs " + y.value());
            }
            return Optional.empty();
        }

        private Optional<String> node(Node x, Node y, String at) {
            if (x.op() != y.op()) return diff(at, "ops differ: " + x.op().name() + " vs " + y.op().name());
            if (!x.attrs().equals(y.attrs())) return diff(at, "attributes differ: " + x.attrs() + " vs " + y.attrs());
            if (x.inputs().size() != y.inputs().size())
                return diff(at, x.inputs().size() + " operands vs " + y.inputs().size());
            for (int j = 0; j < x.inputs().size(); j++)
                if (!same(x.input(j), y.input(j)))
                    return diff(at, "operand " + j + " is " + x.input(j) + " vs " + y.input(j));
            if (x.outputs().size() != y.outputs().size())
                return diff(at, x.outputs().size() + " results vs " + y.outputs().size());
            for (int j = 0; j < x.outputs().size(); j++) {
                if (!x.outputs().get(j).type().equals(y.outputs().get(j).type()))
                    return diff(at, "result " + j + " type " + x.outputs().get(j).type() + " vs " + y.outputs().get(j).type());
                map.put(x.outputs().get(j), y.outputs().get(j));
            }
            if (x.regions().size() != y.regions().size())
                return diff(at, x.regions().size() + " nested graphs vs " + y.regions().size());
            for (int j = 0; j < x.regions().size(); j++) {
                Optional<String> d = graph(x.regions().get(j), y.regions().get(j), at + ", nested graph " + j);
                if (d.isPresent()) return d;
            }
            return Optional.empty();
        }

        /** True when a's counterpart is b; a value used before it is mapped is never the same. */
        private boolean same(Value a, Value b) { return map.get(a) == b && b != null; }

        private static Optional<String> diff(String where, String what) { return Optional.of(where + ": " + what); }
    }
}
