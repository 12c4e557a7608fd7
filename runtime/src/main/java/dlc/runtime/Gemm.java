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
        int threads = Parallel.threads();
        boolean parallel = threads > 1 && (long) m * n * k >= parallelMinWork;
        if (m <= FEW_ROWS && !parallel) {
            // batch-1 dense layers: a vector-matrix product streams B once, packing it would double the traffic
            kernel.fewRows(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            kernel.epilogue(c, cOff, ldc, m, n, bias, biasOff, biasKind, act);
            return;
        }
        if (parallel) {
            GemmJob job = GemmJob.LOCAL.get();
            job.set(kernel, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, bias, biasOff, biasKind, act);
            job.bToken = InvariantPacks.tokenOf(b);
            try {
                Parallel.run(threads, job);
            } finally {
                job.clear();
            }
            return;
        }
        GemmScratch s = GemmScratch.get();
        s.bToken = InvariantPacks.tokenOf(b); // a scan's loop invariant: its panels are packed once per run
        try {
            kernel.blocked(s, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
                    accumulate, bias, biasOff, biasKind, act);
        } finally {
            s.bToken = 0;
        }
    }

    // ---- blocking ------------------------------------------------------------------------------

    /**
     * Up to this many rows, {@link GemmKernel#fewRows} (no packing) beats the packed vector kernel
     * (measured: 40 vs 12 GFLOPS at m = 1, 40 vs 22 at m = 2, even at m = 4).
     */
    static final int FEW_ROWS = Integer.getInteger("dlc.gemm.fewRows", 3);
    /**
     * Cache blocks of the tiled kernel: an mc x kc block of A stays in L2, a kc x nr panel of B in
     * L1 (on the 2-core AVX-512 EPYC: flat within noise for mc 48-288, kc 128-512, nc 512-2048).
     */
    static final int MC = Integer.getInteger("dlc.gemm.mc", 144), KC = Integer.getInteger("dlc.gemm.kc", 256),
            NC = Integer.getInteger("dlc.gemm.nc", 2048);
    /**
     * Problems with fewer multiply-adds run on the caller thread. A region costs a microsecond or
     * two when the worker is spinning for work, and, when no worker comes, the parts run in turn on
     * the caller at the price of packing the shared operand once more; from 1M multiply-adds (the
     * MLP's 32 x 256 x 128 layers at batch 32, 15-30 microseconds on one core) splitting pays.
     */
    static long parallelMinWork = 1L << 20;

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

    /** Whether the vector kernel runs now: available and not forced off ({@link #forceScalarKernel}). */
    static boolean vectorKernelActive() { return !forceScalar && VECTOR != null; }

    /** Whether the vector kernel is available (the module is present). */
    public static boolean vectorAvailable() { return VECTOR != null; }

    /** The kernel that runs now, e.g. "vector-6x32" or "scalar-rows4". */
    public static String kernelName() { return kernel().name(); }

    static float activate(float v, int act) {
        return switch (act) {
            case ACT_RELU -> v > 0 ? v : 0f;
            case ACT_TANH -> Fn.tanh(v); // the loop nests' float tanh (exp intrinsic, not the slow Math.tanh)
            case ACT_SIGMOID -> Fn.sigmoid(v);
            default -> v;
        };
    }
}
