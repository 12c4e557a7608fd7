package dlc.runtime;

/**
 * {@code y = act(a @ b + bias)} where {@code b} is a weight stored narrow ({@link NarrowMatrix}):
 * what generated code calls for a matmul whose right operand is such a weight.
 *
 * <p>A few rows (batch-1 inference, up to {@link #NARROW_ROWS}, as {@link Gemm}'s unpacked path):
 * each row of {@code y} streams the weight in its narrow form, widened to float32 in registers
 * ({@link NarrowVectorKernel}; without the vector module, row by row through an L1 buffer), with
 * 4 vectors of output columns held in registers over the whole k loop; an int8 column's scale is
 * applied once at the end ({@code y[i][j] = s[j] * sum_p a[i][p] q[p][j]}). So a GEMV moves half
 * (bf16) or a quarter (int8) of the weight bytes of the float32 one. More rows: the float32 values, decoded once and kept by
 * the matrix, go through the packed {@link Gemm}, whose panels of them are packed once and kept
 * ({@link InvariantPacks}: the decoded values never change). Computed in float32 throughout; single-threaded.
 */
public final class NarrowGemm {
    private NarrowGemm() {}

    /** Up to this many rows of {@code a}, the narrow weight-stationary path (above: decoded float32 and the packed GEMM). */
    static final int NARROW_ROWS = Integer.getInteger("dlc.narrow.rows", 3);

    /**
     * The {@code matmul} op ({@link BatchedMatmul} semantics) with {@code b} a [K, N] matrix:
     * {@code aShape} is a's rank-1-promoted logical shape [..., M, K] (stored transposed, [..., K, M],
     * when {@code transA}); {@code y} is dense [..., M, N]; the epilogue is as {@link Gemm}'s.
     */
    public static void matmul(float[] a, int aOff, int[] aShape, boolean transA, NarrowMatrix b, float[] y, int yOff,
                              float[] bias, int biasOff, int biasKind, int act) {
        int r = aShape.length;
        if (r < 2 || aShape[r - 1] != b.rows())
            throw new IllegalArgumentException("matmul inner dims differ at run time: " + java.util.Arrays.toString(aShape) + " @ " + b);
        int m = aShape[r - 2], k = aShape[r - 1], n = b.cols(), batch = 1;
        for (int i = 0; i < r - 2; i++) batch *= aShape[i];
        if (!transA) {
            rows(false, batch * m, n, k, a, aOff, k, b, y, yOff, n, bias, biasOff, biasKind, act);
            return;
        }
        for (int p = 0; p < batch; p++)
            rows(true, m, n, k, a, aOff + p * m * k, m, b, y, yOff + p * m * n, n, bias, biasOff, biasKind, act);
    }

    /**
     * One row of C: {@code c[ci + j] = sum_p a[ai + p * as] * w[p][j]} for the narrow weight {@code w}
     * (for int8: {@code s[j] * sum_p a[ai + p * as] * q[p][j]}, the codes summed and the column's
     * scale applied once), overwriting c.
     */
    interface Rows {
        void row(int n, int k, float[] a, int ai, int as, NarrowMatrix b, float[] c, int ci);
    }

    /** Plain Java: each row of the weight widened once into an L1 buffer, then multiplied in. */
    private static final Rows SCALAR = (n, k, a, ai, as, b, c, ci) -> {
        java.util.Arrays.fill(c, ci, ci + n, 0f);
        float[] row = GemmScratch.get().b(n);
        short[] bits = b.bf16();
        byte[] codes = b.codes();
        for (int p = 0, bi = 0; p < k; p++, bi += n) {
            if (bits != null) for (int j = 0; j < n; j++) row[j] = Float.intBitsToFloat(bits[bi + j] << 16);
            else for (int j = 0; j < n; j++) row[j] = codes[bi + j];
            float av = a[ai + p * as];
            for (int j = 0; j < n; j++) c[ci + j] += av * row[j];
        }
        float[] s = b.scales();
        if (s != null) for (int j = 0; j < n; j++) c[ci + j] *= s[j];
    };

    /** The vector row kernel, or null without jdk.incubator.vector (plain java -jar) or with vectors under 8 floats. */
    private static final Rows VECTOR = loadVector();
    private static volatile boolean forceScalar;

    private static Rows loadVector() {
        if (Boolean.getBoolean("dlc.gemm.scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return null;
        try {
            // by name, so that this class links without the module
            return (Rows) Class.forName("dlc.runtime.NarrowVectorKernel").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** Tests and benchmarks: the scalar row kernel even when the vector one is available (global). */
    static void forceScalarKernel(boolean on) { forceScalar = on; }

    /** Whether the vector row kernel is available. */
    static boolean vectorAvailable() { return VECTOR != null; }

    /** {@code C = act(op(A) B + bias)} for one m x k {@code op(A)}. */
    static void rows(boolean transA, int m, int n, int k, float[] a, int aOff, int lda, NarrowMatrix b,
                     float[] c, int cOff, int ldc, float[] bias, int biasOff, int biasKind, int act) {
        if (m == 0 || n == 0) return;
        if (m > NARROW_ROWS) {
            // the decoded values never change: registered under the matrix's own token, their panels are packed once
            Object[] d = b.decodedOperands();
            InvariantPacks.begin(d, 0, 1, b.packToken);
            try {
                Gemm.matmul(transA, false, m, n, k, a, aOff, lda, (float[]) d[0], 0, n, c, cOff, ldc, false, bias, biasOff, biasKind, act);
            } finally {
                InvariantPacks.end();
            }
            return;
        }
        Rows kernel = forceScalar || VECTOR == null ? SCALAR : VECTOR;
        for (int i = 0; i < m; i++)
            if (transA) kernel.row(n, k, a, aOff + i, lda, b, c, cOff + i * ldc); // row i of op(A) is column i of A
            else kernel.row(n, k, a, aOff + i * lda, 1, b, c, cOff + i * ldc);
        Gemm.kernel().epilogue(c, cOff, ldc, m, n, bias, biasOff, biasKind, act);
    }
}
