package dlc.ir;

import java.util.*;

/**
 * One operation application: an op, its operands, static attributes, nested graphs (the body of a
 * {@code scan}) and results. Results are created here, typed by the caller (normally the
 * {@link GraphBuilder}, which asks the op's shape rule).
 */
public final class Node {
    private final OpDef op;
    private final List<Value> inputs;
    private final Attrs attrs;
    private final List<Graph> regions;
    private final List<Value> outputs;
    private final SourceLoc loc;

    public Node(OpDef op, List<Value> inputs, Attrs attrs, List<Graph> regions, List<TensorType> outputTypes,
                List<String> outputNames, SourceLoc loc) {
        this.op = op;
        this.inputs = List.copyOf(inputs);
        this.attrs = attrs;
        this.regions = List.copyOf(regions);
        this.loc = loc == null ? SourceLoc.UNKNOWN : loc;
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < outputTypes.size(); i++)
            outs.add(Value.result(this, i, outputTypes.get(i), outputNames == null ? null : outputNames.get(i)));
        this.outputs = List.copyOf(outs);
    }

    public OpDef op() { return op; }

    public List<Value> inputs() { return inputs; }

    public Value input(int i) { return inputs.get(i); }

    public Attrs attrs() { return attrs; }

    public List<Graph> regions() { return regions; }

    public List<Value> outputs() { return outputs; }

    public Value output() {
        if (outputs.size() != 1) throw new IllegalStateException(op.name() + " has " + outputs.size() + " results");
        return outputs.get(0);
    }

    public SourceLoc loc() { return loc; }

    @Override public String toString() { return op.name() + attrs + " @ " + loc; }
}
