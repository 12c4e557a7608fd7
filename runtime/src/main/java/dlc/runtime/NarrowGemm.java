package dlc.runtime;

/**
 * {@code y = act(a @ b + bias)} where {@code b} is a weight stored narrow ({@link NarrowMatrix}):
 * what generated code calls for a matmul whose right operand is such a weight.
 *
 * <p>A few rows (batch-1 inference, up to {@link #NARROW_ROWS}): weight-stationary, each row of
 * {@code b} is read once, in its narrow form, widened to float32 in a one-row buffer that stays in
 * L1, and multiplied into every row of {@code y}; an int8 column's scale is applied once at the end
 * ({@code y[i][j] = s[j] * sum_p a[i][p] q[p][j]}). So a GEMV moves half (bf16) or a quarter (int8)
 * of the weight bytes of the float32 one. More rows: the float32 values, decoded once and kept by
 * the matrix, go through the packed {@link Gemm} (packing already reuses each weight many times, so
 * narrow storage buys no speed there). Computed in float32 throughout; single-threaded.
 */
public final class NarrowGemm {
    private NarrowGemm() {}

    /** Up to this many rows of {@code a}, the narrow weight-stationary path (above: decoded float32 and the packed GEMM). */
    static final int NARROW_ROWS = Integer.getInteger("dlc.narrow.rows", 8);

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

    /** {@code C = act(op(A) B + bias)} for one m x k {@code op(A)}. */
    static void rows(boolean transA, int m, int n, int k, float[] a, int aOff, int lda, NarrowMatrix b,
                     float[] c, int cOff, int ldc, float[] bias, int biasOff, int biasKind, int act) {
        if (m == 0 || n == 0) return;
        if (m > NARROW_ROWS) {
            Gemm.matmul(transA, false, m, n, k, a, aOff, lda, b.decoded(), 0, n, c, cOff, ldc, false, bias, biasOff, biasKind, act);
            return;
        }
        for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        float[] row = GemmScratch.get().b(n);
        short[] bits = b.bf16();
        byte[] codes = b.codes();
        for (int p = 0, bi = 0; p < k; p++, bi += n) {
            // widen row p of B once (L1-resident), then use it for every row of C
            if (bits != null) for (int j = 0; j < n; j++) row[j] = Float.intBitsToFloat(bits[bi + j] << 16);
            else for (int j = 0; j < n; j++) row[j] = codes[bi + j];
            for (int i = 0; i < m; i++) {
                float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) c[ci + j] += av * row[j];
            }
        }
        if (codes != null) {
            float[] s = b.scales();
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) c[ci + j] *= s[j];
            }
        }
        Gemm.kernel().epilogue(c, cOff, ldc, m, n, bias, biasOff, biasKind, act);
    }
}
