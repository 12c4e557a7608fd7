package dlc.ir;

import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The one place an op is defined: its name, fusion category, traits ({@link OpTrait}), shape
 * rule, float64 reference semantics and vector-Jacobian product. Every pass and backend reads
 * these instead of switching on names. Each op is declared once, as its typed handle in
 * {@link dlc.ir.ops.Ops}; the subclasses live in {@code dlc.ir.ops}, grouped by family.
 */
public abstract class OpDef {
    /** TVM's op-pattern lattice, loosest to most opaque; fusion reads only this. */
    public enum Kind { ELEMENTWISE, BROADCAST, INJECTIVE, REDUCE, OUT_FUSABLE, OPAQUE }

    private final String name;
    private final Kind kind;
    private final Set<OpTrait> traits;

    protected OpDef(String name, Kind kind) { this(name, kind, Set.of()); }

    protected OpDef(String name, Kind kind, Set<OpTrait> traits) {
        this.name = name;
        this.kind = kind;
        this.traits = Collections.unmodifiableSet(traits.isEmpty() ? EnumSet.noneOf(OpTrait.class) : EnumSet.copyOf(traits));
    }

    public final String name() { return name; }

    public final Kind kind() { return kind; }

    /** Whether the op has {@code trait}. */
    public final boolean is(OpTrait trait) { return traits.contains(trait); }

    /** All of the op's traits. */
    public final Set<OpTrait> traits() { return traits; }

    /**
     * For a binary op, the element e with {@code op(x, e) == x} exactly for every x of every dtype
     * the op takes (for a {@link OpTrait#COMMUTATIVE} op also {@code op(e, x)}), the one exception
     * being the sign of zero ({@code -0 + 0 = +0}); empty when the simplifier should not rely on one.
     */
    public OptionalDouble identity() { return OptionalDouble.empty(); }

    /**
     * For a binary op, the element z with {@code op(x, z) == z} for every integer and bool x (for a
     * commutative op also {@code op(z, x)}). Not for floats: {@code NaN * 0} is NaN.
     */
    public OptionalDouble absorbing() { return OptionalDouble.empty(); }

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

    /** Whether the op takes nested graphs (scan, fusion). */
    public final boolean hasRegions() { return regionCount() > 0; }

    @Override public String toString() { return name; }
}
