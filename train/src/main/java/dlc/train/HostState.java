package dlc.train;

import dlc.ir.Graph;
import dlc.ir.eval.Tensor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The state kept as host tensors: every run hands the executor all of them beside the inputs,
 * and the applied updates are rounded to their dtype's storage ({@link StoredPrecision}), as an
 * f32 backend stores them. What the interpreter and the JVM backend use.
 */
final class HostState implements ResidentState {
    private final Executor executor;
    private final Map<String, Tensor> values = new LinkedHashMap<>();

    HostState(Executor executor, Map<String, Tensor> values) {
        this.executor = executor;
        this.values.putAll(values);
    }

    @Override public void put(Map<String, Tensor> v) { values.putAll(v); }

    @Override public Map<String, Tensor> read() { return new LinkedHashMap<>(values); }

    @Override public Map<String, Tensor> run(Graph graph, Map<String, Tensor> inputs, Set<String> wanted, boolean update) {
        Map<String, Tensor> in = new HashMap<>(values);
        in.putAll(inputs);
        Map<String, Tensor> out = executor.run(graph, in);
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (Graph.Output o : graph.outputs()) {
            Tensor t = out.get(o.name());
            boolean applied = update && o.role() == Graph.Output.Role.UPDATE && values.containsKey(o.name());
            if (applied) values.put(o.name(), StoredPrecision.round(t));
            if (wanted == null ? !applied : wanted.contains(o.name())) result.put(o.name(), t);
        }
        return result;
    }
}
