package dlc.runtime;

import dlc.ir.ops.Ops;
import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dlc.runtime.Reference.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** gather and scatter_add against the reference ops, both storages, random axes and index shapes (repeats included). */
class IndexingReferenceTest {
    private record View(int outer, int n, int inner) {}

    private static View view(int[] s, int axis) {
        int outer = 1, inner = 1;
        for (int a = 0; a < axis; a++) outer *= s[a];
        for (int a = axis + 1; a < s.length; a++) inner *= s[a];
        return new View(outer, s[axis], inner);
    }

    private static Tensor indices(Random r, int n) {
        int[] shape = randomShape(r, r.nextInt(3), 3);
        double[] d = new double[numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = n == 0 ? 0 : r.nextInt(n);
        return new Tensor(DType.I64, shape, d);
    }

    @Property
    void gatherMatchesReference(@ForAll long seed) {
        Random r = new Random(seed);
        int rank = 1 + r.nextInt(3), axis = r.nextInt(rank);
        int[] shape = randomShape(r, rank, 4);
        shape[axis] = 1 + r.nextInt(4);
        boolean f32 = r.nextBoolean();
        Tensor x = random(r, f32 ? DType.F32 : DType.F64, shape), idx = indices(r, shape[axis]);
        Tensor want = eval(Ops.GATHER, Attrs.of("axis", axis), x, idx);
        View v = view(shape, axis);
        int xOff = r.nextInt(3), iOff = r.nextInt(3), yOff = r.nextInt(3);
        if (f32) {
            float[] y = floatBuffer(yOff, want.size());
            Indexing.gather(at(xOff, floats(x.data())), xOff, v.outer, v.n, v.inner, at(iOff, idx.data()), iOff, idx.size(), y, yOff);
            assertSame(want, y, yOff, "gather");
        } else {
            double[] y = doubleBuffer(yOff, want.size());
            Indexing.gather(at(xOff, x.data()), xOff, v.outer, v.n, v.inner, at(iOff, idx.data()), iOff, idx.size(), y, yOff);
            assertSame(want, y, yOff, "gather");
        }
    }

    @Property
    void scatterAddMatchesReference(@ForAll long seed) {
        Random r = new Random(seed);
        int rank = 1 + r.nextInt(3), axis = r.nextInt(rank);
        int[] shape = randomShape(r, rank, 4);
        shape[axis] = 1 + r.nextInt(4);
        boolean f32 = r.nextBoolean();
        DType dt = f32 ? DType.F32 : (r.nextBoolean() ? DType.F64 : DType.I32);
        Tensor idx = indices(r, shape[axis]);
        int[] us = new int[rank - 1 + idx.rank()];
        System.arraycopy(shape, 0, us, 0, axis);
        System.arraycopy(idx.shape(), 0, us, axis, idx.rank());
        System.arraycopy(shape, axis + 1, us, axis + idx.rank(), rank - axis - 1);
        Tensor base = random(r, dt, shape), upd = random(r, dt, us);
        Tensor want = eval(Ops.SCATTER_ADD, Attrs.of("axis", axis), base, idx, upd);
        View v = view(shape, axis);
        int bOff = r.nextInt(3), uOff = r.nextInt(3), yOff = r.nextInt(3);
        if (f32) {
            // f32 adds in float; the updates hold small values of 24-bit precision and at most a few land on one cell
            float[] y = floatBuffer(yOff, want.size());
            Indexing.scatterAdd(at(bOff, floats(base.data())), bOff, v.outer, v.n, v.inner, idx.data(), 0, idx.size(),
                    at(uOff, floats(upd.data())), uOff, y, yOff);
            assertClose(want, y, yOff);
        } else {
            double[] y = doubleBuffer(yOff, want.size());
            Indexing.scatterAdd(at(bOff, base.data()), bOff, v.outer, v.n, v.inner, idx.data(), 0, idx.size(),
                    at(uOff, upd.data()), uOff, y, yOff);
            assertSame(want, y, yOff, "scatter_add");
        }
    }

    /** Relative 1e-5: a few float additions of values near 1 round at ~6e-8 each. NaN never passes. */
    private static void assertClose(Tensor want, float[] got, int off) {
        for (int i = 0; i < want.size(); i++) {
            double w = want.data()[i], g = got[off + i];
            if (!(Math.abs(w - g) <= 1e-5 * Math.max(1, Math.abs(w))))
                org.junit.jupiter.api.Assertions.fail("scatter_add element " + i + " is " + g + ", want " + w);
        }
    }

    @Test
    void outOfRangeIndicesFailLoudly() {
        double[] x = new double[6], y = new double[6];
        assertThrows(IllegalArgumentException.class, () -> Indexing.gather(x, 0, 2, 3, 1, new double[]{3}, 0, 1, y, 0));
        // negative indices count from the end (-1 is the last row), down to -3 for an axis of 3
        assertThrows(IllegalArgumentException.class, () -> Indexing.gather(x, 0, 2, 3, 1, new double[]{-4}, 0, 1, y, 0));
        assertThrows(IllegalArgumentException.class,
                () -> Indexing.scatterAdd(x, 0, 2, 3, 1, new double[]{5}, 0, 1, new double[2], 0, y, 0));
    }
}
