package dlc.runtime;

/**
 * Copies blocks of A and B into the panel layouts the micro-kernel reads contiguously (see
 * {@link GemmKernel}), resolving transposition, offsets and leading dimensions once per block
 * instead of once per multiply-add, and zero-padding the last panel to a full tile.
 */
final class GemmPacking {
    private GemmPacking() {}

    /** Packs {@code op(A)[i0 .. i0+mc, p0 .. p0+kc]} into panels of {@code mr} rows at {@code ap[0..]}. */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc, int mr, float[] ap) {
        int dst = 0;
        for (int ir = 0; ir < mc; ir += mr, dst += mr * kc) {
            int rows = Math.min(mr, mc - ir);
            if (transA) {
                // A is k x m: the mr values of one p are contiguous in the source
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (p0 + p) * lda + i0 + ir, d = dst + p * mr;
                    System.arraycopy(a, src, ap, d, rows);
                    for (int r = rows; r < mr; r++) ap[d + r] = 0f;
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (i0 + ir + r) * lda + p0, d = dst + r;
                    for (int p = 0; p < kc; p++, d += mr) ap[d] = a[src + p];
                }
                for (int r = rows; r < mr; r++)
                    for (int p = 0, d = dst + r; p < kc; p++, d += mr) ap[d] = 0f;
            }
        }
    }

    /** Packs {@code op(B)[p0 .. p0+kc, j0 .. j0+nc]} into panels of {@code nr} columns at {@code bp[0..]}. */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc, int nr, float[] bp) {
        int dst = 0;
        for (int jr = 0; jr < nc; jr += nr, dst += nr * kc) {
            int cols = Math.min(nr, nc - jr);
            if (!transB) {
                // B is k x n: the nr values of one p are contiguous in the source
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0 + jr, d = dst + p * nr;
                    System.arraycopy(b, src, bp, d, cols);
                    for (int c = cols; c < nr; c++) bp[d + c] = 0f;
                }
            } else {
                for (int c = 0; c < cols; c++) {
                    int src = bOff + (j0 + jr + c) * ldb + p0, d = dst + c;
                    for (int p = 0; p < kc; p++, d += nr) bp[d] = b[src + p];
                }
                for (int c = cols; c < nr; c++)
                    for (int p = 0, d = dst + c; p < kc; p++, d += nr) bp[d] = 0f;
            }
        }
    }
}
