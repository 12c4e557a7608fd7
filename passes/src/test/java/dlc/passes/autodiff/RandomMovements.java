package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;

import java.util.*;

/**
 * Random attributes for movement ops and reductions on concrete shapes, and random chains of them,
 * for gradient properties. Every builder applies one op to {@code x} with attributes drawn from
 * {@code r}; all attributes are valid for x's shape, so a chain always type-checks.
 */
final class RandomMovements {
    private RandomMovements() {}

    /** Ops {@link #apply} knows; each takes x alone (concat, gather, scatter_add derive their extra operands from x). */
    static final List<OpDef> OPS = List.of(Ops.RESHAPE, Ops.PERMUTE, Ops.BROADCAST_TO, Ops.SLICE, Ops.PAD, Ops.REVERSE, Ops.CONCAT, Ops.GATHER, Ops.SCATTER_ADD, Ops.MAX, Ops.MIN, Ops.SUM, Ops.MEAN);

    static int[] shapeOf(Value v) { return v.type().shape().eval(Map.of()); }

    static List<Long> range(int n) {
        List<Long> l = new ArrayList<>();
        for (long i = 0; i < n; i++) l.add(i);
        return l;
    }

    /** A random subset of {@code 0..rank-1}, sorted. */
    static List<Long> subset(Random r, int rank) {
        List<Long> axes = new ArrayList<>();
        for (long a = 0; a < rank; a++) if (r.nextBoolean()) axes.add(a);
        return axes;
    }

    /** A random shape with the same element count as {@code s} (rank 0-4 when possible; numel >= 1). */
    static long[] reshapeTarget(Random r, int[] s) {
        List<Integer> factors = new ArrayList<>();
        long n = Tensor.numel(s);
        for (int p = 2; n > 1; ) {
            if (n % p == 0) { factors.add(p); n /= p; } else p++;
        }
        Collections.shuffle(factors, r);
        int rank = Math.max(factors.isEmpty() ? 0 : 1, r.nextInt(5));
        if (rank == 0) return new long[0];
        long[] t = new long[rank];
        Arrays.fill(t, 1);
        for (int f : factors) t[r.nextInt(rank)] *= f;
        return t;
    }

    /** A target x broadcasts to: its 1-dims stretched at random, 0-2 leading dims added. */
    static long[] broadcastTarget(Random r, int[] s) {
        int lead = r.nextInt(3);
        long[] t = new long[lead + s.length];
        for (int i = 0; i < lead; i++) t[i] = 1 + r.nextInt(3);
        for (int i = 0; i < s.length; i++) t[lead + i] = s[i] == 1 ? 1 + r.nextInt(3) : s[i];
        return t;
    }

    /** slice attributes: per axis start <= stop <= dim, step 1-3; {@code nonEmpty} keeps at least one element per axis. */
    static Attrs sliceAttrs(Random r, int[] s, boolean nonEmpty) {
        List<Dim> starts = new ArrayList<>(), stops = new ArrayList<>();
        List<Long> steps = new ArrayList<>();
        for (int d : s) {
            int start = nonEmpty ? r.nextInt(d) : r.nextInt(d + 1);
            int stop = nonEmpty ? start + 1 + r.nextInt(d - start) : start + r.nextInt(d - start + 1);
            starts.add(Dim.of(start));
            stops.add(Dim.of(stop));
            steps.add(1L + r.nextInt(3));
        }
        return Attrs.of("starts", new Shape(starts), "stops", new Shape(stops), "steps", steps);
    }

    static Attrs padAttrs(Random r, int rank) {
        List<Long> low = new ArrayList<>(), high = new ArrayList<>();
        for (int a = 0; a < rank; a++) {
            low.add((long) r.nextInt(3));
            high.add((long) r.nextInt(3));
        }
        Attrs a = Attrs.of("low", low, "high", high);
        return r.nextInt(3) == 0 ? a.with("value", 1.5) : a;
    }

    /** i64 indices of a random shape (rank 0-2) into an axis of size n, with repeats likely. */
    static Value indices(GraphBuilder b, Random r, int n) {
        int[] s = new int[r.nextInt(3)];
        for (int i = 0; i < s.length; i++) s[i] = 1 + r.nextInt(3);
        int count = (int) Tensor.numel(s);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < count; i++) values.add((double) r.nextInt(n));
        if (count >= 2 && n >= 1) values.set(count - 1, values.get(0)); // a repeat, so scatter must accumulate
        return b.op(Ops.CONSTANT, Attrs.of("dtype", DType.I64, "shape", Shape.of(GraphsForGrad.toLongs(s)), "values", values));
    }

    /** {@code op} applied to x with random attributes; see {@link #OPS}. */
    static Value apply(OpDef op, GraphBuilder b, Value x, Random r) {
        int[] s = shapeOf(x);
        int rank = s.length;
        if (op == Ops.RESHAPE) return b.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(reshapeTarget(r, s))), x);
        if (op == Ops.PERMUTE) {
            List<Long> perm = range(rank);
            Collections.shuffle(perm, r);
            return b.op(Ops.PERMUTE, Attrs.of("perm", perm), x);
        }
        if (op == Ops.BROADCAST_TO) return b.op(Ops.BROADCAST_TO, Attrs.of("shape", Shape.of(broadcastTarget(r, s))), x);
        if (op == Ops.SLICE) return b.op(Ops.SLICE, sliceAttrs(r, s, true), x);
        if (op == Ops.PAD) return b.op(Ops.PAD, padAttrs(r, rank), x);
        if (op == Ops.REVERSE) return b.op(Ops.REVERSE, Attrs.of("axes", subset(r, rank)), x);
        if (op == Ops.CONCAT) {
            if (rank == 0) return apply(Ops.RESHAPE, b, x, r);
            long axis = r.nextInt(rank);
            // x with itself, flipped or cut along the axis: gradient reaches x through every part
            Value second = r.nextBoolean() ? b.op(Ops.REVERSE, Attrs.of("axes", List.of(axis)), x) : x;
            Value third = b.op(Ops.SLICE, sliceAttrs(r, s, true), x);
            int[] ts = shapeOf(third);
            boolean fits = true;
            for (int a = 0; a < rank; a++) fits &= a == axis || ts[a] == s[a];
            return fits && r.nextBoolean() ? b.op(Ops.CONCAT, Attrs.of("axis", axis), x, second, third)
                    : b.op(Ops.CONCAT, Attrs.of("axis", axis), x, second);
        }
        if (op == Ops.GATHER) {
            if (rank == 0) return apply(Ops.RESHAPE, b, x, r);
            long axis = r.nextInt(rank);
            return b.op(Ops.GATHER, Attrs.of("axis", axis), x, indices(b, r, s[(int) axis]));
        }
        if (op == Ops.SCATTER_ADD) {
            if (rank == 0) return apply(Ops.RESHAPE, b, x, r);
            long axis = r.nextInt(rank);
            Value idx = indices(b, r, s[(int) axis]);
            // updates read from x at other indices of the same shape, so both operands depend on x
            Value updates = b.op(Ops.GATHER, Attrs.of("axis", axis), b.op(Ops.REVERSE, Attrs.of("axes", List.of(axis)), x), idx);
            return b.op(Ops.SCATTER_ADD, Attrs.of("axis", axis), x, idx, updates);
        }
        if (op.is(OpTrait.REDUCTION))
        return b.op(op, Attrs.of("axes", subset(r, rank), "keepdims", r.nextBoolean()), x);
        throw new IllegalArgumentException("no random attributes for " + op);
    }

    /** {@code steps} random ops from {@code ops} applied in turn; stops growing once a result exceeds 200 elements. */
    static Value chain(GraphBuilder b, Value x, Random r, int steps, List<OpDef> ops) {
        Value v = x;
        for (int i = 0; i < steps; i++) {
            Value next = apply(ops.get(r.nextInt(ops.size())), b, v, r);
            if (Tensor.numel(shapeOf(next)) > 200) continue;
            v = next;
        }
        return v;
    }
}
