package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Movement ops that cut, extend, flip or join along axes: slice, pad, reverse, concat. */
final class MovementSliceOps {
    private MovementSliceOps() {}

    /**
     * slice(x) {starts, stops, steps}: per axis the elements start, start+step, ... below stop.
     * starts and stops are shapes so they may be symbolic ({@code stop = T}); checked
     * {@code 0 <= start <= stop <= dim} wherever the difference is a known integer; steps >= 1.
     * Result dim: {@code (stop - start + step - 1) / step}.
     */
    static final class Slice extends OpDef {
        Slice() { super("slice", Kind.INJECTIVE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            TensorType x = in.get(0);
            Shape starts = Checks.shapeAttr(this, attrs, "starts"), stops = Checks.shapeAttr(this, attrs, "stops");
            long[] steps = Checks.longsAttr(this, attrs, "steps");
            if (starts.rank() != x.rank() || stops.rank() != x.rank() || steps.length != x.rank())
                throw new ShapeException("slice of " + x + " needs one start, stop and step per axis, got starts " + starts
                        + ", stops " + stops + ", steps " + Arrays.toString(steps));
            List<Dim> out = new ArrayList<>();
            for (int a = 0; a < x.rank(); a++) {
                Dim start = starts.dim(a), stop = stops.dim(a), dim = x.shape().dim(a);
                String where = "slice of " + x + " axis " + a + " [" + start + ":" + stop + ":" + steps[a] + "]";
                if (steps[a] < 1) throw new ShapeException(where + ": step must be >= 1");
                if (provablyNegative(start)) throw new ShapeException(where + ": start is negative",
                        "the frontend turns negative starts into dim - k");
                if (provablyNegative(dim.minus(start))) throw new ShapeException(where + ": start is past the dim " + dim);
                if (provablyNegative(stop.minus(start))) throw new ShapeException(where + ": stop is before start");
                if (provablyNegative(dim.minus(stop))) throw new ShapeException(where + ": stop is past the dim " + dim);
                out.add(stop.minus(start).plus(steps[a] - 1).floorDiv(Dim.of(steps[a])));
            }
            return List.of(x.withShape(new Shape(out)));
        }

        private static boolean provablyNegative(Dim d) { return d.isConst() && d.value() < 0; }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int[] s = in[0].shape(), st = Tensor.strides(s);
            int[] start = ctx.resolve(attrs.getShape("starts")), stop = ctx.resolve(attrs.getShape("stops"));
            long[] step = attrs.getLongs("steps");
            int[] out = new int[s.length];
            for (int a = 0; a < s.length; a++) {
                if (start[a] < 0 || start[a] > stop[a] || stop[a] > s[a])
                    throw new IllegalArgumentException("slice axis " + a + " [" + start[a] + ":" + stop[a] + "] is out of range for size " + s[a]);
                out[a] = (int) Math.floorDiv(stop[a] - start[a] + step[a] - 1, step[a]);
            }
            double[] x = in[0].data(), y = new double[(int) Tensor.numel(out)];
            MovementIndexing.forEach(out, (c, flat) -> {
                int src = 0;
                for (int a = 0; a < c.length; a++) src += (start[a] + c[a] * (int) step[a]) * st[a];
                y[flat] = x[src];
            });
            return new Tensor[]{new Tensor(in[0].dtype(), out, y)};
        }

        /**
         * The cotangent placed back where the slice read it, zeros elsewhere. Axes with step 1
         * and literal margins ({@code start} and {@code dim - stop} known integers) are restored
         * by one zero {@code pad}. Every other axis (a step above 1, or a symbolic margin) is
         * restored by {@code scatter_add} of the cotangent into zeros along that axis at the
         * indices the slice read, which are {@code slice(iota(dim))} with the same
         * start/stop/step; those indices are distinct, so the scatter places rather than sums.
         * Both are linear in the cotangent and have VJPs of their own (slice, gather), so the
         * rule differentiates again.
         */
        @Override public List<Value> vjp(VjpContext c) {
            Value x = c.input(0);
            if (!x.type().dtype().isFloating()) return noGradient(c);
            Shape xs = x.type().shape(), starts = c.attrs().getShape("starts"), stops = c.attrs().getShape("stops");
            long[] steps = c.attrs().getLongs("steps");
            int rank = xs.rank();
            Value g = c.cotangent(0);
            long[] low = new long[rank], high = new long[rank];
            boolean padding = false;
            for (int a = 0; a < rank; a++) {
                Dim start = starts.dim(a), stop = stops.dim(a), dim = xs.dim(a), tail = dim.minus(stop);
                if (steps[a] == 1 && start.isConst() && tail.isConst()) {
                    low[a] = start.value();
                    high[a] = tail.value();
                    padding |= low[a] != 0 || high[a] != 0;
                    continue;
                }
                List<Dim> wide = new ArrayList<>(g.type().shape().dims());
                wide.set(a, dim);
                Value zeros = c.op(Ops.BROADCAST_TO, Attrs.of("shape", new Shape(wide)), c.scalar(0, x.type().dtype()));
                Value positions = c.op(Ops.IOTA, Attrs.of("dtype", DType.I64, "shape", Shape.of(dim), "axis", 0L));
                Value read = c.op(Ops.SLICE, Attrs.of("starts", Shape.of(start), "stops", Shape.of(stop), "steps", List.of(steps[a])), positions);
                g = c.op(Ops.SCATTER_ADD, Attrs.of("axis", (long) a), zeros, read, g);
            }
            if (padding) g = c.op(Ops.PAD, Attrs.of("low", boxed(low), "high", boxed(high)), g);
            return List.of(g);
        }
    }

    private static List<Long> boxed(long[] v) { return Arrays.stream(v).boxed().toList(); }

    /** The whole of every axis except {@code axis}, which is cut to {@code [from, to)}. */
    private static Value sliceAlong(VjpContext c, Value v, int axis, Dim from, Dim to) {
        Shape s = v.type().shape();
        List<Dim> starts = new ArrayList<>(), stops = new ArrayList<>();
        List<Long> steps = new ArrayList<>();
        for (int a = 0; a < s.rank(); a++) {
            starts.add(a == axis ? from : Dim.of(0));
            stops.add(a == axis ? to : s.dim(a));
            steps.add(1L);
        }
        return c.op(Ops.SLICE, Attrs.of("starts", new Shape(starts), "stops", new Shape(stops), "steps", steps), v);
    }

    /** pad(x) {low, high, value}: constant padding by non-negative counts per axis; value defaults to 0 and may be -inf. */
    static final class Pad extends OpDef {
        Pad() { super("pad", Kind.INJECTIVE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            TensorType x = in.get(0);
            long[] low = Checks.longsAttr(this, attrs, "low"), high = Checks.longsAttr(this, attrs, "high");
            if (low.length != x.rank() || high.length != x.rank())
                throw new ShapeException("pad of " + x + " needs one low and one high count per axis, got low "
                        + Arrays.toString(low) + ", high " + Arrays.toString(high));
            if (Arrays.stream(low).anyMatch(p -> p < 0) || Arrays.stream(high).anyMatch(p -> p < 0))
                throw new ShapeException("pad counts must be non-negative, got low " + Arrays.toString(low) + ", high "
                        + Arrays.toString(high), "use slice to crop");
            Object v = attrs.get("value");
            if (v != null && !(v instanceof Number)) throw new ShapeException("pad value must be a number, got " + Attrs.format(v));
            double value = attrs.getDouble("value", 0);
            if (x.dtype() == DType.BOOL ? value != 0 && value != 1 : !x.dtype().isFloating() && value != Math.rint(value))
                throw new ShapeException("pad value " + Attrs.formatDouble(value) + " is not a " + x.dtype() + " value (padding " + x + ")");
            List<Dim> out = new ArrayList<>();
            for (int a = 0; a < x.rank(); a++) out.add(x.shape().dim(a).plus(low[a] + high[a]));
            return List.of(x.withShape(new Shape(out)));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            long[] low = attrs.getLongs("low"), high = attrs.getLongs("high");
            int[] s = in[0].shape(), out = new int[s.length];
            for (int a = 0; a < s.length; a++) out[a] = s[a] + (int) (low[a] + high[a]);
            int[] ost = Tensor.strides(out);
            double[] x = in[0].data(), y = new double[(int) Tensor.numel(out)];
            Arrays.fill(y, attrs.getDouble("value", 0));
            MovementIndexing.forEach(s, (c, flat) -> {
                int dst = 0;
                for (int a = 0; a < c.length; a++) dst += (c[a] + (int) low[a]) * ost[a];
                y[dst] = x[flat];
            });
            return new Tensor[]{new Tensor(in[0].dtype(), out, y)};
        }

        /** The cotangent cut back to the operand's window {@code [low, low + dim)} on every axis. */
        @Override public List<Value> vjp(VjpContext c) {
            Value x = c.input(0);
            if (!x.type().dtype().isFloating()) return noGradient(c);
            long[] low = c.attrs().getLongs("low");
            Shape xs = x.type().shape();
            List<Dim> starts = new ArrayList<>(), stops = new ArrayList<>();
            List<Long> steps = new ArrayList<>();
            for (int a = 0; a < xs.rank(); a++) {
                starts.add(Dim.of(low[a]));
                stops.add(xs.dim(a).plus(low[a]));
                steps.add(1L);
            }
            return List.of(c.op(Ops.SLICE, Attrs.of("starts", new Shape(starts), "stops", new Shape(stops), "steps", steps), c.cotangent(0)));
        }
    }

    /** reverse(x) {axes}: flips the listed axes (sorted, unique). */
    static final class Reverse extends OpDef {
        Reverse() { super("reverse", Kind.INJECTIVE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            Checks.axes(this, in.get(0), Checks.longsAttr(this, attrs, "axes"));
            return List.of(in.get(0));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int[] s = in[0].shape(), st = Tensor.strides(s);
            boolean[] flip = ReduceOps.mask(s.length, Arrays.stream(attrs.getLongs("axes")).mapToInt(Math::toIntExact).toArray());
            double[] x = in[0].data(), y = new double[x.length];
            MovementIndexing.forEach(s, (c, flat) -> {
                int src = 0;
                for (int a = 0; a < c.length; a++) src += (flip[a] ? s[a] - 1 - c[a] : c[a]) * st[a];
                y[flat] = x[src];
            });
            return new Tensor[]{new Tensor(in[0].dtype(), s, y)};
        }

        /** Reversing is its own inverse and transpose: the cotangent is flipped back. */
        @Override public List<Value> vjp(VjpContext c) {
            if (!c.input(0).type().dtype().isFloating()) return noGradient(c);
            return List.of(c.op(Ops.REVERSE, Attrs.of("axes", c.attrs().get("axes")), c.cotangent(0)));
        }
    }

    /** concat(x0, x1, ...) {axis}: one or more operands of one dtype and rank, equal except along axis. */
    static final class Concat extends OpDef {
        Concat() { super("concat", Kind.INJECTIVE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            if (in.isEmpty()) throw new ShapeException("concat needs at least one operand");
            TensorType first = in.get(0);
            int axis = Checks.axis(this, first, Checks.longAttr(this, attrs, "axis"));
            Dim total = Dim.of(0);
            for (TensorType t : in) {
                if (t.dtype() != first.dtype() || t.rank() != first.rank())
                    throw new ShapeException("concat operands differ in dtype or rank: " + first + " and " + t);
                for (int a = 0; a < t.rank(); a++)
                    if (a != axis && !t.shape().dim(a).equals(first.shape().dim(a)))
                        throw new ShapeException("concat along axis " + axis + ": " + first + " and " + t + " differ in dim " + a,
                                "all dims but the concatenated one must be equal");
                total = total.plus(t.shape().dim(axis));
            }
            List<Dim> out = new ArrayList<>(first.shape().dims());
            out.set(axis, total);
            return List.of(first.withShape(new Shape(out)));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int axis = (int) attrs.getLong("axis");
            int[] out = in[0].shape();
            out[axis] = 0;
            for (Tensor t : in) out[axis] += t.dim(axis);
            int outer = MovementIndexing.block(out, 0, axis), inner = MovementIndexing.block(out, axis + 1, out.length);
            double[] y = new double[(int) Tensor.numel(out)];
            int dst = 0;
            for (int o = 0; o < outer; o++)
                for (Tensor t : in) {
                    int rows = t.dim(axis) * inner;
                    System.arraycopy(t.data(), o * rows, y, dst, rows);
                    dst += rows;
                }
            return new Tensor[]{new Tensor(in[0].dtype(), out, y)};
        }

        /** Operand k gets the cotangent's slab along axis at the offset where it was placed. */
        @Override public List<Value> vjp(VjpContext c) {
            if (!c.input(0).type().dtype().isFloating()) return noGradient(c);
            int axis = (int) c.attrs().getLong("axis");
            Value g = c.cotangent(0);
            List<Value> grads = new ArrayList<>();
            Dim offset = Dim.of(0);
            for (int k = 0; k < c.inputCount(); k++) {
                Dim next = offset.plus(c.input(k).type().shape().dim(axis));
                grads.add(c.inputCount() == 1 ? g : sliceAlong(c, g, axis, offset, next));
                offset = next;
            }
            return grads;
        }
    }
}
