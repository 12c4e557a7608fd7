package dlc.ir.eval;

import dlc.ir.DType;

import java.util.Arrays;

/**
 * A dense row-major tensor for the reference interpreter. Every dtype is held as float64 (i8, u8,
 * i32 and bools exactly, 0/1 for bool; i64 exactly within +-2^53), because the interpreter is the
 * float64 oracle, not a fast path. Immutable by convention: ops allocate their results.
 */
public final class Tensor {
    private final DType dtype;
    private final int[] shape;
    private final double[] data;

    public Tensor(DType dtype, int[] shape, double[] data) {
        long n = numel(shape);
        if (n != data.length)
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(DType dtype, int... shape) { return new Tensor(dtype, shape, new double[(int) numel(shape)]); }

    public static Tensor scalar(DType dtype, double v) { return new Tensor(dtype, new int[0], new double[]{v}); }

    public static Tensor of(int[] shape, double... data) { return new Tensor(DType.F64, shape, data); }

    public static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            try {
                n = Math.multiplyExact(n, s);
            } catch (ArithmeticException overflow) {
                throw new IllegalArgumentException("the shape " + Arrays.toString(shape) + " has more than 2^63 elements");
            }
        }
        return n;
    }

    public DType dtype() { return dtype; }

    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public int dim(int axis) { return shape[axis]; }

    public int size() { return data.length; }

    /** The backing array; callers must not modify a tensor they did not just create. */
    public double[] data() { return data; }

    public double get(int... index) { return data[offset(index)]; }

    public double item() {
        if (data.length != 1) throw new IllegalStateException("item() of a tensor with " + data.length + " values");
        return data[0];
    }

    public int offset(int... index) {
        if (index.length != shape.length) throw new IllegalArgumentException("index rank " + index.length + " != " + shape.length);
        int off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of " + Arrays.toString(shape));
            off = off * shape[i] + index[i];
        }
        return off;
    }

    public static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) { st[i] = s; s *= shape[i]; }
        return st;
    }

    public Tensor withDType(DType d) { return new Tensor(d, shape, data); }

    public Tensor reshape(int... newShape) { return new Tensor(dtype, newShape, data); }

    @Override public boolean equals(Object o) {
        return o instanceof Tensor t && dtype == t.dtype && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data); }

    @Override public String toString() {
        String d = data.length <= 16 ? Arrays.toString(data) : Arrays.toString(Arrays.copyOf(data, 16)) + "...";
        return dtype + Arrays.toString(shape) + d;
    }
}
