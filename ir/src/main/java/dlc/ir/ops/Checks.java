package dlc.ir.ops;

import dlc.ir.*;

import java.util.List;

/** Shared argument checks for shape rules, so every op words the same mistake the same way. */
final class Checks {
    private Checks() {}

    static void arity(OpDef op, List<TensorType> in, int n) {
        if (in.size() != n) throw new ShapeException(op.name() + " takes " + n + " operand" + (n == 1 ? "" : "s") + ", got " + in.size());
    }

    static void dtype(OpDef op, TensorType t, DType d) {
        if (t.dtype() != d) throw new ShapeException(op.name() + " needs " + d + " operands, got " + t);
    }

    static void floating(OpDef op, TensorType t) {
        if (!t.dtype().isFloating())
            throw new ShapeException(op.name() + " needs a floating-point operand, got " + t, "cast it first, e.g. cast(x, f32)");
    }

    static void rankAtLeast(OpDef op, TensorType t, int r) {
        if (t.rank() < r) throw new ShapeException(op.name() + " needs an operand of rank >= " + r + ", got " + t);
    }

    static void rank(OpDef op, TensorType t, int r, String what) {
        if (t.rank() != r) throw new ShapeException(op.name() + " needs " + what + " of rank " + r + ", got " + t);
    }
}
