package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.Attrs;
import dlc.ir.Value;

import java.util.ArrayList;
import java.util.List;

/**
 * Reductions {@code sum mean max min argmax argmin}. {@code max} and {@code min} on numbers
 * ({@code max(a, b)}, {@code max(list)}) are compile-time.
 */
final class BuiltinsReduce {
    private BuiltinsReduce() {}

    static List<Builtin> all() {
        List<Builtin> out = new ArrayList<>();
        for (String op : List.of("sum", "mean", "max", "min"))
            out.add(Builtin.of(op, "x, axis=none, keepdims=false", a -> reduce(a, op)));
        for (String op : List.of("argmax", "argmin"))
            out.add(Builtin.of(op, "x, axis, keepdims=false", a -> {
                Value x = a.tensor("x");
                int axis = a.axis("axis", x.type().rank());
                return new TensorV(a.in.emit(a.span, op, Attrs.of("axis", (long) axis, "keepdims", a.bool("keepdims")), x));
            }));
        return out;
    }

    private static Val reduce(Args a, String op) {
        Val x = a.get("x");
        if (!(x instanceof TensorV t)) {
            if (op.equals("max") || op.equals("min")) return extremum(a, op);
            throw a.error("x", op + " needs a tensor, got " + Vals.kind(x));
        }
        List<Long> axes = a.axes("axis", t.v().type().rank());
        return new TensorV(a.in.emit(a.span, op, Attrs.of("axes", axes, "keepdims", a.bool("keepdims")), t.v()));
    }

    /** max(a, b), max([a, b, c]) on numbers. */
    private static Val extremum(Args a, String op) {
        List<Val> items = new ArrayList<>();
        if (a.get("x") instanceof SeqV s) items.addAll(s.items());
        else {
            items.add(a.get("x"));
            if (a.given("axis")) items.add(a.get("axis"));
        }
        if (items.isEmpty()) throw a.error("x", op + " of an empty sequence");
        Val best = null;
        for (Val v : items) {
            if (!Vals.isNumber(v)) throw a.error("x", op + " compares numbers or reduces a tensor, got " + Vals.kind(v));
            if (best == null || (op.equals("max") ? Vals.num(v) > Vals.num(best) : Vals.num(v) < Vals.num(best))) best = v;
        }
        return best;
    }
}
