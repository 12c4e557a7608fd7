package dlc.runtime;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dlc.runtime.ConvReference.*;

/**
 * The output-channel-vectorized conv + bias + relu + 2x2 max pool ({@link ConvChannelBlocks}),
 * through {@code Conv.conv2dMaxPool2} then {@code Conv.maxPool2AfterConv}: against the float64
 * loops' conv, relu and pool (float32 tolerance), and bit for bit against the same call with the
 * path turned off (the row-vector kernel's pool, or conv2d then the pool: the same sums in the same
 * order). Cases reach each tile: blocks of 2 channel vectors and a last single one (48 channels),
 * pooled widths even and odd (the 2x2 tile), odd rows and columns dropped by the pool, 1 and many
 * input channels, padding on each side and none, dilation, groups, batch 1 and 64, no bias, and a
 * split over threads; channel counts that are not whole vectors stay on the older kernels.
 */
class ConvChannelBlocksTest {
    private static final int VL = VectorConvChannelBlocks.lanes();

    /** n, g, cg, og (in vectors), kh, kw, dh, dw, top, bottom, left, right, h, w. */
    private static final int[][] CASES = {
            {64, 1, 32, 4, 3, 3, 1, 1, 1, 1, 1, 1, 14, 14},    // the reference CNN's second layer (og 64 at VL 16)
            {1, 1, 32, 4, 3, 3, 1, 1, 1, 1, 1, 1, 14, 14},     // its batch 1
            {2, 1, 1, 2, 3, 3, 1, 1, 1, 1, 1, 1, 28, 28},      // the first layer (one input channel, K = 9)
            {3, 1, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 11, 13},      // 3 vectors: a block of 2 and a single; odd rows and columns
            {1, 1, 3, 1, 3, 3, 1, 1, 0, 0, 0, 0, 15, 18},      // one vector, no padding
            {2, 2, 6, 1, 3, 3, 1, 1, 1, 1, 1, 1, 14, 14},      // two groups
            {1, 1, 7, 2, 3, 3, 2, 2, 2, 2, 2, 2, 16, 16},      // dilation 2
            {2, 1, 4, 2, 5, 3, 1, 2, 2, 0, 1, 3, 17, 15},      // uneven window, dilation and padding
            {1, 1, 2, 2, 1, 2, 1, 3, 0, 1, 2, 0, 13, 31},      // a 1x2 window
            {1, 1, 33, 2, 3, 3, 1, 1, 1, 1, 1, 1, 4, 6},       // a 2x3 pooled plane... unless stacked (small plane)
            {1, 1, 9, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, 70},       // one pooled row of 35
    };

    @Test
    void pooledKernelMatchesF64AndTheRowVectorKernel() {
        if (!Gemm.vectorAvailable()) throw new AssertionError("the tests run with jdk.incubator.vector (see the pom's argLine)");
        Random r = new Random(31);
        int ran = 0;
        for (int[] c : CASES)
            for (boolean withBias : new boolean[]{true, false})
                if (check(c, r, withBias)) ran++;
        if (ran < 18) throw new AssertionError("only " + ran + " cases ran the channel-block kernel");
    }

    @Test
    void splitOverThreadsMatches() {
        Random r = new Random(32);
        int threads = Parallel.threads();
        long minWork = Conv.parallelMinWork;
        try {
            Parallel.setThreads(3);
            Conv.parallelMinWork = 0;
            if (!check(CASES[0], r, true) || !check(CASES[3], r, true)) throw new AssertionError("the channel-block kernel did not run");
        } finally {
            Parallel.setThreads(threads);
            Conv.parallelMinWork = minWork;
        }
    }

    /** Not whole vectors of output channels, no relu, stride 2 or the scalar fallback: never this kernel. */
    @Test
    void refusesWhatItDoesNotRun() {
        int[] geo = {1, 1, 1, 1, 1, 1, 1, 1, 1}, stride2 = {2, 2, 1, 1, 1, 1, 1, 1, 1};
        long slice = 1L << 20;
        check(ConvChannelBlocks.appliesPooled(4, 2 * VL, 3, 3, 14, 14, geo, Gemm.ACT_RELU, slice), "a plain case is taken");
        check(!ConvChannelBlocks.appliesPooled(4, 2 * VL - 1, 3, 3, 14, 14, geo, Gemm.ACT_RELU, slice), "og not whole vectors");
        check(!ConvChannelBlocks.appliesPooled(4, 2 * VL, 3, 3, 14, 14, geo, Gemm.ACT_NONE, slice), "no relu");
        check(!ConvChannelBlocks.appliesPooled(4, 2 * VL, 3, 3, 14, 14, stride2, Gemm.ACT_RELU, slice), "stride 2");
        check(!ConvChannelBlocks.appliesPooled(4, 2 * VL, 1, 1, 14, 14, geo, Gemm.ACT_RELU, slice), "1x1");
        check(!ConvChannelBlocks.appliesPooled(4, 2 * VL, 3, 3, 1, 14, geo, Gemm.ACT_RELU, slice), "one output row");
        check(!ConvChannelBlocks.appliesPooled(4, 2 * VL, 3, 3, 14, 14, geo, Gemm.ACT_RELU, 4 * 16 * 16 - 1), "scratch too small");
        check(ConvChannelBlocks.applies(4, 2 * VL, 3, 3, 14, 14, geo, Gemm.ACT_NONE, slice), "unpooled, no activation");
        check(ConvChannelBlocks.applies(4, 2 * VL, 3, 3, 14, 14, geo, Gemm.ACT_RELU, slice), "unpooled, relu");
        check(!ConvChannelBlocks.applies(4, 2 * VL, 3, 3, 14, 14, geo, Gemm.ACT_TANH, slice), "unpooled, tanh");
        check(!ConvChannelBlocks.applies(4, VL + 1, 3, 3, 14, 14, geo, Gemm.ACT_RELU, slice), "unpooled, og not whole vectors");
        check(!ConvChannelBlocks.applies(4, 2 * VL, 3, 3, 14, 1, geo, Gemm.ACT_RELU, slice), "unpooled, one output column");
        check(!ConvChannelBlocks.applies(4, 2 * VL, 3, 3, 14, 14, stride2, Gemm.ACT_RELU, slice), "unpooled, stride 2");
        try {
            Gemm.forceScalarKernel(true);
            check(!ConvChannelBlocks.appliesPooled(4, 2 * VL, 3, 3, 14, 14, geo, Gemm.ACT_RELU, slice), "scalar fallback");
        } finally {
            Gemm.forceScalarKernel(false);
        }
    }

    @Test
    void steadyStateCallsAllocateNothing() {
        int[] xs = {4, 32, 14, 14}, ws = {64, 32, 3, 3}, cs = {4, 64, 14, 14}, geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        Random r = new Random(33);
        float[] x = floats(r, 0, 4 * 32 * 196), w = floats(r, 0, 64 * 32 * 9), c = new float[4 * 64 * 196], bias = floats(r, 0, 64);
        float[] col = new float[(int) Conv.conv2dColSize(xs, ws, cs)];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long bytes = -1;
        for (int round = 0; round < 400 && bytes != 0; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            Conv.conv2dMaxPool2(x, 0, xs, w, 0, ws, c, 0, cs, geo, col, null, bias, 0, Gemm.ACT_RELU);
            w[round % w.length] += 1e-3f; // as a training step: the unpooled call below packs its panels again
            Conv.conv2d(x, 0, xs, w, 0, ws, c, 0, cs, geo, col, null, bias, 0, Gemm.ACT_RELU);
            bytes = mx.getCurrentThreadAllocatedBytes() - before;
        }
        if (bytes != 0) throw new AssertionError("a warm pooled and unpooled conv2d call allocated " + bytes + " bytes");
    }

    /**
     * The per-thread panels are reused only while the weights are unchanged: a weight updated in
     * place (as a training step does), one in another array with equal values, and the same array at
     * another offset each give what a fresh run of the f64 loops gives.
     */
    @Test
    void weightsChangedInPlaceArePackedAgain() {
        Random r = new Random(34);
        int[] c = {2, 1, 5, 2, 3, 3, 1, 1, 1, 1, 1, 1, 10, 12};
        int og = 2 * VL, k = 5 * 9;
        int[] xs = {2, 5, 10, 12}, ws = {og, 5, 3, 3}, cs = {2, og, 10, 12}, ys = {2, og, 5, 6}, geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        float[] x = floats(r, 0, 2 * 5 * 120), w = floats(r, 1, og * k), bias = floats(r, 0, og);
        float[] first = run(x, 0, xs, w, 1, ws, cs, ys, geo, bias, 0);
        w[1 + 7 * k + 4] += 0.5f; // one weight of channel 7, changed in place
        float[] second = run(x, 0, xs, w, 1, ws, cs, ys, geo, bias, 0);
        ConvChannelBlocks.enabled = false;
        float[] want;
        try {
            want = run(x, 0, xs, w, 1, ws, cs, ys, geo, bias, 0);
        } finally {
            ConvChannelBlocks.enabled = true;
        }
        boolean differs = false;
        for (int i = 0; i < want.length; i++) {
            if (Float.compare(want[i], second[i]) != 0) throw new AssertionError("element " + i + ": " + second[i] + " after the update, want " + want[i]);
            differs |= Float.compare(first[i], second[i]) != 0;
        }
        if (!differs) throw new AssertionError("the update changed no output: the test proves nothing");
        // the same values at another offset of the same array, and a copy in another array
        float[] shifted = new float[og * k + 3];
        System.arraycopy(w, 1, shifted, 3, og * k);
        float[] moved = run(x, 0, xs, shifted, 3, ws, cs, ys, geo, bias, 0);
        for (int i = 0; i < want.length; i++)
            if (Float.compare(want[i], moved[i]) != 0) throw new AssertionError("element " + i + " with the weights moved: " + moved[i] + ", want " + want[i]);
        check(c, r, true);
    }

    /**
     * Regression: the same weights array read as 1 group of og channels x K = 18 and then as 2
     * groups of og channels x K = 9 (the same og and the same number of weights) lays out different
     * panels; a cache keyed on the array, offset, length and og alone reused the first layout.
     */
    @Test
    void sameWeightsUnderAnotherGroupingArePackedAgain() {
        Random r = new Random(35);
        int og = VL;
        float[] w = floats(r, 0, 2 * og * 9), x = floats(r, 0, 2 * 16 * 16), bias = floats(r, 0, 2 * og);
        int[] geo1 = {1, 1, 1, 1, 1, 1, 1, 1, 1}, geo2 = {1, 1, 1, 1, 1, 1, 1, 1, 2};
        int[] xs = {1, 2, 16, 16};
        int[][] shapes = {{og, 2, 3, 3}, {2 * og, 1, 3, 3}};
        int[][] geos = {geo1, geo2};
        for (int round = 0; round < 2; round++)
            for (int v = 0; v < 2; v++) {
                int[] ws = shapes[v], cs = {1, ws[0], 16, 16}, ys = {1, ws[0], 8, 8};
                float[] got = run(x, 0, xs, w, 0, ws, cs, ys, geos[v], bias, 0), want;
                ConvChannelBlocks.enabled = false;
                try {
                    want = run(x, 0, xs, w, 0, ws, cs, ys, geos[v], bias, 0);
                } finally {
                    ConvChannelBlocks.enabled = true;
                }
                for (int i = 0; i < want.length; i++)
                    if (Float.compare(want[i], got[i]) != 0)
                        throw new AssertionError("grouping " + v + ", round " + round + ": element " + i + " is " + got[i] + ", want " + want[i]);
            }
    }

    /** Random geometries (whole vectors of output channels, relu, stride 1): the same two checks. */
    @Property(tries = 60)
    void randomGeometriesMatch(@ForAll("geometries") int[] c) {
        check(c, new Random(c[14]), c[15] == 1);
    }

    @Provide
    Arbitrary<int[]> geometries() {
        Arbitrary<Integer> k = Arbitraries.integers().between(1, 4), pad = Arbitraries.integers().between(0, 2);
        return Combinators.combine(
                Combinators.combine(Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 2),
                        Arbitraries.integers().between(1, 12), Arbitraries.integers().between(1, 4)).as((n, g, cg, ov) -> new int[]{n, g, cg, ov}),
                Combinators.combine(k, k, Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 2)).as((a, b, d, e) -> new int[]{a, b, d, e}),
                Combinators.combine(pad, pad, pad, pad).as((a, b, d, e) -> new int[]{a, b, d, e}),
                Combinators.combine(Arbitraries.integers().between(2, 20), Arbitraries.integers().between(2, 20)).as((h, w) -> new int[]{h, w}),
                Arbitraries.integers(), Arbitraries.integers().between(0, 1)
        ).as((a, b, p, hw, seed, bias) -> new int[]{a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3], p[0], p[1], p[2], p[3], hw[0], hw[1], seed, bias});
    }

    /** n, g, cg, og (in vectors), kh, kw, dh, dw, top, bottom, left, right, h, w: the unpooled cases' extra geometries. */
    private static final int[][] PLAIN_CASES = {
            {1, 1, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 9, 11},       // odd rows (a last pair moved back) and 6 + 4 + a moved-back 2 columns
            {1, 1, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 8, 9},        // 6 + 2 + a moved-back 2 columns
            {1, 1, 4, 3, 3, 3, 1, 1, 0, 0, 0, 0, 15, 7},       // 5 columns: 4 + a moved-back 2, for the pair and the single vector
            {1, 1, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 25, 3},       // 3 columns, one vector
            {2, 1, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 33, 2},       // 2 columns
            {1, 1, 3, 2, 2, 2, 1, 1, 0, 0, 0, 0, 13, 13},      // a 2x2 window, no padding: 12 x 12
    };

    /**
     * The unpooled conv2d + bias (+ relu, or no activation) that a training step's forward runs,
     * through {@code Conv.conv2d}: against the f64 loops at float32 tolerance and bit for bit
     * against the row-vector kernel where it takes the case (the same sums in the same order). The
     * short reductions (K <= 32), which Conv gives {@link ConvSmallK} by default, run here too.
     */
    @Test
    void plainKernelMatchesF64AndTheRowVectorKernel() {
        Random r = new Random(41);
        int maxK = ConvSmallK.maxK, ran = 0;
        try {
            ConvSmallK.maxK = 0;
            for (int[][] cases : new int[][][]{CASES, PLAIN_CASES})
                for (int[] c : cases)
                    for (int act : new int[]{Gemm.ACT_RELU, Gemm.ACT_NONE})
                        for (boolean withBias : new boolean[]{true, false})
                            if ((c[0] < 64 || (withBias && act == Gemm.ACT_RELU)) // batch 64 once: its f64 reference is slow
                                    && checkPlain(c, r, withBias, act)) ran++;
        } finally {
            ConvSmallK.maxK = maxK;
        }
        if (ran < 57) throw new AssertionError("only " + ran + " cases ran the channel-block kernel");
        // and with Conv's own split: the reference CNN's second layer (K = 288) takes it, its first (K = 9) does not
        check(checkPlain(CASES[0], r, true, Gemm.ACT_RELU), "the second layer runs the channel blocks");
        check(!checkPlain(CASES[2], r, true, Gemm.ACT_RELU), "the first layer stays on ConvSmallK");
    }

    /**
     * A training loop's pattern: the same weights array updated in place before every call (every
     * weight moves, as an optimizer step moves them, and once a single weight only); each call
     * gives bit for bit what the row-vector kernel gives on the updated weights, never the
     * previous step's panels.
     */
    @Test
    void plainKernelFollowsWeightsUpdatedEveryStep() {
        Random r = new Random(42);
        int og = 4 * VL, cg = 32, k = cg * 9;
        int[] xs = {2, cg, 14, 14}, ws = {og, cg, 3, 3}, ys = {2, og, 14, 14}, geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        float[] x = floats(r, 0, 2 * cg * 196), w = floats(r, 0, og * k), bias = floats(r, 0, og);
        float[] previous = runPlain(x, 0, xs, w, 0, ws, ys, geo, bias, 0, Gemm.ACT_RELU);
        for (int step = 0; step < 4; step++) {
            if (step == 3) w[og * k - 1] += 0.25f; // the last weight alone
            else for (int i = 0; i < w.length; i++) w[i] -= 0.01f * (2 * r.nextFloat() - 1);
            float[] got = runPlain(x, 0, xs, w, 0, ws, ys, geo, bias, 0, Gemm.ACT_RELU), want;
            ConvChannelBlocks.enabled = false;
            try {
                want = runPlain(x, 0, xs, w, 0, ws, ys, geo, bias, 0, Gemm.ACT_RELU);
            } finally {
                ConvChannelBlocks.enabled = true;
            }
            boolean differs = false;
            for (int i = 0; i < want.length; i++) {
                if (Float.compare(want[i], got[i]) != 0) throw new AssertionError("step " + step + ": element " + i + " is " + got[i] + ", want " + want[i]);
                differs |= Float.compare(previous[i], got[i]) != 0;
            }
            if (!differs) throw new AssertionError("step " + step + " changed no output: the test proves nothing");
            previous = got;
        }
    }

    /** Runs case c through Conv.conv2d with the path on and off; returns whether the channel-block kernel took it. */
    private static boolean checkPlain(int[] c, Random r, boolean withBias, int act) {
        int n = c[0], g = c[1], cg = c[2], og = c[3] * VL, kh = c[4], kw = c[5];
        int[] geo = {1, 1, c[8], c[9], c[10], c[11], c[6], c[7], g};
        int h = c[12], wi = c[13];
        int ho = h + c[8] + c[9] - c[6] * (kh - 1), wo = wi + c[10] + c[11] - c[7] * (kw - 1);
        if (ho < 1 || wo < 1) return false;
        int[] xs = {n, g * cg, h, wi}, ws = {g * og, cg, kh, kw}, ys = {n, g * og, ho, wo};
        int xOff = r.nextInt(4), wOff = r.nextInt(4), bOff = r.nextInt(4), k = cg * kh * kw, len = n * g * og * ho * wo;
        float[] x = floats(r, xOff, n * g * cg * h * wi), w = floats(r, wOff, g * og * k);
        float[] bias = withBias ? floats(r, bOff, g * og) : null;
        boolean blocks = !Conv.conv2dStacked(ho, wo) && !ConvSmallK.applies(k)
                && ConvChannelBlocks.applies(cg, og, kh, kw, ho, wo, geo, act, (long) k * ho * wo);
        float[] y = runPlain(x, xOff, xs, w, wOff, ws, ys, geo, bias, bOff, act), other;
        ConvChannelBlocks.enabled = false;
        try {
            other = runPlain(x, xOff, xs, w, wOff, ws, ys, geo, bias, bOff, act);
        } finally {
            ConvChannelBlocks.enabled = true;
        }
        String what = "conv2d " + java.util.Arrays.toString(c) + " bias " + withBias + " act " + act + (blocks ? " (channel blocks)" : "");
        boolean sameSums = !blocks || ConvDirect.applies(cg, kh, kw, ho, wo, geo, (long) k * ho * wo);
        for (int i = 0; i < len && sameSums; i++)
            if (Float.compare(y[4 + i], other[4 + i]) != 0) throw new AssertionError(what + ": element " + i + " is " + y[4 + i] + ", without the path " + other[4 + i]);
        for (int i = 0; i < 4; i++) if (!Float.isNaN(y[i])) throw new AssertionError(what + ": wrote before y");
        for (int i = 4 + len; i < y.length; i++) if (!Float.isNaN(y[i])) throw new AssertionError(what + ": wrote past y");
        double[] dx = widen(x, xOff, xs), dw = widen(w, wOff, ws), ref = new double[len], scale = new double[len];
        Conv.conv2d(dx, 0, xs, dw, 0, ws, ref, 0, ys, geo);
        Conv.conv2d(abs(dx), 0, xs, abs(dw), 0, ws, scale, 0, ys, geo);
        for (int i = 0; i < len; i++) {
            double b = withBias ? bias[bOff + i / (ho * wo) % ys[1]] : 0;
            ref[i] = act == Gemm.ACT_RELU ? Math.max(ref[i] + b, 0) : ref[i] + b;
            scale[i] += Math.abs(b);
        }
        assertClose(what, ref, scale, y, 4, k + 1);
        return blocks;
    }

    /** Conv.conv2d into a buffer with 4 NaNs before the result and 3 after. */
    private static float[] runPlain(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws, int[] ys, int[] geo,
                                    float[] bias, int bOff, int act) {
        float[] col = nans((int) Conv.conv2dColSize(xs, ws, ys));
        float[] out = Conv.conv2dStacked(ys[2], ys[3]) ? nans((int) Conv.conv2dOutSize(ys, geo[Conv.GROUPS])) : null;
        float[] y = nans(4 + ys[0] * ys[1] * ys[2] * ys[3] + 3);
        Conv.conv2d(x, xOff, xs, w, wOff, ws, y, 4, ys, geo, col, out, bias, bOff, act);
        return y;
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    /** Runs case c fused with the path on and off; returns whether the channel-block kernel took it. */
    private static boolean check(int[] c, Random r, boolean withBias) {
        int n = c[0], g = c[1], cg = c[2], og = c[3] * VL, kh = c[4], kw = c[5];
        int[] geo = {1, 1, c[8], c[9], c[10], c[11], c[6], c[7], g};
        int h = c[12], wi = c[13];
        int ho = h + c[8] + c[9] - c[6] * (kh - 1), wo = wi + c[10] + c[11] - c[7] * (kw - 1);
        if (ho < 1 || wo < 1) return false; // the window is larger than the padded input
        int[] xs = {n, g * cg, h, wi}, ws = {g * og, cg, kh, kw}, cs = {n, g * og, ho, wo}, ys = {n, g * og, ho / 2, wo / 2};
        int xOff = r.nextInt(4), wOff = r.nextInt(4), bOff = r.nextInt(4);
        float[] x = floats(r, xOff, n * g * cg * h * wi), w = floats(r, wOff, g * og * cg * kh * kw);
        float[] bias = withBias ? floats(r, bOff, g * og) : null;
        int act = Gemm.ACT_RELU, pooledLen = n * g * og * (ho / 2) * (wo / 2);
        boolean blocks = Conv.poolsInConv(xs, ws, cs, geo, act)
                && ConvChannelBlocks.appliesPooled(cg, og, kh, kw, ho, wo, geo, act, (long) cg * kh * kw * ho * wo);
        float[] y = run(x, xOff, xs, w, wOff, ws, cs, ys, geo, bias, bOff);
        float[] other;
        ConvChannelBlocks.enabled = false;
        try {
            other = run(x, xOff, xs, w, wOff, ws, cs, ys, geo, bias, bOff);
        } finally {
            ConvChannelBlocks.enabled = true;
        }
        String what = "conv2d + relu + max pool " + java.util.Arrays.toString(c) + " bias " + withBias + (blocks ? " (channel blocks)" : "");
        // bit for bit the other path's result where it sums in the same order: the row-vector kernel
        // pooling (where it takes the case); otherwise the conv runs unfused (ConvSmallK or im2col + GEMM round differently)
        boolean sameSums = !blocks || ConvDirect.applies(cg, kh, kw, ho, wo, geo, (long) cg * kh * kw * ho * wo);
        for (int i = 0; i < pooledLen && sameSums; i++)
            if (Float.compare(y[4 + i], other[4 + i]) != 0) throw new AssertionError(what + ": element " + i + " is " + y[4 + i] + ", without the path " + other[4 + i]);
        for (int i = 0; i < 4; i++) if (!Float.isNaN(y[i])) throw new AssertionError(what + ": wrote before y");
        for (int i = 4 + pooledLen; i < y.length; i++) if (!Float.isNaN(y[i])) throw new AssertionError(what + ": wrote past y");
        // against the f64 loops: conv + bias, relu, then the pool; the bound of the window's largest scale holds for the max
        double[] dx = widen(x, xOff, xs), dw = widen(w, wOff, ws), ref = new double[n * g * og * ho * wo], scale = new double[ref.length];
        Conv.conv2d(dx, 0, xs, dw, 0, ws, ref, 0, cs, geo);
        Conv.conv2d(abs(dx), 0, xs, abs(dw), 0, ws, scale, 0, cs, geo);
        for (int i = 0; i < ref.length; i++) {
            double b = withBias ? bias[bOff + i / (ho * wo) % cs[1]] : 0;
            ref[i] = Math.max(ref[i] + b, 0);
            scale[i] += Math.abs(b);
        }
        int ph = ho / 2, pw = wo / 2;
        double[] refPool = new double[pooledLen], scalePool = new double[pooledLen];
        for (int pl = 0, q = 0; pl < n * cs[1]; pl++)
            for (int i = 0; i < ph; i++)
                for (int j = 0; j < pw; j++, q++) {
                    int e = pl * ho * wo + 2 * i * wo + 2 * j;
                    refPool[q] = Math.max(Math.max(ref[e], ref[e + 1]), Math.max(ref[e + wo], ref[e + wo + 1]));
                    scalePool[q] = Math.max(Math.max(scale[e], scale[e + 1]), Math.max(scale[e + wo], scale[e + wo + 1]));
                }
        assertClose(what, refPool, scalePool, y, 4, cg * kh * kw + 1);
        return blocks;
    }

    /** conv2dMaxPool2 then maxPool2AfterConv into a pooled buffer with 4 NaNs before it and 3 after. */
    private static float[] run(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws, int[] cs, int[] ys, int[] geo,
                               float[] bias, int bOff) {
        int g = geo[Conv.GROUPS];
        float[] col = nans((int) Conv.conv2dColSize(xs, ws, cs));
        float[] out = Conv.conv2dStacked(cs[2], cs[3]) ? nans((int) Conv.conv2dOutSize(cs, g)) : null;
        float[] conv = nans(5 + cs[0] * cs[1] * cs[2] * cs[3]), y = nans(4 + ys[0] * ys[1] * ys[2] * ys[3] + 3);
        Conv.conv2dMaxPool2(x, xOff, xs, w, wOff, ws, conv, 5, cs, geo, col, out, bias, bOff, Gemm.ACT_RELU);
        Conv.maxPool2AfterConv(xs, ws, geo, Gemm.ACT_RELU, conv, 5, cs, y, 4, ys);
        return y;
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
