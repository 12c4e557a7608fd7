package dlc.ir.ops;

import dlc.ir.eval.Tensor;

/** Cutting one step out of a tensor along an axis, and stacking per-step results back along one. */
final class ScanSlices {
    private ScanSlices() {}

    /** Sizes before, at and after {@code axis}: a row-major tensor is [outer, steps, inner]. */
    private static int outer(int[] shape, int axis) {
        int n = 1;
        for (int i = 0; i < axis; i++) n *= shape[i];
        return n;
    }

    private static int inner(int[] shape, int axis) {
        int n = 1;
        for (int i = axis + 1; i < shape.length; i++) n *= shape[i];
        return n;
    }

    /** {@code x} at index {@code t} of {@code axis}, with that axis removed. */
    static Tensor slice(Tensor x, int axis, int t) {
        int[] s = x.shape();
        int outer = outer(s, axis), steps = s[axis], inner = inner(s, axis);
        double[] src = x.data(), out = new double[outer * inner];
        for (int o = 0; o < outer; o++) System.arraycopy(src, (o * steps + t) * inner, out, o * inner, inner);
        return new Tensor(x.dtype(), remove(s, axis), out);
    }

    /** {@code shape} with {@code size} inserted at {@code axis}. */
    static int[] insert(int[] shape, int axis, int size) {
        int[] out = new int[shape.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == axis ? size : shape[j++];
        return out;
    }

    static int[] remove(int[] shape, int axis) {
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != axis) out[j++] = shape[i];
        return out;
    }

    /** Writes {@code y} into {@code stack} (of shape {@code stackShape}) at index {@code t} of {@code axis}. */
    static void put(double[] stack, int[] stackShape, int axis, int t, Tensor y) {
        int outer = outer(stackShape, axis), steps = stackShape[axis], inner = inner(stackShape, axis);
        double[] src = y.data();
        for (int o = 0; o < outer; o++) System.arraycopy(src, o * inner, stack, (o * steps + t) * inner, inner);
    }
}
