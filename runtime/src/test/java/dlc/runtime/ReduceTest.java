package dlc.runtime;

import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.OpDef;
import dlc.ir.ops.Ops;
import dlc.ir.eval.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dlc.runtime.Reference.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * sum/mean/max/min and argmax/argmin against the reference ops: random shapes (empty axes
 * included), axes, keepdims, NaNs and ties, both storages. Results are compared exactly (see
 * {@link Reference#assertSame}): the kernel accumulates in double in the interpreter's order.
 */
class ReduceTest {
    private static final OpDef[] OPS = {Ops.SUM, Ops.MEAN, Ops.MAX, Ops.MIN}; // indexed by Reduce.SUM, MEAN, MAX, MIN

    @Property
    void reductionsMatchReference(@ForAll long seed) {
        Random r = new Random(seed);
        int fn = r.nextInt(4), rank = r.nextInt(4);
        OpDef op = OPS[fn];
        int[] shape = randomShape(r, rank, 4);
        List<Long> axes = new ArrayList<>();
        for (int a = 0; a < rank; a++) if (r.nextBoolean()) axes.add((long) a);
        DType dt = fn == Reduce.MEAN || r.nextBoolean() ? (r.nextBoolean() ? DType.F32 : DType.F64) : DType.I64;
        int count = 1;
        for (long a : axes) count *= shape[(int) a];
        if (dt == DType.I64 && fn >= Reduce.MAX && count == 0) dt = DType.F64; // no integer identity: tested below
        Tensor x = withNaNs(r, random(r, dt, shape));
        Tensor want = eval(op, Attrs.of("axes", axes, "keepdims", r.nextBoolean()), x);
        // the kernel's contract: walk x in row-major order, output strides 0 on reduced axes
        int[] os = new int[rank];
        for (int a = rank - 1, s = 1; a >= 0; a--)
            if (!axes.contains((long) a)) { os[a] = s; s *= shape[a]; }
        double identity = fn == Reduce.MAX ? Double.NEGATIVE_INFINITY : fn == Reduce.MIN ? Double.POSITIVE_INFINITY : 0;
        int xOff = r.nextInt(3), yOff = r.nextInt(3), outN = want.size();
        if (dt == DType.F32) {
            float[] y = floatBuffer(yOff, outN);
            Reduce.reduce(fn, identity, false, at(xOff, floats(x.data())), xOff, shape, os, count, new double[outN], y, yOff, outN);
            assertSame(want, y, yOff, op.name() + " over " + axes);
        } else {
            double[] y = doubleBuffer(yOff, outN);
            Reduce.reduce(fn, identity, false, at(xOff, x.data()), xOff, shape, os, count, y, yOff, outN);
            assertSame(want, y, yOff, op.name() + " over " + axes);
        }
    }

    /** Floating tensors get a NaN now and then, to check that max/min/arg* propagate it as the reference does. */
    private static Tensor withNaNs(Random r, Tensor t) {
        if (!t.dtype().isFloating() || t.size() == 0 || r.nextInt(4) != 0) return t;
        double[] d = t.data().clone();
        d[r.nextInt(d.length)] = Double.NaN;
        return new Tensor(t.dtype(), t.shape(), d);
    }

    @Test
    void integerMaxOverNothingFails() {
        assertThrows(IllegalArgumentException.class,
                () -> Reduce.reduce(Reduce.MAX, Double.NEGATIVE_INFINITY, true, new double[0], 0, new int[]{2, 0}, new int[]{1, 0}, 0, new double[2], 0, 2));
    }

    @Property
    void argReductionsMatchReference(@ForAll long seed) {
        Random r = new Random(seed);
        boolean max = r.nextBoolean();
        int rank = 1 + r.nextInt(3), axis = r.nextInt(rank);
        int[] shape = randomShape(r, rank, 4);
        shape[axis] = 1 + r.nextInt(4);
        boolean f32 = r.nextBoolean();
        Tensor x = random(r, f32 ? DType.F32 : DType.I64, shape);
        // few distinct values: ties are common, and the first must win
        double[] d = x.data();
        for (int i = 0; i < d.length; i++) d[i] = Math.floor(d[i] / 4);
        x = withNaNs(r, x);
        Tensor want = eval(max ? Ops.ARGMAX : Ops.ARGMIN, Attrs.of("axis", axis, "keepdims", r.nextBoolean()), x);
        int outer = 1, inner = 1;
        for (int a = 0; a < axis; a++) outer *= shape[a];
        for (int a = axis + 1; a < rank; a++) inner *= shape[a];
        int xOff = r.nextInt(3), yOff = r.nextInt(3);
        double[] y = doubleBuffer(yOff, want.size());
        if (f32) Reduce.argReduce(max, at(xOff, floats(x.data())), xOff, outer, shape[axis], inner, y, yOff);
        else Reduce.argReduce(max, at(xOff, x.data()), xOff, outer, shape[axis], inner, y, yOff);
        assertSame(want, y, yOff, (max ? "argmax" : "argmin") + " axis " + axis);
    }
}
