package dlc.bench;

import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The {@link Executor} view of an IR graph (its symbols, inputs and outputs), for the executors
 * that run a {@link Graph} rather than a JVM class: the interpreter and the OpenCL backend. An
 * UPDATE output replaces the input of the same name (the frontend's convention).
 */
record GraphSignature(List<String> symbols, List<Executor.In> inputs, List<Executor.Out> outputs) {
    static GraphSignature of(Graph graph) {
        TreeSet<String> syms = new TreeSet<>();
        List<Executor.In> inputs = new ArrayList<>();
        for (Value v : graph.inputs()) {
            syms.addAll(v.type().shape().symbols());
            inputs.add(new Executor.In(v.name(), v.type().dtype().text(), v.type().shape().dims().stream().map(Dim::toString).toList()));
        }
        List<Executor.Out> outputs = new ArrayList<>();
        for (Graph.Output o : graph.outputs())
            outputs.add(new Executor.Out(o.name(), o.role().name(), o.role() == Graph.Output.Role.UPDATE ? o.name() : null));
        return new GraphSignature(List.copyOf(syms), List.copyOf(inputs), List.copyOf(outputs));
    }
}
