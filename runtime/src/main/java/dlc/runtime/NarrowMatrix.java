package dlc.runtime;

import java.nio.ByteBuffer;

/**
 * A matmul weight stored narrow ({@code dlc compile --weights-dtype}): a rows x cols (K x N)
 * row-major matrix of bfloat16 bits ({@code short[]}), or of int8 codes ({@code byte[]}) with one
 * float32 scale per column (output channel). Its values are those of {@link NarrowRounding}; it is
 * read only by {@link NarrowGemm} and is immutable (instances and threads share it).
 *
 * <p>At the boundary of a compiled graph it is the data of a {@link Tensor} of dtype
 * {@value #BF16} or {@value #INT8} (a graph input the compiler was told to take narrow); in a model
 * jar it is the resource {@code NAME.npy} ({@code <u2} bfloat16 bits or {@code |i1} codes) and, for
 * int8, {@code NAME.scales.npy} ({@code <f4}, one per column).
 */
public final class NarrowMatrix {
    /** The dtype names of the two formats. */
    public static final String BF16 = "bf16", INT8 = "int8";

    private final String format;
    private final int rows, cols;
    private final short[] bf16;
    private final byte[] codes;
    private final float[] scales;
    /** The float32 values, made on first use by a GEMM with many rows (see {@link NarrowGemm}), alone in an operands array for {@link InvariantPacks}. */
    private volatile Object[] decoded;
    /** The {@link InvariantPacks} token of the decoded values: they never change, so the GEMM's panels of them are packed once. */
    final long packToken = InvariantPacks.newToken();
    /** The values arranged for the vector row kernel (its {@code Panels}), made on first use; an Object so that this class links without the vector module. */
    private volatile Object kernelLayout;

    private NarrowMatrix(String format, int rows, int cols, short[] bf16, byte[] codes, float[] scales) {
        if (rows < 0 || cols < 0 || (long) rows * cols > Integer.MAX_VALUE) throw new IllegalArgumentException("bad narrow matrix shape " + rows + " x " + cols);
        int n = rows * cols;
        if (bf16 != null && bf16.length != n || codes != null && (codes.length != n || scales.length != cols))
            throw new IllegalArgumentException("a " + format + " " + rows + " x " + cols + " matrix needs " + n + " values" + (codes != null ? " and " + cols + " scales" : ""));
        this.format = format;
        this.rows = rows;
        this.cols = cols;
        this.bf16 = bf16;
        this.codes = codes;
        this.scales = scales;
    }

    /** Whether {@code dtype} names a narrow format. */
    public static boolean isFormat(String dtype) { return BF16.equals(dtype) || INT8.equals(dtype); }

    /** {@code w} (rows x cols, row-major float32) rounded to {@code format}; an int8 column holding NaN or infinity is an IllegalArgumentException. */
    public static NarrowMatrix quantize(String format, float[] w, int rows, int cols) {
        if ((long) rows * cols != w.length) throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix needs " + (long) rows * cols + " values, got " + w.length);
        switch (format) {
            case BF16 -> {
                short[] bits = new short[w.length];
                for (int i = 0; i < w.length; i++) bits[i] = NarrowRounding.bf16Bits(w[i]);
                return new NarrowMatrix(BF16, rows, cols, bits, null, null);
            }
            case INT8 -> {
                float[] max = new float[cols];
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++) {
                        float v = w[i * cols + j];
                        if (Float.isNaN(v) || Float.isInfinite(v))
                            throw new IllegalArgumentException("int8 cannot store " + v + " (row " + i + ", column " + j + ")");
                        max[j] = Math.max(max[j], Math.abs(v));
                    }
                float[] s = new float[cols];
                for (int j = 0; j < cols; j++) s[j] = NarrowRounding.int8Scale(max[j]);
                byte[] q = new byte[w.length];
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++) q[i * cols + j] = NarrowRounding.int8(w[i * cols + j], s[j]);
                return new NarrowMatrix(INT8, rows, cols, null, q, s);
            }
            default -> throw new IllegalArgumentException("unknown narrow format '" + format + "' (bf16 or int8)");
        }
    }

    /** A bfloat16 matrix from its bits (row-major). */
    public static NarrowMatrix ofBf16(short[] bits, int rows, int cols) { return new NarrowMatrix(BF16, rows, cols, bits.clone(), null, null); }

    /** An int8 matrix from its codes (row-major) and per-column scales. */
    public static NarrowMatrix ofInt8(byte[] codes, float[] scales, int rows, int cols) {
        for (byte q : codes) if (q == Byte.MIN_VALUE) throw new IllegalArgumentException("int8 codes lie in [-127, 127], got -128");
        for (float s : scales) if (!(s >= 0) || Float.isInfinite(s)) throw new IllegalArgumentException("int8 scales are finite and >= 0, got " + s);
        return new NarrowMatrix(INT8, rows, cols, null, codes.clone(), scales.clone());
    }

    public String format() { return format; }

    public int rows() { return rows; }

    public int cols() { return cols; }

    public int numel() { return rows * cols; }

    /** The bytes the values and scales take (what a GEMV reads). */
    public long bytes() { return bf16 != null ? 2L * bf16.length : codes.length + 4L * scales.length; }

    /** Element {@code i} (row-major) as the float32 it stands for. */
    public float get(int i) { return bf16 != null ? NarrowRounding.fromBf16(bf16[i]) : NarrowRounding.fromInt8(codes[i], scales[i % cols]); }

    /** Every element as float32, row-major (a fresh array). */
    public float[] decode() {
        float[] f = new float[numel()];
        for (int i = 0; i < f.length; i++) f[i] = get(i);
        return f;
    }

    /** {@link #decode()} made once and kept: the packed GEMM's operand when many rows share the weight. */
    float[] decoded() { return (float[]) decodedOperands()[0]; }

    /** {@link #decoded()} as the one element of an array, for {@link InvariantPacks#begin(Object[], int, int, long)}. */
    Object[] decodedOperands() {
        Object[] d = decoded;
        if (d == null) decoded = d = new Object[]{decode()}; // a race makes the same values twice, harmlessly
        return d;
    }

    /** The row kernel's arrangement of the values, or null before its first use. */
    Object kernelLayout() { return kernelLayout; }

    void kernelLayout(Object layout) { kernelLayout = layout; }

    // the kernels read these directly
    short[] bf16() { return bf16; }

    byte[] codes() { return codes; }

    float[] scales() { return scales; }

    // ---- model jar resources -------------------------------------------------------------------

    /** The values as a .npy file: {@code <u2} bfloat16 bits or {@code |i1} int8 codes, shape [rows, cols]. */
    public byte[] valuesNpy() {
        int n = numel();
        ByteBuffer b = Npy.started(bf16 != null ? "<u2" : "|i1", new int[]{rows, cols}, (long) n * (bf16 != null ? 2 : 1), "a narrow weight of " + n + " elements");
        if (bf16 != null) for (short s : bf16) b.putShort(s);
        else b.put(codes);
        return b.array();
    }

    /** The int8 scales as a .npy file ({@code <f4}, shape [cols]); null for bf16. */
    public byte[] scalesNpy() {
        if (scales == null) return null;
        return Npy.bytes(Tensor.of(scales.clone(), cols));
    }

    /** The matrix a model jar's resources hold: the values .npy and, for int8, the scales .npy. */
    public static NarrowMatrix fromNpy(String format, Tensor values, Tensor scalesOrNull) {
        int[] shape = values.shape();
        if (shape.length != 2) throw new IllegalArgumentException("a narrow weight is a matrix, got shape " + java.util.Arrays.toString(shape));
        int n = values.numel();
        if (BF16.equals(format)) {
            short[] bits = new short[n];
            for (int i = 0; i < n; i++) bits[i] = (short) (int) values.get(i);
            return new NarrowMatrix(BF16, shape[0], shape[1], bits, null, null);
        }
        if (!INT8.equals(format)) throw new IllegalArgumentException("unknown narrow format '" + format + "'");
        if (scalesOrNull == null || !scalesOrNull.dtype().equals("f32") || scalesOrNull.numel() != shape[1])
            throw new IllegalArgumentException("an int8 weight needs " + shape[1] + " float32 scales, got " + scalesOrNull);
        byte[] q = new byte[n];
        for (int i = 0; i < n; i++) {
            double v = values.get(i);
            if (v < -127 || v > 127 || v != Math.rint(v)) throw new IllegalArgumentException("int8 codes lie in [-127, 127], got " + v);
            q[i] = (byte) v;
        }
        return ofInt8(q, scalesOrNull.floats(), shape[0], shape[1]);
    }

    @Override public String toString() { return format + "[" + rows + ", " + cols + "]"; }
}
