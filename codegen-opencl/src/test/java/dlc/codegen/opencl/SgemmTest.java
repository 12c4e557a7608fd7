package dlc.codegen.opencl;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * sgemm.cl against a float64 reference, for sizes that are not multiples of any tile, every
 * transpose combination, matrices at odd offsets with padded leading dimensions, alpha and beta.
 *
 * <p>Tolerance: the kernel forms each dot product of length K in float32 (with or without fma),
 * then scales it and adds beta * C. Higham's bound for a float dot product is
 * |fl(x.y) - x.y| <= gamma_K * sum|x_i y_i| with gamma_K = K u / (1 - K u), u = 2^-24; the
 * alpha and beta terms add a few more roundings. So each element must be within
 * (K + 3) u (|alpha| sum_k |a_ik b_kj| + |beta c_ij|) of the exact result, a bound that holds for
 * every input (the test cannot flake) while a wrong index or a missed tile is off by O(1).
 * Everything in the arena outside C (including the padding between C's rows) must be unchanged.
 */
class SgemmTest {
    private static final float SENTINEL = 7777f;
    private static final double U = 0x1p-24;

    /** {@code align}: leading dimensions rounded up to a multiple of 4 floats (after adding {@code pad}). */
    private record Case(int m, int n, int k, boolean ta, boolean tb, float alpha, float beta, int pad, int offA, int offB, int offC, boolean align) {
        Case(int m, int n, int k, boolean ta, boolean tb, float alpha, float beta, int pad, int offA, int offB, int offC) {
            this(m, n, k, ta, tb, alpha, beta, pad, offA, offB, offC, false);
        }

        int ld(int cols) {
            int ld = Math.max(1, cols + pad);
            return align ? (ld + 3) / 4 * 4 : ld;
        }
    }

    @Test void oddSizesAllTransposesOffsetsAndPaddedRows() {
        ClExecutor ex = OpenClTestSupport.executor();
        Sgemm gemm = new Sgemm(ex);
        int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {17, 33, 5}, {65, 63, 129}, {64, 64, 16}, {100, 1, 7}, {1, 100, 300}, {2, 3, 0}, {130, 67, 33}};
        List<Case> cases = new ArrayList<>();
        int seed = 0;
        for (int[] s : sizes)
            for (int t = 0; t < 4; t++) {
                seed++;
                cases.add(new Case(s[0], s[1], s[2], (t & 2) != 0, (t & 1) != 0, 1f, 0f, 0, 0, 0, 0));
                cases.add(new Case(s[0], s[1], s[2], (t & 2) != 0, (t & 1) != 0, 0.5f, -2f, 3, 1 + seed % 5, 7, 13));
            }
        for (Case c : cases) check(ex, gemm, c, new Random(cases.indexOf(c)));
    }

    /**
     * sgemm.cl stages an operand with float4 reads (VEC_A / VEC_B) exactly when its offset and
     * leading dimension are multiples of 4 floats, whichever its transpose; the others stay
     * scalar. Each case is checked against float64 as above, and the program that ran must carry
     * the expected defines, so the float4 path cannot pass by not being taken. The sizes cut the
     * 64x64x16 tile and groups of 4 (M, N, K = 1 to 3 mod 4), and padded rows (7777 between
     * them) make a group of 4 that reaches past the matrix's edge read wrong values into the
     * sums if it were not cut short there.
     */
    @Test void float4StagingExactlyWhereRowsStartOn16Bytes() {
        ClExecutor ex = OpenClTestSupport.executor();
        Sgemm gemm = new Sgemm(ex);
        assertTrue(VectorLoads.bufferAligned(ex.device()), "the test device's buffers start on 16 bytes");
        int[][] sizes = {{67, 70, 33}, {5, 130, 66}, {129, 3, 17}, {64, 64, 16}, {1, 1, 1}, {4, 8, 0}};
        int seed = 1000;
        for (int[] s : sizes)
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 2) != 0, tb = (t & 1) != 0;
                // both aligned: offsets 0, 8, 4 and rows rounded up to 4 floats (some padded by 1 to 4)
                vectorCase(ex, gemm, new Case(s[0], s[1], s[2], ta, tb, 1f, 0f, t, 0, 8, 4, true), true, true, seed++);
                vectorCase(ex, gemm, new Case(s[0], s[1], s[2], ta, tb, 0.5f, -2f, 1, 4, 4, 1, true), true, true, seed++);
                // A at an odd offset: A scalar, B still float4 (B starts at A's end, rounded to 4 floats by offB)
                int aRows = ta ? s[2] : s[0], lda = (Math.max(1, (ta ? s[0] : s[2]) + 1) + 3) / 4 * 4;
                int offB = 4 - (1 + aRows * lda) % 4;
                vectorCase(ex, gemm, new Case(s[0], s[1], s[2], ta, tb, 1f, 0f, 1, 1, offB, 0, true), false, true, seed++);
                // odd leading dimensions (pad 1 after no rounding): scalar unless a row length happens to be a multiple of 4
                Case odd = new Case(s[0], s[1], s[2], ta, tb, 1f, 0f, 1, 0, 0, 0, false);
                int aCols = ta ? s[0] : s[2], bCols = tb ? s[2] : s[1];
                boolean oddA = odd.ld(aCols) % 4 == 0, oddB = odd.ld(bCols) % 4 == 0 && (aRows * odd.ld(aCols)) % 4 == 0;
                vectorCase(ex, gemm, odd, oddA, oddB, seed++);
            }
    }

    private static void vectorCase(ClExecutor ex, Sgemm gemm, Case c, boolean vecA, boolean vecB, int seed) {
        check(ex, gemm, c, new Random(seed));
        if (c.m == 0 || c.n == 0) return;
        Map<String, String> d = gemm.lastSource().defines();
        assertEquals(vecA ? "1" : "0", d.get("VEC_A"), c + ": VEC_A of " + d);
        assertEquals(vecB ? "1" : "0", d.get("VEC_B"), c + ": VEC_B of " + d);
        assertEquals(c.ta ? "1" : "0", d.get("TRANS_A"), c + ": TRANS_A");
        assertEquals(c.tb ? "1" : "0", d.get("TRANS_B"), c + ": TRANS_B");
    }

    @Test void betaZeroNeverReadsC() {
        // C holds NaN before the call: with beta == 0 it is only written, as BLAS does
        ClExecutor ex = OpenClTestSupport.executor();
        Case c = new Case(19, 23, 11, false, true, 2f, 0f, 1, 2, 3, 4);
        float[] result = check(ex, new Sgemm(ex), c, new Random(42), Float.NaN);
        for (float v : result) assertFalse(Float.isNaN(v));
    }

    @Test void chainedProductsNeedNoWaitBetweenThem() {
        // D = (A B) E with nothing between the two launches: the in-order queue orders them
        ClExecutor ex = OpenClTestSupport.executor();
        int n = 33;
        Random rnd = new Random(3);
        float[] image = new float[4 * n * n];
        for (int i = 0; i < 3 * n * n; i++) image[i] = (float) rnd.nextGaussian();
        float[] out = new float[n * n];
        try (DeviceArena arena = ex.arena("chain", ArenaLayout.packed(Map.of("all", (long) image.length * Float.BYTES)))) {
            ex.upload(arena, arena.slice("all"), image);
            Sgemm gemm = new Sgemm(ex);
            long a = 0, b = (long) n * n, e = 2L * n * n, c = 3L * n * n; // C = A B, then A = C E (A is free again)
            gemm.run(false, false, n, n, n, 1f, arena, a, n, b, n, 0f, c, n);
            gemm.run(false, false, n, n, n, 1f, arena, c, n, e, n, 0f, a, n);
            ex.download(arena, arena.slice("all"), out);
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double exact = 0, magnitude = 0;
                for (int k = 0; k < n; k++) {
                    double ab = 0;
                    for (int l = 0; l < n; l++) ab += (double) image[i * n + l] * image[n * n + l * n + k];
                    exact += ab * image[2 * n * n + k * n + j];
                    double abs = 0;
                    for (int l = 0; l < n; l++) abs += Math.abs((double) image[i * n + l] * image[n * n + l * n + k]);
                    magnitude += abs * Math.abs(image[2 * n * n + k * n + j]);
                }
                // two products: each intermediate is off by (n + 3) u of its magnitude, then multiplied again
                double tol = 2 * (n + 3) * U * magnitude * 1.001;
                assertEquals(exact, out[i * n + j], tol, "D[" + i + "][" + j + "]");
            }
    }

    @Test void rejectsMatricesOutsideTheArena() {
        ClExecutor ex = OpenClTestSupport.executor();
        try (DeviceArena arena = ex.arena("small", ArenaLayout.packed(Map.of("all", 64L * Float.BYTES)))) {
            Sgemm gemm = new Sgemm(ex);
            String past = assertThrows(IllegalArgumentException.class,
                    () -> gemm.run(false, false, 4, 4, 4, 1f, arena, 0, 4, 16, 4, 0f, 50, 4)).getMessage();
            assertEquals("sgemm: C (4x4, ld 4, offset 50) reaches float 66, past the end of arena small (64 floats)", past);
            String ld = assertThrows(IllegalArgumentException.class,
                    () -> gemm.run(true, false, 4, 4, 5, 1f, arena, 0, 3, 16, 4, 0f, 32, 4)).getMessage();
            assertEquals("sgemm: leading dimension of A is 3, less than its 4 columns", ld);
        }
    }

    private static float[] check(ClExecutor ex, Sgemm gemm, Case c, Random rnd) { return check(ex, gemm, c, rnd, Float.NaN); }

    /** Runs one case; returns C as the kernel left it (row by row, without padding). */
    private static float[] check(ClExecutor ex, Sgemm gemm, Case c, Random rnd, float cBefore) {
        int aRows = c.ta ? c.k : c.m, aCols = c.ta ? c.m : c.k;
        int bRows = c.tb ? c.n : c.k, bCols = c.tb ? c.k : c.n;
        int lda = c.ld(aCols), ldb = c.ld(bCols), ldc = c.n + c.pad;
        int aAt = c.offA, bAt = aAt + aRows * lda + c.offB, cAt = bAt + bRows * ldb + c.offC;
        int total = cAt + c.m * ldc + 5;
        float[] image = new float[total];
        java.util.Arrays.fill(image, SENTINEL);
        float[][] a = fill(image, aAt, aRows, aCols, lda, rnd), b = fill(image, bAt, bRows, bCols, ldb, rnd);
        float[][] c0 = fill(image, cAt, c.m, c.n, ldc, rnd);
        if (c.beta == 0) for (int i = 0; i < c.m; i++) for (int j = 0; j < c.n; j++) image[cAt + i * ldc + j] = cBefore;

        float[] after = new float[total];
        try (DeviceArena arena = ex.arena("gemm", ArenaLayout.packed(Map.of("all", (long) total * Float.BYTES)))) {
            ArenaLayout.Slice all = arena.slice("all");
            ex.upload(arena, all, image);
            gemm.run(c.ta, c.tb, c.m, c.n, c.k, c.alpha, arena, aAt, lda, bAt, ldb, c.beta, cAt, ldc);
            ex.download(arena, all, after);
        }

        float[] result = new float[c.m * c.n];
        for (int x = 0; x < total; x++) {
            int rel = x - cAt, i = Math.floorDiv(rel, ldc), j = Math.floorMod(rel, ldc);
            boolean inC = rel >= 0 && i < c.m && j < c.n;
            if (!inC) assertEquals(image[x], after[x], 0f, c + ": float " + x + " outside C was changed");
        }
        for (int i = 0; i < c.m; i++)
            for (int j = 0; j < c.n; j++) {
                double exact = 0, magnitude = 0;
                for (int k = 0; k < c.k; k++) {
                    double p = (double) (c.ta ? a[k][i] : a[i][k]) * (c.tb ? b[j][k] : b[k][j]);
                    exact += p;
                    magnitude += Math.abs(p);
                }
                double betaTerm = c.beta == 0 ? 0 : (double) c.beta * c0[i][j];
                double expected = c.alpha * exact + betaTerm;
                double tol = (c.k + 3) * U * (Math.abs(c.alpha) * magnitude + Math.abs(betaTerm)) * 1.0001 + Double.MIN_NORMAL;
                float got = after[cAt + i * ldc + j];
                result[i * c.n + j] = got;
                String where = c + ": C[" + i + "][" + j + "] = ";
                assertTrue(Math.abs(got - expected) <= tol, () -> where + got + ", expected " + expected + " within " + tol);
            }
        return result;
    }

    private static float[][] fill(float[] image, int at, int rows, int cols, int ld, Random rnd) {
        float[][] m = new float[rows][cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) {
                m[i][j] = (float) rnd.nextGaussian();
                image[at + i * ld + j] = m[i][j];
            }
        return m;
    }
}
