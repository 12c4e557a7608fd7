package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.Dim;

import java.util.ArrayList;
import java.util.List;

/** Compile-time builtins: len, range, prod, int, float, str, shape, callable, error, share. */
final class BuiltinsCompileTime {
    private BuiltinsCompileTime() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.of("len", "x", a -> {
                    Val x = a.get("x");
                    if (x instanceof SeqV s) return new IntV(s.items().size());
                    if (x instanceof StrV s) return new IntV(s.v().length());
                    if (x instanceof TensorV t) {
                        if (t.v().type().rank() == 0) throw a.error("x", "len of a scalar tensor");
                        return Vals.ofDim(t.v().type().shape().dim(0));
                    }
                    throw a.error("x", "len needs a tuple, list, string or tensor, got " + Vals.kind(x));
                }),
                Builtin.of("range", "a, b=none, step=1", a -> {
                    long lo = 0, hi, step = a.integer("step");
                    if (a.given("b")) {
                        lo = a.integer("a");
                        hi = a.integer("b");
                    } else hi = a.integer("a");
                    if (step == 0) throw a.error("step", "range step cannot be zero");
                    List<Val> out = new ArrayList<>();
                    for (long i = lo; step > 0 ? i < hi : i > hi; i += step) {
                        out.add(new IntV(i));
                        if (out.size() > 1_000_000) throw a.error("a", "range is too long for compile time");
                    }
                    return new SeqV(out, true);
                }),
                Builtin.of("prod", "xs", a -> {
                    Dim d = Dim.of(1);
                    double f = 1;
                    boolean isFloat = false;
                    for (Val v : a.seq("xs")) {
                        Dim x = Vals.dimOf(v);
                        if (x != null) d = d.times(x);
                        else if (v instanceof FloatV fv) {
                            isFloat = true;
                            f *= fv.v();
                        } else throw a.error("xs", "prod multiplies numbers and dims, got " + Vals.kind(v));
                    }
                    if (isFloat) {
                        if (!d.isConst()) throw a.error("xs", "prod cannot mix floats with symbolic dims");
                        return new FloatV(f * d.value());
                    }
                    return Vals.ofDim(d);
                }),
                Builtin.of("int", "x", a -> {
                    Val x = a.get("x");
                    if (x instanceof IntV || x instanceof DimV) return x;
                    if (x instanceof FloatV f) {
                        if (Double.isNaN(f.v()) || Double.isInfinite(f.v())) throw a.error("x", "int of " + f.v());
                        return new IntV((long) f.v());
                    }
                    if (x instanceof BoolV b) return new IntV(b.v() ? 1 : 0);
                    if (x instanceof StrV s) {
                        try {
                            return new IntV(Long.parseLong(s.v().trim()));
                        } catch (NumberFormatException e) {
                            throw a.error("x", "\"" + s.v() + "\" is not an int");
                        }
                    }
                    throw a.error("x", "int needs a number, got " + Vals.kind(x));
                }),
                Builtin.of("float", "x", a -> {
                    Val x = a.get("x");
                    if (Vals.isNumber(x) || x instanceof BoolV) return new FloatV(Vals.num(x));
                    if (x instanceof DimV d)
                        throw a.error("x", "the symbolic dim " + d.d() + " has no value at compile time");
                    if (x instanceof StrV s) {
                        try {
                            return new FloatV(Double.parseDouble(s.v().trim()));
                        } catch (NumberFormatException e) {
                            throw a.error("x", "\"" + s.v() + "\" is not a number");
                        }
                    }
                    throw a.error("x", "float needs a number, got " + Vals.kind(x));
                }),
                Builtin.of("str", "x", a -> a.get("x") instanceof StrV s ? s : new StrV(Vals.show(a.get("x")))),
                Builtin.of("shape", "x", a -> Vals.ofShape(a.tensor("x").type().shape())),
                // lets a def take either a number or a function, e.g. a learning rate or a schedule
                Builtin.of("callable", "x", a -> BoolV.of(a.get("x") instanceof FnV)),
                Builtin.of("error", "message", a -> {
                    throw a.in.error(a.span, a.str("message"));
                }),
                SharedWeights.shareBuiltin());
    }
}
