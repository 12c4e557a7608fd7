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
        GemmChecks.check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, bias, biasOff, biasKind, act);
        if (m == 0 || n == 0) return;
        GemmKernel kernel = kernel();
        if (k == 0) {
            // an empty sum: C is 0 (or unchanged when accumulating), then the epilogue
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            kernel.epilogue(c, cOff, ldc, m, n, bias, biasOff, biasKind, act);
            return;
        }
        if (m <= FEW_ROWS) {
            // batch-1 dense layers: a vector-matrix product streams B once, packing it would double the traffic
            kernel.fewRows(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            kernel.epilogue(c, cOff, ldc, m, n, bias, biasOff, biasKind, act);
            return;
        }
        int threads = Parallel.threads();
        if (threads > 1 && (long) m * n * k >= parallelMinWork) {
            GemmJob job = GemmJob.LOCAL.get();
            job.set(kernel, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, bias, biasOff, biasKind, act);
            try {
                Parallel.run(threads, job);
            } finally {
                job.clear();
            }
            return;
        }
        blocked(kernel, GemmScratch.get(), transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
                accumulate, bias, biasOff, biasKind, act);
    }

    // ---- blocking ------------------------------------------------------------------------------

    /** Up to this many rows, {@link GemmKernel#fewRows} (no packing) beats the packed kernel. */
    static final int FEW_ROWS = 4;
    /** Cache blocks: an mc x kc block of A stays in L2, a kc x nr panel of B in L1 (tuned on Zen 4 with GemmBench). */
    static final int MC = Integer.getInteger("dlc.gemm.mc", 144), KC = Integer.getInteger("dlc.gemm.kc", 256),
            NC = Integer.getInteger("dlc.gemm.nc", 2048);
    /** Problems with fewer multiply-adds run on the caller thread (waking a worker costs more). */
    static long parallelMinWork = 1L << 21;

    /**
     * The cache-blocked loops around the micro-kernel for one (sub-)problem on one thread: for each
     * nc-wide column block and kc-deep slice, pack the B block once, then for each mc-high row
     * block pack A and run the micro-kernel over the tiles; the epilogue runs on each C block as
     * soon as its last slice is added, while the block is still in cache.
     */
    static void blocked(GemmKernel kr, GemmScratch s, boolean transA, boolean transB, int m, int n, int k,
                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                        boolean accumulate, float[] bias, int biasOff, int biasKind, int act) {
        int mr = kr.mr, nr = kr.nr;
        // even slices: k = 300 runs as 2 x 150 rather than 256 + 44
        int kcMax = ceilDiv(k, ceilDiv(k, KC));
        int mcMax = roundUp(Math.min(roundUp(MC, mr), roundUp(m, mr)), mr);
        int ncMax = Math.min(roundUp(NC, nr), roundUp(n, nr));
        float[] ap = s.a(mcMax * kcMax), bp = s.b(kcMax * ncMax), tile = s.tile(mr * nr);
        for (int jc = 0; jc < n; jc += ncMax) {
            int nc = Math.min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                boolean add = accumulate || pc > 0, last = pc + kc == k;
                GemmPacking.packB(transB, b, bOff, ldb, pc, kc, jc, nc, nr, bp);
                for (int ic = 0; ic < m; ic += mcMax) {
                    int mc = Math.min(mcMax, m - ic);
                    GemmPacking.packA(transA, a, aOff, lda, ic, mc, pc, kc, mr, ap);
                    for (int jr = 0; jr < nc; jr += nr) {
                        int cols = Math.min(nr, nc - jr), bi = jr * kc;
                        for (int ir = 0; ir < mc; ir += mr) {
                            int rows = Math.min(mr, mc - ir), ai = ir * kc, ci = cOff + (ic + ir) * ldc + jc + jr;
                            if (rows == mr && cols == nr) {
                                kr.tile(kc, ap, ai, bp, bi, c, ci, ldc, add);
                            } else {
                                // an edge tile: compute the full tile aside, keep the part inside C
                                kr.tile(kc, ap, ai, bp, bi, tile, 0, nr, false);
                                for (int r = 0; r < rows; r++)
                                    for (int q = 0; q < cols; q++) {
                                        int x = ci + r * ldc + q;
                                        c[x] = add ? c[x] + tile[r * nr + q] : tile[r * nr + q];
                                    }
                            }
                        }
                    }
                    if (last)
                        kr.epilogue(c, cOff + ic * ldc + jc, ldc, mc, nc, bias,
                                biasOff + (biasKind == BIAS_ROW ? ic : jc), biasKind, act);
                }
            }
        }
    }

    static int ceilDiv(int x, int y) { return (x + y - 1) / y; }

    static int roundUp(int x, int y) { return ceilDiv(x, y) * y; }

    // ---- kernel choice -------------------------------------------------------------------------

    private static final GemmKernel SCALAR = new ScalarGemmKernel();
    /** The vector kernel, or null when jdk.incubator.vector is not in the boot layer (plain java -jar). */
    private static final GemmKernel VECTOR = loadVectorKernel();
    private static volatile boolean forceScalar;

    private static GemmKernel loadVectorKernel() {
        if (Boolean.getBoolean("dlc.gemm.scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())
            return null;
        try {
            // by name, so that this class links without the module
            Class<?> k = Class.forName("dlc.runtime.VectorGemmKernel");
            GemmKernel kernel = (GemmKernel) k.getDeclaredConstructor().newInstance();
            return kernel.nr >= 8 ? kernel : null; // narrower than 128-bit vectors: the scalar kernel is as fast
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    static GemmKernel kernel() { return forceScalar || VECTOR == null ? SCALAR : VECTOR; }

    /** Tests and benchmarks: run the scalar kernel even when the vector one is available (global). */
    public static void forceScalarKernel(boolean on) { forceScalar = on; }

    /** Whether the vector kernel is available (the module is present). */
    public static boolean vectorAvailable() { return VECTOR != null; }

    /** The kernel that runs now, e.g. "vector-6x32" or "scalar-4x4". */
    public static String kernelName() { return kernel().name(); }

    static float activate(float v, int act) {
        return switch (act) {
            case ACT_RELU -> v > 0 ? v : 0f;
            case ACT_TANH -> (float) Math.tanh(v);
            case ACT_SIGMOID -> Fn.sigmoid(v);
            default -> v;
        };
    }
}
