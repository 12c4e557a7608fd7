package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reductions. {@code sum}, {@code mean}, {@code max}, {@code min} take {@code axes} (a sorted,
 * unique list of non-negative axes; the empty list reduces nothing) and {@code keepdims} (default
 * false: reduced axes are dropped; true: they stay as dims of 1). {@code argmax} and
 * {@code argmin} take one {@code axis} and {@code keepdims}, give i64 indices, and break ties
 * toward the FIRST occurrence (docs/models.md 4.5).
 *
 * <p>Reductions over zero elements: {@code sum} gives 0; {@code mean} gives NaN (0/0); {@code max}
 * gives -inf and {@code min} +inf for floating dtypes, false and true for bool, and fail for
 * integer dtypes, which have no such identity. NaN propagates through max/min; argmax/argmin
 * return the first NaN, as numpy does. {@code argmax}/{@code argmin} along an axis of size 0 fail.
 */
public final class ReduceOps {
    private ReduceOps() {}

    /** sum, mean, max, min over {@code axes}. */
    static final class Reduce extends OpDef {
        enum Fn { SUM, MEAN, MAX, MIN }

        private final Fn fn;

        Reduce(String name, Fn fn) {
            super(name, Kind.REDUCE, java.util.Set.of(dlc.ir.OpTrait.REDUCTION));
            this.fn = fn;
        }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            TensorType x = in.get(0);
            boolean[] reduced = mask(x.rank(), Checks.axes(this, x, Checks.longsAttr(this, attrs, "axes")));
            boolean keepdims = Checks.boolAttr(this, attrs, "keepdims", false);
            if (fn == Fn.MEAN) Checks.floating(this, x);
            if (fn == Fn.SUM && x.dtype() == DType.BOOL)
                throw new ShapeException("sum needs a numeric operand, got " + x, "cast the mask first, e.g. cast(m, i32)");
            if ((fn == Fn.MAX || fn == Fn.MIN) && x.dtype().isInteger())
                for (int a = 0; a < x.rank(); a++)
                    if (reduced[a] && x.shape().dim(a).equals(Dim.of(0)))
                        throw new ShapeException(name() + " over the empty axis " + a + " of " + x + " has no integer identity");
            return List.of(x.withShape(reducedShape(x.shape(), reduced, keepdims)));
        }

        /**
         * sum: the cotangent is broadcast back over the reduced axes; mean: the same divided by the
         * element count n (symbolic n is computed at run time as the sum of ones over those axes);
         * max/min: the whole cotangent goes to the FIRST extreme element of each reduced slice in
         * row-major order (docs/models.md 4.5), see {@link #extremeVjp}.
         */
        @Override public List<Value> vjp(VjpContext c) {
            Value x = c.input(0);
            if (!x.type().dtype().isFloating()) return noGradient(c);
            if (fn == Fn.MAX || fn == Fn.MIN) return List.of(extremeVjp(c));
            int[] axes = toInts(c.attrs().getLongs("axes"));
            Shape xs = x.type().shape();
            List<Dim> kept = new ArrayList<>(xs.dims()), counted = new ArrayList<>();
            for (int a : axes) { kept.set(a, Dim.of(1)); counted.add(xs.dim(a)); }
            Value g = c.op(Ops.RESHAPE, Attrs.of("shape", new Shape(kept)), c.cotangent(0));
            Value gx = c.op(Ops.BROADCAST_TO, Attrs.of("shape", xs), g);
            if (fn == Fn.MEAN) {
                Dim n = new Shape(counted).numel();
                Value count = n.isConst() ? c.scalar(n.value(), x.type().dtype())
                        : c.op(Ops.SUM, Attrs.of("axes", java.util.stream.LongStream.range(0, counted.size()).boxed().toList(), "keepdims", false),
                               c.fill(1, c.op(Ops.BROADCAST_TO, Attrs.of("shape", new Shape(counted)), c.scalar(0, x.type().dtype()))));
                gx = c.op(Ops.DIV, gx, count);
            }
            return List.of(gx);
        }

        /**
         * The max/min VJP from primitives: permute the reduced axes last (keeping their order),
         * flatten them into one axis of size N, take argmax/argmin along it (first occurrence, so
         * first in row-major order of the reduced coordinates), build the one-hot mask
         * {@code eq(iota, arg)}, route the cotangent through {@code where(mask, g, 0)}, then undo
         * the reshape and the permutation. Every step works on symbolic dims. The mask carries no
         * gradient, so the rule is linear in g and differentiates again. When the reduced element
         * count is a literal 0, x is empty and gets an empty cotangent; a symbolic count that is 0
         * at run time makes argmax fail loudly (it has no answer on an empty axis).
         */
        private Value extremeVjp(VjpContext c) {
            Value x = c.input(0);
            Shape xs = x.type().shape();
            int rank = xs.rank();
            boolean[] reduced = mask(rank, toInts(c.attrs().getLongs("axes")));
            List<Long> perm = new ArrayList<>();
            List<Dim> keptDims = new ArrayList<>(), reducedDims = new ArrayList<>();
            for (int a = 0; a < rank; a++) if (!reduced[a]) { perm.add((long) a); keptDims.add(xs.dim(a)); }
            for (int a = 0; a < rank; a++) if (reduced[a]) { perm.add((long) a); reducedDims.add(xs.dim(a)); }
            if (reducedDims.isEmpty()) return c.cotangent(0); // reduces nothing: the identity
            Dim n = reducedDims.size() == 1 ? reducedDims.get(0) : new Shape(reducedDims).numel();
            if (n.isConst() && n.value() == 0) return c.zerosLike(x);
            boolean identityPerm = true;
            for (int i = 0; i < rank; i++) identityPerm &= perm.get(i) == i;
            Value xp = identityPerm ? x : c.op(Ops.PERMUTE, Attrs.of("perm", perm), x);
            List<Dim> flatDims = new ArrayList<>(keptDims);
            flatDims.add(n);
            Shape flat = new Shape(flatDims);
            Value xf = reducedDims.size() == 1 ? xp : c.op(Ops.RESHAPE, Attrs.of("shape", flat), xp);
            long axis = keptDims.size();
            Value arg = c.op(fn == Fn.MAX ? Ops.ARGMAX : Ops.ARGMIN, Attrs.of("axis", axis, "keepdims", true), xf);
            Value pos = c.op(Ops.IOTA, Attrs.of("dtype", DType.I64, "shape", flat, "axis", axis));
            Value first = c.op(Ops.EQ, pos, arg);
            List<Dim> oneDims = new ArrayList<>(keptDims);
            oneDims.add(Dim.of(1));
            Value g = c.op(Ops.RESHAPE, Attrs.of("shape", new Shape(oneDims)), c.cotangent(0));
            Value gf = c.op(Ops.WHERE, first, g, c.scalar(0, x.type().dtype()));
            Value gp = reducedDims.size() == 1 ? gf : c.op(Ops.RESHAPE, Attrs.of("shape", xp.type().shape()), gf);
            if (identityPerm) return gp;
            List<Long> inverse = new ArrayList<>(java.util.Collections.nCopies(rank, 0L));
            for (int i = 0; i < rank; i++) inverse.set(Math.toIntExact(perm.get(i)), (long) i);
            return c.op(Ops.PERMUTE, Attrs.of("perm", inverse), gp);
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            Tensor x = in[0];
            boolean[] reduced = mask(x.rank(), toInts(attrs.getLongs("axes")));
            int[] outShape = reducedShape(x.shape(), reduced, attrs.getBool("keepdims", false));
            int[] target = outputIndex(x.shape(), reduced);
            double[] xs = x.data(), y = new double[(int) Tensor.numel(outShape)];
            long count = y.length == 0 ? 0 : xs.length / y.length;
            if (count == 0 && y.length > 0 && (fn == Fn.MAX || fn == Fn.MIN) && x.dtype().isInteger())
                throw new IllegalArgumentException(name() + " over an empty axis of a " + x.dtype() + " tensor of shape "
                        + Arrays.toString(x.shape()) + " has no identity");
            Arrays.fill(y, identity(x.dtype()));
            for (int i = 0; i < xs.length; i++) y[target[i]] = combine(y[target[i]], xs[i]);
            if (fn == Fn.MEAN) for (int j = 0; j < y.length; j++) y[j] /= count; // 0/0 = NaN for empty means
            if (fn == Fn.SUM && x.dtype().isInteger()) dlc.numerics.Ints.wrapAll(y, 0, y.length, x.dtype().intKind());
            return new Tensor[]{new Tensor(x.dtype(), outShape, y)};
        }

        private double identity(DType d) {
            return switch (fn) {
                case SUM, MEAN -> 0;
                case MAX -> d == DType.BOOL ? 0 : Double.NEGATIVE_INFINITY;
                case MIN -> d == DType.BOOL ? 1 : Double.POSITIVE_INFINITY;
            };
        }

        private double combine(double acc, double v) {
            return switch (fn) {
                case SUM, MEAN -> acc + v;
                // once acc is NaN neither comparison holds, so NaN sticks
                case MAX -> v > acc || Double.isNaN(v) ? v : acc;
                case MIN -> v < acc || Double.isNaN(v) ? v : acc;
            };
        }
    }

    /** argmax, argmin along one {@code axis}: i64 index of the first extreme value. */
    static final class ArgReduce extends OpDef {
        private final boolean max;

        ArgReduce(String name, boolean max) {
            super(name, Kind.REDUCE);
            this.max = max;
        }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            TensorType x = in.get(0);
            int axis = Checks.axis(this, x, Checks.longAttr(this, attrs, "axis"));
            boolean keepdims = Checks.boolAttr(this, attrs, "keepdims", false);
            if (x.shape().dim(axis).equals(Dim.of(0)))
                throw new ShapeException(name() + " along the empty axis " + axis + " of " + x + " has no answer");
            boolean[] reduced = mask(x.rank(), new int[]{axis});
            return List.of(new TensorType(DType.I64, reducedShape(x.shape(), reduced, keepdims)));
        }

        /** Indices are piecewise constant in x: no gradient (docs/models.md 4.5). */
        @Override public List<Value> vjp(VjpContext c) { return noGradient(c); }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            Tensor x = in[0];
            int axis = (int) attrs.getLong("axis");
            int[] shape = x.shape();
            int n = shape[axis];
            int inner = (int) Tensor.numel(Arrays.copyOfRange(shape, axis + 1, shape.length));
            int outer = (int) Tensor.numel(Arrays.copyOfRange(shape, 0, axis));
            int[] outShape = reducedShape(shape, mask(shape.length, new int[]{axis}), attrs.getBool("keepdims", false));
            double[] xs = x.data(), y = new double[outer * inner];
            if (n == 0 && y.length > 0)
                throw new IllegalArgumentException(name() + " along axis " + axis + " of size 0 (shape " + Arrays.toString(shape) + ")");
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++) {
                    int base = o * n * inner + i, best = 0;
                    for (int k = 1; k < n && !Double.isNaN(xs[base + best * inner]); k++) {
                        double v = xs[base + k * inner], b = xs[base + best * inner];
                        // strict comparison keeps the first of equal values
                        if (Double.isNaN(v) || (max ? v > b : v < b)) best = k;
                    }
                    y[o * inner + i] = best;
                }
            return new Tensor[]{new Tensor(DType.I64, outShape, y)};
        }
    }

    static boolean[] mask(int rank, int[] axes) {
        boolean[] m = new boolean[rank];
        for (int a : axes) m[a] = true;
        return m;
    }

    private static int[] toInts(long[] axes) { return Arrays.stream(axes).mapToInt(Math::toIntExact).toArray(); }

    /** The result shape: reduced dims dropped, or kept as 1. */
    static Shape reducedShape(Shape s, boolean[] reduced, boolean keepdims) {
        List<Dim> out = new ArrayList<>();
        for (int a = 0; a < s.rank(); a++)
            if (!reduced[a]) out.add(s.dim(a));
            else if (keepdims) out.add(Dim.of(1));
        return new Shape(out);
    }

    static int[] reducedShape(int[] s, boolean[] reduced, boolean keepdims) {
        int[] out = new int[s.length];
        int r = 0;
        for (int a = 0; a < s.length; a++)
            if (!reduced[a]) out[r++] = s[a];
            else if (keepdims) out[r++] = 1;
        return Arrays.copyOf(out, r);
    }

    /**
     * For each flat (row-major) index of a tensor of shape {@code in}, the flat index of the result
     * cell it reduces into. Keeping or dropping reduced dims does not change result order.
     */
    static int[] outputIndex(int[] in, boolean[] reduced) {
        int r = in.length;
        int[] outStrides = new int[r];
        int s = 1;
        for (int a = r - 1; a >= 0; a--) {
            outStrides[a] = reduced[a] ? 0 : s;
            if (!reduced[a]) s *= in[a];
        }
        int n = (int) Tensor.numel(in);
        int[] idx = new int[n], counter = new int[r];
        int cur = 0;
        for (int k = 0; k < n; k++) {
            idx[k] = cur;
            for (int a = r - 1; a >= 0; a--) {
                counter[a]++;
                cur += outStrides[a];
                if (counter[a] < in[a]) break;
                cur -= outStrides[a] * counter[a];
                counter[a] = 0;
            }
        }
        return idx;
    }
}
