package dlc.frontend.lower;

import dlc.frontend.ast.Ast.Binary;
import dlc.frontend.ast.Ast.Unary;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;
import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.OpDef;
import dlc.ir.Value;
import dlc.ir.ops.Ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Unary and binary operators. On compile-time values they fold (ints, floats, dims, strings,
 * sequences); when a tensor is involved they become IR ops, and a number or bool meeting a
 * tensor becomes a scalar constant of the tensor's dtype.
 */
final class Operators {
    private Operators() {}

    /** The IR op of each binary operator on tensors. */
    static final Map<String, OpDef> TENSOR_OPS = Map.ofEntries(
            Map.entry("+", Ops.ADD), Map.entry("-", Ops.SUB), Map.entry("*", Ops.MUL), Map.entry("/", Ops.DIV),
            Map.entry("%", Ops.MOD), Map.entry("**", Ops.POW), Map.entry("@", Ops.MATMUL),
            Map.entry("<", Ops.LT), Map.entry("<=", Ops.LE), Map.entry(">", Ops.GT), Map.entry(">=", Ops.GE),
            Map.entry("==", Ops.EQ), Map.entry("!=", Ops.NE), Map.entry("and", Ops.AND), Map.entry("or", Ops.OR));

    /** The IR op of each unary operator on tensors ({@code +x} is x itself). */
    static final Map<String, OpDef> UNARY_TENSOR_OPS = Map.of("-", Ops.NEG, "not", Ops.NOT);

    /** The binary operator that writes op ({@code "+"} for add), or null when it has none. */
    static String symbolOf(OpDef op) {
        for (Map.Entry<String, OpDef> e : TENSOR_OPS.entrySet()) if (e.getValue() == op) return e.getKey();
        return null;
    }

    static Val binary(Interp in, Binary b, Env env) {
        String op = b.op();
        Val l = in.eval(b.left(), env);
        // compile-time `and` / `or` short-circuit, so `n > 0 and xs[n - 1] ...` is safe
        if (l instanceof BoolV lb && (op.equals("and") || op.equals("or"))) {
            if (op.equals("and") && !lb.v()) return BoolV.FALSE;
            if (op.equals("or") && lb.v()) return BoolV.TRUE;
        }
        Val r = in.eval(b.right(), env);
        if (l instanceof TensorV x && r instanceof TensorV y && x.v().type().dtype() != y.v().type().dtype()) {
            String right = b.right() instanceof dlc.frontend.ast.Ast.Name n ? n.name() : "y";
            throw in.error(b.span(), "cannot mix " + x.v().type().dtype() + " and " + y.v().type().dtype() + " tensors in '" + op + "': "
                            + x.v().type() + " " + op + " " + y.v().type(),
                    "cast one side, e.g. cast(" + right + ", " + x.v().type().dtype() + ")");
        }
        return apply(in, b.span(), op, l, b.left().span(), r, b.right().span());
    }

    /** l op r, where lSpan / rSpan locate the operands for messages about one side. */
    static Val apply(Interp in, Span span, String op, Val l, Span lSpan, Val r, Span rSpan) {
        if (l instanceof TensorV || r instanceof TensorV) return tensor(in, span, op, l, lSpan, r, rSpan);
        return fold(in, span, op, l, r);
    }

    private static Val tensor(Interp in, Span span, String op, Val l, Span lSpan, Val r, Span rSpan) {
        OpDef irOp = TENSOR_OPS.get(op);
        if (op.equals("@") && !(l instanceof TensorV && r instanceof TensorV))
            throw in.error(span, "'@' needs two tensors, got " + Vals.kind(l) + " and " + Vals.kind(r));
        DType dt = l instanceof TensorV a ? a.v().type().dtype() : ((TensorV) r).v().type().dtype();
        Value a = in.tensorOf(lSpan, l, dt), b = in.tensorOf(rSpan, r, dt);
        return new TensorV(in.emit(span, irOp, a, b));
    }

    static Val unary(Interp in, Unary u, Val v) {
        Span span = u.span();
        switch (u.op()) {
            case "-":
                if (v instanceof IntV i) return new IntV(checked(in, span, () -> Math.negateExact(i.v())));
                if (v instanceof FloatV f) return new FloatV(-f.v());
                if (v instanceof DimV d) return Vals.ofDim(d.d().negate());
                if (v instanceof TensorV t) return new TensorV(in.emit(span, UNARY_TENSOR_OPS.get("-"), t.v()));
                break;
            case "+":
                if (Vals.isNumber(v) || v instanceof DimV || v instanceof TensorV) return v;
                break;
            case "not":
                if (v instanceof BoolV b) return BoolV.of(!b.v());
                if (v instanceof TensorV t) return new TensorV(in.emit(span, UNARY_TENSOR_OPS.get("not"), t.v()));
                break;
            default:
                throw new IllegalStateException("unknown unary operator " + u.op());
        }
        throw in.error(span, "'" + u.op() + "' cannot be applied to " + Vals.kind(v));
    }

    // ---- compile-time folding ------------------------------------------------------------------

    private interface LongOp {
        long apply();
    }

    private static long checked(Interp in, Span span, LongOp f) {
        try {
            return f.apply();
        } catch (ArithmeticException e) {
            throw in.error(span, "integer overflow in a compile-time expression");
        }
    }

    static Val fold(Interp in, Span span, String op, Val l, Val r) {
        switch (op) {
            case "==": case "!=": {
                Boolean same = Vals.same(l, r);
                if (same == null)
                    throw in.error(span, "cannot decide " + Vals.show(l) + " " + op + " " + Vals.show(r) + " at compile time",
                            "symbolic sizes are known only when the model runs; compare known sizes, or use where(...) on tensors");
                return BoolV.of(op.equals("==") == same);
            }
            case "<": case "<=": case ">": case ">=": return compare(in, span, op, l, r);
            case "and": case "or":
                if (l instanceof BoolV && r instanceof BoolV) return r; // the left side decided nothing
                throw in.error(span, "'" + op + "' needs bools, got " + Vals.kind(l) + " and " + Vals.kind(r));
            case "@":
                throw in.error(span, "'@' needs two tensors, got " + Vals.kind(l) + " and " + Vals.kind(r));
            default: break;
        }
        if (l instanceof IntV a && r instanceof IntV b) return ints(in, span, op, a.v(), b.v());
        Dim da = Vals.dimOf(l), db = Vals.dimOf(r);
        if (da != null && db != null) return dims(in, span, op, da, db);
        if (Vals.isNumber(l) && Vals.isNumber(r)) return floats(in, span, op, Vals.num(l), Vals.num(r));
        if (op.equals("+") && l instanceof StrV a && r instanceof StrV b) return new StrV(a.v() + b.v());
        if (op.equals("+") && l instanceof SeqV a && r instanceof SeqV b) {
            List<Val> items = new ArrayList<>(a.items());
            items.addAll(b.items());
            return new SeqV(items, a.list());
        }
        if (op.equals("*") && l instanceof SeqV a && r instanceof IntV n) return repeat(a, n.v());
        if (op.equals("*") && l instanceof IntV n && r instanceof SeqV a) return repeat(a, n.v());
        if ((da != null && r instanceof FloatV) || (db != null && l instanceof FloatV))
            throw in.error(span, "cannot mix the symbolic dim " + (da != null ? da : db) + " with a float at compile time",
                    "symbolic sizes are known only when the model runs; use them with tensors (x / B), not in compile-time arithmetic");
        throw in.error(span, "'" + op + "' cannot be applied to " + Vals.kind(l) + " and " + Vals.kind(r));
    }

    private static Val repeat(SeqV a, long n) {
        List<Val> items = new ArrayList<>();
        for (long i = 0; i < n; i++) items.addAll(a.items());
        return new SeqV(items, a.list());
    }

    private static Val ints(Interp in, Span span, String op, long a, long b) {
        switch (op) {
            case "+": return new IntV(checked(in, span, () -> Math.addExact(a, b)));
            case "-": return new IntV(checked(in, span, () -> Math.subtractExact(a, b)));
            case "*": return new IntV(checked(in, span, () -> Math.multiplyExact(a, b)));
            case "/":
                if (b == 0) throw in.error(span, "division by zero");
                // exact division stays an int (shapes: H / 2); otherwise the true quotient
                return a % b == 0 ? new IntV(a / b) : new FloatV((double) a / b);
            case "%":
                if (b == 0) throw in.error(span, "modulo by zero");
                return new IntV(Math.floorMod(a, b));
            case "**":
                if (b < 0) return new FloatV(Math.pow(a, b));
                return new IntV(checked(in, span, () -> {
                    long p = 1;
                    for (long i = 0; i < b; i++) p = Math.multiplyExact(p, a);
                    return p;
                }));
            default:
                throw new IllegalStateException("unknown operator " + op);
        }
    }

    private static Val dims(Interp in, Span span, String op, Dim a, Dim b) {
        switch (op) {
            case "+": return Vals.ofDim(a.plus(b));
            case "-": return Vals.ofDim(a.minus(b));
            case "*": return Vals.ofDim(a.times(b));
            case "/":
                if (b.isConst() && b.value() == 0) throw in.error(span, "division of a dim by zero");
                return Vals.ofDim(a.floorDiv(b));
            case "**":
                if (b.isConst() && b.value() >= 0 && b.value() <= 16) {
                    Dim p = Dim.of(1);
                    for (long i = 0; i < b.value(); i++) p = p.times(a);
                    return Vals.ofDim(p);
                }
                break;
            default: break;
        }
        throw in.error(span, "'" + op + "' cannot be applied to the symbolic dims " + a + " and " + b,
                "dims support + - * and / (floor division)");
    }

    private static Val floats(Interp in, Span span, String op, double a, double b) {
        switch (op) {
            case "+": return new FloatV(a + b);
            case "-": return new FloatV(a - b);
            case "*": return new FloatV(a * b);
            case "/": return new FloatV(a / b);
            case "%": return new FloatV(a - Math.floor(a / b) * b);
            case "**": return new FloatV(Math.pow(a, b));
            default: throw new IllegalStateException("unknown operator " + op);
        }
    }

    private static Val compare(Interp in, Span span, String op, Val l, Val r) {
        int c;
        if (l instanceof StrV a && r instanceof StrV b) c = a.v().compareTo(b.v());
        else {
            Dim da = Vals.dimOf(l), db = Vals.dimOf(r);
            if (da != null && db != null && !(da.isConst() && db.isConst())) {
                Dim diff;
                try {
                    diff = da.minus(db);
                } catch (ArithmeticException beyond64Bits) {
                    diff = null;
                }
                if (diff == null || !diff.isConst())
                    throw in.error(span, "cannot compare the symbolic dims " + da + " and " + db + " at compile time",
                            "only == and != are known for symbolic dims");
                c = Long.signum(diff.value());
            } else if (l instanceof IntV a && r instanceof IntV b) c = Long.compare(a.v(), b.v()); // exact beyond 2^53
            else if (Vals.isNumber(l) && Vals.isNumber(r)) c = Double.compare(Vals.num(l), Vals.num(r));
            else throw in.error(span, "'" + op + "' cannot compare " + Vals.kind(l) + " and " + Vals.kind(r));
        }
        return BoolV.of(switch (op) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
        });
    }
}
