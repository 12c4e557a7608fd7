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
 * image at a time, a short reduction through {@link ConvSmallK} instead of the GEMM; or, when the
 * output plane is small, one GEMM over the whole batch or one per input channel) and the
 * transpose by GEMM + col2im. They take caller-owned scratch: {@code col} of
 * {@link #conv2dColSize} / {@link #convTranspose2dColSize} floats (a slice per thread, or per
 * image for the stacked GEMM; {@link #conv2dByInputChannelColSize} when
 * {@link #conv2dByInputChannel} holds as well) and, for conv2d, {@code out} of {@link #conv2dOutSize}
 * floats when {@link #conv2dStacked} holds (else it may be null). Batches split over
 * {@link Parallel} threads by image. A steady-state call allocates nothing. The f64 kernels
 * ({@code double[]}) are plain single-threaded loops.
 */
public final class Conv {
    /** Indices into the geometry array. */
    public static final int SH = 0, SW = 1, TOP = 2, BOTTOM = 3, LEFT = 4, RIGHT = 5, DH = 6, DW = 7, GROUPS = 8;

    private Conv() {}

    // ---------------------------------------------------------------- scratch sizes

    /**
     * Per-image paths give each thread its own scratch slice, and use at most this many threads
     * (more scratch than that is never read): the scratch of a batch-64 layer stays a few slices.
     */
    public static final int MAX_SLICES = 16;

    /**
     * Floats of im2col scratch conv2d needs: one column matrix [C/g*kH*kW, Ho*Wo] per image for
     * the stacked GEMM, else one per thread (at most min(N, {@link #MAX_SLICES})).
     */
    public static long conv2dColSize(int[] xs, int[] ws, int[] ys) {
        long perImage = (long) ws[1] * ws[2] * ws[3] * ys[2] * ys[3];
        return perImage * (conv2dStacked(ys[2], ys[3]) ? xs[0] : Math.min(xs[0], MAX_SLICES));
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

    /**
     * Floats of scratch conv_transpose2d needs: [O/g*kH*kW, H*W] per thread (at most min(N,
     * {@link #MAX_SLICES})) for col2im, plus the weights' size ({@link ConvBackwardData} keeps the
     * flipped weights in front of its slices, which are no larger than col2im's).
     */
    public static long convTranspose2dColSize(int[] xs, int[] ws) {
        return (long) Math.min(xs[0], MAX_SLICES) * ws[1] * ws[2] * ws[3] * xs[2] * xs[3] + (long) ws[0] * ws[1] * ws[2] * ws[3];
    }

    /**
     * {@link #convTranspose2dColSize} plus one slice of {@link ConvBackwardData}'s padded image
     * (C*(Ho + dH*(kH-1))*(Wo + dW*(kW-1)) + 17*64 floats), so that its direct path always has a slice
     * even where col2im's are smaller (few output channels): what the lowering gives.
     */
    public static long convTranspose2dColSize(int[] xs, int[] ws, int[] ys, int[] geo) {
        return convTranspose2dColSize(xs, ws)
                + (long) xs[1] * (ys[2] + geo[DH] * (ws[2] - 1)) * (ys[3] + geo[DW] * (ws[3] - 1)) + 17 * 64;
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
        checkConv2d(xs, ws, ys, geo);
        int n = xs[0], o = ws[0], k = ws[1] * ws[2] * ws[3], p = ys[2] * ys[3];
        if ((long) n * o * p == 0) return; // an empty result
        if (conv2dStacked(ys[2], ys[3])) {
            boolean byChannel = byInputChannel(ws, geo, bias, act);
            if (byChannel && ConvBackwardWeights.applies(xs, ws, ys, geo, false, col == null ? 0 : col.length))
                ConvBackwardWeights.run(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col);
            else if (byChannel) stackedByInputChannel(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col, out);
            else stacked(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col, out, bias, biasOff, act);
            return;
        }
        int slices = n;
        if (!isPointwise(ws, geo) && k > 0) {
            need(col, (long) p * k, "conv2d im2col scratch");
            slices = col.length / (p * k);
        }
        ConvJob job = ConvJob.LOCAL.get();
        job.set(ConvJob.CONV2D, x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col, bias, biasOff, act, 0);
        overImages(job, n, slices, (long) n * o * p * k);
    }

    /** The window {@code [kH, kW, sH, sW, top, bottom, left, right]} of the pool {@link #conv2dMaxPool2} fuses. */
    private static final int[] POOL_2X2 = {2, 2, 2, 2, 0, 0, 0, 0};

    /**
     * The first half of {@code max_pool2d(act(conv2d(x, w) + bias), 2x2, stride 2)}, run at the
     * conv's turn: where {@link #poolsInConv} holds, each image's relu'd rows are pooled in the
     * direct kernel's registers and the pooled planes [N, O, Ho/2, Wo/2] are written to the front
     * of {@code c} (the conv's own result buffer, shape {@code cs}, which nothing else reads); else
     * this is {@link #conv2d} into c. {@link #maxPool2AfterConv}, at the pool's turn, then copies the
     * pooled planes to the pool's result or pools c: the same values either way (a max of relu'd
     * values is exact). The pool's result is written at its own turn, so the memory plan may give
     * it any buffer that is free then (the conv's input's, say). Arguments as {@link #conv2d}'s.
     */
    public static void conv2dMaxPool2(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws,
                                      float[] c, int cOff, int[] cs, int[] geo,
                                      float[] col, float[] out, float[] bias, int biasOff, int act) {
        if (!poolsInConv(xs, ws, cs, geo, act)) {
            conv2d(x, xOff, xs, w, wOff, ws, c, cOff, cs, geo, col, out, bias, biasOff, act);
            return;
        }
        checkConv2d(xs, ws, cs, geo);
        int n = xs[0], ho = cs[2], wo = cs[3];
        long k = (long) ws[1] * ws[2] * ws[3], slice = k * ho * wo;
        if ((long) cs[1] * (ho / 2) * (wo / 2) == 0) return; // an empty result
        need(col, slice, "conv2d scratch");
        int[] pooled = POOLED.get();
        pooled[0] = n;
        pooled[1] = cs[1];
        pooled[2] = ho / 2;
        pooled[3] = wo / 2;
        ConvJob job = ConvJob.LOCAL.get();
        job.set(ConvJob.CONV2D_POOL, x, xOff, xs, w, wOff, ws, c, cOff, pooled, geo, col, bias, biasOff, act, 0);
        overImages(job, n, (int) (col.length / slice), (long) n * cs[1] * ho * wo * k);
    }

    /** A per-thread pooled shape for the fused path's job (no allocation per call). */
    private static final ThreadLocal<int[]> POOLED = ThreadLocal.withInitial(() -> new int[4]);

    /**
     * The second half of {@link #conv2dMaxPool2} (same x shape, weight shape, conv shape, geometry
     * and activation): {@code y} (shape {@code ys}, the pooled shape) gets the pooled planes from
     * the front of {@code c} when the conv pooled them, else the 2x2 max pool of c.
     */
    public static void maxPool2AfterConv(int[] xs, int[] ws, int[] geo, int act, float[] c, int cOff, int[] cs,
                                         float[] y, int yOff, int[] ys) {
        if (ys[0] != cs[0] || ys[1] != cs[1] || ys[2] != cs[2] / 2 || ys[3] != cs[3] / 2)
            throw new IllegalArgumentException("conv2d + 2x2 max pool shapes do not agree: conv " + java.util.Arrays.toString(cs)
                    + ", pooled " + java.util.Arrays.toString(ys));
        if (poolsInConv(xs, ws, cs, geo, act)) System.arraycopy(c, cOff, y, yOff, ys[0] * ys[1] * ys[2] * ys[3]);
        else Pool.maxPool2d(c, cOff, cs, y, yOff, ys, POOL_2X2);
    }

    /**
     * Whether {@link #conv2dMaxPool2} pools in the conv (a pure function of the shapes, the
     * activation and whether the vector kernel runs, so both halves agree): the per-image path and
     * {@link ConvDirect#appliesPooled} or {@link ConvChannelBlocks#appliesPooled} with an im2col
     * slice. Short reductions too: the first layer
     * (K = 9) alone runs faster in {@link ConvSmallK}, but not with its pool's pass over the output.
     */
    static boolean poolsInConv(int[] xs, int[] ws, int[] cs, int[] geo, int act) {
        long k = (long) ws[1] * ws[2] * ws[3];
        return xs[0] > 0 && !conv2dStacked(cs[2], cs[3])
                && (ConvDirect.appliesPooled(ws[1], ws[2], ws[3], cs[2], cs[3], geo, act, k * cs[2] * cs[3])
                    || channelBlocksPool(ws, cs[2], cs[3], geo, act));
    }

    /** Whether {@link #conv2dMaxPool2}'s images run {@link ConvChannelBlocks} (vectors across output channels). */
    private static boolean channelBlocksPool(int[] ws, int ho, int wo, int[] geo, int act) {
        long k = (long) ws[1] * ws[2] * ws[3];
        return ConvChannelBlocks.appliesPooled(ws[1], ws[0] / geo[GROUPS], ws[2], ws[3], ho, wo, geo, act, k * ho * wo);
    }

    /**
     * Images [b0, b1) of {@link #conv2dMaxPool2}'s fused path, in the scratch at colOff; {@code ys}
     * is the pooled shape. Whole vectors of output channels per group run {@link ConvChannelBlocks}
     * (its weight panels packed once for the range), others the row-vector {@link ConvDirect}.
     */
    static void conv2dPooledImages(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws, float[] y, int yOff, int[] ys,
                                   int[] geo, float[] col, int colOff, float[] bias, int biasOff, int b0, int b1) {
        int c = xs[1], h = xs[2], wi = xs[3], o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int g = geo[GROUPS], og = o / g, k = cg * kh * kw, plane = h * wi, pplane = ys[2] * ys[3];
        int ho = h + geo[TOP] + geo[BOTTOM] - geo[DH] * (kh - 1), wo = wi + geo[LEFT] + geo[RIGHT] - geo[DW] * (kw - 1);
        if (channelBlocksPool(ws, ho, wo, geo, Gemm.ACT_RELU)) {
            float[] panels = ConvChannelBlocks.pack(w, wOff, g, og, k);
            for (int b = b0; b < b1; b++)
                for (int q = 0; q < g; q++)
                    ConvChannelBlocks.runPooled(x, xOff + (b * c + q * cg) * plane, cg, h, wi, panels, q * og * k, og, kh, kw,
                            y, yOff + (b * o + q * og) * pplane, ho, wo, geo, bias, biasOff + q * og, col, colOff);
            return;
        }
        for (int b = b0; b < b1; b++)
            for (int q = 0; q < g; q++)
                ConvDirect.runPooled(x, xOff + (b * c + q * cg) * plane, cg, h, wi, w, wOff + q * og * k, kh, kw,
                        y, yOff + (b * o + q * og) * pplane, ho, wo, geo, bias, biasOff + q * og, 0, og, col, colOff);
    }

    /** A 1x1 window at stride 1 without padding: the input planes are already the column matrix. */
    private static boolean isPointwise(int[] ws, int[] geo) {
        return ws[2] == 1 && ws[3] == 1 && geo[SH] == 1 && geo[SW] == 1
                && geo[TOP] == 0 && geo[BOTTOM] == 0 && geo[LEFT] == 0 && geo[RIGHT] == 0;
    }

    /** Below this many multiply-adds (or copies) a call runs on the caller thread: waking workers costs more (tests lower it). */
    static long parallelMinWork = 1L << 20;

    /**
     * Runs {@code job} over the batch: one contiguous range of images per thread, each with its own
     * of the {@code slices} scratch slices, when every thread gets an image and the work is large
     * enough; GEMMs inside a part then run on that part's thread (the pool is busy), so threads
     * never contend. With fewer images (or slices) than threads the images run in turn on the
     * caller and each GEMM spreads over all threads instead.
     */
    private static void overImages(ConvJob job, int n, int slices, long work) {
        int threads = Parallel.threads();
        try {
            if (threads > 1 && Math.min(n, slices) >= threads && work >= parallelMinWork) Parallel.run(threads, job);
            else job.run(0, 1);
        } finally {
            job.clear();
        }
    }

    /**
     * Images [b0, b1) of conv2d, one im2col + GEMM per image and group, in the scratch at colOff;
     * a short reduction (a first layer's few input channels) runs {@link ConvSmallK} instead of the
     * GEMM, and other convolutions at stride 1 with the vector module run {@link ConvChannelBlocks}
     * where each group's output channels are whole vectors (its weight panels packed once per call
     * and thread: a training step changes the weights in place), else {@link ConvDirect} (no
     * im2col either way: a padded copy of the image in the same scratch).
     */
    static void conv2dImages(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws, float[] y, int yOff, int[] ys,
                             int[] geo, float[] col, int colOff, float[] bias, int biasOff, int act, int b0, int b1) {
        int c = xs[1], h = xs[2], wi = xs[3], o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int ho = ys[2], wo = ys[3], g = geo[GROUPS], og = o / g, k = cg * kh * kw, p = ho * wo, plane = h * wi;
        int biasKind = bias == null ? Gemm.BIAS_NONE : Gemm.BIAS_ROW;
        boolean pointwise = isPointwise(ws, geo), smallK = ConvSmallK.applies(k);
        boolean blocks = !pointwise && !smallK && ConvChannelBlocks.applies(cg, og, kh, kw, ho, wo, geo, act, (long) k * p);
        boolean direct = !pointwise && !smallK && !blocks && ConvDirect.applies(cg, kh, kw, ho, wo, geo, (long) k * p);
        float[] panels = blocks ? ConvChannelBlocks.pack(w, wOff, g, og, k) : null;
        for (int b = b0; b < b1; b++)
            for (int q = 0; q < g; q++) {
                int xq = xOff + (b * c + q * cg) * plane;
                if (blocks) {
                    ConvChannelBlocks.run(x, xq, cg, h, wi, panels, q * og * k, og, kh, kw, y, yOff + (b * o + q * og) * p, ho, wo, geo,
                            bias, biasOff + q * og, act, col, colOff);
                    continue;
                }
                if (direct) {
                    ConvDirect.run(x, xq, cg, h, wi, w, wOff + q * og * k, kh, kw, y, yOff + (b * o + q * og) * p, ho, wo, geo,
                            bias, biasOff + q * og, act, 0, og, col, colOff);
                    continue;
                }
                float[] src = x;
                int srcOff = xq;
                if (!pointwise) {
                    im2col(x, xq, cg, h, wi, kh, kw, ho, wo, geo, col, colOff);
                    src = col;
                    srcOff = colOff;
                }
                if (smallK) ConvSmallK.run(og, p, k, w, wOff + q * og * k, src, srcOff, y, yOff + (b * o + q * og) * p, bias, biasOff + q * og, act);
                else Gemm.matmul(false, false, og, p, k, w, wOff + q * og * k, k, src, srcOff, p,
                        y, yOff + (b * o + q * og) * p, p, false, bias, biasOff + q * og, biasKind, act);
            }
    }

    /**
     * Small output planes: per group, the transposed columns of the whole batch
     * {@code colT [(n, i, j), (c, u, v)]} and one GEMM against the group's weights, in whichever
     * orientation fills the GEMM's register tile better ({@code out [o, (n, i, j)]}, or its
     * transpose when the batch of planes is narrower than the channels), then a copy into NCHW.
     */
    private static void stacked(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws,
                                float[] y, int yOff, int[] ys, int[] geo, float[] col, float[] out,
                                float[] bias, int biasOff, int act) {
        int n = xs[0], o = ws[0], g = geo[GROUPS], og = o / g, k = ws[1] * ws[2] * ws[3], p = ys[2] * ys[3], np = n * p;
        need(col, (long) np * k, "conv2d im2col scratch");
        need(out, (long) og * np, "conv2d output scratch");
        GemmKernel kernel = Gemm.kernel();
        boolean flip = fill(np, og, kernel) > fill(og, np, kernel);
        ConvJob job = ConvJob.LOCAL.get();
        for (int q = 0; q < g; q++) {
            job.set(ConvJob.IM2COL_T, x, xOff, xs, null, 0, ws, null, 0, ys, geo, col, null, 0, 0, q);
            overImages(job, n, n, (long) np * k);
            if (flip) {
                Gemm.matmul(false, true, np, og, k, col, 0, k, w, wOff + q * og * k, k, out, 0, og, false,
                        bias, biasOff + q * og, bias == null ? Gemm.BIAS_NONE : Gemm.BIAS_COL, act);
                for (int b = 0; b < n; b++)
                    for (int oc = 0; oc < og; oc++) {
                        int dst = yOff + (b * o + q * og + oc) * p, src = b * p * og + oc;
                        for (int pp = 0; pp < p; pp++) y[dst + pp] = out[src + pp * og];
                    }
            } else {
                Gemm.matmul(false, true, og, np, k, w, wOff + q * og * k, k, col, 0, k, out, 0, np, false,
                        bias, biasOff + q * og, bias == null ? Gemm.BIAS_NONE : Gemm.BIAS_ROW, act);
                for (int oc = 0; oc < og; oc++)
                    for (int b = 0; b < n; b++)
                        System.arraycopy(out, oc * np + b * p, y, yOff + (b * o + q * og + oc) * p, p);
            }
        }
    }

    /**
     * Whether a small-plane conv2d runs {@link #stackedByInputChannel}: a kernel of at least
     * {@link #STACK_BELOW} elements per plane (a weight gradient's, which is a whole cotangent
     * plane; with a 3x3 kernel that path would run GEMMs of depth 9), one group, and no epilogue
     * (weight gradients have none).
     */
    static boolean byInputChannel(int[] ws, int[] geo, float[] bias, int act) {
        return byInputChannelEnabled && conv2dByInputChannel(ws[2], ws[3], geo[GROUPS], bias != null || act != Gemm.ACT_NONE);
    }

    /**
     * Whether a stacked conv2d ({@link #conv2dStacked}) with this kernel, groups and epilogue runs one
     * input channel at a time; it then needs only {@link #conv2dByInputChannelColSize} floats of
     * im2col scratch (the lowering sizes it so).
     */
    public static boolean conv2dByInputChannel(long kernelH, long kernelW, long groups, boolean epilogue) {
        return groups == 1 && !epilogue && kernelH * kernelW >= STACK_BELOW;
    }

    /** Floats of im2col scratch a conv2d that runs {@link #stackedByInputChannel} reads: N*Ho*Wo x kH*kW. */
    public static long conv2dByInputChannelColSize(int[] xs, int[] ws, int[] ys) {
        return (long) xs[0] * ys[2] * ys[3] * ws[2] * ws[3];
    }

    /**
     * Floats of scratch a conv2d where {@link #conv2dByInputChannel} holds is given so that
     * {@link ConvBackwardWeights} may run it (its two padded operands; the lowering computes the
     * same bound on symbolic dims): {@link #conv2dByInputChannelColSize} plus that.
     */
    public static long conv2dWeightGradientColSize(int[] xs, int[] ws, int[] ys, int[] geo) {
        return conv2dByInputChannelColSize(xs, ws, ys) + ConvBackwardWeights.scratchBound(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2],
                geo[TOP], geo[BOTTOM], geo[LEFT], geo[RIGHT]);
    }

    /** Tests turn {@link #stackedByInputChannel} off to run the same cases through {@link #stacked}. */
    static boolean byInputChannelEnabled = true;

    /**
     * A small output plane with a large kernel (the weight gradient's correlation: batch = the
     * layer's input channels, channels = the batch, kernel = the cotangent plane), one group, no
     * epilogue: the sum over input channels c (the layer's images) taken one at a time,
     * {@code out[o, (n, i, j)] += w[o, c, :, :] . col_c[(n, i, j), :]}, where col_c is the
     * im2col of channel c of every image with the window and output roles exchanged
     * ({@code col_c[(n, i, j), (a, b)] = xpad[n, c, i*sH + a*dH, j*sW + b*dW]}: kernel (Ho, Wo),
     * output (kH, kW), stride and dilation swapped). col_c is N*Ho*Wo x kH*kW, a few hundred KB
     * that the GEMM reads from cache, where {@link #stacked} writes the whole batch's columns
     * (C times as many, 14 MB for the reference CNN's second layer) to memory first and reads them back.
     */
    private static void stackedByInputChannel(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws,
                                              float[] y, int yOff, int[] ys, int[] geo, float[] col, float[] out) {
        int n = xs[0], c = xs[1], h = xs[2], wi = xs[3], o = ws[0], kh = ws[2], kw = ws[3], ho = ys[2], wo = ys[3];
        int p = ho * wo, np = n * p, kk = kh * kw, plane = h * wi;
        need(col, (long) np * kk, "conv2d im2col scratch");
        need(out, (long) o * np, "conv2d output scratch");
        boolean flip = fill(np, o, Gemm.kernel()) > fill(o, np, Gemm.kernel());
        if (c == 0) java.util.Arrays.fill(out, 0, o * np, 0f);
        for (int ci = 0; ci < c; ci++) {
            im2col(x, xOff + ci * plane, n, c * plane, h, wi, ho, wo, kh, kw,
                    geo[DH], geo[DW], geo[TOP], geo[LEFT], geo[SH], geo[SW], col, 0);
            if (flip) Gemm.matmul(false, true, np, o, kk, col, 0, kk, w, wOff + ci * kk, c * kk, out, 0, o, ci > 0);
            else Gemm.matmul(false, true, o, np, kk, w, wOff + ci * kk, c * kk, col, 0, kk, out, 0, np, ci > 0);
        }
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++) {
                int dst = yOff + (b * o + oc) * p;
                if (flip) for (int pp = 0, src = b * p * o + oc; pp < p; pp++) y[dst + pp] = out[src + pp * o];
                else System.arraycopy(out, oc * np + b * p, y, dst, p);
            }
    }

    /** The share of an m x n GEMM's register tiles that holds real elements. */
    private static double fill(int m, int n, GemmKernel kernel) {
        return (double) m / Gemm.roundUp(m, kernel.mr) * n / Gemm.roundUp(n, kernel.nr);
    }

    /** Images [b0, b1) of group q as transposed columns, image b at row b*Ho*Wo of colT. */
    static void im2colTImages(float[] x, int xOff, int[] xs, int[] ws, int[] ys, int[] geo, float[] col, int q, int b0, int b1) {
        int c = xs[1], cg = ws[1], plane = xs[2] * xs[3], k = cg * ws[2] * ws[3], p = ys[2] * ys[3];
        for (int b = b0; b < b1; b++)
            im2colT(x, xOff + (b * c + q * cg) * plane, cg, xs[2], xs[3], ws[2], ws[3], ys[2], ys[3], geo, col, b * p * k);
    }

    /**
     * col [(c, u, v), (i, j)] = xpad[c, i*sH - top + u*dH, j*sW - left + v*dW] for one image's
     * group of {@code cg} planes at {@code xOff}; K = cg*kh*kw rows of ho*wo.
     */
    static void im2col(float[] x, int xOff, int cg, int h, int wi, int kh, int kw, int ho, int wo,
                       int[] geo, float[] col, int colOff) {
        im2col(x, xOff, cg, h * wi, h, wi, kh, kw, ho, wo, geo[SH], geo[SW], geo[TOP], geo[LEFT], geo[DH], geo[DW], col, colOff);
    }

    /** {@link #im2col} with the geometry spelled out and the planes {@code chStride} floats apart. */
    static void im2col(float[] x, int xOff, int cg, int chStride, int h, int wi, int kh, int kw, int ho, int wo,
                       int sh, int sw, int top, int left, int dh, int dw, float[] col, int colOff) {
        int p = ho * wo, row = colOff;
        if (sh == 1 && sw == 1 && wo == wi) {
            // "same" width at stride 1: each row of col is the plane shifted by (u*dH - top, v*dW - left)
            for (int ci = 0; ci < cg; ci++)
                for (int u = 0; u < kh; u++)
                    for (int v = 0; v < kw; v++, row += p)
                        shiftedBlock(x, xOff + ci * chStride, h, wi, u * dh - top, v * dw - left, ho, col, row);
            return;
        }
        for (int ci = 0; ci < cg; ci++) {
            int xc = xOff + ci * chStride;
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
        if (dh == 1 && dw == 1 && kw == wi) {
            // a kernel as wide as the input (a weight gradient with "same" padding): each (c) run of a
            // row is the plane shifted by (i*sH - top, j*sW - left), kH rows of it
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                    for (int ci = 0; ci < cg; ci++, dst += kh * kw)
                        shiftedBlock(x, xOff + ci * h * wi, h, wi, i * sh - top, j * sw - left, kh, col, dst);
            return;
        }
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
        checkConvTranspose2d(xs, ws, ys, geo);
        int n = xs[0], c = xs[1], kc = ws[1] * ws[2] * ws[3], plane = xs[2] * xs[3];
        if ((long) n * ys[1] * ys[2] * ys[3] == 0) return; // an empty result
        if (ConvBackwardData.applies(xs, ws, ys, geo, col == null ? 0 : col.length)) {
            ConvBackwardData.run(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col);
            return;
        }
        int slices = n;
        if (!isTransposePointwise(xs, ws, ys, geo) && (long) kc * plane > 0) {
            need(col, (long) kc * plane, "conv_transpose2d col2im scratch");
            slices = col.length / (kc * plane);
        }
        ConvJob job = ConvJob.LOCAL.get();
        job.set(ConvJob.TRANSPOSE, x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col, null, 0, 0, 0);
        overImages(job, n, slices, (long) n * c / geo[GROUPS] * kc * plane);
    }

    /** A 1x1 window at stride 1 that keeps the plane: the GEMM writes y directly, no col2im. */
    private static boolean isTransposePointwise(int[] xs, int[] ws, int[] ys, int[] geo) {
        return ws[2] == 1 && ws[3] == 1 && geo[SH] == 1 && geo[SW] == 1 && ys[2] == xs[2] && ys[3] == xs[3]
                && geo[TOP] == 0 && geo[LEFT] == 0;
    }

    /** Images [b0, b1) of conv_transpose2d: per image and group a GEMM into the scratch at colOff, then col2im. */
    static void convTranspose2dImages(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws, float[] y, int yOff, int[] ys,
                                      int[] geo, float[] col, int colOff, int b0, int b1) {
        int c = xs[1], h = xs[2], wi = xs[3], og = ws[1], kh = ws[2], kw = ws[3];
        int o = ys[1], ho = ys[2], wo = ys[3], g = geo[GROUPS];
        int cg = c / g, kc = og * kh * kw, plane = h * wi, oplane = ho * wo;
        boolean pointwise = isTransposePointwise(xs, ws, ys, geo);
        for (int b = b0; b < b1; b++)
            for (int q = 0; q < g; q++) {
                int yq = yOff + (b * o + q * og) * oplane;
                if (pointwise) {
                    Gemm.matmul(true, false, og, plane, cg, w, wOff + q * cg * og, og,
                            x, xOff + (b * c + q * cg) * plane, plane, y, yq, plane, false);
                    continue;
                }
                Gemm.matmul(true, false, kc, plane, cg, w, wOff + q * cg * kc, kc,
                        x, xOff + (b * c + q * cg) * plane, plane, col, colOff, plane, false);
                java.util.Arrays.fill(y, yq, yq + og * oplane, 0f);
                col2im(col, colOff, og, h, wi, kh, kw, ho, wo, geo, y, yq);
            }
    }

    /** y[o, i*sH - top + u*dH, j*sW - left + v*dW] += col[(o, u, v), (i, j)], dropping targets outside y. */
    static void col2im(float[] col, int colOff, int og, int h, int wi, int kh, int kw, int ho, int wo,
                       int[] geo, float[] y, int yOff) {
        int sh = geo[SH], sw = geo[SW], top = geo[TOP], left = geo[LEFT], dh = geo[DH], dw = geo[DW];
        int plane = h * wi, row = colOff;
        if (sh == 1 && sw == 1 && wo == wi) {
            // stride 1, same width: each row of col adds into the plane shifted by (u*dH - top, v*dW - left)
            for (int oc = 0; oc < og; oc++)
                for (int u = 0; u < kh; u++)
                    for (int v = 0; v < kw; v++, row += plane)
                        addShiftedBlock(col, row, h, wi, u * dh - top, v * dw - left, y, yOff + oc * ho * wo, ho);
            return;
        }
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

    /**
     * {@code dst[d0 + r*w + c] = x[xc + (r + dr)*w + c + dc]} where that lies inside the h x w plane
     * at xc, else 0, for r < rows and c < w: a shifted copy of a plane into a block of the same width.
     * One System.arraycopy moves the whole block (row ends then hold elements that wrapped around
     * from the neighbouring rows, overwritten with zeros after), instead of a copy per short row.
     */
    static void shiftedBlock(float[] x, int xc, int h, int w, int dr, int dc, int rows, float[] dst, int d0) {
        int rlo = Math.max(0, -dr), rhi = Math.min(rows, h - dr), clo = Math.max(0, -dc), chi = Math.min(w, w - dc);
        if (rlo >= rhi || clo >= chi) {
            java.util.Arrays.fill(dst, d0, d0 + rows * w, 0f);
            return;
        }
        int start = d0 + rlo * w + clo, end = d0 + (rhi - 1) * w + chi;
        java.util.Arrays.fill(dst, d0, start, 0f);
        System.arraycopy(x, xc + (rlo + dr) * w + clo + dc, dst, start, end - start);
        java.util.Arrays.fill(dst, end, d0 + rows * w, 0f);
        if (clo > 0 || chi < w)
            for (int r = rlo; r < rhi - 1; r++) {
                // the tail of row r and the head of row r + 1 are one run
                int e = d0 + r * w;
                java.util.Arrays.fill(dst, e + chi, e + w + clo, 0f);
            }
    }

    /**
     * {@code y[yc + (r + dr)*w + c + dc] += src[s0 + r*w + c]} for the r < rows, c < w that land
     * inside the hy x w plane at yc, as one long loop: the src entries that would wrap into a
     * neighbouring row are zeroed first (src is scratch), so adding them changes nothing.
     */
    static void addShiftedBlock(float[] src, int s0, int rows, int w, int dr, int dc, float[] y, int yc, int hy) {
        int rlo = Math.max(0, -dr), rhi = Math.min(rows, hy - dr), clo = Math.max(0, -dc), chi = Math.min(w, w - dc);
        if (rlo >= rhi || clo >= chi) return;
        if (clo > 0 || chi < w)
            for (int r = rlo; r < rhi - 1; r++) {
                int e = s0 + r * w;
                java.util.Arrays.fill(src, e + chi, e + w + clo, 0f);
            }
        int start = s0 + rlo * w + clo, n = (rhi - 1 - rlo) * w + chi - clo, d = yc + (rlo + dr) * w + clo + dc;
        for (int t = 0; t < n; t++) y[d + t] += src[start + t];
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
