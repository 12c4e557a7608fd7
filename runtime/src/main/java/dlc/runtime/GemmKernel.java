package dlc.runtime;

/**
 * The register-blocked inner part of {@link Gemm}: a micro-kernel that multiplies one packed
 * {@code mr x kc} panel of A by one packed {@code kc x nr} panel of B into an {@code mr x nr} tile
 * of C, and the path for a few rows of A (batch-1 dense layers) that skips packing.
 *
 * <p>Packed layouts (written by {@link GemmPacking}): an A panel holds, for each p in [0, kc), the
 * {@code mr} values {@code A(i0 + r, p)}; a B panel holds, for each p, the {@code nr} values
 * {@code B(p, j0 + c)}; both zero-padded past the matrix edge.
 */
abstract class GemmKernel {
    /** Rows and columns of the C tile one micro-kernel call produces. */
    final int mr, nr;

    GemmKernel(int mr, int nr) {
        this.mr = mr;
        this.nr = nr;
    }

    /** A short name for benchmarks and messages ("vector-512x16", "scalar"). */
    abstract String name();

    /**
     * {@code C[ci + r*ldc + c] (+)= sum_p ap[ai + p*mr + r] * bp[bi + p*nr + c]} for the full
     * {@code mr x nr} tile; adds to C when {@code add}, else overwrites it.
     */
    abstract void tile(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean add);

    /**
     * {@code C (+)= op(A) op(B)} for small m without packing (each row of C is a vector-matrix
     * product that streams B once): the batch-1 dense layer. No epilogue.
     */
    void fewRows(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                 float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean add) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (!transB) {
                // c row = sum_p A(i,p) * B row p: contiguous passes over B
                if (!add) java.util.Arrays.fill(c, ci, ci + n, 0f);
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    int bi = bOff + p * ldb;
                    for (int j = 0; j < n; j++) c[ci + j] += av * b[bi + j];
                }
            } else {
                for (int j = 0; j < n; j++) {
                    int bi = bOff + j * ldb;
                    float s = 0;
                    for (int p = 0; p < k; p++) s += (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]) * b[bi + p];
                    c[ci + j] = add ? c[ci + j] + s : s;
                }
            }
        }
    }

    /** Adds the bias and applies the activation to a finished {@code rows x cols} block of C. */
    void epilogue(float[] c, int ci, int ldc, int rows, int cols, float[] bias, int biasOff, int biasKind, int act) {
        if (biasKind == Gemm.BIAS_NONE && act == Gemm.ACT_NONE) return;
        for (int i = 0; i < rows; i++) {
            int row = ci + i * ldc;
            float rowBias = biasKind == Gemm.BIAS_ROW ? bias[biasOff + i] : 0f;
            for (int j = 0; j < cols; j++) {
                float v = c[row + j];
                if (biasKind == Gemm.BIAS_COL) v += bias[biasOff + j];
                else if (biasKind == Gemm.BIAS_ROW) v += rowBias;
                c[row + j] = Gemm.activate(v, act);
            }
        }
    }
}
