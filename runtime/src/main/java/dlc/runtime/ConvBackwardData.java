package dlc.runtime;

/**
 * conv_transpose2d at stride 1 with one group (conv2d's input gradient, the form the autodiff
 * writes it in) as a direct convolution, without the GEMM + col2im path's column matrix: with the
 * weights flipped and their two channel axes swapped, {@code wf[o, c, u, v] = w[c, o, kH-1-u, kW-1-v]},
 * <pre>  y[n, o, p, q] = sum_{c,u,v} x[n, c, p + top - u*dH, q + left - v*dW] * w[c, o, u, v]
 *                = conv2d(x, wf) with padding top' = (kH-1)*dH - top, left' = (kW-1)*dW - left</pre>
 * at the same dilation, Ho x Wo taken from y's shape (an output padding only adds rows that the
 * zero padding covers). Each image is one padded copy of it, then register tiles: {@link ConvChannelBlocks}'
 * (vectors across output channels) where the output channels are whole vectors, else
 * {@link ConvDirect}'s (8 output channels x 2 row vectors); both sum in the same order. For the reference CNN's second layer (64 -> 32
 * channels, 14 x 14) the GEMM path wrote a 288 x 196 column matrix per image and added it back
 * into the plane; here the only copy is the padded image (64 x 16 x 16 floats).
 *
 * <p>Scratch ({@code col}): the flipped weights first, then one {@link ConvDirect#scratchSize}
 * slice per thread; images split over {@link Parallel} parts in contiguous ranges, each image
 * computed the same way whichever part runs it, so results do not depend on the thread count.
 */
final class ConvBackwardData {
    private ConvBackwardData() {}

    /** Tests turn the path off to run the same cases through GEMM + col2im. */
    static boolean enabled = !"false".equals(System.getProperty("dlc.conv.dgrad"));

    /**
     * Whether conv_transpose2d of these shapes runs here with {@code col} floats of scratch: stride
     * 1, one group, and {@link ConvDirect#applies} for the equivalent conv2d with one slice after the
     * flipped weights.
     */
    static boolean applies(int[] xs, int[] ws, int[] ys, int[] geo, long col) {
        if (!enabled || geo[Conv.GROUPS] != 1 || geo[Conv.SH] != 1 || geo[Conv.SW] != 1) return false;
        if (xs[1] < 1) return false; // no input channels: the direct kernel's peeled first tap needs one (GEMM + col2im writes the zeros)
        long slice = col - weights(ws);
        return slice > 0 && ConvDirect.applies(xs[1], ws[2], ws[3], ys[2], ys[3], directGeo(ws, geo), slice);
    }

    private static long weights(int[] ws) { return (long) ws[0] * ws[1] * ws[2] * ws[3]; }

    /** This thread's geometry of the equivalent conv2d (one array per thread, rewritten per call). */
    private static int[] directGeo(int[] ws, int[] geo) {
        int[] g = GEO.get();
        g[Conv.SH] = 1;
        g[Conv.SW] = 1;
        g[Conv.TOP] = (ws[2] - 1) * geo[Conv.DH] - geo[Conv.TOP];
        g[Conv.BOTTOM] = (ws[2] - 1) * geo[Conv.DH] - geo[Conv.BOTTOM];
        g[Conv.LEFT] = (ws[3] - 1) * geo[Conv.DW] - geo[Conv.LEFT];
        g[Conv.RIGHT] = (ws[3] - 1) * geo[Conv.DW] - geo[Conv.RIGHT];
        g[Conv.DH] = geo[Conv.DH];
        g[Conv.DW] = geo[Conv.DW];
        g[Conv.GROUPS] = 1;
        return g;
    }

    private static final ThreadLocal<int[]> GEO = ThreadLocal.withInitial(() -> new int[9]);

    /** y = conv_transpose2d(x, w) for shapes where {@link #applies} holds. */
    static void run(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws, float[] y, int yOff, int[] ys,
                    int[] geo, float[] col) {
        int n = xs[0], c = xs[1], o = ws[1], kh = ws[2], kw = ws[3], kk = kh * kw;
        int[] g = directGeo(ws, geo);
        for (int ci = 0; ci < c; ci++)
            for (int oc = 0; oc < o; oc++) {
                int src = wOff + (ci * o + oc) * kk, dst = (oc * c + ci) * kk;
                for (int t = 0; t < kk; t++) col[dst + t] = w[src + kk - 1 - t]; // (u, v) -> (kH-1-u, kW-1-v)
            }
        int wsz = (int) weights(ws);
        int slice = (int) ConvDirect.scratchSize(c, kh, kw, ys[2], ys[3], g, VectorConvDirect.lanes());
        int slices = (col.length - wsz) / slice, threads = Parallel.threads();
        long work = (long) n * o * ys[2] * ys[3] * c * kk;
        Job job = Job.LOCAL.get();
        job.set(x, xOff, xs, ws, y, yOff, ys, g, col, wsz, slice);
        try {
            int parts = Math.min(threads, Math.min(n, slices));
            if (parts > 1 && work >= Conv.parallelMinWork) Parallel.run(parts, job);
            else job.run(0, 1);
        } finally {
            job.clear();
        }
    }

    /** One call's arguments; part t runs images [t*N/parts, (t+1)*N/parts) in scratch slice t. One per calling thread, reused. */
    private static final class Job implements Parallel.Task {
        static final ThreadLocal<Job> LOCAL = ThreadLocal.withInitial(Job::new);

        int xOff, yOff, wsz, slice;
        float[] x, y, col;
        int[] xs, ws, ys, geo;

        void set(float[] x, int xOff, int[] xs, int[] ws, float[] y, int yOff, int[] ys, int[] geo, float[] col, int wsz, int slice) {
            this.x = x;
            this.xOff = xOff;
            this.xs = xs;
            this.ws = ws;
            this.y = y;
            this.yOff = yOff;
            this.ys = ys;
            this.geo = geo;
            this.col = col;
            this.wsz = wsz;
            this.slice = slice;
        }

        void clear() {
            x = y = col = null;
            xs = ws = ys = geo = null;
        }

        @Override public void run(int part, int parts) {
            int n = xs[0], c = xs[1], h = xs[2], wi = xs[3], o = ws[1], ho = ys[2], wo = ys[3];
            int b0 = (int) ((long) part * n / parts), b1 = (int) ((long) (part + 1) * n / parts), k = c * ws[2] * ws[3];
            if (ConvChannelBlocks.applies(c, o, ws[2], ws[3], ho, wo, geo, Gemm.ACT_NONE, slice)) {
                float[] panels = ConvChannelBlocks.pack(col, 0, 1, o, k); // this thread's, reused while the weights hold
                for (int b = b0; b < b1; b++)
                    ConvChannelBlocks.run(x, xOff + b * c * h * wi, c, h, wi, panels, 0, o, ws[2], ws[3], y, yOff + b * o * ho * wo, ho, wo,
                            geo, null, 0, Gemm.ACT_NONE, col, wsz + part * slice);
                return;
            }
            for (int b = b0; b < b1; b++)
                ConvDirect.run(x, xOff + b * c * h * wi, c, h, wi, col, 0, ws[2], ws[3], y, yOff + b * o * ho * wo, ho, wo, geo,
                        null, 0, Gemm.ACT_NONE, 0, o, col, wsz + part * slice);
        }
    }
}
