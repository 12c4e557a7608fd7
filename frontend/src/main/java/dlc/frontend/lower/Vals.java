package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.Dim;
import dlc.ir.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/** Conversions between compile-time values and dims, shapes and text. */
final class Vals {
    private Vals() {}

    /** An int value for a constant dim, a dim value for a symbolic one. */
    static Val ofDim(Dim d) { return d.isConst() ? new IntV(d.value()) : new DimV(d); }

    /** The dim an int or dim value stands for, or null for any other value. */
    static Dim dimOf(Val v) {
        if (v instanceof IntV i) return Dim.of(i.v());
        if (v instanceof DimV d) return d.d();
        return null;
    }

    static boolean isNumber(Val v) { return v instanceof IntV || v instanceof FloatV; }

    /** The double value of an int or float, for folding. */
    static double num(Val v) {
        if (v instanceof IntV i) return i.v();
        if (v instanceof FloatV f) return f.v();
        if (v instanceof BoolV b) return b.v() ? 1 : 0;
        throw new IllegalArgumentException("not a number: " + v);
    }

    /** A shape as a tuple of int/dim values. */
    static SeqV ofShape(Shape s) {
        List<Val> items = new ArrayList<>();
        for (Dim d : s.dims()) items.add(ofDim(d));
        return SeqV.tuple(items);
    }

    /** Short text for messages: {@code 3}, {@code 0.5}, {@code (B, 10)}, {@code f32[B, 10]}. */
    static String show(Val v) {
        if (v instanceof IntV i) return Long.toString(i.v());
        if (v instanceof FloatV f) return Double.toString(f.v());
        if (v instanceof BoolV b) return Boolean.toString(b.v());
        if (v instanceof StrV s) return "\"" + s.v() + "\"";
        if (v instanceof DimV d) return d.d().toString();
        if (v instanceof SeqV s) {
            StringJoiner j = s.list() ? new StringJoiner(", ", "[", "]")
                    : new StringJoiner(", ", "(", s.items().size() == 1 ? ",)" : ")");
            for (Val x : s.items()) j.add(show(x));
            return j.toString();
        }
        if (v instanceof DTypeV d) return d.t().text();
        if (v instanceof NoneV) return "none";
        if (v instanceof TensorV t) return t.v().type().toString();
        if (v instanceof ModuleV m) return "module " + m.m().name();
        if (v instanceof ModelV m) return "model " + m.model().name();
        if (v instanceof FnV f) return f.describe();
        return "<error>";
    }

    /** What kind of thing v is, with an article, for "expected X, got Y" messages. */
    static String kind(Val v) {
        if (v instanceof IntV) return "an int";
        if (v instanceof FloatV) return "a float";
        if (v instanceof BoolV) return "a bool";
        if (v instanceof StrV) return "a string";
        if (v instanceof DimV) return "a symbolic dim";
        if (v instanceof SeqV s) return s.list() ? "a list" : "a tuple";
        if (v instanceof DTypeV) return "a dtype";
        if (v instanceof NoneV) return "none";
        if (v instanceof TensorV t) return "a tensor " + t.v().type();
        if (v instanceof ModuleV) return "a module";
        if (v instanceof ModelV) return "a model";
        if (v instanceof FnV) return "a function";
        return "an error";
    }

    /**
     * Structural equality of compile-time values (ints equal to dims, dims by canonical form), or
     * null when it cannot be known at compile time: {@code B == 1} holds for some runs and not
     * others, while {@code T == T} and {@code T == T - 1} are decided.
     */
    static Boolean same(Val a, Val b) {
        Dim da = dimOf(a), db = dimOf(b);
        if (da != null && db != null) {
            if (da.equals(db)) return true; // canonical forms
            if (da.isConst() && db.isConst()) return false;
            Dim diff;
            try {
                diff = da.minus(db);
            } catch (ArithmeticException beyond64Bits) { // coefficients that far apart: not decidable here
                return null;
            }
            return diff.isConst() ? (Boolean) (diff.value() == 0) : null;
        }
        if (isNumber(a) && isNumber(b)) return num(a) == num(b);
        if (a instanceof SeqV x && b instanceof SeqV y) {
            if (x.items().size() != y.items().size()) return false;
            Boolean all = true;
            for (int i = 0; i < x.items().size(); i++) {
                Boolean s = same(x.items().get(i), y.items().get(i));
                if (Boolean.FALSE.equals(s)) return false;
                if (s == null) all = null;
            }
            return all;
        }
        if (a instanceof TensorV x && b instanceof TensorV y) return x.v() == y.v();
        return a.equals(b);
    }
}
