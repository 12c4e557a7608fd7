package dlc.runtime;

import dlc.ir.ops.Ops;
import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dlc.runtime.ConvReference.*;

/**
 * The pooling kernels against the float64 reference ops on random windows, strides and paddings,
 * with ties (inputs drawn from a few values, so the FIRST maximum matters) and NaNs.
 */
class PoolTest {
    record Case(int n, int c, int kh, int kw, int sh, int sw, int top, int bottom, int left, int right, int h, int w) {
        static Case random(Random r) {
            int kh = 1 + r.nextInt(4), kw = 1 + r.nextInt(4);
            int sh = 1 + r.nextInt(3), sw = 1 + r.nextInt(3);
            // each padding is smaller than the kernel
            int top = r.nextInt(kh), bottom = r.nextInt(kh), left = r.nextInt(kw), right = r.nextInt(kw);
            int h = Math.max(1, kh - top - bottom) + r.nextInt(9), w = Math.max(1, kw - left - right) + r.nextInt(9);
            return new Case(1 + r.nextInt(3), 1 + r.nextInt(3), kh, kw, sh, sw, top, bottom, left, right, h, w);
        }

        int[] xs() { return new int[]{n, c, h, w}; }

        int[] ys() {
            return new int[]{n, c, Math.floorDiv(h + top + bottom - kh, sh) + 1, Math.floorDiv(w + left + right - kw, sw) + 1};
        }

        int[] win() { return new int[]{kh, kw, sh, sw, top, bottom, left, right}; }

        Attrs attrs() {
            return Attrs.of("kernel", new long[]{kh, kw}, "stride", new long[]{sh, sw}, "padding", new long[]{top, bottom, left, right});
        }

        /** The most windows that can overlap one element (the terms of a scatter's sum). */
        int overlap() { return ((kh + sh - 1) / sh) * ((kw + sw - 1) / sw); }
    }

    /** Values from a small set (ties, both zeros), with NaN and the infinities now and then. */
    static float[] tied(Random r, int off, int n) {
        float[] a = new float[off + n];
        for (int i = 0; i < a.length; i++) {
            int k = r.nextInt(40);
            a[i] = i < off ? Float.NaN : k == 0 ? Float.NaN : k == 1 ? Float.NEGATIVE_INFINITY : k == 2 ? Float.POSITIVE_INFINITY
                    : k < 8 ? -0f : (k % 5) - 2;
        }
        return a;
    }

    /**
     * The 2x2 stride-2 forward runs Math.max alone on planes without a -0.0 and the sign-restoring
     * form on the others: relu-like planes (+0.0 ties, NaN, infinities, no -0.0) and batches where
     * a single -0.0 sits in one plane, before or after a +0.0 of its window, match the reference bit for bit.
     */
    @Test
    void pairPoolPlanesWithAndWithoutNegativeZero() {
        Random r = new Random(12);
        for (int t = 0; t < 200; t++) {
            Case c = new Case(1 + r.nextInt(3), 1 + r.nextInt(3), 2, 2, 2, 2, 0, 0, 0, 0, 2 + r.nextInt(9), 2 + r.nextInt(9));
            int[] xs = c.xs(), ys = c.ys();
            int nx = (int) Tensor.numel(xs), ny = (int) Tensor.numel(ys), xOff = r.nextInt(3);
            float[] x = tied(r, xOff, nx);
            for (int i = xOff; i < x.length; i++) if (Float.floatToRawIntBits(x[i]) == 0x80000000) x[i] = 0f;
            if (t % 2 == 1) {
                // one window of one plane: -0.0 first, then +0.0, the rest below zero
                int pl = r.nextInt(c.n * c.c), i = r.nextInt(ys[2]), j = r.nextInt(ys[3]);
                int at = xOff + pl * c.h * c.w + 2 * i * c.w + 2 * j;
                x[at] = -0f;
                x[at + 1] = 0f;
                x[at + c.w] = -1f;
                x[at + c.w + 1] = r.nextBoolean() ? 0f : -2f;
            }
            float[] y = floats(r, 0, ny);
            Pool.maxPool2d(x, xOff, xs, y, 0, ys, c.win());
            assertExact("max_pool2d " + c + (t % 2 == 1 ? " with one -0.0" : " without -0.0"), eval(Ops.MAX_POOL2D, c.attrs(), tensor(xs, x, xOff)), y, 0);
        }
    }

    @Test
    void poolsMatchReference() {
        Random r = new Random(11);
        for (int t = 0; t < 600; t++) {
            // every third case is the 2x2 stride-2 unpadded pool, which has its own fast path
            Case c = t % 3 != 0 ? Case.random(r) : new Case(1 + r.nextInt(3), 1 + r.nextInt(3), 2, 2, 2, 2, 0, 0, 0, 0, 2 + r.nextInt(9), 2 + r.nextInt(9));
            int[] xs = c.xs(), ys = c.ys();
            int xOff = r.nextInt(4), yOff = r.nextInt(4), gOff = r.nextInt(4);
            int nx = (int) Tensor.numel(xs), ny = (int) Tensor.numel(ys);
            float[] x = t % 2 == 0 ? tied(r, xOff, nx) : floats(r, xOff, nx);
            Tensor tx = tensor(xs, x, xOff);

            float[] y = floats(r, yOff, ny);
            Pool.maxPool2d(x, xOff, xs, y, yOff, ys, c.win());
            assertExact("max_pool2d " + c, eval(Ops.MAX_POOL2D, c.attrs(), tx), y, yOff);

            boolean includePad = r.nextBoolean();
            Attrs avg = c.attrs().with("count_include_pad", includePad);
            float[] xf = floats(r, xOff, nx); // finite values: an average's error bound needs a finite scale
            Tensor txf = tensor(xs, xf, xOff);
            Pool.avgPool2d(xf, xOff, xs, y, yOff, ys, c.win(), includePad);
            // a float sum of kh*kw terms, then one division (one more rounding)
            assertClose("avg_pool2d " + c + " include_pad=" + includePad, eval(Ops.AVG_POOL2D, avg, txf), eval(Ops.AVG_POOL2D, avg, abs(txf)),
                    y, yOff, c.kh * c.kw + 1);

            float[] g = floats(r, gOff, ny);
            Tensor tg = tensor(ys, g, gOff);
            float[] dx = floats(r, yOff, nx); // garbage: the scatter must clear what no window reaches
            Pool.maxPool2dScatter(x, xOff, xs, g, gOff, dx, yOff, ys, c.win());
            assertClose("max_pool2d_scatter " + c, eval(Ops.MAX_POOL2D_SCATTER, c.attrs(), tx, tg),
                    eval(Ops.MAX_POOL2D_SCATTER, c.attrs(), tx, abs(tg)), dx, yOff, c.overlap());

            float[] src = floats(r, gOff, nx);
            Pool.maxPool2dGather(x, xOff, xs, src, gOff, y, yOff, ys, c.win());
            assertExact("max_pool2d_gather " + c, eval(Ops.MAX_POOL2D_GATHER, c.attrs(), tx, tensor(xs, src, gOff)), y, yOff);
        }
    }

    /** The same cases split over 3 threads by plane (every call parallel, whatever its size). */
    @Test
    void parallelSplitMatchesReference() {
        int threads = Parallel.threads(), minElements = PoolJob.parallelMinElements;
        try {
            Parallel.setThreads(3);
            PoolJob.parallelMinElements = 0;
            poolsMatchReference();
        } finally {
            Parallel.setThreads(threads);
            PoolJob.parallelMinElements = minElements;
        }
    }

    @Test
    void f64PoolsMatchReference() {
        Random r = new Random(12);
        for (int t = 0; t < 200; t++) {
            Case c = Case.random(r);
            int[] xs = c.xs(), ys = c.ys();
            int nx = (int) Tensor.numel(xs), ny = (int) Tensor.numel(ys);
            float[] tiedX = tied(r, 1, nx);
            double[] x = new double[nx + 1];
            for (int i = 0; i < x.length; i++) x[i] = tiedX[i];
            Tensor tx = new Tensor(DType.F64, xs, java.util.Arrays.copyOfRange(x, 1, nx + 1));
            double[] y = new double[ny + 2];
            Pool.maxPool2d(x, 1, xs, y, 2, ys, c.win());
            assertExact("f64 max_pool2d " + c, eval(Ops.MAX_POOL2D, c.attrs(), tx), y, 2);

            double[] xf = doubles(r, 1, nx);
            Tensor txf = tensor(xs, xf, 1);
            for (boolean includePad : new boolean[]{true, false}) {
                Pool.avgPool2d(xf, 1, xs, y, 2, ys, c.win(), includePad);
                // the same summation order as the reference: identical doubles
                assertExact("f64 avg_pool2d " + c, eval(Ops.AVG_POOL2D, c.attrs().with("count_include_pad", includePad), txf), y, 2);
            }

            double[] g = doubles(r, 0, ny), dx = doubles(r, 3, nx);
            Pool.maxPool2dScatter(x, 1, xs, g, 0, dx, 3, ys, c.win());
            assertExact("f64 max_pool2d_scatter " + c, eval(Ops.MAX_POOL2D_SCATTER, c.attrs(), tx, tensor(ys, g, 0)), dx, 3);

            double[] src = doubles(r, 0, nx);
            Pool.maxPool2dGather(x, 1, xs, src, 0, y, 2, ys, c.win());
            assertExact("f64 max_pool2d_gather " + c, eval(Ops.MAX_POOL2D_GATHER, c.attrs(), tx, tensor(xs, src, 0)), y, 2);
        }
    }

    @Test
    void mismatchedShapesFailLoudly() {
        try {
            Pool.maxPool2d(new float[32], 0, new int[]{1, 2, 4, 4}, new float[8], 0, new int[]{1, 2, 2, 3}, new int[]{2, 2, 2, 2, 0, 0, 0, 0});
            throw new AssertionError("a wrong pooled shape was accepted");
        } catch (IllegalArgumentException expected) {
            if (!expected.getMessage().contains("max_pool2d shapes do not agree")) throw expected;
        }
    }
}
