package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.*;
import java.util.function.UnaryOperator;

/**
 * Rebuilds a graph node by node, letting a {@link Rule} replace each node's results by other
 * values. The rule sees the node with its operands already replaced (so a chain collapses in one
 * sweep) and may add new nodes through the {@link Emitter}; nodes a rewrite leaves unused stay in
 * the graph for {@link DeadCodeElimination}. Nested graphs are transformed first by a caller-given
 * function. When no rule fires and no nested graph changes, the input graph itself is returned, so
 * callers detect a fixed point by identity; otherwise every node is new (graph inputs are fresh
 * values with the same names, types and roles).
 */
final class GraphRewriter {
    private GraphRewriter() {}

    /** Replaces a node's results, or returns null to keep the node as it is. */
    @FunctionalInterface
    interface Rule {
        /**
         * {@code node} has its operands replaced and is not yet in the new graph. A non-null result
         * lists one replacement per result, each of exactly that result's type, defined already or
         * added through {@code emit}.
         */
        List<Value> rewrite(Node node, Emitter emit);
    }

    /** What a rule may do while the graph is rebuilt. */
    static final class Emitter {
        private final GraphBuilder builder;
        private final Map<Value, Value> map;
        private Node original;

        private Emitter(GraphBuilder builder, Map<Value, Value> map) {
            this.builder = builder;
            this.map = map;
        }

        /** The node of the input graph now being rewritten (operands not replaced). */
        Node original() { return original; }

        /** Stamps the nodes added from now on (until the next node is rewritten) with {@code loc}. */
        Emitter at(SourceLoc loc) {
            builder.at(loc);
            return this;
        }

        /** The value that now stands for a value of the input graph defined before the current node. */
        Value map(Value old) {
            Value v = map.get(old);
            if (v == null) throw new IllegalStateException("value " + old + " is not defined before " + original);
            return v;
        }

        /** Adds a single-result node (its shape rule runs) at the current node's source location. */
        Value op(OpDef op, Attrs attrs, Value... operands) { return named(null, op, attrs, operands); }

        /** As {@link #op}, with a name hint for the result. */
        Value named(String hint, OpDef op, Attrs attrs, Value... operands) {
            return builder.op(op, attrs, List.of(), List.of(operands), Collections.singletonList(hint)).get(0);
        }

        /** Adds a node of any op, typed by its shape rule. */
        List<Value> op(OpDef op, Attrs attrs, List<Graph> regions, List<Value> operands, List<String> hints) {
            return builder.op(op, attrs, regions, operands, hints);
        }

        /** {@code v} reshaped to {@code shape}, or {@code v} itself when it already has that shape. */
        Value reshape(Value v, Shape shape) {
            return v.type().shape().equals(shape) ? v : op(Ops.RESHAPE, Attrs.of("shape", shape), v);
        }

        /** {@code v} broadcast to {@code shape}, or {@code v} itself when it already has that shape. */
        Value broadcast(Value v, Shape shape) {
            return v.type().shape().equals(shape) ? v : op(Ops.BROADCAST_TO, Attrs.of("shape", shape), v);
        }

        /** A tensor of {@code type} filled with {@code value}: a scalar constant, broadcast when needed. */
        Value fill(double value, TensorType type) {
            Value c = op(Ops.CONSTANT, Attrs.of("dtype", type.dtype(), "shape", Shape.SCALAR, "values", List.of(value)));
            return broadcast(c, type.shape());
        }
    }

    /** Rebuilds {@code g}, transforming nested graphs with {@code regions} and nodes with {@code rule}. */
    static Graph rewrite(Graph g, UnaryOperator<Graph> regions, Rule rule) {
        GraphBuilder b = new GraphBuilder(g.name());
        Map<Value, Value> map = new IdentityHashMap<>();
        for (Value v : g.inputs()) map.put(v, b.input(v.name(), v.type(), v.role()));
        Emitter emit = new Emitter(b, map);
        boolean changed = false;
        for (Node n : g.nodes()) {
            List<Value> operands = n.inputs().stream().map(map::get).toList();
            List<Graph> rs = n.regions().stream().map(regions).toList();
            changed |= !sameList(rs, n.regions());
            Node current = new Node(n.op(), operands, n.attrs(), rs, n.outputs().stream().map(Value::type).toList(),
                    n.outputs().stream().map(Value::name).toList(), n.loc());
            emit.original = n;
            b.at(n.loc());
            List<Value> replacement = rule.rewrite(current, emit);
            if (replacement == null) {
                b.add(current);
                for (int i = 0; i < n.outputs().size(); i++) map.put(n.outputs().get(i), current.outputs().get(i));
                continue;
            }
            if (replacement.size() != n.outputs().size())
                throw new IllegalStateException("a rewrite of " + n + " gave " + replacement.size() + " values for " + n.outputs().size() + " results");
            for (int i = 0; i < replacement.size(); i++) {
                Value r = replacement.get(i);
                if (!r.type().equals(n.outputs().get(i).type()))
                    throw new IllegalStateException("a rewrite of " + n + " replaced result " + i + " of type " + n.outputs().get(i).type()
                            + " by a value of type " + r.type());
                map.put(n.outputs().get(i), r);
            }
            changed = true;
        }
        if (!changed) return g;
        for (Graph.Output o : g.outputs()) b.output(o.name(), o.role(), map.get(o.value()));
        return b.build();
    }

    private static <T> boolean sameList(List<T> a, List<T> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (a.get(i) != b.get(i)) return false;
        return true;
    }
}
