package dlc.runtime;

/**
 * The kernel in plain Java (no {@code jdk.incubator.vector}), used when the vector module is absent
 * (plain {@code java -jar}). Its inner loop updates four rows of C with one row of B,
 * {@code c_q[j] += a_q * b[j]}, over separate arrays indexed by the same {@code j}: the one shape
 * C2's auto-vectorizer (SuperWord) turns into SIMD code in Java 17, which cannot prove two offsets
 * into arrays independent. So the kc x nc block of B is copied into separate row arrays and four
 * C rows into row buffers. Measured 4-5x a register tile in scalar locals (which C2 leaves
 * scalar: 11 GFLOPS per core). Java never fuses a * b + c, so every element is the same sequence
 * of roundings whatever the vectorization, the split or the alignment.
 */
final class ScalarGemmKernel extends GemmKernel {
    private static final int ROWS = 4, KC = 256, NC = 512;

    ScalarGemmKernel() { super(ROWS, 16); }

    @Override String name() { return "scalar-rows" + ROWS; }

    @Override void blocked(GemmScratch s, boolean transA, boolean transB, int m, int n, int k,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                           boolean accumulate, float[] bias, int biasOff, int biasKind, int act) {
        int kcMax = Gemm.ceilDiv(k, Gemm.ceilDiv(k, KC)), ncMax = Math.min(NC, n);
        float[][] rows = s.rows(kcMax, ncMax), cr = s.cRows(ROWS, ncMax);
        float[] c0 = cr[0], c1 = cr[1], c2 = cr[2], c3 = cr[3];
        for (int jc = 0; jc < n; jc += ncMax) {
            int nc = Math.min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                boolean add = accumulate || pc > 0;
                // the copy of B's block into the row arrays; written here, not in a method of its own
                // (that measured 2x slower: C2 then compiles the loops below less well)
                for (int p = 0; p < kc; p++) {
                    float[] row = rows[p];
                    if (!transB) System.arraycopy(b, bOff + (pc + p) * ldb + jc, row, 0, nc);
                    else for (int j = 0, src = bOff + jc * ldb + pc + p; j < nc; j++, src += ldb) row[j] = b[src];
                }
                for (int i = 0; i < m; i += ROWS) {
                    int r = Math.min(ROWS, m - i);
                    for (int q = 0; q < ROWS; q++) {
                        int ci = cOff + (i + q) * ldc + jc;
                        if (q < r && add) System.arraycopy(c, ci, cr[q], 0, nc);
                        else java.util.Arrays.fill(cr[q], 0, nc, 0f);
                    }
                    for (int p = 0; p < kc; p++) {
                        // rows past m multiply by 0 and are dropped
                        float a0 = at(transA, a, aOff, lda, i, pc + p);
                        float a1 = r > 1 ? at(transA, a, aOff, lda, i + 1, pc + p) : 0f;
                        float a2 = r > 2 ? at(transA, a, aOff, lda, i + 2, pc + p) : 0f;
                        float a3 = r > 3 ? at(transA, a, aOff, lda, i + 3, pc + p) : 0f;
                        axpy4(c0, c1, c2, c3, rows[p], a0, a1, a2, a3, nc);
                    }
                    for (int q = 0; q < r; q++) System.arraycopy(cr[q], 0, c, cOff + (i + q) * ldc + jc, nc);
                }
            }
            epilogue(c, cOff + jc, ldc, m, nc, bias, biasOff + (biasKind == Gemm.BIAS_ROW ? 0 : jc), biasKind, act);
        }
    }

    private static float at(boolean transA, float[] a, int aOff, int lda, int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    /** The loop C2 vectorizes: every array indexed by j alone. */
    private static void axpy4(float[] c0, float[] c1, float[] c2, float[] c3, float[] b,
                              float a0, float a1, float a2, float a3, int n) {
        for (int j = 0; j < n; j++) {
            float bj = b[j];
            c0[j] += a0 * bj;
            c1[j] += a1 * bj;
            c2[j] += a2 * bj;
            c3[j] += a3 * bj;
        }
    }

    /**
     * A few rows: the same loops when B is not transposed (copying its rows costs less than the
     * scalar arithmetic they vectorize: 9 vs 5 GFLOPS at m = 1); a transposed B would be gathered
     * column by column, so its rows are dot products instead.
     */
    @Override void fewRows(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                           float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean add) {
        if (transB) {
            super.fewRows(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, add);
            return;
        }
        blocked(GemmScratch.get(), transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, add,
                null, 0, Gemm.BIAS_NONE, Gemm.ACT_NONE);
    }
}
