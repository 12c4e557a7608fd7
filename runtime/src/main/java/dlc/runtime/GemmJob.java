package dlc.runtime;

/**
 * One multi-threaded {@link Gemm} call: the arguments, and how each part picks its share. Parts
 * split C into row ranges (when m is the larger side) or column ranges, aligned to the tile, and
 * each runs the single-threaded blocked loops on its share with its own packing buffers; a few-row
 * product splits its columns (aligned to 16, so vector chunks and scalar tails fall where one
 * thread puts them). One
 * instance per calling thread, reused, so a parallel call allocates nothing. The result is
 * bit-identical to a single-threaded call: every element is still summed by one micro-kernel tile
 * over the same k slices (kc depends on k only), so runs reproduce whatever the thread count.
 */
final class GemmJob implements Parallel.Task {
    static final ThreadLocal<GemmJob> LOCAL = ThreadLocal.withInitial(GemmJob::new);

    private GemmKernel kernel;
    private boolean transA, transB, accumulate;
    private int m, n, k, aOff, lda, bOff, ldb, cOff, ldc, biasOff, biasKind, act;
    private float[] a, b, c, bias;
    /** The caller's {@link InvariantPacks} token for B (0: not a loop invariant), for the workers' scratch. */
    long bToken;

    void set(GemmKernel kernel, boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
             float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate,
             float[] bias, int biasOff, int biasKind, int act) {
        this.kernel = kernel;
        this.transA = transA;
        this.transB = transB;
        this.m = m;
        this.n = n;
        this.k = k;
        this.a = a;
        this.aOff = aOff;
        this.lda = lda;
        this.b = b;
        this.bOff = bOff;
        this.ldb = ldb;
        this.c = c;
        this.cOff = cOff;
        this.ldc = ldc;
        this.accumulate = accumulate;
        this.bias = bias;
        this.biasOff = biasOff;
        this.biasKind = biasKind;
        this.act = act;
    }

    /** Drops the array references so that a finished call keeps nothing alive. */
    void clear() {
        a = b = c = bias = null;
        kernel = null;
        bToken = 0;
    }

    @Override public void run(int part, int parts) {
        GemmScratch s = GemmScratch.get();
        s.bToken = bToken;
        try {
            runPart(s, part, parts);
        } finally {
            s.bToken = 0;
        }
    }

    private void runPart(GemmScratch s, int part, int parts) {
        if (m <= Gemm.FEW_ROWS) {
            // a big vector-matrix product: each part streams its own columns of B
            int step = Gemm.roundUp(Gemm.ceilDiv(n, parts), 16), j0 = part * step, cols = Math.min(step, n - j0);
            if (cols <= 0) return;
            int b0 = transB ? bOff + j0 * ldb : bOff + j0;
            kernel.fewRows(transA, transB, m, cols, k, a, aOff, lda, b, b0, ldb, c, cOff + j0, ldc, accumulate);
            kernel.epilogue(c, cOff + j0, ldc, m, cols, bias, biasKind == Gemm.BIAS_COL ? biasOff + j0 : biasOff, biasKind, act);
        } else if (m >= n) {
            int step = Gemm.roundUp(Gemm.ceilDiv(m, parts), kernel.mr), i0 = part * step, rows = Math.min(step, m - i0);
            if (rows <= 0) return;
            int a0 = transA ? aOff + i0 : aOff + i0 * lda;
            int bias0 = biasKind == Gemm.BIAS_ROW ? biasOff + i0 : biasOff;
            kernel.blocked(s, transA, transB, rows, n, k, a, a0, lda, b, bOff, ldb, c, cOff + i0 * ldc, ldc,
                    accumulate, bias, bias0, biasKind, act);
        } else {
            int step = Gemm.roundUp(Gemm.ceilDiv(n, parts), kernel.nr), j0 = part * step, cols = Math.min(step, n - j0);
            if (cols <= 0) return;
            int b0 = transB ? bOff + j0 * ldb : bOff + j0;
            int bias0 = biasKind == Gemm.BIAS_COL ? biasOff + j0 : biasOff;
            kernel.blocked(s, transA, transB, m, cols, k, a, aOff, lda, b, b0, ldb, c, cOff + j0, ldc,
                    accumulate, bias, bias0, biasKind, act);
        }
    }
}
