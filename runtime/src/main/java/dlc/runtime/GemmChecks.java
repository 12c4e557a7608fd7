package dlc.runtime;

/**
 * Argument checks for {@link Gemm}: a wrong size, offset or leading dimension fails here with the
 * numbers in the message, not as an index error deep in a packing loop (or, worse, as a silently
 * wrong product when a too-small leading dimension makes rows overlap).
 */
final class GemmChecks {
    private GemmChecks() {}

    static void check(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                      float[] bias, int biasOff, int biasKind, int act) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("gemm sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        if (act < Gemm.ACT_NONE || act > Gemm.ACT_SIGMOID) throw new IllegalArgumentException("gemm: unknown activation " + act);
        if (biasKind < Gemm.BIAS_NONE || biasKind > Gemm.BIAS_ROW) throw new IllegalArgumentException("gemm: unknown bias kind " + biasKind);
        matrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        matrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        matrix("C", c, cOff, ldc, m, n);
        if (biasKind != Gemm.BIAS_NONE) {
            int len = biasKind == Gemm.BIAS_COL ? n : m;
            if (bias == null) throw new IllegalArgumentException("gemm: bias kind " + biasKind + " needs a bias array");
            if (biasOff < 0 || (long) biasOff + len > bias.length)
                throw new IllegalArgumentException("gemm: bias of " + len + " at offset " + biasOff + " does not fit an array of " + bias.length);
        }
    }

    /** A rows x cols row-major matrix at offset off with leading dimension ld must fit in x. */
    private static void matrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) return;
        if (x == null) throw new IllegalArgumentException("gemm: " + name + " is null");
        if (ld < cols) throw new IllegalArgumentException("gemm: leading dimension of " + name + " is " + ld + ", less than its " + cols + " columns");
        long last = off + (long) (rows - 1) * ld + cols - 1;
        if (off < 0 || last >= x.length)
            throw new IllegalArgumentException("gemm: " + name + " (" + rows + " x " + cols + ", ld " + ld + ", offset " + off
                    + ") does not fit an array of " + x.length);
    }
}
