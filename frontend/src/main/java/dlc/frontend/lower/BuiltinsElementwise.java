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

    static final List<String> UNARY = List.of("neg", "abs", "sign", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt",
            "tanh", "sigmoid", "erf", "sin", "cos", "relu", "floor");

    /** Unary ops that map ints to ints when folded. */
    private static final Set<String> INT_PRESERVING = Set.of("neg", "abs", "sign", "relu");

    static List<Builtin> all() {
        List<Builtin> out = new ArrayList<>();
        for (String op : UNARY) out.add(Builtin.of(op, "x", a -> unary(a, op)));
        for (String op : List.of("maximum", "minimum", "pow", "trunc_div", "trunc_mod")) out.add(Builtin.of(op, "a, b", a -> binary(a, op)));
        out.add(Builtin.of("where", "c, a, b", BuiltinsElementwise::where));
        out.add(Builtin.of("cast", "x, dtype", BuiltinsElementwise::cast));
        return out;
    }

    /** Folds an elementwise op on scalars through its reference semantics. */
    static double fold(String op, double... xs) {
        Tensor[] in = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) in[i] = Tensor.scalar(DType.F64, xs[i]);
        return Ops.get(op).eval(in, Attrs.EMPTY, List.of(), null)[0].item();
    }

    private static Val unary(Args a, String op) {
        Val x = a.get("x");
        if (x instanceof TensorV t) return new TensorV(a.in.emit(a.span, op, t.v()));
        if (Vals.isNumber(x)) {
            double r = fold(op, Vals.num(x));
            return x instanceof IntV && INT_PRESERVING.contains(op) ? new IntV((long) r) : new FloatV(r);
        }
        throw a.error("x", op + " needs a tensor or a number, got " + Vals.kind(x));
    }

    private static Val binary(Args a, String op) {
        Val l = a.get("a"), r = a.get("b");
        if (Vals.isNumber(l) && Vals.isNumber(r)) {
            if (op.equals("pow")) return Operators.fold(a.in, a.span, "**", l, r);
            if (l instanceof IntV x && r instanceof IntV y && op.startsWith("trunc_")) {
                if (y.v() == 0) throw a.error("b", op + " of the integer " + x.v() + " by zero");
                return new IntV(op.equals("trunc_div") ? x.v() / y.v() : x.v() % y.v());
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
        return new TensorV(a.in.emit(a.span, "where", a.tensor("c"), operand(a, "a", dt), operand(a, "b", dt)));
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
