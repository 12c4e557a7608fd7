package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Elementwise builtins: unary math, {@code maximum minimum pow trunc_div trunc_mod where cast}. On compile-time
 * numbers they fold with the op's own reference semantics, so {@code sqrt(6.0 / n)} is a number.
 */
final class BuiltinsElementwise {
    private BuiltinsElementwise() {}

    static final List<OpDef> UNARY = List.of(Ops.NEG, Ops.ABS, Ops.SIGN, Ops.EXP, Ops.LOG, Ops.LOG1P, Ops.EXPM1, Ops.SQRT, Ops.RSQRT,
            Ops.TANH, Ops.SIGMOID, Ops.ERF, Ops.SIN, Ops.COS, Ops.RELU, Ops.FLOOR);

    /** Unary ops that map ints to ints when folded. */
    private static final Set<OpDef> INT_PRESERVING = Set.of(Ops.NEG, Ops.ABS, Ops.SIGN, Ops.RELU);

    static List<Builtin> all() {
        List<Builtin> out = new ArrayList<>();
        for (OpDef op : UNARY) out.add(Builtin.of(op.name(), "x", a -> unary(a, op)));
        for (OpDef op : List.of(Ops.MAXIMUM, Ops.MINIMUM, Ops.POW, Ops.TRUNC_DIV, Ops.TRUNC_MOD))
            out.add(Builtin.of(op.name(), "a, b", a -> binary(a, op)));
        out.add(Builtin.of("where", "c, a, b", BuiltinsElementwise::where));
        out.add(Builtin.of("cast", "x, dtype", BuiltinsElementwise::cast));
        return out;
    }

    /** Folds an elementwise op on scalars through its reference semantics. */
    static double fold(OpDef op, double... xs) {
        Tensor[] in = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) in[i] = Tensor.scalar(DType.F64, xs[i]);
        return op.eval(in, Attrs.EMPTY, List.of(), null)[0].item();
    }

    private static Val unary(Args a, OpDef op) {
        Val x = a.get("x");
        if (x instanceof TensorV t) return new TensorV(a.in.emit(a.span, op, t.v()));
        if (Vals.isNumber(x)) {
            double r = fold(op, Vals.num(x));
            return x instanceof IntV && INT_PRESERVING.contains(op) ? new IntV((long) r) : new FloatV(r);
        }
        throw a.error("x", op.name() + " needs a tensor or a number, got " + Vals.kind(x));
    }

    private static Val binary(Args a, OpDef op) {
        Val l = a.get("a"), r = a.get("b");
        if (Vals.isNumber(l) && Vals.isNumber(r)) {
            if (op == Ops.POW) return Operators.fold(a.in, a.span, "**", l, r);
            if (l instanceof IntV x && r instanceof IntV y && (op == Ops.TRUNC_DIV || op == Ops.TRUNC_MOD)) {
                if (y.v() == 0) throw a.error("b", op.name() + " of the integer " + x.v() + " by zero");
                return new IntV(op == Ops.TRUNC_DIV ? x.v() / y.v() : x.v() % y.v());
            }
            double v = fold(op, Vals.num(l), Vals.num(r));
            return l instanceof IntV && r instanceof IntV ? new IntV((long) v) : new FloatV(v);
        }
        DType dt = dtypeOf(a, l, r);
        Value x = operand(a, "a", dt), y = operand(a, "b", dt);
        return new TensorV(a.in.emit(a.span, op, x, y));
    }

    /** The dtype numbers take when they meet the tensors among vals (f32 when there is none). */
    private static DType dtypeOf(Args a, Val... vals) {
        for (Val v : vals) if (v instanceof TensorV t) return t.v().type().dtype();
        return DType.F32;
    }

    private static Value operand(Args a, String name, DType dt) {
        Val v = a.get(name);
        if (v instanceof TensorV t) return t.v();
        if (Vals.isNumber(v) || v instanceof BoolV || v instanceof DimV) return a.in.scalar(a.spanOf(name), v, dt);
        throw a.error(name, "argument '" + name + "' of " + a.fn.name() + " must be a tensor or a number, got " + Vals.kind(v));
    }

    private static Val where(Args a) {
        Val c = a.get("c");
        if (c instanceof BoolV b) return b.v() ? a.get("a") : a.get("b");
        if (!(c instanceof TensorV)) throw a.error("c", "the condition of where must be a bool tensor, got " + Vals.kind(c));
        Val x = a.get("a"), y = a.get("b");
        DType dt = dtypeOf(a, x, y);
        if (!(x instanceof TensorV) && !(y instanceof TensorV) && (x instanceof IntV && y instanceof IntV)) dt = DType.I32;
        return new TensorV(a.in.emit(a.span, Ops.WHERE, a.tensor("c"), operand(a, "a", dt), operand(a, "b", dt)));
    }

    private static Val cast(Args a) {
        DType to = a.dtype("dtype");
        Val x = a.get("x");
        if (x instanceof TensorV t) return new TensorV(Tensors.cast(a.in, a.span, t.v(), to));
        if (Vals.isNumber(x) || x instanceof BoolV) {
            double conv = dlc.ir.ops.ElementwiseOps.convert(Vals.num(x), !(x instanceof FloatV), to);
            return new TensorV(a.in.constant(a.span, to, Shape.SCALAR, List.of(conv)));
        }
        throw a.error("x", "cast needs a tensor or a number, got " + Vals.kind(x));
    }
}
