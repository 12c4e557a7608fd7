package dlc.runtime;

import dlc.ir.Attrs;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dlc.runtime.ConvReference.*;

/**
 * The convolution gradient kernels without im2col against the float64 reference ops:
 * {@link ConvBackwardWeights} (conv2d in the weight-gradient form: a large kernel, a small output
 * plane) and {@link ConvBackwardData} (conv_transpose2d at stride 1), on random geometries chosen
 * so that each path applies (each case asserts that it does), at 1 and 3 threads with the results
 * bit-identical across thread counts, and with scratch and outputs starting as garbage.
 */
class ConvBackwardTest {
    /** A weight-gradient-shaped conv2d: x [b, k, h, w], w [o, k, kh, kw] with kh*kw >= 64, stride s, padding p. */
    record WCase(int b, int k, int o, int kh, int kw, int sh, int sw, int top, int bottom, int left, int right, int h, int w) {
        static WCase random(Random r) {
            int kh = 8 + r.nextInt(23), kw = 8 + r.nextInt(23), sh = 1 + r.nextInt(3), sw = 1 + r.nextInt(3);
            int top = r.nextInt(3), bottom = r.nextInt(3), left = r.nextInt(3), right = r.nextInt(3);
            // an output plane of 1..5 x 1..5 (at most 63 elements: the stacked path)
            int h = Math.max(1, kh - top - bottom + r.nextInt(5) * sh + r.nextInt(sh));
            int w = Math.max(1, kw - left - right + r.nextInt(5) * sw + r.nextInt(sw));
            return new WCase(1 + r.nextInt(5), 1 + r.nextInt(6), 1 + r.nextInt(10), kh, kw, sh, sw, top, bottom, left, right, h, w);
        }

        int ph() { return Math.floorDiv(h + top + bottom - kh, sh) + 1; }

        int pw() { return Math.floorDiv(w + left + right - kw, sw) + 1; }

        int[] geo() { return new int[]{sh, sw, top, bottom, left, right, 1, 1, 1}; }

        Attrs attrs() {
            return Attrs.of("stride", new long[]{sh, sw}, "padding", new long[]{top, bottom, left, right},
                    "dilation", new long[]{1, 1}, "groups", 1L);
        }
    }

    /** Runs one weight-gradient case through ConvBackwardWeights at 1 and 3 threads; returns false when its output is empty or not stacked. */
    private static boolean checkWeights(WCase c, Random r) {
        if (c.ph() < 1 || c.pw() < 1 || !Conv.conv2dStacked(c.ph(), c.pw())) return false;
        int[] xs = {c.b, c.k, c.h, c.w}, ws = {c.o, c.k, c.kh, c.kw}, ys = {c.b, c.o, c.ph(), c.pw()}, geo = c.geo();
        int xOff = r.nextInt(5), wOff = r.nextInt(5), yOff = r.nextInt(5);
        float[] x = floats(r, xOff, (int) Tensor.numel(xs)), w = floats(r, wOff, (int) Tensor.numel(ws));
        float[] col = nans((int) Conv.conv2dWeightGradientColSize(xs, ws, ys, geo)), out = nans((int) Conv.conv2dOutSize(ys, 1));
        if (!ConvBackwardWeights.applies(xs, ws, ys, geo, false, col.length))
            throw new AssertionError("the direct weight-gradient path does not take " + c);
        Tensor tx = tensor(xs, x, xOff), tw = tensor(ws, w, wOff);
        double[] want = eval(Ops.CONV2D, c.attrs(), tx, tw), scale = eval(Ops.CONV2D, c.attrs(), abs(tx), abs(tw));
        float[] first = null;
        for (int threads : new int[]{1, 3}) {
            float[] y = nans(yOff + (int) Tensor.numel(ys));
            withThreads(threads, () -> Conv.conv2d(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col, out));
            assertClose("weight-gradient conv2d " + c + " on " + threads + " threads", want, scale, y, yOff, c.k * c.kh * c.kw);
            if (first == null) first = y;
            else if (!java.util.Arrays.equals(first, y)) throw new AssertionError("1 and 3 threads differ: " + c);
        }
        return true;
    }

    /** A stride-1 conv_transpose2d: x [n, c, h, w], w [c, o, kh, kw], dilation d, padding p, output padding op (< d). */
    record DCase(int n, int c, int o, int kh, int kw, int dh, int dw, int top, int bottom, int left, int right, int oph, int opw, int h, int w) {
        /** Output rows of 12..16 or 26..32 floats, so that they fill most of a vector of up to 16 lanes (ConvDirect's rule). */
        static DCase random(Random r) {
            int kh = 1 + r.nextInt(5), kw = 1 + r.nextInt(5), dh = 1 + r.nextInt(2), dw = 1 + r.nextInt(2);
            if (kh * kw == 1) kw = 2;
            int top = r.nextInt(dh * (kh - 1) + 3), bottom = r.nextInt(dh * (kh - 1) + 3);
            int left = r.nextInt(dw * (kw - 1) + 3), right = r.nextInt(dw * (kw - 1) + 3);
            int oph = r.nextInt(dh), opw = r.nextInt(dw);
            int wo = r.nextBoolean() ? 12 + r.nextInt(5) : 26 + r.nextInt(7), ho = 1 + r.nextInt(14);
            // y's size (h - 1) - top - bottom + d*(k - 1) + op + 1 = ho: solve for the input's h
            int h = ho + top + bottom - dh * (kh - 1) - oph, w = wo + left + right - dw * (kw - 1) - opw;
            // a third of the cases with whole vectors of output channels (the channel-block tiles)
            int o = r.nextInt(3) == 0 ? VectorConvChannelBlocks.lanes() * (1 + r.nextInt(3)) : 1 + r.nextInt(11);
            return new DCase(1 + r.nextInt(3), 1 + r.nextInt(9), o, kh, kw, dh, dw, top, bottom, left, right, oph, opw, h, w);
        }

        int ho() { return h - 1 - top - bottom + dh * (kh - 1) + oph + 1; }

        int wo() { return w - 1 - left - right + dw * (kw - 1) + opw + 1; }

        int[] geo() { return new int[]{1, 1, top, bottom, left, right, dh, dw, 1}; }

        Attrs attrs() {
            return Attrs.of("stride", new long[]{1, 1}, "padding", new long[]{top, bottom, left, right},
                    "dilation", new long[]{dh, dw}, "groups", 1L, "output_padding", new long[]{oph, opw});
        }
    }

    /** Runs one conv_transpose2d case through ConvBackwardData at 1 and 3 threads; false when it is empty or the direct kernel is off. */
    private static boolean checkData(DCase c, Random r) {
        if (c.h < 1 || c.w < 1 || c.ho() < 1 || c.wo() < 1) return false;
        int[] xs = {c.n, c.c, c.h, c.w}, ws = {c.c, c.o, c.kh, c.kw}, ys = {c.n, c.o, c.ho(), c.wo()}, geo = c.geo();
        int xOff = r.nextInt(5), wOff = r.nextInt(5), yOff = r.nextInt(5);
        float[] x = floats(r, xOff, (int) Tensor.numel(xs)), w = floats(r, wOff, (int) Tensor.numel(ws));
        float[] col = nans((int) Conv.convTranspose2dColSize(xs, ws, ys, geo));
        if (!ConvBackwardData.applies(xs, ws, ys, geo, col.length)) {
            if (Gemm.vectorKernelActive()) throw new AssertionError("the direct input-gradient path does not take " + c);
            return false;
        }
        Tensor tx = tensor(xs, x, xOff), tw = tensor(ws, w, wOff);
        double[] want = eval(Ops.CONV_TRANSPOSE2D, c.attrs(), tx, tw), scale = eval(Ops.CONV_TRANSPOSE2D, c.attrs(), abs(tx), abs(tw));
        float[] first = null;
        for (int threads : new int[]{1, 3}) {
            float[] y = floats(r, yOff, (int) Tensor.numel(ys)); // garbage: every element must be written
            withThreads(threads, () -> Conv.convTranspose2d(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col));
            assertClose("stride-1 conv_transpose2d " + c + " on " + threads + " threads", want, scale, y, yOff, c.c * c.kh * c.kw);
            if (first == null) first = java.util.Arrays.copyOfRange(y, yOff, y.length);
            else if (!java.util.Arrays.equals(first, java.util.Arrays.copyOfRange(y, yOff, y.length)))
                throw new AssertionError("1 and 3 threads differ: " + c);
        }
        // the channel-block tiles (whole vectors of output channels) and ConvDirect's row vectors sum in the same order
        float[] y = floats(r, yOff, (int) Tensor.numel(ys));
        ConvChannelBlocks.enabled = false;
        try {
            Conv.convTranspose2d(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col);
        } finally {
            ConvChannelBlocks.enabled = true;
        }
        if (!java.util.Arrays.equals(first, java.util.Arrays.copyOfRange(y, yOff, y.length)))
            throw new AssertionError("the channel-block tiles and the row-vector kernel differ: " + c);
        return true;
    }

    private static void withThreads(int n, Runnable call) {
        int threads = Parallel.threads();
        long minWork = Conv.parallelMinWork;
        try {
            Parallel.setThreads(n);
            Conv.parallelMinWork = 0;
            call.run();
        } finally {
            Parallel.setThreads(threads);
            Conv.parallelMinWork = minWork;
        }
    }

    @Test
    void weightGradientMatchesReference() {
        if (!Gemm.vectorKernelActive()) return; // the path needs the vector module; ConvTest covers the GEMM path
        Random r = new Random(61);
        int ran = 0;
        for (int t = 0; t < 120; t++) if (checkWeights(WCase.random(r), r)) ran++;
        if (ran < 60) throw new AssertionError("only " + ran + " weight-gradient cases ran");
    }

    @Test
    void dataGradientMatchesReference() {
        Random r = new Random(62);
        int ran = 0;
        for (int t = 0; t < 150; t++) if (checkData(DCase.random(r), r)) ran++;
        if (Gemm.vectorKernelActive() && ran < 80) throw new AssertionError("only " + ran + " input-gradient cases ran");
    }

    /** Random geometries drawn from jqwik's seed (the build fixes it: -Dpbt.seed), both kernels per try. */
    @Property(tries = 60)
    void bothGradientsMatchFloat64(@ForAll long seed) {
        if (!Gemm.vectorKernelActive()) return;
        Random r = new Random(seed);
        checkWeights(WCase.random(r), r);
        checkData(DCase.random(r), r);
    }

    /**
     * The reference CNN's gradients at batch 5 (conv1: 1 -> 32, 28 x 28; conv2: 32 -> 64, 14 x 14; 3x3,
     * padding 1): conv1's and conv2's weight gradients as the autodiff writes them (x and the
     * cotangent with their first two axes swapped) and conv2's input gradient.
     */
    @Test
    void referenceCnnGradients() {
        if (!Gemm.vectorKernelActive()) return;
        Random r = new Random(63);
        if (!checkWeights(new WCase(1, 5, 32, 28, 28, 1, 1, 1, 1, 1, 1, 28, 28), r)) throw new AssertionError("conv1 weight gradient did not run");
        if (!checkWeights(new WCase(32, 5, 64, 14, 14, 1, 1, 1, 1, 1, 1, 14, 14), r)) throw new AssertionError("conv2 weight gradient did not run");
        if (!checkData(new DCase(5, 64, 32, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 14, 14), r)) throw new AssertionError("conv2 input gradient did not run");
    }

    /** With the scratch the old paths were given (no room for the padded operands), the GEMM paths run and agree. */
    @Test
    void smallScratchFallsBack() {
        Random r = new Random(64);
        int[] geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        int[] xs = {3, 4, 14, 14}, ws = {5, 4, 14, 14}, ys = {3, 5, 3, 3};
        float[] x = floats(r, 0, 3 * 4 * 196), w = floats(r, 0, 5 * 4 * 196), y = nans(135);
        long small = Conv.conv2dByInputChannelColSize(xs, ws, ys);
        if (ConvBackwardWeights.applies(xs, ws, ys, geo, false, small)) throw new AssertionError("the direct path claims a scratch too small for it");
        Conv.conv2d(x, 0, xs, w, 0, ws, y, 0, ys, geo, nans((int) small), nans((int) Conv.conv2dOutSize(ys, 1)));
        Attrs a = new WCase(3, 4, 5, 14, 14, 1, 1, 1, 1, 1, 1, 14, 14).attrs();
        Tensor tx = tensor(xs, x, 0), tw = tensor(ws, w, 0);
        assertClose("weight gradient, small scratch", eval(Ops.CONV2D, a, tx, tw), eval(Ops.CONV2D, a, abs(tx), abs(tw)), y, 0, 4 * 196);
    }

    /** No input channels: both gradient forms give zeros (the direct transpose refuses C = 0; the weight kernel sums nothing). */
    @Test
    void noChannelsGiveZeros() {
        int[] geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        int[] xs = {2, 0, 14, 14}, ws = {0, 3, 3, 3}, ys = {2, 3, 14, 14};
        float[] y = nans(2 * 3 * 196);
        Conv.convTranspose2d(new float[0], 0, xs, new float[0], 0, ws, y, 0, ys, geo, nans((int) Conv.convTranspose2dColSize(xs, ws, ys, geo)));
        for (float v : y) if (v != 0f) throw new AssertionError("conv_transpose2d with no input channels wrote " + v);
        if (!Gemm.vectorKernelActive()) return;
        int[] wxs = {2, 0, 14, 14}, wws = {3, 0, 14, 14}, wys = {2, 3, 3, 3};
        float[] gw = nans(2 * 3 * 9);
        float[] col = nans((int) Conv.conv2dWeightGradientColSize(wxs, wws, wys, geo));
        if (!ConvBackwardWeights.applies(wxs, wws, wys, geo, false, col.length)) throw new AssertionError("the weight kernel refuses K = 0");
        Conv.conv2d(new float[0], 0, wxs, new float[0], 0, wws, gw, 0, wys, geo, col, nans(54));
        for (float v : gw) if (v != 0f) throw new AssertionError("weight gradient with no images wrote " + v);
    }

    /** Steady-state calls of both kernels allocate nothing on the calling thread (1 thread) or almost nothing (2: Parallel's handoff). */
    @Test
    void steadyStateAllocatesNothing() {
        if (!Gemm.vectorKernelActive()) return;
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Random r = new Random(65);
        int[] geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        int[] wxs = {8, 4, 14, 14}, wws = {6, 4, 14, 14}, wys = {8, 6, 3, 3};
        int[] dxs = {4, 6, 14, 14}, dws = {6, 8, 3, 3}, dys = {4, 8, 14, 14};
        float[] wx = floats(r, 0, 8 * 4 * 196), ww = floats(r, 0, 6 * 4 * 196), wy = new float[8 * 6 * 9];
        float[] wcol = new float[(int) Conv.conv2dWeightGradientColSize(wxs, wws, wys, geo)], wout = new float[(int) Conv.conv2dOutSize(wys, 1)];
        float[] dx = floats(r, 0, 4 * 6 * 196), dw = floats(r, 0, 6 * 8 * 9), dy = new float[4 * 8 * 196];
        float[] dcol = new float[(int) Conv.convTranspose2dColSize(dxs, dws, dys, geo)];
        if (!ConvBackwardWeights.applies(wxs, wws, wys, geo, false, wcol.length) || !ConvBackwardData.applies(dxs, dws, dys, geo, dcol.length))
            throw new AssertionError("the direct paths do not take the allocation test's shapes");
        Runnable calls = () -> {
            Conv.conv2d(wx, 0, wxs, ww, 0, wws, wy, 0, wys, geo, wcol, wout);
            Conv.convTranspose2d(dx, 0, dxs, dw, 0, dws, dy, 0, dys, geo, dcol);
        };
        int threads = Parallel.threads();
        long minWork = Conv.parallelMinWork;
        try {
            for (int t : new int[]{1, 2}) {
                Parallel.setThreads(t);
                Conv.parallelMinWork = 0;
                for (int i = 0; i < 300; i++) calls.run();
                // the fewest bytes over rounds (as ConvTest): vector code allocates until C2 has compiled it
                long allocated = Long.MAX_VALUE;
                for (int round = 0; round < 5 || (allocated > 0 && round < 200); round++) {
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 20; i++) calls.run();
                    allocated = Math.min(allocated, mx.getCurrentThreadAllocatedBytes() - before);
                }
                if (allocated > (t == 1 ? 0 : 512))
                    throw new AssertionError("20 steady-state gradient calls on " + t + " threads allocated " + allocated + " bytes");
            }
        } finally {
            Parallel.setThreads(threads);
            Conv.parallelMinWork = minWork;
        }
    }

    private static float[] nans(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }
}
