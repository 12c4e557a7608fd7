package dlc.runtime;

import dlc.ir.ops.Ops;
import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.Shape;
import dlc.ir.eval.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static dlc.runtime.Reference.*;

/**
 * Every movement kernel against the reference op on random shapes, attributes, offsets and both
 * storages (float[] for f32, double[] otherwise). The strides passed to {@link Movement#copy} are
 * worked out here the way the codegen-jvm lowerings do (those are tested again there, with
 * symbolic dims).
 */
class MovementTest {
    private static final DType[] DTYPES = {DType.F32, DType.F64, DType.I64};

    /** Runs one strided copy in both storages (x at a random offset, y after a random gap) and compares with want. */
    private static void checkCopy(Random r, String what, Tensor x, Tensor want, int xBase, int[] xStrides,
                                  int yBase, int[] yStrides, int[] dims, Double border) {
        int xOff = r.nextInt(4), yOff = r.nextInt(4), n = want.size();
        if (x.dtype() == DType.F32) {
            float[] xs = at(xOff, floats(x.data())), y = floatBuffer(yOff, n);
            if (border != null) Movement.fill(y, yOff, n, border);
            Movement.copy(xs, xOff + xBase, xStrides, y, yOff + yBase, yStrides, dims);
            assertSame(want, y, yOff, what);
        } else {
            double[] xs = at(xOff, x.data()), y = doubleBuffer(yOff, n);
            if (border != null) Movement.fill(y, yOff, n, border);
            Movement.copy(xs, xOff + xBase, xStrides, y, yOff + yBase, yStrides, dims);
            assertSame(want, y, yOff, what);
        }
    }

    private static DType dtype(Random r) { return DTYPES[r.nextInt(DTYPES.length)]; }

    private static void permute(Random r, int[] shape, int[] perm, DType dt) {
        Tensor x = random(r, dt, shape);
        Tensor want = eval(Ops.PERMUTE, Attrs.of("perm", perm), x);
        int[] st = denseStrides(shape), out = new int[perm.length], xs = new int[perm.length];
        for (int i = 0; i < perm.length; i++) { out[i] = shape[perm[i]]; xs[i] = st[perm[i]]; }
        checkCopy(r, "permute " + java.util.Arrays.toString(shape) + " by " + java.util.Arrays.toString(perm),
                x, want, 0, xs, 0, denseStrides(out), out, null);
    }

    @Property
    void permuteMatchesReference(@ForAll long seed) {
        Random r = new Random(seed);
        int rank = r.nextInt(5);
        List<Integer> p = new ArrayList<>();
        for (int i = 0; i < rank; i++) p.add(i);
        Collections.shuffle(p, r);
        permute(r, randomShape(r, rank, 5), p.stream().mapToInt(Integer::intValue).toArray(), dtype(r));
    }

    /** Shapes big enough for the tiled transpose, including ragged tile edges and a batch axis. */
    @Test
    void bigTransposesMatchReference() {
        Random r = new Random(7);
        for (DType dt : new DType[]{DType.F32, DType.F64}) {
            permute(r, new int[]{70, 101}, new int[]{1, 0}, dt);
            permute(r, new int[]{3, 40, 65}, new int[]{0, 2, 1}, dt);
            permute(r, new int[]{33, 2, 47}, new int[]{2, 1, 0}, dt);
        }
    }

    @Property
    void broadcastToMatchesReference(@ForAll long seed) {
        Random r = new Random(seed);
        int rank = r.nextInt(4), extra = r.nextInt(3);
        int[] to = randomShape(r, rank + extra, 4), shape = new int[rank];
        for (int i = 0; i < rank; i++) shape[i] = r.nextBoolean() ? 1 : to[extra + i];
        Tensor x = random(r, dtype(r), shape);
        Tensor want = eval(Ops.BROADCAST_TO, Attrs.of("shape", Shape.of(java.util.Arrays.stream(to).asLongStream().toArray())), x);
        int[] st = denseStrides(shape), xs = new int[to.length];
        for (int i = 0; i < rank; i++) xs[extra + i] = shape[i] == 1 ? 0 : st[i];
        checkCopy(r, "broadcast_to", x, want, 0, xs, 0, denseStrides(to), to, null);
    }

    @Property
    void sliceMatchesReference(@ForAll long seed) {
        Random r = new Random(seed);
        int rank = r.nextInt(4);
        int[] shape = randomShape(r, rank, 6), start = new int[rank], stop = new int[rank], step = new int[rank], out = new int[rank];
        int[] st = denseStrides(shape), xs = new int[rank];
        int base = 0;
        for (int a = 0; a < rank; a++) {
            start[a] = r.nextInt(shape[a] + 1);
            stop[a] = start[a] + r.nextInt(shape[a] - start[a] + 1);
            step[a] = 1 + r.nextInt(3);
            out[a] = (stop[a] - start[a] + step[a] - 1) / step[a];
            xs[a] = st[a] * step[a];
            base += start[a] * st[a];
        }
        Tensor x = random(r, dtype(r), shape);
        Tensor want = eval(Ops.SLICE, Attrs.of("starts", shapeOf(start), "stops", shapeOf(stop), "steps", step), x);
        // an empty result never reads x, so a start at the end of an axis is fine
        checkCopy(r, "slice", x, want, numel(out) == 0 ? 0 : base, xs, 0, denseStrides(out), out, null);
    }

    @Property
    void reverseMatchesReference(@ForAll long seed) {
        Random r = new Random(seed);
        int rank = r.nextInt(4);
        int[] shape = randomShape(r, rank, 5), st = denseStrides(shape), flips = new int[rank];
        List<Long> axes = new ArrayList<>();
        for (int a = 0; a < rank; a++)
            if (r.nextBoolean()) {
                axes.add((long) a);
                flips[a] = 1;
            }
        Tensor x = random(r, dtype(r), shape);
        Tensor want = eval(Ops.REVERSE, Attrs.of("axes", axes), x);
        int xOff = r.nextInt(4), yOff = r.nextInt(4), n = want.size();
        if (x.dtype() == DType.F32) {
            float[] y = floatBuffer(yOff, n);
            Movement.copy(at(xOff, floats(x.data())), xOff, st, flips, y, yOff, st, shape);
            assertSame(want, y, yOff, "reverse " + axes);
        } else {
            double[] y = doubleBuffer(yOff, n);
            Movement.copy(at(xOff, x.data()), xOff, st, flips, y, yOff, st, shape);
            assertSame(want, y, yOff, "reverse " + axes);
        }
    }

    /** Negative strides are allowed too (the kernel contract does not need flips for constant strides). */
    @Test
    void negativeStridesReadBackwards() {
        double[] x = {1, 2, 3, 4, 5, 6}, y = new double[6];
        Movement.copy(x, 5, new int[]{-3, -1}, y, 0, new int[]{3, 1}, new int[]{2, 3});
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[]{6, 5, 4, 3, 2, 1}, y);
    }

    @Property
    void padMatchesReference(@ForAll long seed) {
        Random r = new Random(seed);
        int rank = r.nextInt(4);
        int[] shape = randomShape(r, rank, 4), low = new int[rank], high = new int[rank], out = new int[rank];
        for (int a = 0; a < rank; a++) {
            low[a] = r.nextInt(3);
            high[a] = r.nextInt(3);
            out[a] = shape[a] + low[a] + high[a];
        }
        DType dt = dtype(r);
        double value = dt.isFloating() && r.nextBoolean() ? Double.NEGATIVE_INFINITY : r.nextInt(5) - 2;
        Tensor x = random(r, dt, shape);
        Tensor want = eval(Ops.PAD, Attrs.of("low", low, "high", high, "value", value), x);
        int[] ost = denseStrides(out);
        int base = 0;
        for (int a = 0; a < rank; a++) base += low[a] * ost[a];
        checkCopy(r, "pad", x, want, 0, denseStrides(shape), numel(shape) == 0 ? 0 : base, ost, shape, value);
    }

    @Property
    void concatMatchesReference(@ForAll long seed) {
        Random r = new Random(seed);
        int rank = 1 + r.nextInt(3), axis = r.nextInt(rank), k = 1 + r.nextInt(3);
        int[] shape = randomShape(r, rank, 4), out = shape.clone();
        DType dt = dtype(r);
        Tensor[] in = new Tensor[k];
        out[axis] = 0;
        for (int i = 0; i < k; i++) {
            int[] s = shape.clone();
            s[axis] = r.nextInt(4);
            out[axis] += s[axis];
            in[i] = random(r, dt, s);
        }
        Tensor want = eval(Ops.CONCAT, Attrs.of("axis", axis), in);
        int[] ost = denseStrides(out);
        int yOff = r.nextInt(3), at = 0;
        float[] yf = floatBuffer(yOff, want.size());
        double[] yd = doubleBuffer(yOff, want.size());
        for (Tensor t : in) {
            int[] s = t.shape();
            if (dt == DType.F32) Movement.copy(floats(t.data()), 0, denseStrides(s), yf, yOff + at * ost[axis], ost, s);
            else Movement.copy(t.data(), 0, denseStrides(s), yd, yOff + at * ost[axis], ost, s);
            at += s[axis];
        }
        if (dt == DType.F32) assertSame(want, yf, yOff, "concat");
        else assertSame(want, yd, yOff, "concat");
    }

    @Property
    void constantMatchesReference(@ForAll long seed) {
        Random r = new Random(seed);
        int[] shape = randomShape(r, r.nextInt(3), 4);
        int n = numel(shape);
        double[] values = new double[r.nextBoolean() ? 1 : n];
        for (int i = 0; i < values.length; i++) values[i] = r.nextInt(9) - 4;
        DType dt = dtype(r);
        Tensor want = Reference.eval(Ops.CONSTANT, Attrs.of("dtype", dt, "shape", shapeOf(shape), "values", values));
        int off = r.nextInt(3);
        if (dt == DType.F32) {
            float[] y = floatBuffer(off, n);
            Movement.constant(values, y, off, n);
            assertSame(want, y, off, "constant");
        } else {
            double[] y = doubleBuffer(off, n);
            Movement.constant(values, y, off, n);
            assertSame(want, y, off, "constant");
        }
    }

    @Property
    void iotaMatchesReference(@ForAll long seed) {
        Random r = new Random(seed);
        int rank = 1 + r.nextInt(3), axis = r.nextInt(rank);
        int[] shape = randomShape(r, rank, 4);
        DType dt = dtype(r);
        Tensor want = Reference.eval(Ops.IOTA, Attrs.of("dtype", dt, "shape", shapeOf(shape), "axis", axis));
        int outer = 1, inner = 1, n = numel(shape), off = r.nextInt(3);
        for (int a = 0; a < axis; a++) outer *= shape[a];
        for (int a = axis + 1; a < rank; a++) inner *= shape[a];
        if (dt == DType.F32) {
            float[] y = floatBuffer(off, n);
            Movement.iota(y, off, outer, shape[axis], inner);
            assertSame(want, y, off, "iota");
        } else {
            double[] y = doubleBuffer(off, n);
            Movement.iota(y, off, outer, shape[axis], inner);
            assertSame(want, y, off, "iota");
        }
    }

    static Shape shapeOf(int[] s) { return Shape.of(java.util.Arrays.stream(s).asLongStream().toArray()); }
}
