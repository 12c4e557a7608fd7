package dlc.ir;

import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.List;

/**
 * The one place an op is defined: its name, fusion category, shape rule and float64 reference
 * semantics (later also its vector-Jacobian product and backend lowerings). Every pass and
 * backend looks ops up here instead of switching on names. Implementations live in
 * {@code dlc.ir.ops}, grouped by category, and are listed by {@link dlc.ir.ops.Ops}.
 */
public abstract class OpDef {
    /** TVM's op-pattern lattice, loosest to most opaque; fusion reads only this. */
    public enum Kind { ELEMENTWISE, BROADCAST, INJECTIVE, REDUCE, OUT_FUSABLE, OPAQUE }

    private final String name;
    private final Kind kind;

    protected OpDef(String name, Kind kind) {
        this.name = name;
        this.kind = kind;
    }

    public final String name() { return name; }

    public final Kind kind() { return kind; }

    /**
     * The result types for operand types and attributes. Throws {@link ShapeException} with a
     * message that names the offending shapes (callers add the source location).
     */
    public abstract List<TensorType> infer(List<TensorType> inputs, Attrs attrs, List<Graph> regions);

    /** Float64 reference semantics: the oracle every backend is tested against. */
    public abstract Tensor[] eval(Tensor[] inputs, Attrs attrs, List<Graph> regions, EvalContext ctx);

    /** How many nested graphs the op takes (scan: 1). */
    public int regionCount() { return 0; }

    @Override public String toString() { return name; }
}
