package dlc.frontend.lower;

import dlc.ir.*;

import java.util.*;

/**
 * A graph under construction: the root graph of a lowering ({@code train}, {@code eval},
 * {@code init}) or a scan body nested in another context. Every node is added through
 * {@link #emit}, which makes nested graphs closed: a value of an enclosing graph used here is
 * captured, i.e. becomes an input of this graph fed by the enclosing graph (recursively, for
 * scans in scans).
 */
final class GraphCtx {
    final GraphCtx parent;
    final GraphBuilder builder;
    private final Set<Value> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Value, Value> captures = new IdentityHashMap<>();
    /** Enclosing-graph values captured so far, in capture order, and the inputs they feed. */
    final List<Value> captureOperands = new ArrayList<>();
    final List<Value> captureInputs = new ArrayList<>();
    /** The random key of this graph: the {@code rng} input of a root, a threaded carry of a body. */
    private Value key;
    private final String keyInputName;

    private GraphCtx(GraphCtx parent, String name, String keyInputName) {
        this.parent = parent;
        this.builder = new GraphBuilder(name);
        this.keyInputName = keyInputName;
    }

    static GraphCtx root(String name) { return new GraphCtx(null, name, "rng"); }

    static GraphCtx body(GraphCtx parent, String name) { return new GraphCtx(parent, name, "key"); }

    boolean isRoot() { return parent == null; }

    /** Adds a graph input owned by this context. */
    Value input(String name, TensorType type, Value.Role role) {
        Value v = builder.input(name, type, role);
        owned.add(v);
        return v;
    }

    /**
     * The value to use for v in this graph: v itself when it is ours, else the input that
     * captures it; null when no enclosing graph has it (a tensor of another lowering).
     */
    Value resolve(Value v) {
        if (owned.contains(v)) return v;
        Value c = captures.get(v);
        if (c != null) return c;
        if (parent == null) return null;
        Value outer = parent.resolve(v);
        if (outer == null) return null;
        Value in = builder.input("cap_" + captureInputs.size(), v.type(), Value.Role.INPUT);
        owned.add(in);
        captures.put(v, in);
        captureOperands.add(v);
        captureInputs.add(in);
        return in;
    }

    /** Adds a node; operands must already be resolved into this graph. Shape errors propagate. */
    List<Value> emit(SourceLoc loc, OpDef op, Attrs attrs, List<Graph> regions, List<Value> operands) {
        builder.at(loc);
        List<Value> out = builder.op(op, attrs, regions, operands);
        owned.addAll(out);
        return out;
    }

    /**
     * Runs edit on the builder itself (autodiff appending VJP nodes, which it builds with the IR
     * builder rather than through {@link #emit}) and owns every result of the nodes it adds.
     */
    <T> T direct(SourceLoc loc, java.util.function.Function<GraphBuilder, T> edit) {
        int before = builder.nodes().size();
        builder.at(loc);
        T result = edit.apply(builder);
        List<Node> all = builder.nodes();
        for (int i = before; i < all.size(); i++) owned.addAll(all.get(i).outputs());
        return result;
    }

    /**
     * Makes key this graph's random key: used when a copied graph already has its {@code rng}
     * input, so that a later draw reuses it instead of adding a second one.
     */
    void adoptKey(Value key) {
        if (this.key != null && this.key != key) throw new IllegalStateException("this graph already has a random key");
        this.key = key;
    }

    /** The key input if it exists yet, else null. */
    Value keyIfPresent() { return key; }

    /** This graph's random key, created on first use: the {@code rng: i64[]} input or the body's key carry. */
    Value key() {
        if (key == null) key = input(keyInputName, TensorType.scalar(DType.I64), Value.Role.INPUT);
        return key;
    }
}
