package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.ArrayList;
import java.util.List;

/** Creation builtins: zeros, ones, full, zeros_like, ones_like, iota, arange, constant. */
final class BuiltinsCreation {
    private BuiltinsCreation() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.of("zeros", "shape, dtype=f32", a -> fill(a, a.shape("shape"), a.dtype("dtype"), 0)),
                Builtin.of("ones", "shape, dtype=f32", a -> fill(a, a.shape("shape"), a.dtype("dtype"), 1)),
                Builtin.of("full", "shape, value, dtype=f32", a -> fill(a, a.shape("shape"), a.dtype("dtype"), a.number("value"))),
                Builtin.of("zeros_like", "x", a -> {
                    Value x = a.tensor("x");
                    return fill(a, x.type().shape(), x.type().dtype(), 0);
                }),
                Builtin.of("ones_like", "x", a -> {
                    Value x = a.tensor("x");
                    return fill(a, x.type().shape(), x.type().dtype(), 1);
                }),
                Builtin.of(Ops.IOTA, "shape, axis, dtype=i32", a -> {
                    Shape s = a.shape("shape");
                    int axis = a.axis("axis", s.rank());
                    return new TensorV(a.in.emit(a.span, Ops.IOTA, Attrs.of("dtype", a.dtype("dtype"), "shape", s, "axis", (long) axis)));
                }),
                Builtin.of("arange", "n, dtype=i32", a -> new TensorV(a.in.emit(a.span, Ops.IOTA,
                        Attrs.of("dtype", a.dtype("dtype"), "shape", new Shape(List.of(a.dim("n"))), "axis", 0L)))),
                Builtin.of(Ops.CONSTANT, "values, dtype=f32", BuiltinsCreation::constant));
    }

    private static Val fill(Args a, Shape shape, DType dtype, double value) {
        if (dtype == DType.BOOL && value != 0 && value != 1) throw a.error("dtype", "a bool tensor holds 0 or 1, not " + value);
        return new TensorV(Tensors.fill(a.in, a.span, dtype, shape, value));
    }

    /** A (nested) list of numbers as a constant tensor of its rectangular shape. */
    private static Val constant(Args a) {
        DType dt = a.dtype("dtype");
        List<Long> dims = new ArrayList<>();
        Val v = a.get("values");
        for (Val cur = v; cur instanceof SeqV s; cur = s.items().isEmpty() ? null : s.items().get(0)) dims.add((long) s.items().size());
        List<Double> flat = new ArrayList<>();
        flatten(a, v, 0, dims, flat);
        long[] sizes = dims.stream().mapToLong(Long::longValue).toArray();
        return new TensorV(a.in.constant(a.span, dt, Shape.of(sizes), flat));
    }

    private static void flatten(Args a, Val v, int depth, List<Long> dims, List<Double> out) {
        if (depth == dims.size()) {
            if (Vals.isNumber(v) || v instanceof BoolV) out.add(Vals.num(v));
            else throw a.error("values", "constant takes (nested) lists of numbers, got " + Vals.kind(v) + " inside");
            return;
        }
        if (!(v instanceof SeqV s) || s.items().size() != dims.get(depth))
            throw a.error("values", "constant needs a rectangular nested list; the lists at depth " + depth + " differ in length");
        for (Val x : s.items()) flatten(a, x, depth + 1, dims, out);
    }
}
