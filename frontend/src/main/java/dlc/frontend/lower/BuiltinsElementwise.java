package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * Elementwise builtins: every unary math op ({@link OpTrait#UNARY}: exp, relu, ...) as {@code f(x)}
 * and every binary arithmetic op ({@link OpTrait#ARITHMETIC}: add, maximum, pow, trunc_div, ...) as
 * {@code f(a, b)}, each named after its op and taken from {@link Ops#all()} by trait, so a new op of
 * either kind is a builtin with no edit here; and {@code where}, {@code cast}. On compile-time
 * numbers they fold with the op's own reference semantics, so {@code sqrt(6.0 / n)} is a number.
 */
final class BuiltinsElementwise {
    private BuiltinsElementwise() {}

    static List<Builtin> all() {
        List<Builtin> out = new ArrayList<>();
        for (OpDef op : Ops.all())
            if (op.is(OpTrait.UNARY)) out.add(Builtin.of(op, "x", a -> unary(a, op)));
        for (OpDef op : Ops.all())
            if (op.is(OpTrait.ARITHMETIC)) out.add(Builtin.of(op, "a, b", a -> binary(a, op)));
        out.add(Builtin.of(Ops.WHERE, "c, a, b", BuiltinsElementwise::where));
        out.add(Builtin.of(Ops.CAST, "x, dtype", BuiltinsElementwise::cast));
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
            // ops that take integers map them to integers (neg, abs, relu); the rest are float math
            return x instanceof IntV && !op.is(OpTrait.FLOAT_ONLY) ? new IntV((long) r) : new FloatV(r);
        }
        throw a.error("x", op.name() + " needs a tensor or a number, got " + Vals.kind(x));
    }

    private static Val binary(Args a, OpDef op) {
        Val l = a.get("a"), r = a.get("b");
        if (Vals.isNumber(l) && Vals.isNumber(r)) {
            String operator = Operators.symbolOf(op);
            if (operator != null) return Operators.fold(a.in, a.span, operator, l, r); // add(2, 3) folds as 2 + 3 does
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
