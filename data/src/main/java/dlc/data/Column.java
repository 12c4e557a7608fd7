package dlc.data;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;

import java.util.Arrays;

/**
 * One named array of a {@link Dataset}: {@code size()} samples, each of shape {@link #sampleShape()},
 * stored row-major in a flat {@code float[]} (dtype {@code f32}) or {@code int[]} (dtype {@code i32}).
 * Flat primitive arrays keep batching cheap; {@link #toTensor()} converts for the interpreter.
 * Immutable by convention: operations return new columns and callers must not modify the arrays they
 * read with {@link #floats()} / {@link #ints()}.
 */
public final class Column {
    private final String name;
    private final int size;
    private final int[] sampleShape;
    private final int sampleSize;
    private final float[] floats;
    private final int[] ints;

    private Column(String name, int size, int[] sampleShape, float[] floats, int[] ints) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a column needs a name");
        long per = Tensor.numel(sampleShape);
        int length = floats != null ? floats.length : ints.length;
        if (size < 0 || per * size != length)
            throw new IllegalArgumentException("column '" + name + "': " + size + " samples of shape "
                    + Arrays.toString(sampleShape) + " need " + per * size + " values, got " + length);
        this.name = name;
        this.size = size;
        this.sampleShape = sampleShape.clone();
        this.sampleSize = (int) per;
        this.floats = floats;
        this.ints = ints;
    }

    /** A float column: {@code data.length / numel(sampleShape)} samples; the division must be exact. */
    public static Column floats(String name, float[] data, int... sampleShape) {
        return new Column(name, count(name, data.length, sampleShape), sampleShape, data, null);
    }

    /** An int column (class labels, token ids): {@code data.length / numel(sampleShape)} samples. */
    public static Column ints(String name, int[] data, int... sampleShape) {
        return new Column(name, count(name, data.length, sampleShape), sampleShape, null, data);
    }

    private static int count(String name, int length, int[] sampleShape) {
        long per = Tensor.numel(sampleShape);
        if (per == 0) {
            if (length != 0) throw new IllegalArgumentException("column '" + name + "': empty sample shape with " + length + " values");
            return 0;
        }
        if (length % per != 0)
            throw new IllegalArgumentException("column '" + name + "': " + length + " values are not a whole number of samples of shape "
                    + Arrays.toString(sampleShape));
        return (int) (length / per);
    }

    public String name() { return name; }

    /** Number of samples (the leading dimension N). */
    public int size() { return size; }

    /** The shape of one sample, without the leading N. */
    public int[] sampleShape() { return sampleShape.clone(); }

    /** Values per sample. */
    public int sampleSize() { return sampleSize; }

    /** The full shape {@code [N, sampleShape...]}. */
    public int[] shape() {
        int[] s = new int[sampleShape.length + 1];
        s[0] = size;
        System.arraycopy(sampleShape, 0, s, 1, sampleShape.length);
        return s;
    }

    /** {@code f32} or {@code i32}. */
    public DType dtype() { return floats != null ? DType.F32 : DType.I32; }

    public boolean isFloat() { return floats != null; }

    /** The backing float array; throws for an int column. */
    public float[] floats() {
        if (floats == null) throw new IllegalStateException("column '" + name + "' holds i32 values, not f32");
        return floats;
    }

    /** The backing int array; throws for a float column. */
    public int[] ints() {
        if (ints == null) throw new IllegalStateException("column '" + name + "' holds f32 values, not i32");
        return ints;
    }

    /** Value {@code k} (row-major within the sample) of sample {@code i}, as a double. */
    public double value(int i, int k) {
        int at = i * sampleSize + k;
        return floats != null ? floats[at] : ints[at];
    }

    /** The samples at {@code rows}, in that order (rows may repeat). */
    public Column gather(int[] rows) {
        int per = sampleSize;
        if (floats != null) {
            float[] out = new float[rows.length * per];
            for (int r = 0; r < rows.length; r++) System.arraycopy(floats, checkRow(rows[r]) * per, out, r * per, per);
            return new Column(name, rows.length, sampleShape, out, null);
        }
        int[] out = new int[rows.length * per];
        for (int r = 0; r < rows.length; r++) System.arraycopy(ints, checkRow(rows[r]) * per, out, r * per, per);
        return new Column(name, rows.length, sampleShape, null, out);
    }

    /** Samples {@code [from, to)}. */
    public Column slice(int from, int to) {
        if (from < 0 || to > size || from > to)
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") of column '" + name + "' with " + size + " samples");
        int per = sampleSize;
        return floats != null
                ? new Column(name, to - from, sampleShape, Arrays.copyOfRange(floats, from * per, to * per), null)
                : new Column(name, to - from, sampleShape, null, Arrays.copyOfRange(ints, from * per, to * per));
    }

    /** The same values viewed with another per-sample shape of the same size (e.g. [28,28] to [784]). */
    public Column reshape(int... newSampleShape) {
        if (Tensor.numel(newSampleShape) != sampleSize)
            throw new IllegalArgumentException("column '" + name + "': cannot reshape samples of shape " + Arrays.toString(sampleShape)
                    + " to " + Arrays.toString(newSampleShape));
        return new Column(name, size, newSampleShape, floats, ints);
    }

    /** The same values under another name. */
    public Column renamed(String newName) { return new Column(newName, size, sampleShape, floats, ints); }

    /** Int values converted to floats (identity for a float column). */
    public Column asFloats() {
        if (floats != null) return this;
        float[] out = new float[ints.length];
        for (int i = 0; i < ints.length; i++) out[i] = ints[i];
        return new Column(name, size, sampleShape, out, null);
    }

    /** The whole column as an interpreter tensor of shape {@code [N, sampleShape...]} and dtype {@link #dtype()}. */
    public Tensor toTensor() {
        double[] d = new double[size * sampleSize];
        if (floats != null) for (int i = 0; i < d.length; i++) d[i] = floats[i];
        else for (int i = 0; i < d.length; i++) d[i] = ints[i];
        return new Tensor(dtype(), shape(), d);
    }

    /**
     * A column from a tensor whose first axis is the sample axis. Floating dtypes become f32 (values
     * are rounded to float), integer and bool dtypes become i32 (values must be whole and in range).
     */
    public static Column fromTensor(String name, Tensor t) {
        if (t.rank() == 0) throw new IllegalArgumentException("column '" + name + "' needs a tensor with a sample axis, got a scalar");
        int[] shape = t.shape();
        int[] sample = Arrays.copyOfRange(shape, 1, shape.length);
        double[] d = t.data();
        if (t.dtype().isFloating()) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return new Column(name, shape[0], sample, f, null);
        }
        int[] n = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            if (d[i] != Math.rint(d[i]) || d[i] < Integer.MIN_VALUE || d[i] > Integer.MAX_VALUE)
                throw new IllegalArgumentException("column '" + name + "': value " + d[i] + " at " + i + " is not an i32");
            n[i] = (int) d[i];
        }
        return new Column(name, shape[0], sample, null, n);
    }

    private int checkRow(int r) {
        if (r < 0 || r >= size) throw new IndexOutOfBoundsException("row " + r + " of column '" + name + "' with " + size + " samples");
        return r;
    }

    @Override public String toString() { return name + ": " + dtype() + Arrays.toString(shape()); }
}
