package dlc.runtime;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Gemm} against a float64 naive product, element by element, for every layout option
 * (transposes, offsets, leading dims), accumulate, each epilogue, both micro-kernels, the few-rows
 * path and the multi-threaded split.
 *
 * <p>Tolerance: a float32 sum of k products, in any order, with or without fused multiply-adds,
 * is within {@code k * u * sum_p |a_ip b_pj|} of the exact sum (u = 2^-24, the unit roundoff;
 * Higham, Accuracy and Stability, 3.1); adding C and the bias costs two more roundings of at most
 * {@code u * (|c| + |bias| + sum|ab|)} each, and relu, tanh and sigmoid are 1-Lipschitz, then
 * round once more ({@code u * |result|}). We allow twice that bound: a wrong index, a missed
 * tile or an epilogue applied twice is off by O(|value|), orders of magnitude above it.
 */
class GemmTest {
    private static final double U = Math.ulp(1.0f) / 2; // 2^-24
    private static final long DEFAULT_MIN_WORK = Gemm.parallelMinWork;

    @AfterEach void restore() {
        Gemm.forceScalarKernel(false);
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        Gemm.parallelMinWork = DEFAULT_MIN_WORK;
    }

    /** One call's arguments; the matrices are filled at random inside arrays with padding around them. */
    record Case(boolean transA, boolean transB, int m, int n, int k, int aOff, int lda, int bOff, int ldb,
                int cOff, int ldc, boolean accumulate, int biasKind, int biasOff, int act, long seed) {
        static Case of(boolean tA, boolean tB, int m, int n, int k, int pad, boolean acc, int biasKind, int act, long seed) {
            int lda = (tA ? m : k) + pad, ldb = (tB ? k : n) + pad, ldc = n + pad;
            return new Case(tA, tB, m, n, k, pad * 3, lda, pad * 2, ldb, pad, ldc, acc, biasKind, pad, act, seed);
        }
    }

    /** Runs the case through Gemm and checks every element of C, and that C's padding is untouched. */
    static void check(Case t) {
        Random r = new Random(t.seed);
        int rowsA = t.transA ? t.k : t.m, colsA = t.transA ? t.m : t.k;
        int rowsB = t.transB ? t.n : t.k, colsB = t.transB ? t.k : t.n;
        float[] a = random(r, t.aOff + Math.max(0, rowsA * t.lda) + 3);
        float[] b = random(r, t.bOff + Math.max(0, rowsB * t.ldb) + 3);
        float[] c = random(r, t.cOff + Math.max(0, t.m * t.ldc) + 3);
        float[] c0 = c.clone();
        int biasLen = t.biasKind == Gemm.BIAS_ROW ? t.m : t.n;
        float[] bias = random(r, t.biasOff + biasLen + 2);
        Gemm.matmul(t.transA, t.transB, t.m, t.n, t.k, a, t.aOff, t.lda, b, t.bOff, t.ldb, c, t.cOff, t.ldc,
                t.accumulate, t.biasKind == Gemm.BIAS_NONE ? null : bias, t.biasOff, t.biasKind, t.act);
        boolean[] inside = new boolean[c.length];
        for (int i = 0; i < t.m; i++)
            for (int j = 0; j < t.n; j++) {
                int ci = t.cOff + i * t.ldc + j;
                inside[ci] = true;
                double sum = 0, abs = 0;
                for (int p = 0; p < t.k; p++) {
                    double x = t.transA ? a[t.aOff + p * t.lda + i] : a[t.aOff + i * t.lda + p];
                    double y = t.transB ? b[t.bOff + j * t.ldb + p] : b[t.bOff + p * t.ldb + j];
                    sum += x * y;
                    abs += Math.abs(x * y);
                }
                double pre = sum, extra = 0;
                if (t.accumulate) { pre += c0[ci]; extra += Math.abs(c0[ci]); }
                if (t.biasKind == Gemm.BIAS_COL) { pre += bias[t.biasOff + j]; extra += Math.abs(bias[t.biasOff + j]); }
                if (t.biasKind == Gemm.BIAS_ROW) { pre += bias[t.biasOff + i]; extra += Math.abs(bias[t.biasOff + i]); }
                double want = activate(pre, t.act);
                double tol = 2 * (t.k * U * abs + 2 * U * (extra + abs) + U * Math.abs(want)) + Double.MIN_NORMAL;
                float got = c[ci];
                if (!(Math.abs(got - want) <= tol)) // NaN fails
                    fail(t + " (" + Gemm.kernelName() + "): C[" + i + "," + j + "] = " + got + ", want " + want + " +- " + tol);
            }
        for (int x = 0; x < c.length; x++)
            if (!inside[x] && Float.floatToRawIntBits(c[x]) != Float.floatToRawIntBits(c0[x]))
                fail(t + ": wrote outside C at array index " + x);
    }

    static double activate(double v, int act) {
        return switch (act) {
            case Gemm.ACT_RELU -> v > 0 ? v : 0;
            case Gemm.ACT_TANH -> Math.tanh(v);
            case Gemm.ACT_SIGMOID -> 1 / (1 + Math.exp(-v));
            default -> v;
        };
    }

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }

    // ---- properties over random shapes -----------------------------------------------------------

    @Provide Arbitrary<Case> cases() {
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(1, 8)),
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(1, 80)));
        Arbitrary<Boolean> bool = Arbitraries.of(false, true);
        return Combinators.combine(
                Combinators.combine(bool, bool, size, size, size).as((tA, tB, m, n, k) -> new int[]{tA ? 1 : 0, tB ? 1 : 0, m, n, k}),
                Arbitraries.integers().between(0, 5), bool, Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 3), Arbitraries.longs())
                .as((s, pad, acc, biasKind, act, seed) -> Case.of(s[0] == 1, s[1] == 1, s[2], s[3], s[4], pad, acc, biasKind, act, seed));
    }

    @Property(tries = 300)
    void vectorKernelMatchesFloat64(@ForAll("cases") Case t) {
        check(t);
    }

    @Property(tries = 300)
    void scalarKernelMatchesFloat64(@ForAll("cases") Case t) {
        Gemm.forceScalarKernel(true);
        try {
            check(t);
        } finally {
            Gemm.forceScalarKernel(false);
        }
    }

    @Property(tries = 150)
    void multithreadedSplitMatchesFloat64(@ForAll("cases") Case t) {
        // every call parallel, over 2 and 3 parts (3 > cores: parts queue on the caller and the worker)
        Gemm.parallelMinWork = 0;
        try {
            for (int threads : new int[]{2, 3}) {
                Parallel.setThreads(threads);
                check(t);
            }
        } finally {
            Gemm.parallelMinWork = DEFAULT_MIN_WORK;
            Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }

    // ---- fixed cases at the block edges ------------------------------------------------------------

    @Test void vectorKernelIsTestedWhenTheModuleIsPresent() {
        // surefire runs with --add-modules jdk.incubator.vector: the vector path must be the one under test
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "tests must run with the vector module");
        assertTrue(Gemm.vectorAvailable());
        assertTrue(Gemm.kernelName().startsWith("vector"), Gemm.kernelName());
        Gemm.forceScalarKernel(true);
        assertTrue(Gemm.kernelName().startsWith("scalar"), Gemm.kernelName());
    }

    @Test void sizesAcrossTileAndCacheBlockEdges() {
        // 1, tile +- 1 (6, 4, 32, 16), past MC = 144 and KC = 256 (several k slices), and odd sizes
        int[][] shapes = {{1, 1, 1}, {5, 7, 3}, {6, 32, 1}, {7, 33, 257}, {13, 31, 300}, {145, 17, 5}, {150, 65, 520},
                {31, 97, 256}, {97, 5, 513}, {2, 2100, 3}, {300, 2, 9}};
        long seed = 0;
        for (boolean scalar : new boolean[]{false, true}) {
            Gemm.forceScalarKernel(scalar);
            for (int[] s : shapes)
                for (int tr = 0; tr < 4; tr++)
                    check(Case.of((tr & 1) != 0, (tr & 2) != 0, s[0], s[1], s[2], (int) (seed % 3), seed % 2 == 0,
                            (int) (seed % 3), (int) (seed % 4), seed++));
        }
    }

    @Test void narrowBPanelsAndARowsReadInPlace() {
        // n up to one vector (the classifier's 10 outputs) runs 12-row tiles over 1-vector panels when A
        // is not transposed; A's rows are read in place there, edge tiles (m not a multiple of the tile
        // height) repeat the last row: every shape here has such an edge, and k is not a multiple of 16
        int[][] shapes = {{128, 10, 128}, {13, 10, 7}, {25, 16, 33}, {11, 1, 300}, {150, 9, 520}, {4, 17, 5},
                {128, 256, 784}, {7, 40, 19}};
        long seed = 7;
        for (int[] s : shapes)
            for (int tr = 0; tr < 4; tr++)
                for (int biasKind = 0; biasKind < 3; biasKind++)
                    check(Case.of((tr & 1) != 0, (tr & 2) != 0, s[0], s[1], s[2], (int) (seed % 3), seed % 2 == 0,
                            biasKind, (int) (seed % 4), seed++));
    }

    @Test void shortRowTilesAtEveryRemainder() {
        // A read in place: a block's last rows run 4-row tiles (7-8 rows as 4 + 3-4, 1-4 rows as one),
        // so every row count to 20 and the LSTM's 32, the MLP's 128 and MC + 2 reach each split
        long seed = 300;
        for (int m : new int[]{4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 32, 128, 146})
            for (boolean transB : new boolean[]{false, true})
                for (int n : new int[]{32, 45})
                    check(Case.of(false, transB, m, n, 37, (int) (seed % 3), seed % 2 == 0, (int) (seed % 3), (int) (seed % 4), seed++));
    }

    @Test void inPlaceRowsSplitsTheLastRowsIntoShortTiles() {
        TiledGemmKernel k = new TiledGemmKernel(6, 32) {
            @Override String name() { return "split"; }
            @Override void tile(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {}
            @Override void tileRowsA(int kc, float[] a, int a0, int lda, int rows, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {}
            @Override void tileRowsA4(int kc, float[] a, int a0, int lda, int rows, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {}
        };
        assertEquals(java.util.List.of(6, 6, 6, 6, 4, 4), split(k, 32));
        assertEquals(java.util.List.of(6, 4, 3), split(k, 13));
        assertEquals(java.util.List.of(5), split(k, 5));
        assertEquals(java.util.List.of(6, 6, 4), split(k, 16));
        assertEquals(java.util.List.of(3), split(k, 3));
    }

    private static java.util.List<Integer> split(TiledGemmKernel k, int m) {
        java.util.List<Integer> rows = new java.util.ArrayList<>();
        for (int left = m; left > 0; left -= rows.get(rows.size() - 1)) rows.add(k.inPlaceRows(left));
        return rows;
    }

    @Test void fewRowsPathEveryLayoutAndEpilogue() {
        long seed = 100;
        for (int m = 1; m <= Gemm.FEW_ROWS + 1; m++)
            for (int tr = 0; tr < 4; tr++)
                for (int act = 0; act < 4; act++)
                    for (int n : new int[]{1, 15, 16, 64, 67, 130})
                        check(Case.of((tr & 1) != 0, (tr & 2) != 0, m, n, 37, (int) (seed % 3), seed % 2 == 0,
                                (int) (seed % 3), act, seed++));
    }

    @Test void emptyInnerDimensionGivesZeroOrKeepsC() {
        for (boolean acc : new boolean[]{false, true})
            for (int act = 0; act < 4; act++)
                check(Case.of(false, false, 9, 11, 0, 1, acc, Gemm.BIAS_COL, act, act));
        check(Case.of(true, true, 0, 5, 4, 1, false, Gemm.BIAS_ROW, Gemm.ACT_RELU, 7));
        check(Case.of(true, true, 5, 0, 4, 1, false, Gemm.BIAS_COL, Gemm.ACT_RELU, 7));
    }

    @Test void bigProblemsSplitOverThreadsByRowsAndByColumns() {
        Parallel.setThreads(2);
        check(Case.of(false, false, 300, 64, 200, 1, true, Gemm.BIAS_ROW, Gemm.ACT_TANH, 1));   // m >= n: rows
        check(Case.of(true, true, 40, 700, 150, 2, false, Gemm.BIAS_COL, Gemm.ACT_SIGMOID, 2)); // columns
    }

    @Test void resultsAreBitIdenticalForAnyThreadCount() {
        bitIdenticalForAnyThreadCount();
        Gemm.forceScalarKernel(true);
        bitIdenticalForAnyThreadCount();
    }

    private static void bitIdenticalForAnyThreadCount() {
        // each element is summed by one tile in the same k slices whatever the split: training runs reproduce exactly
        Random r = new Random(9);
        int m = 131, n = 97, k = 300;
        float[] a = random(r, m * k), b = random(r, k * m), bias = random(r, m); // big enough for both orientations
        Gemm.parallelMinWork = 0;
        float[] first = null;
        for (int threads = 1; threads <= 3; threads++)
            for (boolean wide : new boolean[]{false, true}) {
                Parallel.setThreads(threads);
                // wide: n > m, so the split goes by columns instead of rows
                int mm = wide ? n : m, nn = wide ? m : n;
                float[] c = new float[mm * nn];
                Gemm.matmul(false, true, mm, nn, k, a, 0, k, b, 0, k, c, 0, nn, false, bias, 0, Gemm.BIAS_ROW, Gemm.ACT_TANH);
                if (!wide) {
                    if (first == null) first = c;
                    else assertArrayEquals(first, c, "threads=" + threads);
                } else {
                    Parallel.setThreads(1);
                    float[] one = new float[mm * nn];
                    Gemm.matmul(false, true, mm, nn, k, a, 0, k, b, 0, k, one, 0, nn, false, bias, 0, Gemm.BIAS_ROW, Gemm.ACT_TANH);
                    assertArrayEquals(one, c, "column split, threads=" + threads);
                }
            }
    }

    @Test void fewRowProductsSplitByColumnsBitIdentically() {
        fewRowsBitIdentical();
        Gemm.forceScalarKernel(true);
        fewRowsBitIdentical();
    }

    private static void fewRowsBitIdentical() {
        Random r = new Random(10);
        int n = 1000, k = 77;
        float[] a = random(r, 3 * k), b = random(r, k * n), bias = random(r, n);
        Gemm.parallelMinWork = 0;
        for (int m = 1; m <= Gemm.FEW_ROWS; m++)
            for (int tr = 0; tr < 4; tr++) {
                boolean tA = (tr & 1) != 0, tB = (tr & 2) != 0;
                float[][] c = new float[4][m * n];
                for (int threads = 1; threads <= 3; threads++) {
                    Parallel.setThreads(threads);
                    Gemm.matmul(tA, tB, m, n, k, a, 0, tA ? m : k, b, 0, tB ? k : n, c[threads], 0, n, false, bias, 0, Gemm.BIAS_COL, Gemm.ACT_RELU);
                }
                assertArrayEquals(c[1], c[2], "m=" + m + " trans=" + tr);
                assertArrayEquals(c[1], c[3], "m=" + m + " trans=" + tr);
                check(Case.of(tA, tB, m, n, k, 1, true, Gemm.BIAS_COL, Gemm.ACT_SIGMOID, m * 4L + tr)); // and right, on 3 threads
            }
    }

    @Test void concurrentCallersEachGetTheirOwnProduct() throws Exception {
        // the pool serves one region at a time; other callers run on their own thread and must not share buffers
        Gemm.parallelMinWork = 0;
        Parallel.setThreads(2);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                done.add(pool.submit((Callable<Void>) () -> {
                    for (int rep = 0; rep < 20; rep++)
                        check(Case.of(id % 2 == 0, rep % 2 == 0, 40 + id, 50 + rep, 60, id % 3, rep % 3 == 0,
                                rep % 3, rep % 4, id * 100L + rep));
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
    }

    @Test void singleThreadedCallsAllocateNothingAfterWarmUp() {
        Parallel.setThreads(1);
        assertNoAllocationPerCall();
    }

    @Test void multiThreadedCallsAllocateNothingOnTheCallerAfterWarmUp() {
        // the job object and the hand-off to the workers are reused: nothing per call on the caller either
        Parallel.setThreads(2);
        assertNoAllocationPerCall();
    }

    private static void assertNoAllocationPerCall() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported());
        mx.setThreadAllocatedMemoryEnabled(true);
        Random r = new Random(3);
        float[] a = random(r, 128 * 784), b = random(r, 784 * 256), c = new float[128 * 784], bias = random(r, 784);
        for (boolean scalar : new boolean[]{false, true}) {
            Gemm.forceScalarKernel(scalar);
            Runnable calls = () -> {
                Gemm.matmul(false, false, 128, 256, 784, a, 0, 784, b, 0, 256, c, 0, 256, false, bias, 0, Gemm.BIAS_COL, Gemm.ACT_RELU);
                Gemm.matmul(true, false, 128, 256, 128, a, 0, 128, b, 0, 256, c, 0, 256, true);
                Gemm.matmul(false, true, 128, 784, 256, a, 0, 256, b, 0, 256, c, 0, 784, false);
                Gemm.matmul(false, false, 1, 256, 784, a, 0, 784, b, 0, 256, c, 0, 256, false, bias, 0, Gemm.BIAS_COL, Gemm.ACT_TANH);
            };
            // warm-up until C2 has compiled the kernels (interpreted vector code boxes every vector):
            // rounds of 50 calls until one allocates (almost) nothing; a buffer regrown per call never gets there
            long tid = Thread.currentThread().getId(), perCall = Long.MAX_VALUE;
            for (int round = 0; round < 40 && perCall >= 64; round++) {
                long before = mx.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 50; i++) calls.run();
                perCall = (mx.getThreadAllocatedBytes(tid) - before) / 200;
            }
            // the counter itself may allocate a few bytes; a packing buffer would be >= 100 KB
            assertTrue(perCall < 64, (scalar ? "scalar" : "vector") + " path on " + Parallel.threads() + " threads allocates "
                    + perCall + " bytes per call");
        }
    }

    /** What {@link #plainJavaWithoutTheVectorModuleRunsTheScalarKernel} runs in a JVM without jdk.incubator.vector. */
    public static final class WithoutVectorModule {
        public static void main(String[] args) {
            check(Case.of(true, false, 70, 45, 300, 1, true, Gemm.BIAS_COL, Gemm.ACT_RELU, 5));
            check(Case.of(false, true, 2, 45, 30, 1, false, Gemm.BIAS_ROW, Gemm.ACT_TANH, 6));
            System.out.println("kernel=" + Gemm.kernelName() + " vector=" + Gemm.vectorAvailable());
        }
    }

    @Test void plainJavaWithoutTheVectorModuleRunsTheScalarKernel() throws Exception {
        // the jar made by dlc compile runs with plain java -jar: Gemm must link and compute without the module
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), WithoutVectorModule.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("kernel=scalar-rows4 vector=false"), out);
    }

    @Test void badArgumentsFailWithTheNumbers() {
        float[] x = new float[16];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.matmul(false, false, 3, 4, 4, x, 0, 3, x, 0, 4, x, 0, 4, false));
        assertTrue(e.getMessage().contains("leading dimension of A is 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.matmul(false, false, 3, 4, 4, x, 0, 4, x, 0, 4, x, 5, 4, false));
        assertTrue(e.getMessage().contains("C (3 x 4, ld 4, offset 5) does not fit an array of 16"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.matmul(false, false, 3, 4, 3, x, 0, 3, x, 0, 4, x, 0, 4, false, null, 0, Gemm.BIAS_COL, Gemm.ACT_NONE));
    }
}
