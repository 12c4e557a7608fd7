package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.*;

/**
 * Movement builtins: reshape (one -1 inferred with dim arithmetic), permute, transpose,
 * broadcast_to, unsqueeze, squeeze, flatten, concat, stack, split, pad, reverse, gather,
 * scatter_add. Several are sugar over reshape, slice and concat.
 */
final class BuiltinsMovement {
    private BuiltinsMovement() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.of(Ops.RESHAPE, "x, shape", BuiltinsMovement::reshape),
                Builtin.of(Ops.PERMUTE, "x, perm", BuiltinsMovement::permute),
                Builtin.of("transpose", "x, a=-2, b=-1", a -> {
                    Value x = a.tensor("x");
                    int r = x.type().rank();
                    return emit(a, Ops.PERMUTE, Attrs.of("perm", Tensors.swap(r, a.axis("a", r), a.axis("b", r))), x);
                }),
                Builtin.of(Ops.BROADCAST_TO, "x, shape", a -> {
                    Value x = a.tensorOr("x", null);
                    return emit(a, Ops.BROADCAST_TO, Attrs.of("shape", a.shape("shape")), x);
                }),
                Builtin.of("unsqueeze", "x, axis", a -> {
                    Value x = a.tensor("x");
                    return new TensorV(Tensors.unsqueeze(a.in, a.span, x, a.axis("axis", x.type().rank() + 1)));
                }),
                Builtin.of("squeeze", "x, axis=none", BuiltinsMovement::squeeze),
                Builtin.of("flatten", "x, start=1", a -> {
                    Value x = a.tensor("x");
                    Shape s = x.type().shape();
                    int start = s.rank() == 0 ? 0 : a.axis("start", s.rank());
                    List<Dim> dims = new ArrayList<>(s.dims().subList(0, start));
                    dims.add(new Shape(s.dims().subList(start, s.rank())).numel());
                    return new TensorV(Tensors.reshape(a.in, a.span, x, new Shape(dims)));
                }),
                Builtin.of(Ops.CONCAT, "xs, axis=0", a -> {
                    List<Value> xs = tensors(a, "xs");
                    int axis = a.axis("axis", xs.get(0).type().rank());
                    return new TensorV(a.in.emitAll(a.span, Ops.CONCAT, Attrs.of("axis", (long) axis), List.of(), xs).get(0));
                }),
                Builtin.of("stack", "xs, axis=0", a -> {
                    List<Value> xs = tensors(a, "xs");
                    int axis = a.axis("axis", xs.get(0).type().rank() + 1);
                    List<Value> parts = new ArrayList<>();
                    for (Value x : xs) parts.add(Tensors.unsqueeze(a.in, a.span, x, axis));
                    return new TensorV(a.in.emitAll(a.span, Ops.CONCAT, Attrs.of("axis", (long) axis), List.of(), parts).get(0));
                }),
                Builtin.of("split", "x, sections, axis=0", BuiltinsMovement::split),
                Builtin.of(Ops.PAD, "x, pads, value=0.0", BuiltinsMovement::pad),
                Builtin.of(Ops.REVERSE, "x, axis", a -> {
                    Value x = a.tensor("x");
                    return emit(a, Ops.REVERSE, Attrs.of("axes", a.axes("axis", x.type().rank())), x);
                }),
                Builtin.of(Ops.GATHER, "x, idx, axis=0", a -> {
                    Value x = a.tensor("x");
                    int axis = a.axis("axis", x.type().rank());
                    return new TensorV(a.in.emit(a.span, Ops.GATHER, Attrs.of("axis", (long) axis), x, index(a, "idx")));
                }),
                Builtin.of(Ops.SCATTER_ADD, "base, idx, updates, axis=0", a -> {
                    Value base = a.tensor("base");
                    int axis = a.axis("axis", base.type().rank());
                    Value upd = a.tensorOr("updates", base.type().dtype());
                    return new TensorV(a.in.emit(a.span, Ops.SCATTER_ADD, Attrs.of("axis", (long) axis), base, index(a, "idx"), upd));
                }));
    }

    private static Val emit(Args a, OpDef op, Attrs attrs, Value x) { return new TensorV(a.in.emit(a.span, op, attrs, x)); }

    /** An index tensor: an integer tensor, or a list of ints made constant. */
    private static Value index(Args a, String name) {
        Val v = a.get(name);
        if (v instanceof SeqV s) {
            List<Double> vals = new ArrayList<>();
            for (Val x : s.items()) {
                if (!(x instanceof IntV i)) throw a.error(name, "an index list must hold ints, got " + Vals.kind(x));
                vals.add((double) i.v());
            }
            return a.in.constant(a.spanOf(name), DType.I64, Shape.of(vals.size()), vals);
        }
        Value t = a.tensor(name);
        if (!t.type().dtype().isInteger())
            throw a.error(name, "an index tensor must hold integers, got " + t.type(), "cast it, e.g. cast(i, i64)");
        return t;
    }

    /** A non-empty list of tensors; numbers are promoted to the first tensor's dtype. */
    private static List<Value> tensors(Args a, String name) {
        List<Val> items = a.seq(name);
        if (items.isEmpty()) throw a.error(name, a.fn.name() + " needs at least one tensor");
        DtypeHolder dt = new DtypeHolder();
        for (Val v : items) if (v instanceof TensorV t && dt.d == null) dt.d = t.v().type().dtype();
        List<Value> out = new ArrayList<>();
        for (Val v : items) {
            if (v instanceof TensorV t) out.add(t.v());
            else if (Vals.isNumber(v)) out.add(a.in.scalar(a.spanOf(name), v, dt.d == null ? DType.F32 : dt.d));
            else throw a.error(name, a.fn.name() + " takes a list of tensors, got " + Vals.kind(v) + " in it");
        }
        return out;
    }

    private static final class DtypeHolder {
        DType d;
    }

    private static Val reshape(Args a) {
        Value x = a.tensorOr("x", null);
        Val sv = a.get("shape");
        List<Val> items = sv instanceof SeqV s ? s.items() : List.of(sv);
        List<Dim> dims = new ArrayList<>();
        int infer = -1;
        Dim known = Dim.of(1);
        for (int i = 0; i < items.size(); i++) {
            Val v = items.get(i);
            if (v instanceof IntV n && n.v() == -1) {
                if (infer >= 0) throw a.error("shape", "reshape can infer only one dim, but " + Vals.show(sv) + " has two -1");
                infer = i;
                dims.add(null);
                continue;
            }
            Dim d = Vals.dimOf(v);
            if (d == null || (d.isConst() && d.value() < 0))
                throw a.error("shape", "reshape's shape must hold ints, dims and at most one -1, got " + Vals.show(sv));
            dims.add(d);
            known = known.times(d);
        }
        Dim total = x.type().shape().numel();
        if (infer >= 0) {
            Dim missing = known.isConst() && known.value() == 0 ? null : total.floorDiv(known);
            if (missing == null || !missing.times(known).equals(total))
                throw a.error("shape", "cannot reshape " + x.type() + " (" + total + " elements) to " + Vals.show(sv)
                        + ": " + total + " is not a multiple of " + known);
            dims.set(infer, missing);
        } else if (!known.equals(total))
            throw a.error("shape", "cannot reshape " + x.type() + " (" + total + " elements) to " + Vals.show(sv) + " (" + known + " elements)");
        return new TensorV(Tensors.reshape(a.in, a.span, x, new Shape(dims)));
    }

    private static Val permute(Args a) {
        Value x = a.tensor("x");
        int r = x.type().rank();
        List<Val> items = a.seq("perm");
        if (items.size() != r) throw a.error("perm", "permute of a rank-" + r + " tensor needs " + r + " axes, got " + items.size());
        List<Long> perm = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (Val v : items) {
            if (!(v instanceof IntV i)) throw a.error("perm", "perm must hold ints, got " + Vals.kind(v));
            long ax = a.normAxis("perm", i.v(), r);
            if (!seen.add(ax)) throw a.error("perm", "perm " + Vals.show(a.get("perm")) + " names axis " + ax + " twice");
            perm.add(ax);
        }
        return emit(a, Ops.PERMUTE, Attrs.of("perm", perm), x);
    }

    private static Val squeeze(Args a) {
        Value x = a.tensor("x");
        Shape s = x.type().shape();
        Set<Long> drop = new HashSet<>();
        if (a.given("axis")) {
            for (long ax : a.axes("axis", s.rank())) {
                if (!s.dim((int) ax).equals(Dim.of(1)))
                    throw a.error("axis", "cannot squeeze axis " + ax + " of " + x.type() + ": its size is " + s.dim((int) ax) + ", not 1");
                drop.add(ax);
            }
        } else for (int i = 0; i < s.rank(); i++) if (s.dim(i).equals(Dim.of(1))) drop.add((long) i);
        List<Dim> dims = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) if (!drop.contains((long) i)) dims.add(s.dim(i));
        return new TensorV(Tensors.reshape(a.in, a.span, x, new Shape(dims)));
    }

    private static Val split(Args a) {
        Value x = a.tensor("x");
        Shape s = x.type().shape();
        int axis = a.axis("axis", s.rank());
        Dim n = s.dim(axis);
        List<Dim> sizes = new ArrayList<>();
        Val sec = a.get("sections");
        if (sec instanceof IntV k) {
            if (k.v() <= 0) throw a.error("sections", "split needs a positive number of sections, got " + k.v());
            Dim part = n.floorDiv(Dim.of(k.v()));
            if (!part.times(k.v()).equals(n))
                throw a.error("sections", "cannot split axis " + axis + " of size " + n + " into " + k.v() + " equal parts");
            for (long i = 0; i < k.v(); i++) sizes.add(part);
        } else if (sec instanceof SeqV list) {
            Dim sum = Dim.of(0);
            for (Val v : list.items()) {
                Dim d = Vals.dimOf(v);
                if (d == null) throw a.error("sections", "split sizes must be ints or dims, got " + Vals.kind(v));
                sizes.add(d);
                sum = sum.plus(d);
            }
            if (!sum.equals(n))
                throw a.error("sections", "split sizes " + Vals.show(sec) + " add up to " + sum + ", but axis " + axis + " has size " + n);
        } else throw a.error("sections", "split takes a number of sections or a list of sizes, got " + Vals.kind(sec));
        List<Val> parts = new ArrayList<>();
        Dim start = Dim.of(0);
        for (Dim size : sizes) {
            List<Dim> starts = new ArrayList<>(), stops = new ArrayList<>();
            List<Long> steps = new ArrayList<>();
            for (int i = 0; i < s.rank(); i++) {
                starts.add(i == axis ? start : Dim.of(0));
                stops.add(i == axis ? start.plus(size) : s.dim(i));
                steps.add(1L);
            }
            parts.add(emit(a, Ops.SLICE, Attrs.of("starts", new Shape(starts), "stops", new Shape(stops), "steps", steps), x));
            start = start.plus(size);
        }
        return SeqV.tuple(parts);
    }

    private static Val pad(Args a) {
        Value x = a.tensor("x");
        int r = x.type().rank();
        long[] low = new long[r], high = new long[r];
        Val p = a.get("pads");
        if (p instanceof IntV k) {
            Arrays.fill(low, k.v());
            Arrays.fill(high, k.v());
        } else if (p instanceof SeqV s) {
            if (s.items().size() > r) throw a.error("pads", "pad of a rank-" + r + " tensor takes at most " + r + " (low, high) pairs, got " + s.items().size());
            int off = r - s.items().size(); // fewer pairs pad the trailing axes
            for (int i = 0; i < s.items().size(); i++) {
                Val pair = s.items().get(i);
                if (pair instanceof SeqV ps && ps.items().size() == 2 && ps.items().get(0) instanceof IntV lo && ps.items().get(1) instanceof IntV hi) {
                    low[off + i] = lo.v();
                    high[off + i] = hi.v();
                } else if (pair instanceof IntV k) {
                    low[off + i] = k.v();
                    high[off + i] = k.v();
                } else throw a.error("pads", "pads must be a list of (low, high) pairs, got " + Vals.show(p));
            }
        } else throw a.error("pads", "pads must be an int or a list of (low, high) pairs, got " + Vals.kind(p));
        for (int i = 0; i < r; i++)
            if (low[i] < 0 || high[i] < 0) throw a.error("pads", "pad amounts must not be negative, got " + Vals.show(p), "slice to crop");
        return emit(a, Ops.PAD, Attrs.of("low", low, "high", high, "value", a.number("value")), x);
    }
}
