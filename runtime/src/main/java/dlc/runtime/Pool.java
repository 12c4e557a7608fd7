package dlc.runtime;

/**
 * 2-D pooling kernels over the last two axes of NCHW tensors, per plane, with the semantics of the
 * IR ops {@code max_pool2d}, {@code avg_pool2d}, {@code max_pool2d_scatter} and
 * {@code max_pool2d_gather} (dlc.ir.ops.PoolOps, MaxPoolGradOps): every window holds at least
 * one real element (each padding is smaller than the kernel), padding never wins a max, a NaN in a
 * window is its max, and the gradient ops route through the FIRST maximum of each window
 * (row-major; the first NaN when there is one).
 *
 * <p>CONTRACT: {@code xs = [N, C, H, W]} (the pooled input), {@code ys} the pooled shape
 * {@code [N, C, Ho, Wo]}, {@code win = [kH, kW, sH, sW, top, bottom, left, right]} (indices
 * {@link #KH} ... {@link #RIGHT}). Float ({@code f32}) and double (every other dtype) forms; the
 * float ones split large tensors over {@link Parallel} threads by plane ({@link PoolJob}).
 */
public final class Pool {
    /** Indices into the window array. */
    public static final int KH = 0, KW = 1, SH = 2, SW = 3, TOP = 4, BOTTOM = 5, LEFT = 6, RIGHT = 7;

    private Pool() {}

    // ---------------------------------------------------------------- forward

    public static void maxPool2d(float[] x, int xOff, int[] xs, float[] y, int yOff, int[] ys, int[] win) {
        check("max_pool2d", xs, ys, win);
        if (!PoolJob.split(PoolJob.MAX, x, xOff, xs, null, 0, y, yOff, ys, win, false)) maxPool2dPlanes(x, xOff, xs, y, yOff, ys, win);
    }

    static void maxPool2dPlanes(float[] x, int xOff, int[] xs, float[] y, int yOff, int[] ys, int[] win) {
        if (isPairs(win)) {
            maxPoolPairs(x, xOff, xs, y, yOff, ys);
            return;
        }
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        int kh = win[KH], kw = win[KW], sh = win[SH], sw = win[SW], top = win[TOP], left = win[LEFT];
        int yi = yOff;
        for (int pl = 0; pl < planes; pl++) {
            int xp = xOff + pl * h * w;
            for (int i = 0; i < ho; i++) {
                int h0 = Math.max(i * sh - top, 0), h1 = Math.min(i * sh - top + kh, h);
                for (int j = 0; j < wo; j++, yi++) {
                    int w0 = Math.max(j * sw - left, 0), w1 = Math.min(j * sw - left + kw, w);
                    float acc = Float.NEGATIVE_INFINITY;
                    for (int a = h0; a < h1; a++)
                        for (int b = xp + a * w + w0, e = xp + a * w + w1; b < e; b++) {
                            float v = x[b];
                            // NaN propagates: once acc is NaN no v is > acc and only a NaN replaces it
                            if (v > acc || v != v) acc = v;
                        }
                    y[yi] = acc;
                }
            }
        }
    }

    public static void maxPool2d(double[] x, int xOff, int[] xs, double[] y, int yOff, int[] ys, int[] win) {
        check("max_pool2d", xs, ys, win);
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        int kh = win[KH], kw = win[KW], sh = win[SH], sw = win[SW], top = win[TOP], left = win[LEFT];
        int yi = yOff;
        for (int pl = 0; pl < planes; pl++) {
            int xp = xOff + pl * h * w;
            for (int i = 0; i < ho; i++) {
                int h0 = Math.max(i * sh - top, 0), h1 = Math.min(i * sh - top + kh, h);
                for (int j = 0; j < wo; j++, yi++) {
                    int w0 = Math.max(j * sw - left, 0), w1 = Math.min(j * sw - left + kw, w);
                    double acc = Double.NEGATIVE_INFINITY;
                    for (int a = h0; a < h1; a++)
                        for (int b = xp + a * w + w0, e = xp + a * w + w1; b < e; b++) {
                            double v = x[b];
                            if (v > acc || v != v) acc = v;
                        }
                    y[yi] = acc;
                }
            }
        }
    }

    /** Average over each window; the divisor is the kernel area, or the real elements when {@code !includePad}. */
    public static void avgPool2d(float[] x, int xOff, int[] xs, float[] y, int yOff, int[] ys, int[] win, boolean includePad) {
        check("avg_pool2d", xs, ys, win);
        if (!PoolJob.split(PoolJob.AVG, x, xOff, xs, null, 0, y, yOff, ys, win, includePad)) avgPool2dPlanes(x, xOff, xs, y, yOff, ys, win, includePad);
    }

    static void avgPool2dPlanes(float[] x, int xOff, int[] xs, float[] y, int yOff, int[] ys, int[] win, boolean includePad) {
        if (isPairs(win)) {
            avgPoolPairs(x, xOff, xs, y, yOff, ys);
            return;
        }
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        int kh = win[KH], kw = win[KW], sh = win[SH], sw = win[SW], top = win[TOP], left = win[LEFT];
        int yi = yOff;
        for (int pl = 0; pl < planes; pl++) {
            int xp = xOff + pl * h * w;
            for (int i = 0; i < ho; i++) {
                int h0 = Math.max(i * sh - top, 0), h1 = Math.min(i * sh - top + kh, h);
                for (int j = 0; j < wo; j++, yi++) {
                    int w0 = Math.max(j * sw - left, 0), w1 = Math.min(j * sw - left + kw, w);
                    float acc = 0;
                    for (int a = h0; a < h1; a++)
                        for (int b = xp + a * w + w0, e = xp + a * w + w1; b < e; b++) acc += x[b];
                    y[yi] = acc / (includePad ? kh * kw : (h1 - h0) * (w1 - w0));
                }
            }
        }
    }

    public static void avgPool2d(double[] x, int xOff, int[] xs, double[] y, int yOff, int[] ys, int[] win, boolean includePad) {
        check("avg_pool2d", xs, ys, win);
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        int kh = win[KH], kw = win[KW], sh = win[SH], sw = win[SW], top = win[TOP], left = win[LEFT];
        int yi = yOff;
        for (int pl = 0; pl < planes; pl++) {
            int xp = xOff + pl * h * w;
            for (int i = 0; i < ho; i++) {
                int h0 = Math.max(i * sh - top, 0), h1 = Math.min(i * sh - top + kh, h);
                for (int j = 0; j < wo; j++, yi++) {
                    int w0 = Math.max(j * sw - left, 0), w1 = Math.min(j * sw - left + kw, w);
                    double acc = 0;
                    for (int a = h0; a < h1; a++)
                        for (int b = xp + a * w + w0, e = xp + a * w + w1; b < e; b++) acc += x[b];
                    y[yi] = acc / (includePad ? kh * kw : (h1 - h0) * (w1 - w0));
                }
            }
        }
    }

    // ---------------------------------------------------------------- max-pool gradients

    /**
     * max_pool2d_scatter(x, g [N, C, Ho, Wo]) -> y [N, C, H, W]: y is zero except where windows
     * add their g at x's first maximum (overlapping windows accumulate).
     */
    public static void maxPool2dScatter(float[] x, int xOff, int[] xs, float[] g, int gOff, float[] y, int yOff, int[] gs, int[] win) {
        check("max_pool2d_scatter", xs, gs, win);
        if (!PoolJob.split(PoolJob.SCATTER, x, xOff, xs, g, gOff, y, yOff, gs, win, false)) maxPool2dScatterPlanes(x, xOff, xs, g, gOff, y, yOff, gs, win);
    }

    static void maxPool2dScatterPlanes(float[] x, int xOff, int[] xs, float[] g, int gOff, float[] y, int yOff, int[] gs, int[] win) {
        if (isPairs(win)) {
            scatterPairs(x, xOff, xs, g, gOff, y, yOff, gs);
            return;
        }
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = gs[2], wo = gs[3];
        java.util.Arrays.fill(y, yOff, yOff + planes * h * w, 0f);
        int gi = gOff;
        for (int pl = 0; pl < planes; pl++) {
            int xp = xOff + pl * h * w, delta = yOff - xOff;
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++, gi++)
                    y[firstMax(x, xp, h, w, i, j, win) + delta] += g[gi];
        }
    }

    public static void maxPool2dScatter(double[] x, int xOff, int[] xs, double[] g, int gOff, double[] y, int yOff, int[] gs, int[] win) {
        check("max_pool2d_scatter", xs, gs, win);
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = gs[2], wo = gs[3];
        java.util.Arrays.fill(y, yOff, yOff + planes * h * w, 0.0);
        int gi = gOff;
        for (int pl = 0; pl < planes; pl++) {
            int xp = xOff + pl * h * w, delta = yOff - xOff;
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++, gi++)
                    y[firstMax(x, xp, h, w, i, j, win) + delta] += g[gi];
        }
    }

    /** max_pool2d_gather(x, src [N, C, H, W]) -> y [N, C, Ho, Wo]: each window reads src at x's first maximum. */
    public static void maxPool2dGather(float[] x, int xOff, int[] xs, float[] src, int srcOff, float[] y, int yOff, int[] ys, int[] win) {
        check("max_pool2d_gather", xs, ys, win);
        if (!PoolJob.split(PoolJob.GATHER, x, xOff, xs, src, srcOff, y, yOff, ys, win, false)) maxPool2dGatherPlanes(x, xOff, xs, src, srcOff, y, yOff, ys, win);
    }

    static void maxPool2dGatherPlanes(float[] x, int xOff, int[] xs, float[] src, int srcOff, float[] y, int yOff, int[] ys, int[] win) {
        if (isPairs(win)) {
            gatherPairs(x, xOff, xs, src, srcOff, y, yOff, ys);
            return;
        }
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        int yi = yOff;
        for (int pl = 0; pl < planes; pl++) {
            int xp = xOff + pl * h * w, delta = srcOff - xOff;
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++, yi++)
                    y[yi] = src[firstMax(x, xp, h, w, i, j, win) + delta];
        }
    }

    public static void maxPool2dGather(double[] x, int xOff, int[] xs, double[] src, int srcOff, double[] y, int yOff, int[] ys, int[] win) {
        check("max_pool2d_gather", xs, ys, win);
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        int yi = yOff;
        for (int pl = 0; pl < planes; pl++) {
            int xp = xOff + pl * h * w, delta = srcOff - xOff;
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++, yi++)
                    y[yi] = src[firstMax(x, xp, h, w, i, j, win) + delta];
        }
    }

    // ---------------------------------------------------------------- 2x2, stride 2, no padding: the usual CNN pool

    /*
     * The generic window walk mispredicts a branch on about every element (which one is larger is
     * data-dependent) and runs two short loops per window; these forms read the four elements of a
     * window at once and take Math.max, which compiles to branch-free max instructions, ~10x
     * faster on random data. Math.max agrees with the first-maximum rule except for the sign of a
     * zero maximum (it prefers +0.0), which only matters where a plane holds a -0.0: such planes
     * take the m == 0 branch that restores it, every other plane (all of them after a relu, whose
     * zeros are +0.0) runs Math.max alone. That branch is taken at random after a relu (all-zero
     * windows) and cost a third of the pool: the reference CNN's first pool over relu outputs took
     * 1.42 ms with it, 1.15 ms with the plane check (0.92 without either); integer bit tricks that fix
     * the sign without a branch were slower still (2.8 ms). A NaN maximum is NaN either way.
     */

    /** Whether x[from, to) holds a -0.0 (counted without branches; the loop runs at a few elements a cycle). */
    private static boolean hasNegativeZero(float[] x, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) n += Float.floatToRawIntBits(x[i]) == 0x80000000 ? 1 : 0;
        return n != 0;
    }

    /** Whether a window walk is 2x2 with stride 2 and no padding: every window lies inside x. */
    private static boolean isPairs(int[] win) {
        return win[KH] == 2 && win[KW] == 2 && win[SH] == 2 && win[SW] == 2 && win[TOP] == 0 && win[LEFT] == 0
                && win[BOTTOM] == 0 && win[RIGHT] == 0;
    }

    private static void maxPoolPairs(float[] x, int xOff, int[] xs, float[] y, int yOff, int[] ys) {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        for (int pl = 0; pl < planes; pl++) {
            int xp = xOff + pl * h * w;
            if (!hasNegativeZero(x, xp, xp + h * w)) {
                for (int i = 0; i < ho; i++) {
                    int r0 = xp + 2 * i * w, r1 = r0 + w, yr = yOff + (pl * ho + i) * wo;
                    for (int j = 0; j < wo; j++)
                        y[yr + j] = Math.max(Math.max(x[r0 + 2 * j], x[r0 + 2 * j + 1]), Math.max(x[r1 + 2 * j], x[r1 + 2 * j + 1]));
                }
                continue;
            }
            for (int i = 0; i < ho; i++) {
                int r0 = xp + 2 * i * w, r1 = r0 + w, yr = yOff + (pl * ho + i) * wo;
                for (int j = 0; j < wo; j++) {
                    float a = x[r0 + 2 * j], b = x[r0 + 2 * j + 1], c = x[r1 + 2 * j], d = x[r1 + 2 * j + 1];
                    float m = Math.max(Math.max(a, b), Math.max(c, d));
                    // the first of the tied zeros decides the sign
                    if (m == 0f) m = a == 0f ? a : b == 0f ? b : c == 0f ? c : d;
                    y[yr + j] = m;
                }
            }
        }
    }

    /** The 2x2 average with the generic walk's float arithmetic: 0 + a + b + c + d in row-major order, over 4. */
    private static void avgPoolPairs(float[] x, int xOff, int[] xs, float[] y, int yOff, int[] ys) {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < ho; i++) {
                int r0 = xOff + pl * h * w + 2 * i * w, r1 = r0 + w, yr = yOff + (pl * ho + i) * wo;
                for (int j = 0; j < wo; j++)
                    y[yr + j] = (0f + x[r0 + 2 * j] + x[r0 + 2 * j + 1] + x[r1 + 2 * j] + x[r1 + 2 * j + 1]) / 4;
            }
    }

    /**
     * Which of a window's four elements (a b / c d) is its first maximum, 0..3: the first of each
     * row pair, then the first row unless the second is strictly larger. Comparisons that pick
     * an int compile to conditional moves, not the branches a chain of == tests becomes.
     */
    private static int firstOfFour(float a, float b, float c, float d) {
        float top = Math.max(a, b), bottom = Math.max(c, d);
        if (Math.max(top, bottom) != Math.max(top, bottom)) return a != a ? 0 : b != b ? 1 : c != c ? 2 : 3;
        int kTop = b > a ? 1 : 0, kBottom = d > c ? 3 : 2;
        return bottom > top ? kBottom : kTop;
    }

    private static void scatterPairs(float[] x, int xOff, int[] xs, float[] g, int gOff, float[] y, int yOff, int[] gs) {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = gs[2], wo = gs[3];
        // clear everything first (a fill runs at memory speed), then one store per window: faster
        // than writing each window's four elements with masks, and odd last rows/columns stay 0
        java.util.Arrays.fill(y, yOff, yOff + planes * h * w, 0f);
        for (int pl = 0; pl < planes; pl++) {
            int xp = xOff + pl * h * w, yp = yOff + pl * h * w;
            for (int i = 0; i < ho; i++) {
                int r0 = xp + 2 * i * w, r1 = r0 + w, o0 = yp + 2 * i * w, gr = gOff + (pl * ho + i) * wo;
                for (int j = 0; j < wo; j++) {
                    int k = firstOfFour(x[r0 + 2 * j], x[r0 + 2 * j + 1], x[r1 + 2 * j], x[r1 + 2 * j + 1]);
                    // 0 + g, as the accumulating form computes it (a -0.0 becomes +0.0)
                    y[o0 + 2 * j + (k & 1) + (k >> 1) * w] = g[gr + j] + 0f;
                }
            }
        }
    }

    private static void gatherPairs(float[] x, int xOff, int[] xs, float[] src, int srcOff, float[] y, int yOff, int[] ys) {
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < ho; i++) {
                int r0 = xOff + pl * h * w + 2 * i * w, r1 = r0 + w, yr = yOff + (pl * ho + i) * wo;
                int s0 = r0 + srcOff - xOff;
                for (int j = 0; j < wo; j++) {
                    int k = firstOfFour(x[r0 + 2 * j], x[r0 + 2 * j + 1], x[r1 + 2 * j], x[r1 + 2 * j + 1]);
                    y[yr + j] = src[s0 + 2 * j + (k & 1) + (k >> 1) * w];
                }
            }
    }

    /** The index in x of the first maximum of window (i, j) of the plane at xp; the first NaN wins and stays. */
    private static int firstMax(float[] x, int xp, int h, int w, int i, int j, int[] win) {
        int h0 = i * win[SH] - win[TOP], w0 = j * win[SW] - win[LEFT];
        int h1 = Math.min(h0 + win[KH], h), w1 = Math.min(w0 + win[KW], w);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        int best = xp + h0 * w + w0;
        float acc = x[best];
        for (int a = h0; a < h1; a++)
            for (int b = xp + a * w + w0, e = xp + a * w + w1; b < e; b++) {
                float v = x[b];
                if (acc != acc) return best;
                if (v > acc || v != v) {
                    best = b;
                    acc = v;
                }
            }
        return best;
    }

    private static int firstMax(double[] x, int xp, int h, int w, int i, int j, int[] win) {
        int h0 = i * win[SH] - win[TOP], w0 = j * win[SW] - win[LEFT];
        int h1 = Math.min(h0 + win[KH], h), w1 = Math.min(w0 + win[KW], w);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        int best = xp + h0 * w + w0;
        double acc = x[best];
        for (int a = h0; a < h1; a++)
            for (int b = xp + a * w + w0, e = xp + a * w + w1; b < e; b++) {
                double v = x[b];
                if (acc != acc) return best;
                if (v > acc || v != v) {
                    best = b;
                    acc = v;
                }
            }
        return best;
    }

    /** The run-time shapes must be the ones the graph's types promised; a mismatch is a codegen bug. */
    private static void check(String op, int[] xs, int[] ys, int[] win) {
        int ho = Math.floorDiv(xs[2] + win[TOP] + win[BOTTOM] - win[KH], win[SH]) + 1;
        int wo = Math.floorDiv(xs[3] + win[LEFT] + win[RIGHT] - win[KW], win[SW]) + 1;
        if (ys[0] != xs[0] || ys[1] != xs[1] || ys[2] != ho || ys[3] != wo)
            throw new IllegalArgumentException(op + " shapes do not agree: input " + java.util.Arrays.toString(xs) + ", pooled "
                    + java.util.Arrays.toString(ys) + ", window " + java.util.Arrays.toString(win));
    }
}
