package dlc.frontend.lower;

import dlc.frontend.ast.Ast;
import dlc.frontend.ast.Ast.*;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;
import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Shape;
import dlc.ir.Value;

import java.util.*;

/**
 * Types at compile time. A def's parameter and result types are patterns checked at each call:
 * a dim name already bound (to an int or dim) must match, an unbound one is bound in the call's
 * scope, {@code ...} matches any number of dims. Declared types of inputs, params and state are
 * evaluated to concrete IR types.
 */
final class TypePatterns {
    private TypePatterns() {}

    static final List<String> NAMED = List.of("int", "float", "str", "fn", "shape", "dim", "dtype", "tuple", "list", "tensor", "any");

    // ---- patterns ------------------------------------------------------------------------------

    /**
     * Checks v against type t, binding dim names in local; returns v, converted where the type
     * asks (an int given for a float, a number given for a rank-0 tensor type).
     */
    static Val matchArg(Interp in, TypeExpr t, Val v, Env local, Span where, String what) {
        return matchArg(in, t, v, local, where, what, new HashMap<>());
    }

    /**
     * As above; origins maps each dim name bound so far in this call to the value that bound it
     * ("argument 'x'"), and receives the names this match binds, for messages.
     */
    static Val matchArg(Interp in, TypeExpr t, Val v, Env local, Span where, String what, Map<String, String> origins) {
        if (t instanceof NamedType n) return matchNamed(in, n, v, where, what);
        if (t instanceof TupleType tt) {
            if (!(v instanceof SeqV s) || s.items().size() != tt.items().size())
                throw in.error(where, what + " is " + Vals.kind(v) + ", expected a tuple " + show(t));
            List<Val> out = new ArrayList<>();
            for (int i = 0; i < s.items().size(); i++)
                out.add(matchArg(in, tt.items().get(i), s.items().get(i), local, where, what + " (item " + i + ")", origins));
            return new SeqV(out, s.list());
        }
        return matchTensor(in, (Ast.TensorType) t, v, local, where, what, origins);
    }

    private static Val matchNamed(Interp in, NamedType n, Val v, Span where, String what) {
        boolean ok;
        switch (n.name()) {
            case "int": ok = v instanceof IntV || v instanceof DimV; break;
            case "dim": ok = v instanceof IntV || v instanceof DimV; break;
            case "float":
                if (v instanceof IntV i) return new FloatV(i.v());
                ok = v instanceof FloatV;
                break;
            case "str": ok = v instanceof StrV; break;
            case "fn": ok = v instanceof FnV; break;
            case "dtype": ok = v instanceof DTypeV; break;
            case "tuple": case "list": ok = v instanceof SeqV; break;
            case "tensor": ok = v instanceof TensorV; break;
            case "any": ok = true; break;
            case "shape":
                ok = v instanceof SeqV s && s.items().stream().allMatch(x -> Vals.dimOf(x) != null);
                break;
            default:
                throw in.error(n.span(), "unknown type '" + n.name() + "'",
                        Optional.ofNullable(Names.didYouMean(n.name(), NAMED)).orElse("types are tensor types such as f32[B, 10] or one of " + String.join(", ", NAMED)));
        }
        if (!ok) throw in.error(where, what + " must be " + article(n.name()) + ", got " + Vals.kind(v));
        return v;
    }

    private static String article(String type) {
        return switch (type) {
            case "int" -> "an int";
            case "any" -> "anything";
            case "fn" -> "a function";
            case "shape" -> "a shape (a list of ints and dims)";
            default -> "a " + type;
        };
    }

    private static Val matchTensor(Interp in, Ast.TensorType t, Val v, Env local, Span where, String what,
                                   Map<String, String> origins) {
        DType want = DType.fromText(t.dtype());
        boolean rank0 = t.bare() || t.dims().stream().allMatch(d -> d instanceof DimEllipsis);
        if (v instanceof BoolV || Vals.isNumber(v)) {
            // a bare dtype (`p: f32`, `flag: bool`) takes a compile-time scalar as it is
            boolean kindOk = want == DType.BOOL ? v instanceof BoolV
                    : want.isInteger() ? v instanceof IntV : Vals.isNumber(v);
            if (!kindOk) throw in.error(where, what + " is " + Vals.kind(v) + ", expected " + show(t));
            if (t.bare()) return want.isFloating() && v instanceof IntV i ? new FloatV(i.v()) : v;
            if (rank0) return new TensorV(in.scalar(where, v, want));
        }
        if (!(v instanceof TensorV tv))
            throw in.error(where, what + " is " + Vals.kind(v) + ", expected a tensor " + show(t));
        Value x = tv.v();
        if (x.type().dtype() != want)
            throw in.error(where, what + " is " + x.type() + ", expected " + show(t),
                    "cast it first, e.g. cast(x, " + want + ")");
        List<DimExpr> pats = t.bare() ? List.of() : t.dims();
        int ell = -1;
        for (int i = 0; i < pats.size(); i++)
            if (pats.get(i) instanceof DimEllipsis) {
                if (ell >= 0) throw in.error(pats.get(i).span(), "a type may hold '...' only once");
                ell = i;
            }
        Shape s = x.type().shape();
        int fixed = ell >= 0 ? pats.size() - 1 : pats.size();
        if (ell < 0 ? s.rank() != fixed : s.rank() < fixed)
            throw in.error(where, what + " is " + x.type() + ", expected rank " + (ell >= 0 ? ">= " : "") + fixed + " (" + show(t) + ")");
        for (int i = 0; i < pats.size(); i++) {
            if (i == ell) continue;
            int axis = ell >= 0 && i > ell ? s.rank() - (pats.size() - i) : i;
            String failure = matchDim(pats.get(i), s.dim(axis), local, origins, what);
            if (failure != null)
                throw in.error(where, what + " is " + x.type() + ", expected " + show(t) + failure);
        }
        return v;
    }

    /** Binds or checks one dim pattern against an actual dim; returns null on success, else " where I = 256". */
    private static String matchDim(DimExpr p, Dim actual, Env local, Map<String, String> origins, String what) {
        try {
            return matchDimOrThrow(p, actual, local, origins, what);
        } catch (ArithmeticException e) {
            return " (" + showDim(p) + " cannot be computed: " + e.getMessage() + ")";
        }
    }

    private static String matchDimOrThrow(DimExpr p, Dim actual, Env local, Map<String, String> origins, String what) {
        if (p instanceof DimInt i) return actual.equals(Dim.of(i.value())) ? null : "";
        if (p instanceof DimName n) {
            Dim bound = boundDim(n.name(), local);
            if (bound == null) {
                local.define(n.name(), Vals.ofDim(actual));
                origins.put(n.name(), what);
                return null;
            }
            String from = origins.get(n.name());
            return bound.equals(actual) ? null : " where " + n.name() + " = " + bound + (from != null ? " (from " + from + ")" : "");
        }
        // a compound dim: evaluate if every name is bound, or solve for its one unbound name
        Set<String> unbound = new LinkedHashSet<>();
        collectUnbound(p, local, unbound);
        if (unbound.isEmpty()) {
            Dim d = evalBound(p, local, Map.of());
            return d.equals(actual) ? null : " (" + showDim(p) + " = " + d + ")";
        }
        if (unbound.size() == 1) {
            String name = unbound.iterator().next();
            Dim b = evalBound(p, local, Map.of(name, Dim.of(0)));
            Dim a = evalBound(p, local, Map.of(name, Dim.of(1))).minus(b);
            Dim sol = a.isConst() && a.value() != 0 ? actual.minus(b).floorDiv(a) : null;
            if (sol != null && evalBound(p, local, Map.of(name, sol)).equals(actual)) {
                local.define(name, Vals.ofDim(sol));
                origins.put(name, what);
                return null;
            }
            return " (no value of " + name + " makes " + showDim(p) + " equal " + actual + ")";
        }
        return " (" + showDim(p) + " has several unknown names; bind them with plain dims first)";
    }

    /** The dim a name is bound to (as an int or dim), or null. */
    private static Dim boundDim(String name, Env env) {
        Val v = env.lookup(name);
        return v == null ? null : Vals.dimOf(v);
    }

    private static void collectUnbound(DimExpr p, Env env, Set<String> out) {
        if (p instanceof DimName n && boundDim(n.name(), env) == null) out.add(n.name());
        if (p instanceof DimBinary b) {
            collectUnbound(b.left(), env, out);
            collectUnbound(b.right(), env, out);
        }
    }

    private static Dim evalBound(DimExpr p, Env env, Map<String, Dim> extra) {
        if (p instanceof DimInt i) return Dim.of(i.value());
        if (p instanceof DimName n) {
            Dim d = extra.get(n.name());
            return d != null ? d : boundDim(n.name(), env);
        }
        DimBinary b = (DimBinary) p;
        return arith(b.op(), evalBound(b.left(), env, extra), evalBound(b.right(), env, extra));
    }

    private static Dim arith(String op, Dim a, Dim b) {
        return switch (op) {
            case "+" -> a.plus(b);
            case "-" -> a.minus(b);
            case "*" -> a.times(b);
            case "/" -> a.floorDiv(b);
            default -> {
                if (!a.isConst() || !b.isConst()) throw new ArithmeticException("% of symbolic dims");
                yield Dim.of(Math.floorMod(a.value(), b.value()));
            }
        };
    }

    // ---- declared types ------------------------------------------------------------------------

    /**
     * The IR type of a declared input, param or state type. Names bound to ints or dims give
     * their value; an unbound name becomes a new symbolic dim (bound in env) when symbols is
     * true (inputs), and is an error otherwise.
     */
    static dlc.ir.TensorType declared(Interp in, TypeExpr t, Env env, boolean symbols, String what) {
        if (!(t instanceof Ast.TensorType tt))
            throw in.error(t.span(), what + " needs a tensor type such as f32[B, 10], got " + show(t));
        DType d = DType.fromText(tt.dtype());
        List<Dim> dims = new ArrayList<>();
        if (!tt.bare())
            for (DimExpr e : tt.dims()) dims.add(declaredDim(in, e, env, symbols, what));
        return new dlc.ir.TensorType(d, new Shape(dims));
    }

    private static Dim declaredDim(Interp in, DimExpr e, Env env, boolean symbols, String what) {
        if (e instanceof DimInt i) return Dim.of(i.value());
        if (e instanceof DimEllipsis) throw in.error(e.span(), "'...' is only allowed in def parameter types, not in " + what);
        if (e instanceof DimName n) {
            Val v = env.lookup(n.name());
            if (v instanceof ErrorV) throw CompileError.poisoned();
            Dim d = v == null ? null : Vals.dimOf(v);
            if (d != null) return d;
            if (v != null)
                throw in.error(e.span(), "'" + n.name() + "' is " + Vals.kind(v) + ", not a dim");
            if (!symbols)
                throw in.error(e.span(), "unknown dim '" + n.name() + "' in " + what,
                        Optional.ofNullable(Names.didYouMean(n.name(), env.visibleNames()))
                                .orElse("bind it first, e.g. from a def parameter type such as x: f32[..., " + n.name() + "]"));
            Dim sym = Dim.sym(n.name());
            env.define(n.name(), new DimV(sym));
            return sym;
        }
        DimBinary b = (DimBinary) e;
        Dim l = declaredDim(in, b.left(), env, symbols, what), r = declaredDim(in, b.right(), env, symbols, what);
        try {
            return arith(b.op(), l, r);
        } catch (ArithmeticException ex) {
            throw in.error(e.span(), "cannot compute the dim " + showDim(e) + ": " + ex.getMessage());
        }
    }

    // ---- printing ------------------------------------------------------------------------------

    static String show(TypeExpr t) {
        if (t instanceof NamedType n) return n.name();
        if (t instanceof TupleType tt) {
            StringJoiner j = new StringJoiner(", ", "(", ")");
            for (TypeExpr x : tt.items()) j.add(show(x));
            return j.toString();
        }
        Ast.TensorType tt = (Ast.TensorType) t;
        if (tt.bare()) return tt.dtype();
        StringJoiner j = new StringJoiner(", ", tt.dtype() + "[", "]");
        for (DimExpr d : tt.dims()) j.add(showDim(d));
        return j.toString();
    }

    static String showDim(DimExpr d) {
        if (d instanceof DimInt i) return Long.toString(i.value());
        if (d instanceof DimName n) return n.name();
        if (d instanceof DimEllipsis) return "...";
        DimBinary b = (DimBinary) d;
        return wrap(b.left()) + b.op() + wrap(b.right());
    }

    private static String wrap(DimExpr d) { return d instanceof DimBinary ? "(" + showDim(d) + ")" : showDim(d); }
}
