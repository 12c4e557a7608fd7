package dlc.frontend.lower;

import dlc.ir.Graph;
import dlc.ir.TensorType;
import dlc.ir.Value;

import java.util.*;

/**
 * The state of lowering one model in one mode: the graph being built ({@code train} or
 * {@code eval}), the params and state declared so far, and the outputs. The init graph is
 * shared by both modes: the first mode that declares a parameter lowers its initializer.
 */
final class Lowering {
    /** The {@code init} graph and the types of the parameters and state it initializes. */
    static final class Init {
        final GraphCtx ctx = GraphCtx.root("init");
        final Map<String, TensorType> types = new LinkedHashMap<>();
        /** True while an initializer is being evaluated: initializers declare nothing themselves. */
        boolean active;
    }

    final boolean training;
    final GraphCtx root;
    final Init init;
    /** Param and state inputs of {@link #root} by qualified name. */
    final Map<String, Value> declared = new LinkedHashMap<>();
    final Set<String> outputNames = new HashSet<>();
    /** Paths declared inside calls of shared instances; their updates chain (see {@link SharedWeights}). */
    final Set<String> sharedPaths = new HashSet<>();
    /** The latest update of each shared path, emitted as the graph's update when the lowering ends. */
    final Map<String, Value> sharedUpdates = new LinkedHashMap<>();

    Lowering(boolean training, Init init) {
        this.training = training;
        this.root = GraphCtx.root(training ? "train" : "eval");
        this.init = init;
    }

    /** The value of a param or state at this point of the step: its latest shared update, else its input. */
    Value current(String path) {
        Value v = sharedUpdates.get(path);
        return v != null ? v : declared.get(path);
    }

    /** The path of a param or state whose current value is v, or null. */
    String pathOf(Value v) {
        if (v.isGraphInput() && (v.role() == Value.Role.PARAM || v.role() == Value.Role.STATE) && declared.get(v.name()) == v)
            return v.name();
        for (var e : sharedUpdates.entrySet()) if (e.getValue() == v) return e.getKey();
        return null;
    }

    /** Emits the shared paths' updates; called once, when the model body has run. */
    void flushSharedUpdates() {
        for (var e : sharedUpdates.entrySet()) root.builder.output(e.getKey(), Graph.Output.Role.UPDATE, e.getValue());
    }

    /** Adds a named output of the model graph; returns false when the name is taken. */
    boolean output(String name, Graph.Output.Role role, Value v) {
        if (!outputNames.add(name)) return false;
        root.builder.output(name, role, v);
        return true;
    }
}
