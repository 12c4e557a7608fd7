package dlc.runtime;

import java.util.Arrays;

/**
 * A dense row-major tensor at the boundary of a compiled model: a dtype name ("f32", "f64", "i32",
 * "i64", "bool"), a shape and its data ({@code float[]} for f32, {@code double[]} for every other
 * dtype; see {@link CompiledGraph}), or a weight stored narrow: dtype "bf16" or "int8" with a
 * {@link NarrowMatrix} (a compiled graph's weight input, never an output).
 */
public record Tensor(String dtype, int[] shape, Object data) {
    public Tensor {
        shape = shape.clone();
        int n = numel(shape);
        boolean f32 = dtype.equals("f32");
        if (NarrowMatrix.isFormat(dtype)) {
            if (!(data instanceof NarrowMatrix q && q.format().equals(dtype) && shape.length == 2 && q.rows() == shape[0] && q.cols() == shape[1]))
                throw new IllegalArgumentException("a " + dtype + Arrays.toString(shape) + " tensor needs a " + dtype + " NarrowMatrix of that shape, got " + describe(data));
        } else if (f32 && !(data instanceof float[] f && f.length == n) || !f32 && !(data instanceof double[] x && x.length == n))
            throw new IllegalArgumentException("a " + dtype + Arrays.toString(shape) + " tensor needs a " + (f32 ? "float[" : "double[") + n + "], got " + describe(data));
    }

    public static Tensor of(float[] data, int... shape) { return new Tensor("f32", shape, data); }

    public static Tensor of(String dtype, double[] data, int... shape) { return new Tensor(dtype, shape, data); }

    /** A copy of the first numel(shape) elements of {@code data}. */
    public static Tensor copyOf(String dtype, int[] shape, Object data) {
        int n = numel(shape);
        Object copy = data instanceof float[] f ? Arrays.copyOf(f, n) : Arrays.copyOf((double[]) data, n);
        return new Tensor(dtype, shape, copy);
    }

    public float[] floats() { return (float[]) data; }

    public double[] doubles() { return (double[]) data; }

    public int numel() { return numel(shape); }

    /** Element {@code i} (row-major) as a double, whatever the storage. */
    public double get(int i) {
        return data instanceof float[] f ? f[i] : data instanceof NarrowMatrix q ? q.get(i) : ((double[]) data)[i];
    }

    /** The element count of {@code shape}; an IllegalArgumentException when a dim is negative or the count exceeds 2^31-1. */
    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dim");
            n *= s;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    static String describe(Object data) {
        if (data instanceof float[] f) return "float[" + f.length + "]";
        if (data instanceof double[] x) return "double[" + x.length + "]";
        if (data instanceof NarrowMatrix q) return q.toString();
        return data == null ? "null" : data.getClass().getSimpleName();
    }

    @Override public String toString() { return dtype + Arrays.toString(shape); }
}
