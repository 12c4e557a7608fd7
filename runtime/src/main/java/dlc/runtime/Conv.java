package dlc.runtime;

/**
 * 2-D convolution kernels, NCHW, with the semantics of the IR ops {@code conv2d} and
 * {@code conv_transpose2d} (dlc.ir.ops.ConvOps): cross-correlation, groups, stride, padding
 * {@code [top, bottom, left, right]}, dilation; the transpose scatters each input element through
 * the kernel and is conv2d's input gradient. Neither adds a bias unless asked through the epilogue
 * form (the graph adds it with a separate {@code add} that fusion may fold in here).
 *
 * <p>CONTRACT (what generated code calls): shapes come as int arrays under the current binding,
 * {@code xs = [N, C, H, W]}, {@code ws} the weight's shape, {@code ys = [N, O, Ho, Wo]}; the
 * geometry is {@code geo = [sH, sW, top, bottom, left, right, dH, dW, groups]} (indices
 * {@link #SH} ... {@link #GROUPS}). The f32 kernels lower to {@link Gemm}: conv2d by im2col (one
 * image at a time, or one GEMM over the whole batch when the output plane is small) and the
 * transpose by GEMM + col2im. They take caller-owned scratch: {@code col} of at least
 * {@link #conv2dColSize} / {@link #convTranspose2dColSize} floats and, for conv2d, {@code out}
 * of {@link #conv2dOutSize} floats when {@link #conv2dStacked} holds (else it may be null). A
 * steady-state call allocates nothing. The f64 kernels ({@code double[]}) are plain loops.
 */
public final class Conv {
    /** Indices into the geometry array. */
    public static final int SH = 0, SW = 1, TOP = 2, BOTTOM = 3, LEFT = 4, RIGHT = 5, DH = 6, DW = 7, GROUPS = 8;

    private Conv() {}

    // ---------------------------------------------------------------- scratch sizes

    /** Floats of im2col scratch conv2d needs: one column matrix [C/g*kH*kW, Ho*Wo] per image. */
    public static long conv2dColSize(int[] xs, int[] ws, int[] ys) {
        return (long) xs[0] * ws[1] * ws[2] * ws[3] * ys[2] * ys[3];
    }

    /**
     * Whether conv2d runs as one GEMM over the whole batch: when the output plane is small (a
     * weight gradient, whose "kernel" is a whole cotangent plane and whose output is the kH x kW
     * kernel), a GEMM per image would be a few columns wide, which no blocked GEMM runs well.
     */
    public static boolean conv2dStacked(int outH, int outW) {
        return (long) outH * outW < STACK_BELOW;
    }

    /** Output planes at or above this many elements are one GEMM per image. */
    private static final int STACK_BELOW = 64;

    /** Floats of the output scratch conv2d needs when stacked: [O/g, N*Ho*Wo] for one group. */
    public static long conv2dOutSize(int[] ys, int groups) {
        return (long) ys[1] / groups * ys[0] * ys[2] * ys[3];
    }

    /** Floats of col2im scratch conv_transpose2d needs: [O/g*kH*kW, H*W] per image. */
    public static long convTranspose2dColSize(int[] xs, int[] ws) {
        return (long) xs[0] * ws[1] * ws[2] * ws[3] * xs[2] * xs[3];
    }

    // ---------------------------------------------------------------- conv2d, f32

    /** conv2d(x [N, C, H, W], w [O, C/g, kH, kW]) -> y [N, O, Ho, Wo]. */
    public static void conv2d(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws,
                              float[] y, int yOff, int[] ys, int[] geo, float[] col, float[] out) {
        conv2d(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col, out, null, 0, Gemm.ACT_NONE);
    }

    /**
     * conv2d followed by {@code y[n, o, ...] += bias[biasOff + o]} (when bias is not null) and the
     * activation {@code act} (a {@code Gemm.ACT_*}), both run by the GEMM's epilogue.
     */
    public static void conv2d(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws,
                              float[] y, int yOff, int[] ys, int[] geo, float[] col, float[] out,
                              float[] bias, int biasOff, int act) {
        int n = xs[0], c = xs[1], h = xs[2], wi = xs[3];
        int o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int ho = ys[2], wo = ys[3], g = geo[GROUPS];
        checkConv2d(xs, ws, ys, geo);
        int og = o / g, k = cg * kh * kw, p = ho * wo, plane = h * wi;
        int biasKind = bias == null ? Gemm.BIAS_NONE : Gemm.BIAS_ROW;
        if (conv2dStacked(ho, wo)) {
            need(col, (long) n * p * k, "conv2d im2col scratch");
            need(out, (long) og * n * p, "conv2d output scratch");
            for (int q = 0; q < g; q++) {
                // colT [(n, i, j), (c, u, v)] for the whole batch, then out [o, (n, i, j)] = W_q colT^T
                for (int b = 0; b < n; b++)
                    im2colT(x, xOff + (b * c + q * cg) * plane, cg, h, wi, kh, kw, ho, wo, geo, col, b * p * k);
                Gemm.matmul(false, true, og, n * p, k, w, wOff + q * og * k, k, col, 0, k, out, 0, n * p, false,
                        bias, biasOff + q * og, biasKind, act);
                for (int oc = 0; oc < og; oc++)
                    for (int b = 0; b < n; b++)
                        System.arraycopy(out, oc * n * p + b * p, y, yOff + (b * o + q * og + oc) * p, p);
            }
            return;
        }
        boolean pointwise = kh == 1 && kw == 1 && geo[SH] == 1 && geo[SW] == 1
                && geo[TOP] == 0 && geo[BOTTOM] == 0 && geo[LEFT] == 0 && geo[RIGHT] == 0;
        if (!pointwise) need(col, (long) p * k, "conv2d im2col scratch");
        for (int b = 0; b < n; b++)
            for (int q = 0; q < g; q++) {
                int xq = xOff + (b * c + q * cg) * plane;
                float[] src = x;
                int srcOff = xq;
                if (!pointwise) {
                    im2col(x, xq, cg, h, wi, kh, kw, ho, wo, geo, col, 0);
                    src = col;
                    srcOff = 0;
                }
                Gemm.matmul(false, false, og, p, k, w, wOff + q * og * k, k, src, srcOff, p,
                        y, yOff + (b * o + q * og) * p, p, false, bias, biasOff + q * og, biasKind, act);
            }
    }

    /**
     * col [(c, u, v), (i, j)] = xpad[c, i*sH - top + u*dH, j*sW - left + v*dW] for one image's
     * group of {@code cg} planes at {@code xOff}; K = cg*kh*kw rows of ho*wo.
     */
    static void im2col(float[] x, int xOff, int cg, int h, int wi, int kh, int kw, int ho, int wo,
                       int[] geo, float[] col, int colOff) {
        int sh = geo[SH], sw = geo[SW], top = geo[TOP], left = geo[LEFT], dh = geo[DH], dw = geo[DW];
        int p = ho * wo, row = colOff;
        for (int ci = 0; ci < cg; ci++) {
            int xc = xOff + ci * h * wi;
            for (int u = 0; u < kh; u++)
                for (int v = 0; v < kw; v++, row += p) {
                    int shift = v * dw - left;
                    // output columns j whose input column j*sw + shift lies in [0, wi)
                    int jlo = Math.max(0, ceilDiv(-shift, sw)), jhi = Math.min(wo, Math.floorDiv(wi - 1 - shift, sw) + 1);
                    for (int i = 0; i < ho; i++) {
                        int dst = row + i * wo, ih = i * sh - top + u * dh;
                        if (ih < 0 || ih >= h || jlo >= jhi) {
                            java.util.Arrays.fill(col, dst, dst + wo, 0f);
                            continue;
                        }
                        for (int j = 0; j < jlo; j++) col[dst + j] = 0f;
                        int src = xc + ih * wi + shift;
                        if (sw == 1) System.arraycopy(x, src + jlo, col, dst + jlo, jhi - jlo);
                        else for (int j = jlo; j < jhi; j++) col[dst + j] = x[src + j * sw];
                        for (int j = jhi; j < wo; j++) col[dst + j] = 0f;
                    }
                }
        }
    }

    /**
     * The transposed layout colT [(i, j), (c, u, v)]: one row of K = cg*kh*kw per output position,
     * each a run of kernel-width copies; cheaper than {@link #im2col} when the kernel is larger
     * than the output plane.
     */
    static void im2colT(float[] x, int xOff, int cg, int h, int wi, int kh, int kw, int ho, int wo,
                        int[] geo, float[] col, int colOff) {
        int sh = geo[SH], sw = geo[SW], top = geo[TOP], left = geo[LEFT], dh = geo[DH], dw = geo[DW];
        int k = cg * kh * kw, dst = colOff;
        for (int i = 0; i < ho; i++)
            for (int j = 0; j < wo; j++) {
                int shift = j * sw - left;
                // kernel columns v whose input column shift + v*dw lies in [0, wi)
                int vlo = Math.max(0, ceilDiv(-shift, dw)), vhi = Math.min(kw, Math.floorDiv(wi - 1 - shift, dw) + 1);
                for (int ci = 0; ci < cg; ci++) {
                    int xc = xOff + ci * h * wi;
                    for (int u = 0; u < kh; u++, dst += kw) {
                        int ih = i * sh - top + u * dh;
                        if (ih < 0 || ih >= h || vlo >= vhi) {
                            java.util.Arrays.fill(col, dst, dst + kw, 0f);
                            continue;
                        }
                        for (int v = 0; v < vlo; v++) col[dst + v] = 0f;
                        int src = xc + ih * wi + shift;
                        if (dw == 1) System.arraycopy(x, src + vlo, col, dst + vlo, vhi - vlo);
                        else for (int v = vlo; v < vhi; v++) col[dst + v] = x[src + v * dw];
                        for (int v = vhi; v < kw; v++) col[dst + v] = 0f;
                    }
                }
            }
        assert dst == colOff + ho * wo * k;
    }

    // ---------------------------------------------------------------- conv_transpose2d, f32

    /**
     * conv_transpose2d(x [N, C, H, W], w [C, O/g, kH, kW]) -> y [N, O, Ho, Wo] (Ho, Wo include
     * the output padding, which only the shape carries): per image and group
     * {@code col [(o, u, v), (i, j)] = W_q^T x_q}, then col2im adds each column into y.
     */
    public static void convTranspose2d(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws,
                                       float[] y, int yOff, int[] ys, int[] geo, float[] col) {
        int n = xs[0], c = xs[1], h = xs[2], wi = xs[3];
        int og = ws[1], kh = ws[2], kw = ws[3];
        int o = ys[1], ho = ys[2], wo = ys[3], g = geo[GROUPS];
        checkConvTranspose2d(xs, ws, ys, geo);
        int cg = c / g, kc = og * kh * kw, plane = h * wi, oplane = ho * wo;
        boolean pointwise = kh == 1 && kw == 1 && geo[SH] == 1 && geo[SW] == 1 && ho == h && wo == wi
                && geo[TOP] == 0 && geo[LEFT] == 0;
        if (!pointwise) need(col, (long) kc * plane, "conv_transpose2d col2im scratch");
        for (int b = 0; b < n; b++)
            for (int q = 0; q < g; q++) {
                int yq = yOff + (b * o + q * og) * oplane;
                if (pointwise) {
                    Gemm.matmul(true, false, og, plane, cg, w, wOff + q * cg * og, og,
                            x, xOff + (b * c + q * cg) * plane, plane, y, yq, plane, false);
                    continue;
                }
                Gemm.matmul(true, false, kc, plane, cg, w, wOff + q * cg * kc, kc,
                        x, xOff + (b * c + q * cg) * plane, plane, col, 0, plane, false);
                java.util.Arrays.fill(y, yq, yq + og * oplane, 0f);
                col2im(col, 0, og, h, wi, kh, kw, ho, wo, geo, y, yq);
            }
    }

    /** y[o, i*sH - top + u*dH, j*sW - left + v*dW] += col[(o, u, v), (i, j)], dropping targets outside y. */
    static void col2im(float[] col, int colOff, int og, int h, int wi, int kh, int kw, int ho, int wo,
                       int[] geo, float[] y, int yOff) {
        int sh = geo[SH], sw = geo[SW], top = geo[TOP], left = geo[LEFT], dh = geo[DH], dw = geo[DW];
        int plane = h * wi, row = colOff;
        for (int oc = 0; oc < og; oc++) {
            int yc = yOff + oc * ho * wo;
            for (int u = 0; u < kh; u++)
                for (int v = 0; v < kw; v++, row += plane) {
                    int shift = v * dw - left;
                    // input columns j whose output column j*sw + shift lies in [0, wo)
                    int jlo = Math.max(0, ceilDiv(-shift, sw)), jhi = Math.min(wi, Math.floorDiv(wo - 1 - shift, sw) + 1);
                    if (jlo >= jhi) continue;
                    for (int i = 0; i < h; i++) {
                        int oh = i * sh - top + u * dh;
                        if (oh < 0 || oh >= ho) continue;
                        int src = row + i * wi, dst = yc + oh * wo + shift;
                        if (sw == 1) for (int j = jlo; j < jhi; j++) y[dst + j] += col[src + j];
                        else for (int j = jlo; j < jhi; j++) y[dst + j * sw] += col[src + j];
                    }
                }
        }
    }

    // ---------------------------------------------------------------- f64: plain loops

    /** conv2d on double storage (f64 graphs): the reference loop, summing in double. */
    public static void conv2d(double[] x, int xOff, int[] xs, double[] w, int wOff, int[] ws,
                              double[] y, int yOff, int[] ys, int[] geo) {
        checkConv2d(xs, ws, ys, geo);
        int n = xs[0], c = xs[1], h = xs[2], wi = xs[3];
        int o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int ho = ys[2], wo = ys[3], og = o / geo[GROUPS];
        int yi = yOff;
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++) {
                int cBase = (oc / og) * cg;
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++, yi++) {
                        double acc = 0;
                        for (int ci = 0; ci < cg; ci++)
                            for (int u = 0; u < kh; u++) {
                                int ih = i * geo[SH] - geo[TOP] + u * geo[DH];
                                if (ih < 0 || ih >= h) continue;
                                for (int v = 0; v < kw; v++) {
                                    int iw = j * geo[SW] - geo[LEFT] + v * geo[DW];
                                    if (iw < 0 || iw >= wi) continue;
                                    acc += w[wOff + ((oc * cg + ci) * kh + u) * kw + v] * x[xOff + ((b * c + cBase + ci) * h + ih) * wi + iw];
                                }
                            }
                        y[yi] = acc;
                    }
            }
    }

    /** conv_transpose2d on double storage: the reference scatter loop. */
    public static void convTranspose2d(double[] x, int xOff, int[] xs, double[] w, int wOff, int[] ws,
                                       double[] y, int yOff, int[] ys, int[] geo) {
        checkConvTranspose2d(xs, ws, ys, geo);
        int n = xs[0], c = xs[1], h = xs[2], wi = xs[3];
        int og = ws[1], kh = ws[2], kw = ws[3];
        int o = ys[1], ho = ys[2], wo = ys[3], cg = c / geo[GROUPS];
        java.util.Arrays.fill(y, yOff, yOff + n * o * ho * wo, 0.0);
        for (int b = 0; b < n; b++)
            for (int ci = 0; ci < c; ci++) {
                int oBase = (ci / cg) * og;
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < wi; j++) {
                        double xv = x[xOff + ((b * c + ci) * h + i) * wi + j];
                        for (int oc = 0; oc < og; oc++)
                            for (int u = 0; u < kh; u++) {
                                int oh = i * geo[SH] - geo[TOP] + u * geo[DH];
                                if (oh < 0 || oh >= ho) continue;
                                for (int v = 0; v < kw; v++) {
                                    int ow = j * geo[SW] - geo[LEFT] + v * geo[DW];
                                    if (ow < 0 || ow >= wo) continue;
                                    y[yOff + ((b * o + oBase + oc) * ho + oh) * wo + ow] += xv * w[wOff + ((ci * og + oc) * kh + u) * kw + v];
                                }
                            }
                    }
            }
    }

    // ---------------------------------------------------------------- checks

    /** The run-time shapes must be the ones the graph's types promised; a mismatch is a codegen bug. */
    private static void checkConv2d(int[] xs, int[] ws, int[] ys, int[] geo) {
        int g = geo[GROUPS];
        int ho = Math.floorDiv(xs[2] + geo[TOP] + geo[BOTTOM] - geo[DH] * (ws[2] - 1) - 1, geo[SH]) + 1;
        int wo = Math.floorDiv(xs[3] + geo[LEFT] + geo[RIGHT] - geo[DW] * (ws[3] - 1) - 1, geo[SW]) + 1;
        if (ws[1] * g != xs[1] || ws[0] % g != 0 || ys[0] != xs[0] || ys[1] != ws[0] || ys[2] != ho || ys[3] != wo)
            throw new IllegalArgumentException("conv2d shapes do not agree: x " + java.util.Arrays.toString(xs) + ", w "
                    + java.util.Arrays.toString(ws) + ", y " + java.util.Arrays.toString(ys) + ", geometry " + java.util.Arrays.toString(geo));
    }

    private static void checkConvTranspose2d(int[] xs, int[] ws, int[] ys, int[] geo) {
        int g = geo[GROUPS];
        // the output padding is not passed, so Ho may exceed the plain size by less than max(stride, dilation)
        int ho = (xs[2] - 1) * geo[SH] - geo[TOP] - geo[BOTTOM] + geo[DH] * (ws[2] - 1) + 1;
        int wo = (xs[3] - 1) * geo[SW] - geo[LEFT] - geo[RIGHT] + geo[DW] * (ws[3] - 1) + 1;
        if (ws[0] != xs[1] || xs[1] % g != 0 || ys[0] != xs[0] || ys[1] != ws[1] * g
                || ys[2] < ho || ys[2] >= ho + Math.max(geo[SH], geo[DH]) || ys[3] < wo || ys[3] >= wo + Math.max(geo[SW], geo[DW]))
            throw new IllegalArgumentException("conv_transpose2d shapes do not agree: x " + java.util.Arrays.toString(xs) + ", w "
                    + java.util.Arrays.toString(ws) + ", y " + java.util.Arrays.toString(ys) + ", geometry " + java.util.Arrays.toString(geo));
    }

    private static void need(float[] a, long n, String what) {
        if (a == null || a.length < n)
            throw new IllegalArgumentException(what + " holds " + (a == null ? "nothing" : a.length + " floats") + ", needs " + n);
    }

    static int ceilDiv(int a, int b) { return -Math.floorDiv(-a, b); }
}
