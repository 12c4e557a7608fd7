package dlc.runtime;

import dlc.ir.OpDef;
import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Shape;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The float64 reference semantics ({@code dlc.ir.ops}) for kernel tests, and the helpers they share. */
final class Reference {
    private Reference() {}

    private static final EvalContext CONCRETE = new EvalContext() {
        @Override public int[] resolve(Shape shape) { return shape.eval(Map.of()); }

        @Override public Tensor[] run(Graph graph, Tensor... args) { throw new UnsupportedOperationException("no regions in kernel tests"); }
    };

    /** The first result of {@code op} on {@code in} under {@code attrs}. */
    static Tensor eval(OpDef op, Attrs attrs, Tensor... in) {
        return op.eval(in, attrs, List.of(), CONCRETE)[0];
    }

    static int[] randomShape(Random r, int rank, int maxDim) {
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = r.nextInt(maxDim + 1);
        return s;
    }

    static int[] denseStrides(int[] shape) { return Tensor.strides(shape); }

    static int numel(int[] shape) { return (int) Tensor.numel(shape); }

    /** A tensor of small random values that f32 holds exactly (so movement results are exact in both storages). */
    static Tensor random(Random r, DType dtype, int[] shape) {
        double[] d = new double[numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = dtype.isFloating() ? (float) r.nextGaussian() : r.nextInt(21) - 10;
        return new Tensor(dtype, shape, d);
    }

    static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** An array of n elements filled with a marker, placed at offset {@code off} in a longer array, so stray writes show. */
    static float[] floatBuffer(int off, int n) {
        float[] a = new float[off + n + 3];
        Arrays.fill(a, -777f);
        return a;
    }

    static double[] doubleBuffer(int off, int n) {
        double[] a = new double[off + n + 3];
        Arrays.fill(a, -777);
        return a;
    }

    /** A copy of {@code d} placed at {@code off} in a longer array. */
    static double[] at(int off, double[] d) {
        double[] a = new double[off + d.length + 2];
        System.arraycopy(d, 0, a, off, d.length);
        return a;
    }

    static float[] at(int off, float[] d) {
        float[] a = new float[off + d.length + 2];
        System.arraycopy(d, 0, a, off, d.length);
        return a;
    }

    /**
     * Exact comparison: movement kernels copy, and the reductions accumulate in double in the
     * interpreter's order, so f64 results are bit-identical and f32 ones are the double result
     * rounded once. NaN passes only where the reference is NaN. The marker after the result must
     * be untouched.
     */
    static void assertSame(Tensor want, float[] got, int off, String what) {
        for (int i = 0; i < want.size(); i++) {
            float w = (float) want.data()[i], g = got[off + i];
            if (Float.floatToIntBits(w) != Float.floatToIntBits(g) && !(w == 0 && g == 0))
                fail(what + ": element " + i + " is " + g + ", want " + w + " (reference " + want + ")");
        }
        assertEquals(-777f, got[off + want.size()], what + ": wrote past the end");
    }

    static void assertSame(Tensor want, double[] got, int off, String what) {
        for (int i = 0; i < want.size(); i++) {
            double w = want.data()[i], g = got[off + i];
            if (Double.doubleToLongBits(w) != Double.doubleToLongBits(g) && !(w == 0 && g == 0))
                fail(what + ": element " + i + " is " + g + ", want " + w + " (reference " + want + ")");
        }
        assertEquals(-777.0, got[off + want.size()], what + ": wrote past the end");
    }
}
