package dlc.runtime;

/**
 * Single-precision matrix multiply, the kernel under dense layers, convolutions (im2col) and every
 * matmul VJP: {@code C = op(A) * op(B) (+ C when accumulate) (+ bias) then activation}, row-major,
 * with leading dimensions and offsets so that callers can multiply sub-matrices in place.
 *
 * <p>CONTRACT (what generated code and the other kernels call; keep the signature stable):
 * {@code op(A)} is m x k ({@code A} is k x m when {@code transA}), {@code op(B)} is k x n
 * ({@code B} is n x k when {@code transB}), {@code C} is m x n. The epilogue runs on each finished
 * block of C while it is in cache: {@code biasKind} {@link #BIAS_NONE}, {@link #BIAS_COL} (bias[j]
 * added to column j, a dense layer's bias) or {@link #BIAS_ROW} (bias[i] added to row i, a
 * convolution's per-channel bias); then {@code act} {@link #ACT_NONE}, {@link #ACT_RELU},
 * {@link #ACT_TANH} or {@link #ACT_SIGMOID}. Results are computed in float; the order of the
 * k-sum may differ from a naive loop.
 */
public final class Gemm {
    public static final int BIAS_NONE = 0, BIAS_COL = 1, BIAS_ROW = 2;
    public static final int ACT_NONE = 0, ACT_RELU = 1, ACT_TANH = 2, ACT_SIGMOID = 3;

    private Gemm() {}

    /** {@code C = op(A) op(B)}, or {@code C += op(A) op(B)} when {@code accumulate}; no epilogue. */
    public static void matmul(boolean transA, boolean transB, int m, int n, int k,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc, boolean accumulate) {
        matmul(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, null, 0, BIAS_NONE, ACT_NONE);
    }

    /** The full form with a bias + activation epilogue (see the class comment). */
    public static void matmul(boolean transA, boolean transB, int m, int n, int k,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc, boolean accumulate,
                              float[] bias, int biasOff, int biasKind, int act) {
        // Reference implementation, replaced by the packed, blocked, vectorized kernel.
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) {
                    float x = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float y = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += x * y;
                }
                int ci = cOff + i * ldc + j;
                float v = accumulate ? c[ci] + s : s;
                if (biasKind == BIAS_COL) v += bias[biasOff + j];
                else if (biasKind == BIAS_ROW) v += bias[biasOff + i];
                c[ci] = activate(v, act);
            }
    }

    static float activate(float v, int act) {
        return switch (act) {
            case ACT_RELU -> v > 0 ? v : 0f;
            case ACT_TANH -> (float) Math.tanh(v);
            case ACT_SIGMOID -> Fn.sigmoid(v);
            default -> v;
        };
    }
}
