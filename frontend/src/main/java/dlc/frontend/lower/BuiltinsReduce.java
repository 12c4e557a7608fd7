package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.Attrs;
import dlc.ir.OpDef;
import dlc.ir.OpTrait;
import dlc.ir.Value;
import dlc.ir.ops.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * Reductions: every op with {@link OpTrait#REDUCTION} ({@code sum mean max min}, taken from
 * {@link Ops#all()}) as {@code f(x, axis=none, keepdims=false)}, and {@code argmax argmin}.
 * {@code max} and {@code min} on numbers ({@code max(a, b)}, {@code max(list)}) are compile-time.
 */
final class BuiltinsReduce {
    private BuiltinsReduce() {}

    static List<Builtin> all() {
        List<Builtin> out = new ArrayList<>();
        for (OpDef op : Ops.all())
            if (op.is(OpTrait.REDUCTION)) out.add(Builtin.of(op, "x, axis=none, keepdims=false", a -> reduce(a, op)));
        for (OpDef op : List.of(Ops.ARGMAX, Ops.ARGMIN))
            out.add(Builtin.of(op, "x, axis, keepdims=false", a -> {
                Value x = a.tensor("x");
                int axis = a.axis("axis", x.type().rank());
                return new TensorV(a.in.emit(a.span, op, Attrs.of("axis", (long) axis, "keepdims", a.bool("keepdims")), x));
            }));
        return out;
    }

    private static Val reduce(Args a, OpDef op) {
        Val x = a.get("x");
        if (!(x instanceof TensorV t)) {
            if (op == Ops.MAX || op == Ops.MIN) return extremum(a, op);
            throw a.error("x", op.name() + " needs a tensor, got " + Vals.kind(x));
        }
        List<Long> axes = a.axes("axis", t.v().type().rank());
        return new TensorV(a.in.emit(a.span, op, Attrs.of("axes", axes, "keepdims", a.bool("keepdims")), t.v()));
    }

    /** max(a, b), max([a, b, c]) on numbers. */
    private static Val extremum(Args a, OpDef op) {
        List<Val> items = new ArrayList<>();
        if (a.get("x") instanceof SeqV s) items.addAll(s.items());
        else {
            items.add(a.get("x"));
            if (a.given("axis")) items.add(a.get("axis"));
        }
        if (items.isEmpty()) throw a.error("x", op.name() + " of an empty sequence");
        Val best = null;
        for (Val v : items) {
            if (!Vals.isNumber(v)) throw a.error("x", op.name() + " compares numbers or reduces a tensor, got " + Vals.kind(v));
            if (best == null || (op == Ops.MAX ? Vals.num(v) > Vals.num(best) : Vals.num(v) < Vals.num(best))) best = v;
        }
        return best;
    }
}
