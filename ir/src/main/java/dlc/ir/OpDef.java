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

    /**
     * The vector-Jacobian product: given the cotangents of the results (through {@code ctx}), the
     * cotangent of each operand, or null where no gradient flows (integer operands, masks, keys,
     * outputs of comparisons). Built from primitive ops through {@code ctx}, so it can be
     * differentiated again. Ops whose operands are never differentiable return
     * {@link #noGradient}; every other op must override this, and the default fails loudly so
     * that a missing rule is never a silent zero.
     */
    public List<Value> vjp(VjpContext ctx) {
        throw new IllegalStateException("op " + name + " has no gradient rule (VJP) yet");
    }

    /** For ops through which no gradient flows to any operand. */
    protected static List<Value> noGradient(VjpContext ctx) {
        return java.util.Collections.nCopies(ctx.inputCount(), null);
    }

    /** How many nested graphs the op takes (scan: 1). */
    public int regionCount() { return 0; }

    @Override public String toString() { return name; }
}
