package dlc.codegen.opencl;

import dlc.runtime.Pool;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dlc.codegen.opencl.ArenaImage.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * pool.cl against the JVM backend's float kernels (dlc.runtime.Pool) and float64 references.
 * max_pool2d, max_pool2d_gather and max_pool2d_scatter must agree with the JVM bit for bit: a max
 * is exact, a gather copies, and the scatter adds each element's window cotangents in the JVM's
 * order (window order, from 0). The inputs are small integers, so windows hold ties, and some
 * NaNs: that tests the first-maximum rule, which a test on distinct values could not tell from
 * the last. avg_pool2d and its gradient are float sums of at most kH*kW terms (then a division),
 * checked against double within (kH*kW + 2) u times the same pool of |x|, u = 2^-24 (Higham's
 * bound for a sum plus the division's rounding; it holds for any input).
 * Outputs start as -12345 (not NaN, since NaN is an expected value here).
 */
class PoolKernelsTest {
    private static final double U = 0x1p-24;
    private static final float UNWRITTEN = -12345f;

    /** x [N, C, H, W] and window [kH, kW, sH, sW, top, bottom, left, right]. */
    private record Case(int[] xs, int[] win) {
        @Override public String toString() { return "x" + Arrays.toString(xs) + " window" + Arrays.toString(win); }
    }

    private static final Case[] CASES = {
            new Case(new int[]{2, 3, 6, 7}, new int[]{2, 2, 2, 2, 0, 0, 0, 0}),   // pairs, odd width drops a column
            new Case(new int[]{1, 2, 5, 5}, new int[]{3, 3, 1, 1, 1, 1, 1, 1}),   // overlapping, padded on every side
            new Case(new int[]{2, 2, 7, 6}, new int[]{3, 2, 2, 1, 1, 2, 1, 0}),   // asymmetric stride and padding
            new Case(new int[]{1, 1, 1, 1}, new int[]{1, 1, 1, 1, 0, 0, 0, 0}),   // every dim 1
            new Case(new int[]{2, 1, 9, 8}, new int[]{4, 4, 3, 3, 2, 1, 0, 3}),   // kernel larger than the stride
            new Case(new int[]{3, 2, 1, 7}, new int[]{1, 3, 1, 2, 0, 0, 0, 0}),   // a plane one row high
            new Case(new int[]{1, 3, 4, 4}, new int[]{4, 4, 1, 1, 0, 0, 0, 0}),   // one window per plane
    };

    /** Small integers (ties in most windows) with a few NaNs. */
    private static float[] tiedWithNaN(Random rnd, int n, boolean nan) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = nan && rnd.nextInt(17) == 0 ? Float.NaN : rnd.nextInt(5) - 2;
        return a;
    }

    @Test void maxPoolAndItsGradientsAgreeWithTheJvmBitForBit() { maxPools(CASES); }

    @Test void averagePoolAndItsGradientMatchDouble() { averagePools(CASES); }

    @Test void seededRandomWindowsAgree() {
        // 50 windows drawn from a fixed seed: kernels up to 4, strides up to 3, each padding below the kernel
        Random rnd = new Random(20261207);
        Case[] cases = new Case[50];
        for (int i = 0; i < cases.length; i++) {
            int kh = 1 + rnd.nextInt(4), kw = 1 + rnd.nextInt(4);
            int[] win = {kh, kw, 1 + rnd.nextInt(3), 1 + rnd.nextInt(3), rnd.nextInt(kh), rnd.nextInt(kh), rnd.nextInt(kw), rnd.nextInt(kw)};
            int h = Math.max(1, kh - win[4] - win[5]) + rnd.nextInt(6), w = Math.max(1, kw - win[6] - win[7]) + rnd.nextInt(6);
            cases[i] = new Case(new int[]{1 + rnd.nextInt(2), 1 + rnd.nextInt(3), h, w}, win);
        }
        maxPools(cases);
        averagePools(cases);
    }

    private static void maxPools(Case[] cases) {
        ClExecutor ex = OpenClTestSupport.executor();
        PoolKernels pool = new PoolKernels(ex);
        int seed = 0;
        for (Case c : cases)
            for (boolean nan : new boolean[]{false, true}) {
                Random rnd = new Random(++seed);
                PoolWindow win = PoolWindow.of(c.win);
                int[] ys = {c.xs[0], c.xs[1], win.outH(c.xs[2]), win.outW(c.xs[3])};
                int nx = ConvKernelsTest.count(c.xs), ny = ConvKernelsTest.count(ys);
                float[] x = tiedWithNaN(rnd, nx, nan), g = gaussian(rnd, ny), src = gaussian(rnd, nx);
                ArenaImage img = new ArenaImage();
                int xAt = img.add(x), gAt = img.add(g), srcAt = img.add(src);
                int maxAt = img.output(ny, UNWRITTEN), gatherAt = img.output(ny, UNWRITTEN), scatterAt = img.output(nx, UNWRITTEN);
                float[] after = img.run(ex, a -> {
                    pool.maxPool2d(a, xAt, c.xs, maxAt, win);
                    pool.maxPool2dGather(a, xAt, srcAt, c.xs, gatherAt, win);
                    pool.maxPool2dScatter(a, xAt, c.xs, gAt, scatterAt, win);
                });
                float[] max = new float[ny], gathered = new float[ny], scattered = new float[nx];
                Pool.maxPool2d(x, 0, c.xs, max, 0, ys, c.win);
                Pool.maxPool2dGather(x, 0, c.xs, src, 0, gathered, 0, ys, c.win);
                Pool.maxPool2dScatter(x, 0, c.xs, g, 0, scattered, 0, ys, c.win);
                String what = c + (nan ? " with NaNs" : "");
                assertArrayEquals(max, slice(after, maxAt, ny), 0f, "max_pool2d " + what);
                assertArrayEquals(gathered, slice(after, gatherAt, ny), 0f, "max_pool2d_gather " + what);
                assertArrayEquals(scattered, slice(after, scatterAt, nx), 0f, "max_pool2d_scatter " + what);
            }
    }

    @Test void firstMaximumWinsTies() {
        // every element equal: each window routes to its first (top-left real) element
        ClExecutor ex = OpenClTestSupport.executor();
        PoolKernels pool = new PoolKernels(ex);
        int[] xs = {1, 1, 3, 3};
        PoolWindow win = PoolWindow.of(new int[]{2, 2, 1, 1, 1, 0, 1, 0}); // 3x3 windows, the first row and column start in padding
        float[] x = new float[9];
        Arrays.fill(x, 1f);
        float[] g = {1, 2, 4, 8, 16, 32, 64, 128, 256};
        ArenaImage img = new ArenaImage();
        int xAt = img.add(x), gAt = img.add(g), yAt = img.output(9, UNWRITTEN);
        float[] after = img.run(ex, a -> pool.maxPool2dScatter(a, xAt, xs, gAt, yAt, win));
        // window (i, j) covers rows i-1..i and columns j-1..j; its first real element is (max(i-1, 0), max(j-1, 0)):
        // (0,0) gets windows (0,0) (0,1) (1,0) (1,1), (0,1) gets (0,2) (1,2), (1,0) gets (2,0) (2,1), (1,1) gets (2,2)
        assertArrayEquals(new float[]{1 + 2 + 8 + 16, 4 + 32, 0, 64 + 128, 256, 0, 0, 0, 0}, slice(after, yAt, 9), 0f);
        float[] jvm = new float[9];
        Pool.maxPool2dScatter(x, 0, xs, g, 0, jvm, 0, new int[]{1, 1, 3, 3}, new int[]{2, 2, 1, 1, 1, 0, 1, 0});
        assertArrayEquals(jvm, slice(after, yAt, 9), 0f);
    }

    private static void averagePools(Case[] cases) {
        ClExecutor ex = OpenClTestSupport.executor();
        PoolKernels pool = new PoolKernels(ex);
        int seed = 100;
        for (Case c : cases)
            for (boolean includePad : new boolean[]{true, false}) {
                Random rnd = new Random(++seed);
                PoolWindow win = PoolWindow.of(c.win);
                int[] ys = {c.xs[0], c.xs[1], win.outH(c.xs[2]), win.outW(c.xs[3])};
                int nx = ConvKernelsTest.count(c.xs), ny = ConvKernelsTest.count(ys);
                float[] x = gaussian(rnd, nx), g = gaussian(rnd, ny);
                ArenaImage img = new ArenaImage();
                int xAt = img.add(x), gAt = img.add(g), yAt = img.output(ny), gxAt = img.output(nx);
                float[] after = img.run(ex, a -> {
                    pool.avgPool2d(a, xAt, c.xs, yAt, win, includePad);
                    pool.avgPool2dGrad(a, c.xs, gAt, gxAt, win, includePad);
                });
                double[] y = new double[ny], mag = new double[ny];
                Pool.avgPool2d(toDouble(x), 0, c.xs, y, 0, ys, c.win, includePad);
                Pool.avgPool2d(abs(toDouble(x)), 0, c.xs, mag, 0, ys, c.win, includePad);
                int terms = c.win[0] * c.win[1];
                String what = c + " include_pad=" + includePad;
                within("avg_pool2d " + what, slice(after, yAt, ny), y, mag, terms);
                within("avg_pool2d gradient " + what, slice(after, gxAt, nx), avgGrad(toDouble(g), c.xs, ys, c.win, includePad),
                        avgGrad(abs(toDouble(g)), c.xs, ys, c.win, includePad), terms);
            }
    }

    @Test void rejectsWindowsLargerThanTheInputAndPaddingAsLargeAsTheKernel() {
        ClExecutor ex = OpenClTestSupport.executor();
        PoolKernels pool = new PoolKernels(ex);
        try (DeviceArena arena = ex.arena("small", ArenaLayout.packed(java.util.Map.of("all", 256L * Float.BYTES)))) {
            String small = assertThrows(IllegalArgumentException.class,
                    () -> pool.maxPool2d(arena, 0, new int[]{1, 1, 2, 2}, 100, PoolWindow.of(new int[]{3, 3, 1, 1, 0, 0, 0, 0}))).getMessage();
            assertTrue(small.startsWith("max_pool2d: input [1, 1, 2, 2] is smaller than the padded window"), small);
        }
        String pad = assertThrows(IllegalArgumentException.class, () -> PoolWindow.of(new int[]{2, 2, 2, 2, 2, 0, 0, 0})).getMessage();
        assertTrue(pad.startsWith("pool paddings must be >= 0 and smaller than the kernel"), pad);
    }

    /** gx[a, b] = sum over the windows containing (a, b) of g / count, in double. */
    private static double[] avgGrad(double[] g, int[] xs, int[] ys, int[] win, boolean includePad) {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        double[] gx = new double[planes * h * w];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    int h0 = i * win[2] - win[4], w0 = j * win[3] - win[6];
                    int a0 = Math.max(h0, 0), a1 = Math.min(h0 + win[0], h), b0 = Math.max(w0, 0), b1 = Math.min(w0 + win[1], w);
                    double share = g[(pl * ho + i) * wo + j] / (includePad ? win[0] * win[1] : (a1 - a0) * (b1 - b0));
                    for (int a = a0; a < a1; a++)
                        for (int b = b0; b < b1; b++) gx[(pl * h + a) * w + b] += share;
                }
        return gx;
    }

    private static void within(String what, float[] got, double[] ref, double[] mag, int terms) {
        for (int i = 0; i < ref.length; i++) {
            double tol = (terms + 2) * U * mag[i] * 1.0001 + Double.MIN_NORMAL;
            int at = i;
            assertTrue(Math.abs(got[i] - ref[i]) <= tol, () -> what + ": element " + at + " = " + got[at] + ", expected " + ref[at] + " within " + tol);
        }
    }
}
