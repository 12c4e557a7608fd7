package dlc.frontend.lower;

import dlc.frontend.ast.Ast.*;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.*;

/**
 * Indexing with numpy's basic rules. On tuples and lists: an element or a sub-sequence. On
 * tensors: ints drop an axis, slices keep it, {@code ...} stands for the axes not named, negative
 * indices count from the end (also symbolically: {@code x[:, -1]} on {@code f32[B, T, F]} takes
 * step {@code T-1}), {@code [::-1]} reverses, and one tensor (or list of ints) index gathers.
 * Lowered as reverse, then slice, then a reshape dropping the int-indexed axes, then gather.
 */
final class Indexing {
    private Indexing() {}

    static Val index(Interp in, Index ix, Val target, Env env) {
        if (target instanceof SeqV s) return sequence(in, ix, s, env);
        if (target instanceof TensorV t) return tensor(in, ix, t.v(), env);
        throw in.error(ix.target().span(), "cannot index " + Vals.kind(target));
    }

    // ---- tuples and lists ----------------------------------------------------------------------

    private static Val sequence(Interp in, Index ix, SeqV s, Env env) {
        if (ix.items().size() != 1) throw in.error(ix.span(), "a " + (s.list() ? "list" : "tuple") + " takes one index");
        IndexItem item = ix.items().get(0);
        int n = s.items().size();
        if (item instanceof PointIndex p) {
            long i = intIndex(in, p.index(), env);
            long k = i < 0 ? i + n : i;
            if (k < 0 || k >= n)
                throw in.error(p.span(), "index " + i + " is out of range for a " + (s.list() ? "list" : "tuple") + " of " + n);
            return s.items().get((int) k);
        }
        if (item instanceof SliceIndex sl) {
            long step = sl.step() == null ? 1 : intIndex(in, sl.step(), env);
            if (step == 0) throw in.error(sl.span(), "slice step cannot be zero");
            long start = sl.start() == null ? (step > 0 ? 0 : n - 1) : clampSeq(intIndex(in, sl.start(), env), n, step);
            long stop = sl.stop() == null ? (step > 0 ? n : -1) : clampSeq(intIndex(in, sl.stop(), env), n, step);
            List<Val> out = new ArrayList<>();
            for (long i = start; step > 0 ? i < stop : i > stop; i += step) out.add(s.items().get((int) i));
            return new SeqV(out, s.list());
        }
        throw in.error(item.span(), "'...' cannot index a tuple");
    }

    /** Python's slice bound normalization. */
    private static long clampSeq(long i, long n, long step) {
        if (i < 0) i += n;
        if (step > 0) return Math.max(0, Math.min(i, n));
        return Math.max(-1, Math.min(i, n - 1));
    }

    private static long intIndex(Interp in, Expr e, Env env) {
        Val v = in.eval(e, env);
        if (v instanceof IntV i) return i.v();
        throw in.error(e.span(), "a tuple index must be an int, got " + Vals.kind(v));
    }

    // ---- tensors -------------------------------------------------------------------------------

    /** What one axis gets: a point (int or dim), a slice, or a gather index. */
    private record AxisIndex(Dim point, Dim start, Dim stop, long step, boolean reverse, Value gather, Span span) {}

    private static Val tensor(Interp in, Index ix, Value x, Env env) {
        Shape shape = x.type().shape();
        int rank = shape.rank();
        int named = 0, ellipses = 0;
        for (IndexItem it : ix.items()) {
            if (it instanceof EllipsisIndex) ellipses++;
            else named++;
        }
        if (ellipses > 1) throw in.error(ix.span(), "an index may hold '...' only once");
        if (named > rank)
            throw in.error(ix.span(), "too many indices: " + named + " for a tensor of rank " + rank + " (" + x.type() + ")");
        List<AxisIndex> axes = new ArrayList<>();
        for (IndexItem it : ix.items()) {
            if (it instanceof EllipsisIndex) {
                for (int k = 0; k < rank - named; k++) axes.add(full(shape.dim(axes.size())));
            } else axes.add(item(in, it, shape.dim(axes.size()), axes.size(), env));
        }
        while (axes.size() < rank) axes.add(full(shape.dim(axes.size())));

        Value v = x;
        List<Long> rev = new ArrayList<>();
        for (int a = 0; a < rank; a++) if (axes.get(a).reverse()) rev.add((long) a);
        if (!rev.isEmpty()) v = in.emit(ix.span(), Ops.REVERSE, Attrs.of("axes", rev), v);

        List<Dim> starts = new ArrayList<>(), stops = new ArrayList<>();
        List<Long> steps = new ArrayList<>();
        boolean sliced = false;
        for (int a = 0; a < rank; a++) {
            AxisIndex ai = axes.get(a);
            Dim n = shape.dim(a);
            if (ai.point() != null) {
                starts.add(ai.point());
                stops.add(ai.point().plus(1));
                steps.add(1L);
                sliced = true;
            } else {
                starts.add(ai.start());
                stops.add(ai.stop());
                steps.add(ai.step());
                sliced |= !(ai.start().equals(Dim.of(0)) && ai.stop().equals(n) && ai.step() == 1);
            }
        }
        if (sliced)
            v = in.emit(ix.span(), Ops.SLICE, Attrs.of("starts", new Shape(starts), "stops", new Shape(stops), "steps", steps), v);

        List<Dim> kept = new ArrayList<>();
        int gatherAxis = -1;
        Value gatherIdx = null;
        Span gatherSpan = null;
        for (int a = 0; a < rank; a++) {
            AxisIndex ai = axes.get(a);
            if (ai.point() != null) continue;
            if (ai.gather() != null) {
                if (gatherIdx != null)
                    throw in.error(ai.span(), "only one tensor index is supported per indexing",
                            "index one axis at a time, or use gather");
                gatherAxis = kept.size();
                gatherIdx = ai.gather();
                gatherSpan = ai.span();
            }
            kept.add(v.type().shape().dim(a));
        }
        if (kept.size() != rank) v = in.emit(ix.span(), Ops.RESHAPE, Attrs.of("shape", new Shape(kept)), v);
        if (gatherIdx != null) v = in.emit(gatherSpan, Ops.GATHER, Attrs.of("axis", (long) gatherAxis), v, gatherIdx);
        return new TensorV(v);
    }

    private static AxisIndex full(Dim n) { return new AxisIndex(null, Dim.of(0), n, 1, false, null, null); }

    private static AxisIndex item(Interp in, IndexItem it, Dim n, int axis, Env env) {
        if (it instanceof PointIndex p) {
            Val v = in.eval(p.index(), env);
            if (v instanceof TensorV t) {
                if (!t.v().type().dtype().isInteger())
                    throw in.error(p.span(), "a tensor index must hold integers, got " + t.v().type(), "cast it, e.g. cast(i, i64)");
                return new AxisIndex(null, Dim.of(0), n, 1, false, t.v(), p.span());
            }
            if (v instanceof SeqV s) {
                List<Double> vals = new ArrayList<>();
                for (Val x : s.items()) {
                    if (!(x instanceof IntV i)) throw in.error(p.span(), "a list index must hold ints, got " + Vals.kind(x));
                    vals.add((double) checkPoint(in, p.span(), i.v(), n, axis).value());
                }
                Value idx = in.constant(p.span(), DType.I64, Shape.of(vals.size()), vals);
                return new AxisIndex(null, Dim.of(0), n, 1, false, idx, p.span());
            }
            Dim d = Vals.dimOf(v);
            if (d == null) throw in.error(p.span(), "an index must be an int, a dim, a slice or a tensor, got " + Vals.kind(v));
            return new AxisIndex(point(in, p.span(), d, n, axis), null, null, 1, false, null, p.span());
        }
        SliceIndex s = (SliceIndex) it;
        long step = 1;
        if (s.step() != null) {
            Val sv = in.eval(s.step(), env);
            if (!(sv instanceof IntV i)) throw in.error(s.step().span(), "a slice step must be an int, got " + Vals.kind(sv));
            step = i.v();
            if (step == 0) throw in.error(s.step().span(), "slice step cannot be zero");
        }
        if (step < 0) {
            if (s.start() != null || s.stop() != null)
                throw in.error(s.span(), "a negative step is supported only as [::-k] (the whole axis, reversed)",
                        "reverse first, e.g. reverse(x, axis)[a:b]");
            return new AxisIndex(null, Dim.of(0), n, -step, true, null, s.span());
        }
        Dim start = s.start() == null ? Dim.of(0) : bound(in, s.start(), n, env);
        Dim stop = s.stop() == null ? n : bound(in, s.stop(), n, env);
        if (start.isConst() && stop.isConst() && stop.value() < start.value()) stop = start;
        return new AxisIndex(null, start, stop, step, false, null, s.span());
    }

    /** A slice bound: negative counts from the end; clamped to [0, n] when that is known. */
    private static Dim bound(Interp in, Expr e, Dim n, Env env) {
        Val v = in.eval(e, env);
        Dim d = Vals.dimOf(v);
        if (d == null) throw in.error(e.span(), "a slice bound must be an int or a dim, got " + Vals.kind(v));
        if (d.isConst() && d.value() < 0) d = n.plus(d);
        if (d.isConst() && d.value() < 0) d = Dim.of(0);
        if (d.isConst() && n.isConst() && d.value() > n.value()) d = n;
        return d;
    }

    private static Dim point(Interp in, Span span, Dim d, Dim n, int axis) {
        if (d.isConst()) return checkPoint(in, span, d.value(), n, axis);
        return d;
    }

    private static Dim checkPoint(Interp in, Span span, long i, Dim n, int axis) {
        Dim k = i < 0 ? n.plus(i) : Dim.of(i);
        if (n.isConst() && (k.value() < 0 || k.value() >= n.value()))
            throw in.error(span, "index " + i + " is out of range for axis " + axis + " of size " + n);
        if (!n.isConst() && k.isConst() && k.value() < 0)
            throw in.error(span, "index " + i + " is out of range");
        return k;
    }
}
