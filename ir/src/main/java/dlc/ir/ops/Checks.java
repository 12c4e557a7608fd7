package dlc.ir.ops;

import dlc.ir.*;

import java.util.Arrays;
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

    /** A {@code Long} attribute; a missing or non-integer value is a ShapeException naming the op and key. */
    static long longAttr(OpDef op, Attrs a, String key) {
        Object v = a.get(key);
        if (!(v instanceof Long l)) throw new ShapeException(op.name() + " needs an integer attribute '" + key + "', got " + describe(v));
        return l;
    }

    /** A list-of-integers attribute (the empty list included), checked like {@link #longAttr}. */
    static long[] longsAttr(OpDef op, Attrs a, String key) {
        Object v = a.get(key);
        if (!(v instanceof List<?> l) || !l.stream().allMatch(x -> x instanceof Long))
            throw new ShapeException(op.name() + " needs an integer-list attribute '" + key + "', got " + describe(v));
        return a.getLongs(key);
    }

    /** A {@link Shape} attribute, checked like {@link #longAttr}. */
    static Shape shapeAttr(OpDef op, Attrs a, String key) {
        Object v = a.get(key);
        if (!(v instanceof Shape s)) throw new ShapeException(op.name() + " needs a shape attribute '" + key + "', got " + describe(v));
        return s;
    }

    /** An optional Boolean attribute, checked like {@link #longAttr}. */
    static boolean boolAttr(OpDef op, Attrs a, String key, boolean dflt) {
        Object v = a.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Boolean b)) throw new ShapeException(op.name() + " needs a boolean attribute '" + key + "', got " + describe(v));
        return b;
    }

    private static String describe(Object v) { return v == null ? "none" : Attrs.format(v); }

    /** An axis of {@code t}: non-negative (the frontend normalizes negative axes) and below its rank. */
    static int axis(OpDef op, TensorType t, long axis) {
        if (axis < 0 || axis >= t.rank())
            throw new ShapeException(op.name() + ": axis " + axis + " is out of range for " + t + " (rank " + t.rank() + ")",
                    axis < 0 ? "axes are non-negative in the IR; write rank + axis" : null);
        return (int) axis;
    }

    /** Axes of {@code t}: each valid as in {@link #axis}, strictly increasing (so sorted and unique). */
    static int[] axes(OpDef op, TensorType t, long[] axes) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axis(op, t, axes[i]);
            if (i > 0 && axes[i] <= axes[i - 1])
                throw new ShapeException(op.name() + ": axes " + Arrays.toString(axes) + " must be sorted and unique");
        }
        return out;
    }

    /** Rejects a shape attribute with a concrete negative dim (e.g. an unresolved -1). */
    static void nonNegativeDims(OpDef op, Shape s, String what) {
        for (Dim d : s.dims())
            if (d.isConst() && d.value() < 0)
                throw new ShapeException(op.name() + ": " + what + " " + s + " has a negative dim",
                        "-1 in a reshape must be resolved by the frontend before building the IR");
    }

    /** A {@link DType} attribute, checked like {@link #longAttr}. */
    static DType dtypeAttr(OpDef op, Attrs a, String key) {
        Object v = a.get(key);
        if (!(v instanceof DType d)) throw new ShapeException(op.name() + " needs a dtype attribute '" + key + "', got " + describe(v));
        return d;
    }
}
