package dlc.frontend.lower;

import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;
import dlc.ir.*;

import java.util.*;

/**
 * The bound arguments of one builtin call, with typed accessors that report a wrong argument
 * at the argument's own span ("argument 'axis' of sum must be an int, got a float").
 */
public final class Args {
    final Interp in;
    final Builtin fn;
    final Span span;
    private final Val[] vals;
    private final Span[] spans;

    Args(Interp in, Builtin fn, Span span, Val[] vals, Span[] spans) {
        this.in = in;
        this.fn = fn;
        this.span = span;
        this.vals = vals;
        this.spans = spans;
    }

    private int index(String name) {
        int i = fn.params().indexOf(name);
        if (i < 0) throw new IllegalStateException("builtin " + fn.name() + " has no parameter " + name);
        return i;
    }

    public Val get(String name) { return vals[index(name)]; }

    /** Whether the call wrote this argument (rather than taking its default). */
    public boolean explicit(String name) { return spans[index(name)] != null; }

    /** Whether the argument was given and is not none. */
    public boolean given(String name) { return !(get(name) instanceof NoneV); }

    /** Where the argument was written (the call when it was defaulted). */
    public Span spanOf(String name) {
        Span s = spans[index(name)];
        return s == null ? span : s;
    }

    public CompileError error(String name, String message) { return in.error(spanOf(name), message, null); }

    public CompileError error(String name, String message, String hint) { return in.error(spanOf(name), message, hint); }

    private CompileError expected(String name, String what) {
        return error(name, "argument '" + name + "' of " + fn.name() + " must be " + what + ", got " + Vals.kind(get(name)),
                "signature: " + fn.signature());
    }

    public Value tensor(String name) {
        if (get(name) instanceof TensorV t) return t.v();
        throw expected(name, "a tensor");
    }

    /** A tensor, or a number / bool turned into a scalar tensor of dtype like (f32 when like is null). */
    public Value tensorOr(String name, DType like) {
        Val v = get(name);
        if (v instanceof TensorV t) return t.v();
        if (v instanceof IntV || v instanceof FloatV || v instanceof BoolV || v instanceof DimV)
            return in.scalar(spanOf(name), v, like != null ? like : v instanceof BoolV ? DType.BOOL : DType.F32);
        throw expected(name, "a tensor or a number");
    }

    public long integer(String name) {
        Val v = get(name);
        if (v instanceof IntV i) return i.v();
        if (v instanceof DimV d) throw error(name, "argument '" + name + "' of " + fn.name() + " must be a known int, got the symbolic dim " + d.d());
        throw expected(name, "an int");
    }

    public double number(String name) {
        Val v = get(name);
        if (v instanceof IntV || v instanceof FloatV) return Vals.num(v);
        throw expected(name, "a number");
    }

    public boolean bool(String name) {
        if (get(name) instanceof BoolV b) return b.v();
        throw expected(name, "a compile-time bool");
    }

    public DType dtype(String name) {
        if (get(name) instanceof DTypeV d) return d.t();
        throw expected(name, "a dtype such as f32");
    }

    public String str(String name) {
        if (get(name) instanceof StrV s) return s.v();
        throw expected(name, "a string");
    }

    public List<Val> seq(String name) {
        if (get(name) instanceof SeqV s) return s.items();
        throw expected(name, "a list or tuple");
    }

    public Dim dim(String name) {
        Dim d = Vals.dimOf(get(name));
        if (d == null) throw expected(name, "an int or dim");
        return d;
    }

    /** A shape: a list or tuple of ints and dims, or a single int / dim for rank 1. */
    public Shape shape(String name) {
        Val v = get(name);
        Dim one = Vals.dimOf(v);
        if (one != null) return new Shape(List.of(one));
        if (!(v instanceof SeqV s)) throw expected(name, "a shape (a list of ints and dims)");
        List<Dim> dims = new ArrayList<>();
        for (Val x : s.items()) {
            Dim d = Vals.dimOf(x);
            if (d == null) throw error(name, "shape " + Vals.show(v) + " holds " + Vals.kind(x) + "; shapes hold ints and dims");
            if (d.isConst() && d.value() < 0) throw error(name, "shape " + Vals.show(v) + " has a negative dim");
            dims.add(d);
        }
        return new Shape(dims);
    }

    /** A possibly negative axis normalized against rank. */
    public int axis(String name, int rank) { return normAxis(name, integer(name), rank); }

    int normAxis(String name, long a, int rank) {
        long n = a < 0 ? a + rank : a;
        if (n < 0 || n >= rank)
            throw error(name, "axis " + a + " is out of range for a tensor of rank " + rank,
                    rank == 0 ? "a scalar has no axes" : "axes run from " + (-rank) + " to " + (rank - 1));
        return (int) n;
    }

    /** Axes: none (every axis), an int, or a list of ints; normalized, sorted, without repeats. */
    public List<Long> axes(String name, int rank) {
        Val v = get(name);
        TreeSet<Long> out = new TreeSet<>();
        if (v instanceof NoneV) {
            for (long i = 0; i < rank; i++) out.add(i);
        } else if (v instanceof IntV i) {
            out.add((long) normAxis(name, i.v(), rank));
        } else if (v instanceof SeqV s) {
            for (Val x : s.items()) {
                if (!(x instanceof IntV i)) throw expected(name, "an int or a list of ints");
                if (!out.add((long) normAxis(name, i.v(), rank))) throw error(name, "axis " + i.v() + " is listed twice");
            }
        } else throw expected(name, "an int or a list of ints");
        return new ArrayList<>(out);
    }

    /** Two ints from an int (repeated) or a pair, as for stride and dilation. */
    public long[] pair(String name) {
        Val v = get(name);
        if (v instanceof IntV i) return new long[]{i.v(), i.v()};
        if (v instanceof SeqV s && s.items().size() == 2 && s.items().get(0) instanceof IntV a && s.items().get(1) instanceof IntV b)
            return new long[]{a.v(), b.v()};
        throw expected(name, "an int or a pair of ints");
    }
}
