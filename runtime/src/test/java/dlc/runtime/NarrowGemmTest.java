package dlc.runtime;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * NarrowGemm against a float64 product with the weights' decoded values: the weight-stationary
 * path (m up to NARROW_ROWS) and the decoded packed one, both formats, transposed A, batched A and
 * the bias + activation epilogue. Sums of k = 67 products of order 1 in float32: errors of a few
 * ulp times sqrt(k), far below 1e-4 relative.
 */
class NarrowGemmTest {
    static void check(String format, int m, int n, int k, boolean transA, int biasKind, int act, long seed) {
        Random r = new Random(seed);
        float[] a = new float[m * k], w = new float[k * n], bias = new float[biasKind == Gemm.BIAS_ROW ? m : n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * 0.2);
        for (int i = 0; i < bias.length; i++) bias[i] = (float) r.nextGaussian();
        NarrowMatrix q = NarrowMatrix.quantize(format, w, k, n);
        float[] at = a;
        if (transA) { // store A as its transpose [k, m]
            at = new float[a.length];
            for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) at[p * m + i] = a[i * k + p];
        }
        float[] y = new float[m * n + 3];
        java.util.Arrays.fill(y, Float.NaN); // every element is written
        NarrowGemm.matmul(at, 0, new int[]{m, k}, transA, q, y, 3 - 3, biasKind == Gemm.BIAS_NONE ? null : bias, 0, biasKind, act);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[i * k + p] * q.get(p * n + j);
                if (biasKind == Gemm.BIAS_COL) s += bias[j];
                if (act == Gemm.ACT_RELU) s = Math.max(s, 0);
                float got = y[i * n + j];
                String where = format + " m=" + m + " transA=" + transA + " (" + i + ", " + j + ")";
                assertFalse(Float.isNaN(got), where);
                assertEquals(s, got, 1e-4 * Math.max(1, Math.abs(s)), where);
            }
    }

    /**
     * Both row kernels; the vector kernel pads the columns to whole vectors and runs blocks of 8, 4
     * and 1 vectors: n = 10 (one partial vector, the classifier), 37, 150 and 200 (8 + 4 + 1
     * vectors at 16 lanes, the last partial) cover each block and a partial last vector at 8 and
     * 16 lanes.
     */
    @Test void fewRowsReadTheNarrowWeights() {
        try {
            for (boolean scalar : new boolean[]{false, true}) {
                NarrowGemm.forceScalarKernel(scalar);
                for (String f : new String[]{NarrowMatrix.BF16, NarrowMatrix.INT8})
                    for (int n : new int[]{10, 37, 150, 200})
                        for (int m : new int[]{1, 2, NarrowGemm.NARROW_ROWS}) {
                            check(f, m, n, 67, false, Gemm.BIAS_NONE, Gemm.ACT_NONE, m);
                            check(f, m, n, 67, false, Gemm.BIAS_COL, Gemm.ACT_RELU, m + 100);
                            check(f, m, n, 67, true, Gemm.BIAS_COL, Gemm.ACT_NONE, m + 200);
                        }
            }
        } finally {
            NarrowGemm.forceScalarKernel(false);
        }
    }

    /**
     * What a matrix keeps from its first call is read again: the vector kernel's padded copy (1 row)
     * and the packed GEMM's panels of the decoded values (40 rows, packed once under the matrix's
     * token), so a second call, with other rows of A between, gives the same bits, right.
     */
    @Test void aSecondCallReadsWhatTheMatrixKeptAlike() {
        Random r = new Random(5);
        int k = 300, n = 21; // k over the GEMM's 256-deep slices: two kept panels
        float[] w = new float[k * n];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (String f : new String[]{NarrowMatrix.BF16, NarrowMatrix.INT8})
            for (int m : new int[]{1, 40}) {
                NarrowMatrix q = NarrowMatrix.quantize(f, w, k, n);
                float[] a = new float[m * k], other = new float[m * k];
                for (int i = 0; i < a.length; i++) { a[i] = (float) r.nextGaussian(); other[i] = (float) r.nextGaussian(); }
                float[] y1 = new float[m * n], y2 = new float[m * n], scratch = new float[m * n];
                NarrowGemm.matmul(a, 0, new int[]{m, k}, false, q, y1, 0, null, 0, Gemm.BIAS_NONE, Gemm.ACT_NONE);
                NarrowGemm.matmul(other, 0, new int[]{m, k}, false, q, scratch, 0, null, 0, Gemm.BIAS_NONE, Gemm.ACT_NONE);
                NarrowGemm.matmul(a, 0, new int[]{m, k}, false, q, y2, 0, null, 0, Gemm.BIAS_NONE, Gemm.ACT_NONE);
                assertArrayEquals(y1, y2, f + " m=" + m);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        double s = 0, o = 0;
                        for (int p = 0; p < k; p++) {
                            s += (double) a[i * k + p] * q.get(p * n + j);
                            o += (double) other[i * k + p] * q.get(p * n + j);
                        }
                        assertEquals(s, y1[i * n + j], 1e-4 * Math.max(1, Math.abs(s)), f + " m=" + m + " (" + i + ", " + j + ")");
                        assertEquals(o, scratch[i * n + j], 1e-4 * Math.max(1, Math.abs(o)), f + " m=" + m + " other (" + i + ", " + j + ")");
                    }
            }
    }

    /**
     * A warmed-up call allocates nothing: the row kernel's sums go through a kept scratch row (an
     * earlier version passed its vectors to a helper C2 did not inline, and boxed them: 576 bytes per
     * MLP step), and the many-row path reuses its kept panels.
     */
    @Test void warmedUpCallsAllocateNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported());
        mx.setThreadAllocatedMemoryEnabled(true);
        Random r = new Random(9);
        float[] w1 = new float[784 * 256], w2 = new float[128 * 10], a = new float[40 * 784], y = new float[40 * 256], bias = new float[256];
        for (int i = 0; i < w1.length; i++) w1[i] = (float) r.nextGaussian();
        for (int i = 0; i < w2.length; i++) w2[i] = (float) r.nextGaussian();
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (String f : new String[]{NarrowMatrix.INT8, NarrowMatrix.BF16}) {
            NarrowMatrix q1 = NarrowMatrix.quantize(f, w1, 784, 256), q2 = NarrowMatrix.quantize(f, w2, 128, 10);
            int[] one = {1, 784}, many = {40, 784}, small = {1, 128};
            Runnable calls = () -> {
                NarrowGemm.matmul(a, 0, one, false, q1, y, 0, bias, 0, Gemm.BIAS_COL, Gemm.ACT_RELU);
                NarrowGemm.matmul(a, 0, small, false, q2, y, 0, bias, 0, Gemm.BIAS_COL, Gemm.ACT_NONE);
                NarrowGemm.matmul(a, 0, many, false, q1, y, 0, bias, 0, Gemm.BIAS_COL, Gemm.ACT_RELU);
            };
            // rounds of 50 calls until C2 has compiled the kernels (interpreted vector code boxes every vector)
            long tid = Thread.currentThread().getId(), perCall = Long.MAX_VALUE;
            for (int round = 0; round < 60 && perCall >= 64; round++) {
                long before = mx.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 50; i++) calls.run();
                perCall = (mx.getThreadAllocatedBytes(tid) - before) / 150;
            }
            assertTrue(perCall < 64, f + ": " + perCall + " bytes per call");
        }
    }

    @Test void theVectorRowKernelRunsWhereTheVectorGemmHasVectorsOf8OrMoreFloats() {
        String gemm = Gemm.kernelName();
        if (gemm.equals("vector-6x16") || gemm.equals("vector-6x32")) assertTrue(NarrowGemm.vectorAvailable(), gemm);
    }

    @Test void manyRowsUseTheDecodedWeights() {
        for (String f : new String[]{NarrowMatrix.BF16, NarrowMatrix.INT8})
            for (int m : new int[]{NarrowGemm.NARROW_ROWS + 1, 40}) {
                check(f, m, 37, 67, false, Gemm.BIAS_COL, Gemm.ACT_RELU, m);
                check(f, m, 37, 67, true, Gemm.BIAS_NONE, Gemm.ACT_NONE, m + 300);
            }
    }

    @Test void batchedAFoldsIntoRowsAndEmptyProductsAreZero() {
        float[] w = {1, 2, 3, 4, 5, 6}; // [3, 2]
        NarrowMatrix q = NarrowMatrix.quantize(NarrowMatrix.BF16, w, 3, 2);
        float[] a = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1}; // [2, 2, 3]
        float[] y = new float[8];
        NarrowGemm.matmul(a, 0, new int[]{2, 2, 3}, false, q, y, 0, null, 0, Gemm.BIAS_NONE, Gemm.ACT_NONE);
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 9, 12}, y);
        NarrowMatrix empty = NarrowMatrix.quantize(NarrowMatrix.INT8, new float[0], 0, 2);
        float[] z = {7, 7};
        NarrowGemm.matmul(new float[0], 0, new int[]{1, 0}, false, empty, z, 0, new float[]{0.5f, -1}, 0, Gemm.BIAS_COL, Gemm.ACT_RELU);
        assertArrayEquals(new float[]{0.5f, 0}, z, "a sum over k = 0 is 0, then the epilogue");
        assertThrows(IllegalArgumentException.class, () -> NarrowGemm.matmul(a, 0, new int[]{2, 2, 4}, false, q, y, 0, null, 0, 0, 0));
    }
}
