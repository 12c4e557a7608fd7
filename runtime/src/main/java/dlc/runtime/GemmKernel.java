package dlc.runtime;

/**
 * How {@link Gemm} computes on one thread: the blocked loops for a (sub-)problem, the path for a
 * few rows of A (batch-1 dense layers) and the epilogue. {@code mr} and {@code nr} are the row and
 * column granularity a multi-threaded split aligns to.
 *
 * <p>Two kernels: {@link VectorGemmKernel} (a register tile with jdk.incubator.vector, see
 * {@link TiledGemmKernel}) and {@link ScalarGemmKernel} (plain Java that C2 auto-vectorizes).
 */
abstract class GemmKernel {
    /** Rows and columns of the unit of work; a multi-threaded split aligns to them. */
    final int mr, nr;

    GemmKernel(int mr, int nr) {
        this.mr = mr;
        this.nr = nr;
    }

    /** A short name for benchmarks and messages ("vector-6x32", "scalar-rows4"). */
    abstract String name();

    /**
     * {@code C (+)= op(A) op(B)} then the epilogue, on the calling thread: the cache-blocked loops
     * for one problem or one thread's share of it, with that thread's buffers.
     */
    abstract void blocked(GemmScratch s, boolean transA, boolean transB, int m, int n, int k,
                          float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                          boolean accumulate, float[] bias, int biasOff, int biasKind, int act);

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
