package dlc.ir.testing;

import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.List;
import java.util.function.Predicate;

/**
 * The op lists of the property suites and generators, taken from {@link Ops#all()} by trait and
 * never written out, so a new op with the traits of a family (a unary math op, a binary
 * arithmetic op) is in the random graphs, the gradient properties and the backend agreement
 * properties without an edit to any test.
 */
public final class OpLists {
    private OpLists() {}

    /** The ops matching {@code p}, in {@link Ops#all()} order. */
    public static List<OpDef> where(Predicate<OpDef> p) { return Ops.all().stream().filter(p).toList(); }

    /** The ops with {@code trait}, in {@link Ops#all()} order. */
    public static List<OpDef> with(OpTrait trait) { return where(op -> op.is(trait)); }

    /** Elementwise ops of one operand: unary math ({@link OpTrait#UNARY}) and unary logic ({@code not}). */
    public static List<OpDef> unaryElementwise() {
        return where(op -> op.is(OpTrait.UNARY) || op.is(OpTrait.LOGIC) && operands(op) == 1);
    }

    /** Elementwise ops of two broadcasting operands: arithmetic, comparisons and binary logic. */
    public static List<OpDef> binaryElementwise() {
        return where(op -> op.is(OpTrait.ARITHMETIC) || op.is(OpTrait.COMPARISON) || op.is(OpTrait.LOGIC) && operands(op) == 2);
    }

    /**
     * Unary math ops with a gradient to check: not piecewise constant (sign, floor), whose
     * derivative is zero wherever it exists.
     */
    public static List<OpDef> differentiableUnary() {
        return where(op -> op.is(OpTrait.UNARY) && !op.is(OpTrait.PIECEWISE_CONSTANT));
    }

    /** Binary arithmetic ops with a gradient to check (not trunc_div, which is piecewise constant). */
    public static List<OpDef> differentiableBinary() {
        return where(op -> op.is(OpTrait.ARITHMETIC) && !op.is(OpTrait.PIECEWISE_CONSTANT));
    }

    /**
     * How many operands an elementwise op takes, asked of its shape rule: the fewest scalar
     * operands of a dtype it accepts (bool for logic, f64 otherwise) that it types.
     */
    static int operands(OpDef op) {
        TensorType t = TensorType.scalar(op.is(OpTrait.LOGIC) ? DType.BOOL : DType.F64);
        for (int n = 1; n <= 3; n++) {
            try {
                op.infer(java.util.Collections.nCopies(n, t), Attrs.EMPTY, List.of());
                return n;
            } catch (ShapeException | IllegalArgumentException e) {
                // not this many
            }
        }
        throw new IllegalStateException("cannot tell how many operands " + op + " takes");
    }
}
