package dlc.ir;

import java.util.*;

/**
 * A function in SSA form: named inputs (model inputs, parameters, state), nodes in a topological
 * order, and named outputs. Nested graphs (scan bodies) have the same form and see only their own
 * inputs: anything they use from outside is passed in explicitly, so every graph is closed.
 * Immutable once built; passes build new graphs.
 */
public final class Graph {
    /** A named result. Roles tell training what an output is for. */
    public record Output(String name, Role role, Value value) {
        /**
         * OUTPUT: a model output; LOSS: a scalar loss; UPDATE: the new value of the param/state
         * {@code name}; GRAD: the gradient of a loss with respect to the input {@code name}.
         */
        public enum Role { OUTPUT, LOSS, UPDATE, GRAD }
    }

    private final String name;
    private final List<Value> inputs;
    private final List<Node> nodes;
    private final List<Output> outputs;

    public Graph(String name, List<Value> inputs, List<Node> nodes, List<Output> outputs) {
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.nodes = List.copyOf(nodes);
        this.outputs = List.copyOf(outputs);
    }

    public String name() { return name; }

    public List<Value> inputs() { return inputs; }

    public List<Node> nodes() { return nodes; }

    public List<Output> outputs() { return outputs; }

    public List<Value> inputs(Value.Role role) { return inputs.stream().filter(v -> v.role() == role).toList(); }

    public Optional<Value> input(String name) { return inputs.stream().filter(v -> name.equals(v.name())).findFirst(); }

    public Optional<Output> output(String name) { return outputs.stream().filter(o -> o.name().equals(name)).findFirst(); }

    public List<Value> outputValues() { return outputs.stream().map(Output::value).toList(); }

    /** The IR text form, so that test failures (and a debugger) show the graph itself. */
    @Override public String toString() { return dlc.ir.text.IrPrinter.print(this); }
}
