package dlc.passes;

import dlc.ir.*;

import java.util.*;

/**
 * Re-infers every node's result types from its op's shape rule, after substituting symbol
 * bindings ({@code B=32}) into the graph's input types and shape-valued attributes, and
 * recursively into nested graphs. Declared result types in the input are ignored, so this pass
 * also repairs IR whose types are stale. Names, source locations and structure are kept.
 * A rule that fails throws {@link NodeShapeException} naming the node's source location.
 */
public final class ShapeInference implements Pass {
    public static final String NAME = "shape-inference";

    private final Map<String, Dim> bindings;

    /** Infers with every symbol left symbolic. */
    public ShapeInference() { this(Map.of()); }

    /** Infers with the given symbols replaced by constants. */
    public ShapeInference(Map<String, Long> bindings) {
        Map<String, Dim> b = new TreeMap<>();
        bindings.forEach((k, v) -> b.put(k, Dim.of(v)));
        this.bindings = Collections.unmodifiableMap(b);
    }

    /** From pipeline options: every option binds a symbol to an integer, e.g. {@code B=32}. */
    public static ShapeInference fromOptions(Map<String, String> options) {
        Map<String, Long> b = new LinkedHashMap<>();
        options.forEach((k, v) -> {
            if (!k.matches("[A-Za-z_][A-Za-z0-9_]*"))
                throw new IllegalArgumentException(NAME + ": '" + k + "' is not a dim symbol");
            try {
                b.put(k, Long.parseLong(v));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(NAME + ": " + k + "=" + v + " must bind the symbol to an integer");
            }
        });
        return new ShapeInference(b);
    }

    @Override public String name() { return NAME; }

    /** The symbol bindings this pass substitutes. */
    public Map<String, Dim> bindings() { return bindings; }

    @Override public Graph run(Graph graph) {
        Map<Value, Value> map = new IdentityHashMap<>();
        List<Value> inputs = new ArrayList<>();
        for (Value v : graph.inputs()) {
            Value nv = Value.graphInput(v.name(), substitute(v.type()), v.role());
            map.put(v, nv);
            inputs.add(nv);
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < graph.nodes().size(); i++) {
            Node n = graph.nodes().get(i);
            List<Value> operands = n.inputs().stream().map(v -> lookup(map, v, graph, n)).toList();
            List<Graph> regions = n.regions().stream().map(this::run).toList();
            Attrs attrs = substitute(n.attrs());
            List<TensorType> types;
            try {
                types = n.op().infer(operands.stream().map(Value::type).toList(), attrs, regions);
            } catch (ShapeException e) {
                throw new NodeShapeException(graph, i, n, e.getMessage(), e.hint());
            } catch (IllegalArgumentException | ArithmeticException e) { // ArithmeticException: exact dim arithmetic overflowed
                throw new NodeShapeException(graph, i, n, e.getMessage(), null);
            }
            if (types.size() != n.outputs().size())
                throw new NodeShapeException(graph, i, n, "the shape rule gives " + types.size() + " results but the node has "
                        + n.outputs().size(), null);
            List<String> names = n.outputs().stream().map(Value::name).toList();
            Node nn = new Node(n.op(), operands, attrs, regions, types, names, n.loc());
            for (int j = 0; j < types.size(); j++) map.put(n.outputs().get(j), nn.outputs().get(j));
            nodes.add(nn);
        }
        List<Graph.Output> outputs = graph.outputs().stream()
                .map(o -> new Graph.Output(o.name(), o.role(), lookup(map, o.value(), graph, null))).toList();
        return new Graph(graph.name(), inputs, nodes, outputs);
    }

    private static Value lookup(Map<Value, Value> map, Value v, Graph g, Node user) {
        Value nv = map.get(v);
        if (nv == null)
            throw new IllegalArgumentException(NAME + ": graph " + g.name() + ": " + (user == null ? "an output" : user.op().name() + " at " + user.loc())
                    + " uses " + v + ", which is not defined before it (run the verifier)");
        return nv;
    }

    private TensorType substitute(TensorType t) {
        return bindings.isEmpty() ? t : t.withShape(t.shape().substitute(bindings));
    }

    private Attrs substitute(Attrs attrs) {
        if (bindings.isEmpty()) return attrs;
        Attrs out = attrs;
        for (String k : attrs.keys())
            if (attrs.get(k) instanceof Shape s) out = out.with(k, s.substitute(bindings));
        return out;
    }

    /** A shape rule failed at one node; the message starts with the node's source location. */
    public static final class NodeShapeException extends ShapeException {
        private final transient SourceLoc loc;
        private final String detail;

        NodeShapeException(Graph g, int index, Node n, String detail, String hint) {
            super(n.loc() + ": " + n.op().name() + " (graph " + g.name() + ", node " + index + "): " + detail, hint);
            this.loc = n.loc();
            this.detail = detail;
        }

        /** Where the failing node came from in the source. */
        public SourceLoc loc() { return loc; }

        /** The shape rule's own message, without the location. */
        public String detail() { return detail; }
    }
}
