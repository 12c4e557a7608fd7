package dlc.runtime;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static dlc.runtime.ConvReference.*;

/**
 * The direct stride-1 conv2d kernel ({@link ConvDirect}: padded copy + vector tiles of output
 * channels x row vectors) against {@link Conv}'s float64 loops, over geometries that reach each of
 * its branches: channel counts below, at and past the 8-channel tile (remainder channels), output
 * rows narrower than, equal to and wider than a vector (partial row vectors, whole stores that
 * overrun into the next row, the plane's last vector through scratch), odd row counts (the 8x1
 * tile), padding on each side, dilation, groups, 1x1 windows with padding, batch 1, bias and each
 * activation; and the same cases on the fallback (the scalar GEMM kernel, as without the vector
 * module) and with the path turned off.
 */
class ConvDirectTest {
    /** n, g, cg, og, kh, kw, dh, dw, top, bottom, left, right, h, w (stride 1). */
    private static final int[][] CASES = {
            {64, 1, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 14, 14},   // the reference CNN's second layer
            {1, 1, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 14, 14},    // its batch 1
            {1, 1, 4, 32, 3, 3, 1, 1, 1, 1, 1, 1, 28, 28},     // rows of two vectors (28 = 16 + 12)
            {2, 1, 5, 13, 3, 3, 1, 1, 1, 1, 1, 1, 9, 13},      // 13 channels: a tile of 8 and 5 left over; odd rows
            {1, 1, 3, 7, 3, 3, 1, 1, 0, 0, 0, 0, 15, 18},      // no padding, fewer channels than a tile
            {3, 2, 6, 9, 3, 3, 1, 1, 1, 1, 1, 1, 14, 14},      // two groups of 9 output channels
            {1, 1, 7, 17, 3, 3, 2, 2, 2, 2, 2, 2, 16, 16},     // dilation 2
            {2, 1, 4, 8, 5, 3, 1, 2, 2, 0, 1, 3, 17, 15},      // uneven window, dilation and padding
            {1, 1, 9, 16, 1, 1, 1, 1, 1, 1, 1, 1, 14, 14},     // 1x1 with padding (not a plain GEMM)
            {1, 1, 2, 10, 1, 2, 1, 3, 0, 1, 2, 0, 13, 31},     // a 1x2 window, dilation 3, rows of 2 vectors
            {2, 1, 33, 24, 3, 3, 1, 1, 1, 1, 1, 1, 12, 12},    // odd input channels, 12-wide rows
            {1, 1, 4, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 70},       // one output row of 5 vectors (8x2 tiles then 8x1)
            {1, 1, 4, 8, 4, 4, 1, 1, 0, 0, 0, 0, 3, 35},       // a 4x4 window cutting the plane to 0 x 32
    };

    @Test
    void directKernelMatchesF64Loops() {
        if (!Gemm.vectorAvailable()) throw new AssertionError("the tests run with jdk.incubator.vector (see the pom's argLine)");
        Random r = new Random(21);
        int direct = 0, maxK = ConvSmallK.maxK;
        try {
            for (int smallK : new int[]{-1, maxK}) {
                // -1: the short reductions (K <= 32) run here too instead of ConvSmallK
                ConvSmallK.maxK = smallK;
                for (int[] c : CASES)
                    for (int act : new int[]{Gemm.ACT_NONE, Gemm.ACT_RELU, Gemm.ACT_TANH})
                        for (boolean withBias : new boolean[]{false, true})
                            if (check(c, r, withBias, act)) direct++;
            }
        } finally {
            ConvSmallK.maxK = maxK;
        }
        if (direct < 60) throw new AssertionError("only " + direct + " cases ran the direct kernel");
    }

    @Test
    void fallbackWithoutTheVectorKernelMatchesF64Loops() {
        Random r = new Random(22);
        try {
            Gemm.forceScalarKernel(true);
            for (int[] c : CASES)
                if (check(c, r, true, Gemm.ACT_RELU)) throw new AssertionError("the direct kernel ran on the scalar fallback");
        } finally {
            Gemm.forceScalarKernel(false);
        }
        try {
            ConvDirect.enabled = false;
            for (int[] c : CASES)
                if (check(c, r, true, Gemm.ACT_RELU)) throw new AssertionError("the direct kernel ran while turned off");
        } finally {
            ConvDirect.enabled = true;
        }
    }

    /** The kernel's partition over output channels: any split into ranges gives the whole result. */
    @Test
    void outputChannelRangesComposeTheWholeResult() {
        Random r = new Random(23);
        int cg = 5, og = 21, h = 11, w = 13, kh = 3, kw = 3;
        int[] geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        float[] x = floats(r, 3, cg * h * w), wt = floats(r, 2, og * cg * 9), bias = floats(r, 0, og);
        float[] whole = nans(og * h * w), parts = nans(og * h * w);
        float[] scratch = nans((int) ConvDirect.scratchSize(cg, kh, kw, h, w, geo, VectorConvDirect.lanes()) + 7);
        ConvDirect.run(x, 3, cg, h, w, wt, 2, kh, kw, whole, 0, h, w, geo, bias, 0, Gemm.ACT_RELU, 0, og, scratch, 7);
        int[] cuts = {0, 3, 11, 12, 21};
        for (int i = 0; i + 1 < cuts.length; i++)
            ConvDirect.run(x, 3, cg, h, w, wt, 2, kh, kw, parts, 0, h, w, geo, bias, 0, Gemm.ACT_RELU, cuts[i], cuts[i + 1], scratch, 7);
        for (int i = 0; i < whole.length; i++)
            if (Float.compare(whole[i], parts[i]) != 0) throw new AssertionError("element " + i + ": " + whole[i] + " vs " + parts[i]);
    }

    @Test
    void steadyStateCallsAllocateNothing() {
        int[] xs = {4, 32, 14, 14}, ws = {64, 32, 3, 3}, ys = {4, 64, 14, 14}, geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        Random r = new Random(24);
        float[] x = floats(r, 0, 4 * 32 * 196), w = floats(r, 0, 64 * 32 * 9), y = new float[4 * 64 * 196], bias = floats(r, 0, 64);
        float[] col = new float[(int) Conv.conv2dColSize(xs, ws, ys)];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long bytes = -1;
        // vector code allocates its boxes until C2 compiles it: warm up, then measure a later call
        for (int round = 0; round < 400 && bytes != 0; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            Conv.conv2d(x, 0, xs, w, 0, ws, y, 0, ys, geo, col, null, bias, 0, Gemm.ACT_RELU);
            bytes = mx.getCurrentThreadAllocatedBytes() - before;
        }
        if (bytes != 0) throw new AssertionError("a warm direct conv2d call allocated " + bytes + " bytes");
    }

    /**
     * conv2d + bias + activation + 2x2 max pool (Conv.conv2dMaxPool2 then Conv.maxPool2AfterConv):
     * the fused kernel where it applies (relu, stride 1) gives exactly what conv2d then
     * Pool.maxPool2d give when conv2d runs the same kernel (the same sums, and the max of relu'd
     * values is exact; a short reduction's conv2d runs ConvSmallK, so there it agrees to rounding),
     * writing only the pooled planes at the front of the conv's buffer; every case also against
     * the f64 loops' pool; the
     * geometries it does not take (no activation, stride 2, small planes, the scalar
     * fallback) run unfused through that buffer. Odd rows and columns, leftover channels, groups,
     * batch 1 and a split over threads included.
     */
    @Test
    void convMaxPoolMatchesConvThenPool() {
        // n, g, cg, og, kh, kw, stride, pad, h, w, act
        int[][] cases = {
                {8, 1, 32, 64, 3, 3, 1, 1, 14, 14, Gemm.ACT_RELU},   // the reference CNN's second layer
                {1, 1, 32, 64, 3, 3, 1, 1, 14, 14, Gemm.ACT_RELU},   // batch 1
                {2, 1, 5, 13, 3, 3, 1, 1, 11, 13, Gemm.ACT_RELU},    // odd rows and columns, 13 channels (8 + 5)
                {3, 2, 6, 9, 3, 3, 1, 0, 15, 16, Gemm.ACT_RELU},     // groups, no padding
                {1, 1, 4, 3, 3, 3, 1, 1, 12, 14, Gemm.ACT_RELU},     // fewer channels than a tile
                {2, 1, 6, 8, 3, 3, 1, 1, 14, 14, Gemm.ACT_NONE},     // no relu: unfused
                {2, 1, 6, 8, 3, 3, 2, 1, 28, 28, Gemm.ACT_RELU},     // stride 2: unfused
                {1, 1, 6, 8, 3, 3, 1, 1, 28, 27, Gemm.ACT_RELU},     // rows of two vectors (the last 11 lanes, 5 pooled)
                {2, 1, 1, 32, 3, 3, 1, 1, 28, 28, Gemm.ACT_RELU},    // the reference CNN's first layer (K = 9)
                {2, 1, 6, 8, 3, 3, 1, 1, 6, 6, Gemm.ACT_RELU},       // a small plane (stacked GEMM): unfused
        };
        Random r = new Random(25);
        int fusedRan = 0, threads = Parallel.threads();
        long minWork = Conv.parallelMinWork;
        try {
            for (int split : new int[]{1, 3}) {
                Parallel.setThreads(split);
                Conv.parallelMinWork = split > 1 ? 0 : minWork;
                for (int[] c : cases) if (checkPooled(c, r, false)) fusedRan++;
            }
            Gemm.forceScalarKernel(true);
            for (int[] c : cases) if (checkPooled(c, r, false)) throw new AssertionError("fused on the scalar fallback: " + java.util.Arrays.toString(c));
        } finally {
            Gemm.forceScalarKernel(false);
            Parallel.setThreads(threads);
            Conv.parallelMinWork = minWork;
        }
        if (fusedRan != 14) throw new AssertionError("the fused kernel ran " + fusedRan + " cases, expected 14");
    }

    /** Returns whether the fused kernel took the case (the unpooled buffer stayed untouched). */
    private static boolean checkPooled(int[] c, Random r, boolean unused) {
        int n = c[0], g = c[1], cg = c[2], og = c[3], kh = c[4], kw = c[5], s = c[6], pad = c[7], h = c[8], wi = c[9], act = c[10];
        int[] geo = {s, s, pad, pad, pad, pad, 1, 1, g};
        int ho = (h + 2 * pad - kh) / s + 1, wo = (wi + 2 * pad - kw) / s + 1;
        int[] xs = {n, g * cg, h, wi}, ws = {g * og, cg, kh, kw}, cs = {n, g * og, ho, wo}, ys = {n, g * og, ho / 2, wo / 2};
        float[] x = floats(r, 1, n * g * cg * h * wi), w = floats(r, 2, g * og * cg * kh * kw), bias = floats(r, 3, g * og);
        float[] col = nans((int) Conv.conv2dColSize(xs, ws, cs));
        float[] out = Conv.conv2dStacked(ho, wo) ? nans((int) Conv.conv2dOutSize(cs, g)) : null;
        float[] conv = nans(5 + n * g * og * ho * wo), y = nans(4 + n * g * og * (ho / 2) * (wo / 2) + 3);
        Conv.conv2dMaxPool2(x, 1, xs, w, 2, ws, conv, 5, cs, geo, col, out, bias, 3, act);
        Conv.maxPool2AfterConv(xs, ws, geo, act, conv, 5, cs, y, 4, ys);
        boolean fused = Conv.poolsInConv(xs, ws, cs, geo, act);
        // the pooled kernel writes the pooled planes only, at the front of the conv's buffer
        int pooledLen = n * g * og * (ho / 2) * (wo / 2);
        for (int i = 5 + pooledLen; fused && i < conv.length; i++)
            if (!Float.isNaN(conv[i])) throw new AssertionError("the fused kernel wrote the unpooled buffer at " + i);
        float[] wantConv = new float[n * g * og * ho * wo], want = new float[n * g * og * (ho / 2) * (wo / 2)];
        Conv.conv2d(x, 1, xs, w, 2, ws, wantConv, 0, cs, geo, nans(col.length), out == null ? null : nans(out.length), bias, 3, act);
        Pool.maxPool2d(wantConv, 0, cs, want, 0, ys, new int[]{2, 2, 2, 2, 0, 0, 0, 0});
        String what = "conv2d + max pool " + java.util.Arrays.toString(c);
        // exact where both run the same conv kernel; a short reduction's conv alone runs ConvSmallK,
        // whose sums round differently (checked against the f64 reference below)
        boolean sameKernel = !fused || !ConvSmallK.applies(cg * kh * kw);
        for (int i = 0; i < want.length && sameKernel; i++)
            if (Float.compare(want[i], y[4 + i]) != 0) throw new AssertionError(what + ": element " + i + " is " + y[4 + i] + ", conv then pool " + want[i]);
        for (int i = 0; i < 4; i++) if (!Float.isNaN(y[i])) throw new AssertionError(what + ": wrote before y");
        for (int i = 4 + want.length; i < y.length; i++) if (!Float.isNaN(y[i])) throw new AssertionError(what + ": wrote past y");
        // and conv then pool against Conv's f64 loops (the fused result equals it, so it is checked too)
        double[] dx = widen(x, 1, xs), dw = widen(w, 2, ws), ref = new double[wantConv.length], scale = new double[ref.length];
        Conv.conv2d(dx, 0, xs, dw, 0, ws, ref, 0, cs, geo);
        Conv.conv2d(abs(dx), 0, xs, abs(dw), 0, ws, scale, 0, cs, geo);
        for (int i = 0; i < ref.length; i++) {
            double b = bias[3 + i / (ho * wo) % cs[1]];
            ref[i] = activate(ref[i] + b, act);
            scale[i] += Math.abs(b);
        }
        assertClose(what + " (unpooled)", ref, scale, wantConv, 0, cg * kh * kw + 1);
        // the pooled result against the f64 reference's pool: a max is 1-Lipschitz, so the largest
        // bound of its window holds for it
        int pw = wo / 2, ph = ho / 2;
        double[] refPool = new double[want.length], scalePool = new double[want.length];
        for (int pl = 0, q = 0; pl < n * cs[1]; pl++)
            for (int i = 0; i < ph; i++)
                for (int j = 0; j < pw; j++, q++) {
                    int e = pl * ho * wo + 2 * i * wo + 2 * j;
                    refPool[q] = Math.max(Math.max(ref[e], ref[e + 1]), Math.max(ref[e + wo], ref[e + wo + 1]));
                    scalePool[q] = Math.max(Math.max(scale[e], scale[e + 1]), Math.max(scale[e + wo], scale[e + wo + 1]));
                }
        assertClose(what + " (pooled)", refPool, scalePool, y, 4, cg * kh * kw + 1);
        return fused;
    }

    /** Runs case c through Conv.conv2d (f32) and checks it against Conv's f64 loops; returns whether the direct kernel took it. */
    private static boolean check(int[] c, Random r, boolean withBias, int act) {
        int n = c[0], g = c[1], cg = c[2], og = c[3], kh = c[4], kw = c[5];
        int[] geo = {1, 1, c[8], c[9], c[10], c[11], c[6], c[7], g};
        int h = c[12], wi = c[13];
        int ho = h + c[8] + c[9] - c[6] * (kh - 1), wo = wi + c[10] + c[11] - c[7] * (kw - 1);
        int[] xs = {n, g * cg, h, wi}, ws = {g * og, cg, kh, kw}, ys = {n, g * og, ho, wo};
        int xOff = r.nextInt(4), wOff = r.nextInt(4), yOff = r.nextInt(4), bOff = r.nextInt(4);
        float[] x = floats(r, xOff, n * g * cg * h * wi), w = floats(r, wOff, g * og * cg * kh * kw);
        float[] bias = withBias ? floats(r, bOff, g * og) : null;
        float[] y = nans(yOff + n * g * og * ho * wo + 5); // garbage after y too: the kernel must not write there
        float[] col = nans((int) Conv.conv2dColSize(xs, ws, ys));
        boolean direct = ConvDirect.applies(cg, kh, kw, ho, wo, geo, (long) cg * kh * kw * ho * wo) && !ConvSmallK.applies(cg * kh * kw);
        float[] out = Conv.conv2dStacked(ho, wo) ? nans((int) Conv.conv2dOutSize(ys, g)) : null;
        Conv.conv2d(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col, out, bias, bOff, act);

        double[] dx = widen(x, xOff, xs), dw = widen(w, wOff, ws), want = new double[n * g * og * ho * wo], scale = new double[want.length];
        Conv.conv2d(dx, 0, xs, dw, 0, ws, want, 0, ys, geo);
        Conv.conv2d(abs(dx), 0, xs, abs(dw), 0, ws, scale, 0, ys, geo);
        int plane = ho * wo;
        for (int i = 0; i < want.length; i++) {
            double b = withBias ? bias[bOff + i / plane % ys[1]] : 0;
            want[i] = activate(want[i] + b, act);
            scale[i] += Math.abs(b);
        }
        String what = "conv2d " + java.util.Arrays.toString(c) + " bias " + withBias + " act " + act + (direct ? " (direct)" : "");
        // tanh and relu are 1-Lipschitz: the sum's error bound holds after them (plus tanh's float rounding)
        assertClose(what, want, scale, y, yOff, cg * kh * kw + (act == Gemm.ACT_TANH ? 8 : 1));
        for (int i = yOff + want.length; i < y.length; i++)
            if (!Float.isNaN(y[i])) throw new AssertionError(what + ": wrote past y at " + i);
        for (int i = 0; i < yOff; i++)
            if (!Float.isNaN(y[i])) throw new AssertionError(what + ": wrote before y at " + i);
        return direct;
    }

    private static double activate(double v, int act) {
        return switch (act) {
            case Gemm.ACT_RELU -> v > 0 ? v : 0;
            case Gemm.ACT_TANH -> Math.tanh(v);
            default -> v;
        };
    }

    private static double[] widen(float[] a, int off, int[] shape) {
        double[] d = new double[(int) dlc.ir.eval.Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = a[off + i];
        return d;
    }

    private static double[] abs(double[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = Math.abs(a[i]);
        return d;
    }

    private static float[] nans(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }
}
