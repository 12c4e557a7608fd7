package dlc.runtime;

import dlc.ir.OpDef;
import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;

import java.util.List;
import java.util.Random;

/** The float64 reference ops (dlc.ir.ops) on plain arrays, and the comparisons the kernel tests share. */
final class ConvReference {
    private ConvReference() {}

    /** Runs the IR op {@code op} in float64 on f32-typed tensors. */
    static double[] eval(OpDef op, Attrs attrs, Tensor... in) {
        return op.eval(in, attrs, List.of(), null)[0].data();
    }

    static Tensor tensor(int[] shape, float[] data, int off) {
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = data[off + i];
        return new Tensor(DType.F32, shape, d);
    }

    static Tensor tensor(int[] shape, double[] data, int off) {
        return new Tensor(DType.F64, shape, java.util.Arrays.copyOfRange(data, off, off + (int) Tensor.numel(shape)));
    }

    static Tensor abs(Tensor t) {
        double[] d = t.data().clone();
        for (int i = 0; i < d.length; i++) d[i] = Math.abs(d[i]);
        return new Tensor(t.dtype(), t.shape(), d);
    }

    /** {@code n} floats in [-1, 1) after {@code off} floats of garbage (kernels must honour offsets). */
    static float[] floats(Random r, int off, int n) {
        float[] a = new float[off + n];
        for (int i = 0; i < a.length; i++) a[i] = i < off ? Float.NaN : 2 * r.nextFloat() - 1;
        return a;
    }

    static double[] doubles(Random r, int off, int n) {
        double[] a = new double[off + n];
        for (int i = 0; i < a.length; i++) a[i] = i < off ? Double.NaN : 2 * r.nextDouble() - 1;
        return a;
    }

    /**
     * Every {@code got[off + i]} within {@code terms * 2^-24 * scale[i]} of {@code want[i]}: a float32
     * sum of {@code terms} products, in any order, is off by at most about terms * u * sum |products|
     * (Higham, Accuracy and Stability, 3.1; u = 2^-24), and {@code scale} is that sum of magnitudes,
     * the same op run on |x| and |w|. The bound is a priori, not fitted; NaN never passes.
     */
    static void assertClose(String what, double[] want, double[] scale, float[] got, int off, int terms) {
        double u = Math.scalb(1.0, -24);
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got[off + i] - want[i]), bound = (terms + 2) * u * scale[i] + Float.MIN_NORMAL;
            if (!(err <= bound))
                throw new AssertionError(what + ": element " + i + " is " + got[off + i] + ", float64 reference " + want[i]
                        + " (error " + err + " > bound " + bound + ")");
        }
    }

    /** Exact agreement (max, gather and scatter of a single contribution move values without arithmetic). */
    static void assertExact(String what, double[] want, float[] got, int off) {
        for (int i = 0; i < want.length; i++)
            if (Double.compare((float) want[i], got[off + i]) != 0)
                throw new AssertionError(what + ": element " + i + " is " + got[off + i] + ", reference " + want[i]);
    }

    static void assertExact(String what, double[] want, double[] got, int off) {
        for (int i = 0; i < want.length; i++)
            if (Double.compare(want[i], got[off + i]) != 0)
                throw new AssertionError(what + ": element " + i + " is " + got[off + i] + ", reference " + want[i]);
    }
}
