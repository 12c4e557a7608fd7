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
 * {@link #KH} ... {@link #RIGHT}). Float ({@code f32}) and double (every other dtype) forms.
 */
public final class Pool {
    /** Indices into the window array. */
    public static final int KH = 0, KW = 1, SH = 2, SW = 3, TOP = 4, BOTTOM = 5, LEFT = 6, RIGHT = 7;

    private Pool() {}

    // ---------------------------------------------------------------- forward

    public static void maxPool2d(float[] x, int xOff, int[] xs, float[] y, int yOff, int[] ys, int[] win) {
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
