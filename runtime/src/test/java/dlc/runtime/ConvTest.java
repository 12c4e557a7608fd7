package dlc.runtime;

import dlc.ir.ops.Ops;
import dlc.ir.Attrs;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dlc.runtime.ConvReference.*;

/**
 * Every conv kernel against the float64 reference op on random geometries: batch, groups, channels,
 * kernel, stride, dilation, padding, output padding, and offsets into larger arrays. Both conv2d
 * paths run (one GEMM per image for large output planes, one stacked GEMM for small ones), and so
 * do the 1x1 shortcuts.
 */
class ConvTest {
    /** One random conv2d geometry; {@code big} asks for output planes of at least 64 (the per-image path). */
    record Case(int n, int g, int cg, int og, int kh, int kw, int sh, int sw, int dh, int dw,
                int top, int bottom, int left, int right, int h, int w) {
        static Case random(Random r, boolean big, boolean pointwise) {
            int kh = pointwise ? 1 : 1 + r.nextInt(4), kw = pointwise ? 1 : 1 + r.nextInt(4);
            int sh = pointwise ? 1 : 1 + r.nextInt(3), sw = pointwise ? 1 : 1 + r.nextInt(3);
            int dh = 1 + r.nextInt(3), dw = 1 + r.nextInt(3);
            int[] p = new int[4];
            if (!pointwise) for (int i = 0; i < 4; i++) p[i] = r.nextInt(3);
            int spanH = dh * (kh - 1) + 1, spanW = dw * (kw - 1) + 1;
            int h = Math.max(1, spanH - p[0] - p[1] + r.nextInt(big ? 4 : 3) * sh + (big ? 9 * sh : 0) + r.nextInt(2));
            int w = Math.max(1, spanW - p[2] - p[3] + r.nextInt(big ? 4 : 3) * sw + (big ? 9 * sw : 0) + r.nextInt(2));
            return new Case(1 + r.nextInt(3), 1 + r.nextInt(3), 1 + r.nextInt(4), 1 + r.nextInt(4), kh, kw, sh, sw, dh, dw,
                    p[0], p[1], p[2], p[3], h, w);
        }

        int ho() { return Math.floorDiv(h + top + bottom - dh * (kh - 1) - 1, sh) + 1; }

        int wo() { return Math.floorDiv(w + left + right - dw * (kw - 1) - 1, sw) + 1; }

        int[] geo() { return new int[]{sh, sw, top, bottom, left, right, dh, dw, g}; }

        Attrs attrs() {
            return Attrs.of("stride", new long[]{sh, sw}, "padding", new long[]{top, bottom, left, right},
                    "dilation", new long[]{dh, dw}, "groups", (long) g);
        }
    }

    @Test
    void conv2dMatchesReference() {
        Random r = new Random(1);
        int perImage = 0, stacked = 0;
        for (int t = 0; t < 300; t++) {
            Case c = Case.random(r, t % 2 == 0, t % 10 == 9);
            if (c.ho() < 1 || c.wo() < 1) continue;
            if (Conv.conv2dStacked(c.ho(), c.wo())) stacked++;
            else perImage++;
            checkConv2d(c, r, t % 3 == 0);
        }
        if (perImage < 50 || stacked < 50) throw new AssertionError("too few cases on a path: " + perImage + " per image, " + stacked + " stacked");
    }

    private static void checkConv2d(Case c, Random r, boolean withBias) {
        int[] xs = {c.n, c.g * c.cg, c.h, c.w}, ws = {c.g * c.og, c.cg, c.kh, c.kw}, ys = {c.n, c.g * c.og, c.ho(), c.wo()};
        int xOff = r.nextInt(5), wOff = r.nextInt(5), yOff = r.nextInt(5), bOff = r.nextInt(5);
        float[] x = floats(r, xOff, (int) Tensor.numel(xs)), w = floats(r, wOff, (int) Tensor.numel(ws));
        float[] bias = withBias ? floats(r, bOff, ys[1]) : null;
        float[] y = new float[yOff + (int) Tensor.numel(ys)];
        // scratch and y start as garbage, as they do in generated code
        float[] col = nans((int) Conv.conv2dColSize(xs, ws, ys));
        float[] out = Conv.conv2dStacked(ys[2], ys[3]) ? nans((int) Conv.conv2dOutSize(ys, c.g)) : null;
        java.util.Arrays.fill(y, Float.NaN);
        int act = withBias ? Gemm.ACT_RELU : Gemm.ACT_NONE;
        Conv.conv2d(x, xOff, xs, w, wOff, ws, y, yOff, ys, c.geo(), col, out, bias, bOff, act);

        Tensor tx = tensor(xs, x, xOff), tw = tensor(ws, w, wOff);
        double[] want = eval(Ops.CONV2D, c.attrs(), tx, tw), scale = eval(Ops.CONV2D, c.attrs(), abs(tx), abs(tw));
        int plane = ys[2] * ys[3];
        if (withBias)
            for (int i = 0; i < want.length; i++) {
                double b = bias[bOff + i / plane % ys[1]];
                want[i] = Math.max(0, want[i] + b);
                scale[i] += Math.abs(b);
            }
        assertClose("conv2d " + c + (withBias ? " + bias, relu" : ""), want, scale, y, yOff, c.cg * c.kh * c.kw + 1);
    }

    /** The same cases split over 3 threads by image (every call parallel, whatever its size). */
    @Test
    void parallelSplitMatchesReference() {
        int threads = Parallel.threads();
        long minWork = Conv.parallelMinWork;
        try {
            Parallel.setThreads(3);
            Conv.parallelMinWork = 0;
            conv2dMatchesReference();
            convTranspose2dMatchesReference();
            referenceCnnShapes();
            oneScratchSliceRunsTheBatchOnOneThread();
        } finally {
            Parallel.setThreads(threads);
            Conv.parallelMinWork = minWork;
        }
    }

    /**
     * Every per-image case on each product: the short-reduction kernel (ConvSmallK) for every K, and
     * the GEMM for every K (the default splits at ConvSmallK.maxK): odd planes (vector tails),
     * channel counts that are not a multiple of 4, groups, stride, dilation, padding, bias and relu.
     */
    @Test
    void smallKKernelAndGemmBothMatchReference() {
        int maxK = ConvSmallK.maxK;
        try {
            for (int limit : new int[]{Integer.MAX_VALUE, -1}) {
                ConvSmallK.maxK = limit;
                conv2dMatchesReference();
                shiftedPlanePaths();
                referenceCnnShapes();
                emptyDims();
                Random r = new Random(9);
                // the first layer of the reference CNN at batch 1 and 3, with and without the epilogue
                checkConv2d(new Case(1, 1, 1, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 28, 28), r, true);
                checkConv2d(new Case(3, 1, 1, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 13, 11), r, false);
                checkConv2d(new Case(2, 3, 2, 5, 3, 2, 2, 1, 2, 1, 1, 0, 2, 1, 21, 19), r, true);
            }
        } finally {
            ConvSmallK.maxK = maxK;
        }
    }

    /**
     * Small output planes with large kernels (weight gradients' correlations) run one input channel
     * at a time (Conv.stackedByInputChannel): random strides, dilations, paddings, batch and channel
     * counts (both GEMM orientations), against the reference; the same cases through the whole-batch
     * stacked GEMM (the path turned off) agree too. Groups and epilogues keep the whole-batch path.
     */
    @Test
    void largeKernelSmallPlaneByInputChannel() {
        Random r = new Random(10);
        int ran = 0;
        try {
            for (int t = 0; t < 80; t++) {
                int kh = 8 + r.nextInt(7), kw = 8 + r.nextInt(7), sh = 1 + r.nextInt(2), sw = 1 + r.nextInt(2);
                int dh = 1 + r.nextInt(2), dw = 1 + r.nextInt(2), top = r.nextInt(3), bottom = r.nextInt(3), left = r.nextInt(3), right = r.nextInt(3);
                int h = Math.max(1, dh * (kh - 1) + 1 - top - bottom + r.nextInt(4) * sh + r.nextInt(2));
                int w = Math.max(1, dw * (kw - 1) + 1 - left - right + r.nextInt(4) * sw + r.nextInt(2));
                Case c = new Case(1 + r.nextInt(4), t % 10 == 9 ? 2 : 1, 1 + r.nextInt(5), 1 + r.nextInt(40), kh, kw, sh, sw, dh, dw,
                        top, bottom, left, right, h, w);
                if (c.ho() < 1 || c.wo() < 1 || !Conv.conv2dStacked(c.ho(), c.wo())) continue;
                Conv.byInputChannelEnabled = t % 2 == 0;
                checkConv2d(c, r, t % 7 == 3);
                ran++;
            }
        } finally {
            Conv.byInputChannelEnabled = true;
        }
        if (ran < 40) throw new AssertionError("only " + ran + " cases ran");
    }

    /** A weight gradient run by input channel needs only Conv.conv2dByInputChannelColSize floats of im2col scratch (what the lowering gives it). */
    @Test
    void byInputChannelRunsInItsOwnScratchSize() {
        Random r = new Random(13);
        int[] geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        int[] xs = {5, 3, 14, 14}, ws = {7, 3, 14, 14}, ys = {5, 7, 3, 3};
        if (!Conv.conv2dByInputChannel(14, 14, 1, false) || Conv.conv2dByInputChannel(14, 14, 2, false)
                || Conv.conv2dByInputChannel(14, 14, 1, true) || Conv.conv2dByInputChannel(3, 3, 1, false))
            throw new AssertionError("by-input-channel applies to one group, no epilogue, kernels of 64+ elements");
        float[] x = floats(r, 0, 5 * 3 * 196), w = floats(r, 0, 7 * 3 * 196), y = nans(5 * 7 * 9);
        long small = Conv.conv2dByInputChannelColSize(xs, ws, ys);
        if (small * 3 != Conv.conv2dColSize(xs, ws, ys)) throw new AssertionError("scratch " + small + " vs " + Conv.conv2dColSize(xs, ws, ys));
        Conv.conv2d(x, 0, xs, w, 0, ws, y, 0, ys, geo, nans((int) small), nans((int) Conv.conv2dOutSize(ys, 1)));
        Attrs a = new Case(5, 1, 3, 7, 14, 14, 1, 1, 1, 1, 1, 1, 1, 1, 14, 14).attrs();
        Tensor tx = tensor(xs, x, 0), tw = tensor(ws, w, 0);
        assertClose("conv2d by input channel", eval(Ops.CONV2D, a, tx, tw), eval(Ops.CONV2D, a, abs(tx), abs(tw)), y, 0, 3 * 196);
    }

    /** A scratch of one slice (less than the threads and the batch) is enough: the batch then runs on one thread. */
    @Test
    void oneScratchSliceRunsTheBatchOnOneThread() {
        Random r = new Random(5);
        Case c = new Case(5, 1, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 12, 12);
        int[] xs = {c.n, c.cg, c.h, c.w}, ws = {c.og, c.cg, c.kh, c.kw}, ys = {c.n, c.og, c.ho(), c.wo()};
        float[] x = floats(r, 0, (int) Tensor.numel(xs)), w = floats(r, 0, (int) Tensor.numel(ws)), y = nans((int) Tensor.numel(ys));
        Conv.conv2d(x, 0, xs, w, 0, ws, y, 0, ys, c.geo(), nans(c.cg * 9 * ys[2] * ys[3]), null);
        Tensor tx = tensor(xs, x, 0), tw = tensor(ws, w, 0);
        assertClose("conv2d, one slice", eval(Ops.CONV2D, c.attrs(), tx, tw), eval(Ops.CONV2D, c.attrs(), abs(tx), abs(tw)), y, 0, c.cg * 9);
        int[] tws = {c.og, c.cg, 3, 3};
        float[] gx = nans((int) Tensor.numel(xs));
        Conv.convTranspose2d(y, 0, ys, w, 0, tws, gx, 0, xs, c.geo(), nans(c.cg * 9 * ys[2] * ys[3]));
        Tensor ty = tensor(ys, y, 0), tw2 = tensor(tws, w, 0);
        Attrs ta = c.attrs().with("output_padding", new long[]{0, 0});
        assertClose("conv_transpose2d, one slice", eval(Ops.CONV_TRANSPOSE2D, ta, ty, tw2), eval(Ops.CONV_TRANSPOSE2D, ta, abs(ty), abs(tw2)), gx, 0, c.og * 9);
    }

    @Test
    void conv2dF64MatchesReferenceExactly() {
        Random r = new Random(2);
        for (int t = 0; t < 100; t++) {
            Case c = Case.random(r, t % 2 == 0, false);
            if (c.ho() < 1 || c.wo() < 1) continue;
            int[] xs = {c.n, c.g * c.cg, c.h, c.w}, ws = {c.g * c.og, c.cg, c.kh, c.kw}, ys = {c.n, c.g * c.og, c.ho(), c.wo()};
            int xOff = r.nextInt(5), wOff = r.nextInt(5), yOff = r.nextInt(5);
            double[] x = doubles(r, xOff, (int) Tensor.numel(xs)), w = doubles(r, wOff, (int) Tensor.numel(ws));
            double[] y = new double[yOff + (int) Tensor.numel(ys)];
            Conv.conv2d(x, xOff, xs, w, wOff, ws, y, yOff, ys, c.geo());
            assertExact("f64 conv2d " + c, eval(Ops.CONV2D, c.attrs(), tensor(xs, x, xOff), tensor(ws, w, wOff)), y, yOff);
        }
    }

    /** The transpose of a random conv2d geometry: x is shaped like that conv's output. */
    @Test
    void convTranspose2dMatchesReference() {
        Random r = new Random(3);
        for (int t = 0; t < 300; t++) {
            Case c = Case.random(r, t % 2 == 0, t % 10 == 9);
            if (c.ho() < 1 || c.wo() < 1) continue;
            checkTranspose(c, r, r.nextInt(Math.max(c.sh, c.dh)), r.nextInt(Math.max(c.sw, c.dw)));
        }
    }

    /** conv_transpose2d with c's geometry on an x shaped like c's conv2d output, in f32 and f64. */
    private static void checkTranspose(Case c, Random r, int oph, int opw) {
        {
            int h = c.ho(), w = c.wo();
            int ho = (h - 1) * c.sh - c.top - c.bottom + c.dh * (c.kh - 1) + oph + 1;
            int wo = (w - 1) * c.sw - c.left - c.right + c.dw * (c.kw - 1) + opw + 1;
            if (ho < 1 || wo < 1) return;
            int[] xs = {c.n, c.g * c.cg, h, w}, ws = {c.g * c.cg, c.og, c.kh, c.kw}, ys = {c.n, c.g * c.og, ho, wo};
            int xOff = r.nextInt(5), wOff = r.nextInt(5), yOff = r.nextInt(5);
            float[] x = floats(r, xOff, (int) Tensor.numel(xs)), wt = floats(r, wOff, (int) Tensor.numel(ws));
            float[] y = floats(r, yOff, (int) Tensor.numel(ys)); // garbage: the kernel must overwrite all of y
            float[] col = nans((int) Conv.convTranspose2dColSize(xs, ws));
            Conv.convTranspose2d(x, xOff, xs, wt, wOff, ws, y, yOff, ys, c.geo(), col);

            Attrs attrs = c.attrs().with("output_padding", new long[]{oph, opw});
            Tensor tx = tensor(xs, x, xOff), tw = tensor(ws, wt, wOff);
            assertClose("conv_transpose2d " + c + " output padding " + oph + "," + opw,
                    eval(Ops.CONV_TRANSPOSE2D, attrs, tx, tw), eval(Ops.CONV_TRANSPOSE2D, attrs, abs(tx), abs(tw)), y, yOff, c.cg * c.kh * c.kw);

            double[] xd = doubles(r, xOff, (int) Tensor.numel(xs)), wd = doubles(r, wOff, (int) Tensor.numel(ws));
            double[] yd = new double[yOff + (int) Tensor.numel(ys)];
            Conv.convTranspose2d(xd, xOff, xs, wd, wOff, ws, yd, yOff, ys, c.geo());
            assertExact("f64 conv_transpose2d " + c, eval(Ops.CONV_TRANSPOSE2D, attrs, tensor(xs, xd, xOff), tensor(ws, wd, wOff)), yd, yOff);
        }
    }

    /**
     * The block-copy paths: stride 1 with "same" width (im2col and col2im copy whole shifted
     * planes) and kernels as wide as the input at dilation 1 (the transposed im2col of a weight
     * gradient), with random heights, paddings and dilations around them.
     */
    @Test
    void shiftedPlanePaths() {
        Random r = new Random(8);
        for (int t = 0; t < 150; t++) {
            int kh = 1 + r.nextInt(4), kw = 1 + r.nextInt(4), dh = 1 + r.nextInt(2), dw = 1 + r.nextInt(2);
            int span = dw * (kw - 1), left = r.nextInt(span + 1), top = r.nextInt(3), bottom = r.nextInt(3);
            int h = Math.max(1, dh * (kh - 1) + 1 - top - bottom) + r.nextInt(12), w = 1 + r.nextInt(12);
            Case same = new Case(1 + r.nextInt(3), 1 + r.nextInt(2), 1 + r.nextInt(3), 1 + r.nextInt(3), kh, kw, 1, 1, dh, dw,
                    top, bottom, left, span - left, h, w);
            if (same.ho() >= 1 && same.wo() == w) {
                checkConv2d(same, r, t % 4 == 0);
                checkTranspose(same, r, 0, 0);
            }
            // the kernel spans the input's width (and any height); padding up to the kernel
            int kh2 = 1 + r.nextInt(6), w2 = 1 + r.nextInt(8), h2 = kh2 + r.nextInt(4);
            Case wide = new Case(1 + r.nextInt(3), 1, 1 + r.nextInt(4), 1 + r.nextInt(5), kh2, w2, 1 + r.nextInt(2), 1 + r.nextInt(2), 1, 1,
                    r.nextInt(3), r.nextInt(3), r.nextInt(3), r.nextInt(3), h2, w2);
            if (wide.ho() >= 1 && wide.wo() >= 1) checkConv2d(wide, r, false);
        }
    }

    /** The reference CNN's layers (batch 4 here) and the weight-gradient correlations its VJP builds. */
    @Test
    void referenceCnnShapes() {
        Random r = new Random(4);
        // conv 3x3 1->32 on 28x28 and 32->64 on 14x14, padding 1
        checkConv2d(new Case(4, 1, 1, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 28, 28), r, true);
        checkConv2d(new Case(4, 1, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 14, 14), r, false);
        // their weight gradients: batch = input channels, channels = batch, kernel = cotangent plane
        checkConv2d(new Case(1, 1, 4, 32, 28, 28, 1, 1, 1, 1, 1, 1, 1, 1, 28, 28), r, false);
        checkConv2d(new Case(32, 1, 4, 64, 14, 14, 1, 1, 1, 1, 1, 1, 1, 1, 14, 14), r, false);
    }

    static float[] nans(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }

    /** A steady-state call (conv and pool) allocates nothing on the calling thread: scratch is the caller's, the parallel jobs are reused. */
    @Test
    void steadyStateCallsAllocateNothing() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Random r = new Random(6);
        int[] geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        int[] xs = {8, 4, 10, 10}, ws = {6, 4, 3, 3}, ys = {8, 6, 10, 10};           // per-image path
        int[] cxs = {4, 8, 10, 10}, cws = {6, 8, 10, 10}, cys = {4, 6, 3, 3};        // stacked path (a weight gradient)
        float[] x = floats(r, 0, 3200), w = floats(r, 0, 216), y = new float[4800], gx = new float[3200], gw = new float[216];
        float[] col = new float[(int) Conv.conv2dColSize(xs, ws, ys)], tcol = new float[(int) Conv.convTranspose2dColSize(ys, ws)];
        float[] ccol = new float[(int) Conv.conv2dColSize(cxs, cws, cys)], cout = new float[(int) Conv.conv2dOutSize(cys, 1)];
        float[] wide = floats(r, 0, 4800);
        int[] sxs = {8, 2, 10, 10}, sws = {6, 2, 3, 3};                               // short reduction (ConvSmallK), bias + relu
        float[] scol = new float[(int) Conv.conv2dColSize(sxs, sws, ys)], sbias = floats(r, 0, 6);
        int[] win = {2, 2, 2, 2, 0, 0, 0, 0}, ps = {8, 6, 5, 5};
        float[] pooled = new float[1200];
        Runnable calls = () -> {
            Conv.conv2d(x, 0, xs, w, 0, ws, y, 0, ys, geo, col, null);
            Conv.conv2d(x, 0, sxs, w, 0, sws, y, 0, ys, geo, scol, null, sbias, 0, Gemm.ACT_RELU);
            Conv.convTranspose2d(y, 0, ys, w, 0, ws, gx, 0, xs, geo, tcol);
            Conv.conv2d(x, 0, cxs, wide, 0, cws, gw, 0, cys, geo, ccol, cout);
            Pool.maxPool2d(y, 0, ys, pooled, 0, ps, win);
            Pool.maxPool2dScatter(y, 0, ys, pooled, 0, wide, 0, ps, win);
        };
        int threads = Parallel.threads(), minElements = PoolJob.parallelMinElements;
        long minWork = Conv.parallelMinWork;
        try {
            for (int t : new int[]{1, 2}) {
                Parallel.setThreads(t);
                Conv.parallelMinWork = 0; // with 2 threads every call splits
                PoolJob.parallelMinElements = 0;
                for (int i = 0; i < 200; i++) calls.run();
                // The fewest bytes over at least 5 rounds: a kernel that allocates per call does so in every
                // round, while the JIT's own bookkeeping under load (seen: 664 bytes once, at load 18 on
                // 2 cores) lands in one round now and then. Rounds go on (up to 200) until one allocates
                // nothing: the jdk.incubator.vector kernels (GEMM, ConvSmallK) allocate their vectors until
                // C2 has compiled them, which under load can take longer than the 200 warm-up calls
                // (seen: 27 MB in a round at load 10; none in a long benchmark run)
                long allocated = Long.MAX_VALUE;
                for (int round = 0; round < 5 || (allocated > 0 && round < 200); round++) {
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 20; i++) calls.run();
                    allocated = Math.min(allocated, mx.getCurrentThreadAllocatedBytes() - before);
                }
                // Parallel.run itself allocates a few bytes now and then (seen: 64 bytes in 60 calls, none
                // in the kernels); anything the kernels allocated per call would be kilobytes
                long allowed = t == 1 ? 0 : 512;
                if (allocated > allowed)
                    throw new AssertionError("20 steady-state conv calls on " + t + " threads allocated " + allocated + " bytes");
            }
        } finally {
            Parallel.setThreads(threads);
            Conv.parallelMinWork = minWork;
            PoolJob.parallelMinElements = minElements;
        }
    }

    /** Small planes with many channels: the stacked GEMM runs transposed (out [(n, i, j), o]), its bias along columns. */
    @Test
    void transposedStackedGemmWithBias() {
        Random r = new Random(7);
        checkConv2d(new Case(2, 1, 3, 40, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 4, 4), r, true);
        checkConv2d(new Case(2, 2, 3, 40, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 4, 4), r, true);
        checkConv2d(new Case(1, 3, 2, 33, 2, 2, 2, 1, 1, 2, 1, 0, 0, 1, 5, 5), r, false);
    }

    /** An empty batch (a symbolic B bound to 0) is an empty result, and zero input channels a sum over nothing: 0. */
    @Test
    void emptyDims() {
        int[] geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        Conv.conv2d(new float[0], 0, new int[]{0, 2, 5, 5}, new float[36], 0, new int[]{2, 2, 3, 3}, new float[0], 0,
                new int[]{0, 2, 5, 5}, geo, new float[0], null);
        Conv.conv2d(new float[0], 0, new int[]{0, 2, 5, 5}, new float[36], 0, new int[]{2, 2, 3, 3}, new float[0], 0,
                new int[]{0, 2, 5, 5}, new int[]{1, 1, 1, 1, 1, 1, 1, 1, 1}, new float[0], new float[0]);
        Conv.convTranspose2d(new float[0], 0, new int[]{0, 2, 5, 5}, new float[36], 0, new int[]{2, 2, 3, 3}, new float[0], 0,
                new int[]{0, 4, 5, 5}, new int[]{1, 1, 1, 1, 1, 1, 1, 1, 2}, new float[0]);
        for (int hw : new int[]{5, 9}) { // the stacked GEMM and the one per image
            float[] y = nans(2 * 3 * hw * hw);
            int[] ys = {2, 3, hw, hw};
            Conv.conv2d(new float[0], 0, new int[]{2, 0, hw, hw}, new float[0], 0, new int[]{3, 0, 3, 3}, y, 0,
                    ys, geo, new float[0], new float[(int) Conv.conv2dOutSize(ys, 1)]);
            for (float v : y) if (v != 0f) throw new AssertionError("conv2d over zero channels gave " + v);
        }
        Pool.maxPool2d(new float[0], 0, new int[]{0, 3, 4, 4}, new float[0], 0, new int[]{0, 3, 2, 2}, new int[]{2, 2, 2, 2, 0, 0, 0, 0});
        Pool.maxPool2dScatter(new float[0], 0, new int[]{0, 3, 4, 4}, new float[0], 0, new float[0], 0, new int[]{0, 3, 4, 4}, new int[]{3, 3, 1, 1, 1, 1, 1, 1});
    }

    @Test
    void mismatchedShapesFailLoudly() {
        int[] xs = {1, 2, 5, 5}, ws = {3, 2, 3, 3}, ys = {1, 3, 4, 3};
        float[] x = new float[50], w = new float[54], y = new float[36], col = new float[1000];
        try {
            Conv.conv2d(x, 0, xs, w, 0, ws, y, 0, ys, new int[]{1, 1, 0, 0, 0, 0, 1, 1, 1}, col, null);
            throw new AssertionError("a wrong output shape was accepted");
        } catch (IllegalArgumentException expected) {
            if (!expected.getMessage().contains("conv2d shapes do not agree")) throw expected;
        }
    }
}
