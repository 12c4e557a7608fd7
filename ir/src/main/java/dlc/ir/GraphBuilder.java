package dlc.ir;

import dlc.ir.ops.Ops;

import java.util.*;

/**
 * Builds a {@link Graph} one node at a time, running each op's shape rule as the node is added,
 * so a shape error surfaces at the node that causes it, with its source location.
 */
public final class GraphBuilder {
    private final String name;
    private final List<Value> inputs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Graph.Output> outputs = new ArrayList<>();
    private final Set<Value> visible = Collections.newSetFromMap(new IdentityHashMap<>());
    private SourceLoc loc = SourceLoc.UNKNOWN;

    public GraphBuilder(String name) { this.name = name; }

    /** Source location stamped on the nodes added from now on. */
    public GraphBuilder at(SourceLoc loc) {
        this.loc = loc == null ? SourceLoc.UNKNOWN : loc;
        return this;
    }

    public SourceLoc loc() { return loc; }

    public Value input(String inputName, TensorType type, Value.Role role) {
        if (inputs.stream().anyMatch(v -> v.name().equals(inputName)))
            throw new IllegalArgumentException("graph " + name + " already has an input named " + inputName);
        Value v = Value.graphInput(inputName, type, role);
        inputs.add(v);
        visible.add(v);
        return v;
    }

    /** Adds a single-result op without nested graphs. */
    public Value op(OpDef op, Attrs attrs, Value... operands) {
        return op(op, attrs, List.of(), List.of(operands)).get(0);
    }

    public Value op(OpDef op, Value... operands) { return op(op, Attrs.EMPTY, operands); }

    /** Adds an op with any number of results and nested graphs; returns its results. */
    public List<Value> op(OpDef op, Attrs attrs, List<Graph> regions, List<Value> operands) {
        return op(op, attrs, regions, operands, null);
    }

    public List<Value> op(OpDef op, Attrs attrs, List<Graph> regions, List<Value> operands, List<String> resultNames) {
        for (Value v : operands)
            if (!visible.contains(v))
                throw new IllegalArgumentException("operand " + v + " of " + op.name() + " is not defined in graph " + name);
        if (regions.size() != op.regionCount())
            throw new IllegalArgumentException(op.name() + " takes " + op.regionCount() + " nested graphs, got " + regions.size());
        List<TensorType> in = operands.stream().map(Value::type).toList();
        List<TensorType> out = op.infer(in, attrs, regions);
        Node n = new Node(op, operands, attrs, regions, out, resultNames, loc);
        nodes.add(n);
        visible.addAll(n.outputs());
        return n.outputs();
    }

    /** Adds an already-typed node (used by the text parser and by passes that copy nodes). */
    public Node add(Node n) {
        for (Value v : n.inputs())
            if (!visible.contains(v))
                throw new IllegalArgumentException("operand " + v + " of " + n.op().name() + " is not defined in graph " + name);
        nodes.add(n);
        visible.addAll(n.outputs());
        return n;
    }

    public GraphBuilder output(String outputName, Graph.Output.Role role, Value v) {
        if (!visible.contains(v)) throw new IllegalArgumentException("output " + outputName + " is not defined in graph " + name);
        outputs.add(new Graph.Output(outputName, role, v));
        return this;
    }

    public List<Value> inputs() { return Collections.unmodifiableList(inputs); }

    /** The nodes added so far, in order (a snapshot: nodes added later are not in it). */
    public List<Node> nodes() { return List.copyOf(nodes); }

    public Graph build() { return new Graph(name, inputs, nodes, outputs); }
}
