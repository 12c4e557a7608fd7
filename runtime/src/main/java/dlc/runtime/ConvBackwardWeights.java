package dlc.runtime;

/**
 * conv2d in the form a weight gradient takes, run as a direct reduction without im2col columns or
 * GEMM packing. The autodiff writes a conv's kernel gradient as one correlation (dlc.ir.ops.ConvGradients):
 * a conv2d whose batch is the layer's input channels, whose channels are the layer's images, whose
 * kernel is the output cotangent (a whole Ho x Wo plane per image) and whose output is the small
 * kH x kW kernel plane. Named for that conv2d's own operands: x [B, K, H, W], w [O, K, KH, KW] (KH x KW
 * large), y [B, O, PH, PW] (small), stride (sH, sW), dilation 1, one group, no epilogue:
 * <pre>  y[b, o, a, c] = sum_k sum_{i < KH, j < KW} w[o, k, i, j] * xpad[b, k, a*sH + i, c*sW + j]</pre>
 *
 * <p>Every plane of x is copied once, zero-padded, into rows of width {@code wp = (PW-1)*sW + KW}
 * ({@link ConvDirect#pad}), and every plane of w into rows of the same width with zeros in columns
 * [KW, wp) ({@code gp}, each plane rounded up to whole vectors). Then for each output (b, o, a, c)
 * the double sum over (i, j) is ONE flat dot product over q = i*wp + j:
 * {@code sum_q gp[o, k, q] * xp[b, k, q + a*sH*wp + c*sW]}, read as contiguous vectors on both
 * sides (the zero columns of gp cancel the products that would run into the next row). {@link
 * VectorConvBackwardWeights} keeps a register tile of 4 output channels x 6 taps (b, a, c), summed
 * over every k before its 24 vectors are reduced, so the whole batch's reduction stays in registers.
 * For the reference CNN's second layer (B = 32 channels, K = 64 images, 14 x 14 planes, O = 64) the
 * im2col path wrote K = 64 column matrices of 288 x 196 floats and packed each for a GEMM; here the
 * copies are the two padded operands (about the size of x and w), and the multiply-adds waste only
 * the zero columns (2 in 16 there).
 *
 * <p>A non-finite x next to a plane's edge may reach outputs that a plain loop keeps finite (a
 * zero of gp times an infinite xp is NaN); a gradient through such an input is not finite anyway.
 *
 * <p>Threads: the padding splits over planes, then the output channels split in blocks of 4 over
 * {@link Parallel}'s parts; each output is one part's fixed-order sum, so results do not depend on
 * the thread count.
 */
final class ConvBackwardWeights {
    private ConvBackwardWeights() {}

    /** Tests turn the path off to run the same cases through im2col + GEMM. */
    static boolean enabled = !"false".equals(System.getProperty("dlc.conv.wgrad"));

    /** Output channels per register tile (the part split's unit). */
    static final int OB = 4;

    /**
     * Whether conv2d of these shapes runs here with {@code col} floats of scratch: the vector
     * kernel active, one group, dilation 1, no epilogue, and the scratch holding both padded operands.
     */
    static boolean applies(int[] xs, int[] ws, int[] ys, int[] geo, boolean epilogue, long col) {
        if (!enabled || epilogue || !Gemm.vectorKernelActive()) return false;
        if (geo[Conv.GROUPS] != 1 || geo[Conv.DH] != 1 || geo[Conv.DW] != 1) return false;
        return scratchSize(xs, ws, ys, geo, VectorConvBackwardWeights.lanes()) <= col;
    }

    /** Floats of scratch {@link #run} uses: the padded x planes and slack, then the padded w planes. */
    static long scratchSize(int[] xs, int[] ws, int[] ys, int[] geo, int vl) {
        long hp = hp(ws, ys, geo), wp = wp(ws, ys, geo);
        return (long) xs[0] * xs[1] * hp * wp + slack(wp, vl) + (long) ws[0] * ws[1] * ((ws[2] * wp + vl - 1) / vl * vl);
    }

    /**
     * An upper bound of {@link #scratchSize} from the operands' shapes, whatever the vector width
     * (at most 64 lanes): the codegen sizes the scratch with it. {@code (PH-1)*sH + KH <= H + top + bottom}.
     */
    static long scratchBound(long b, long k, long h, long w, long o, long kh, long top, long bottom, long left, long right) {
        long hp = h + top + bottom, wp = w + left + right;
        return b * k * hp * wp + wp + 64 + o * k * (kh * wp + 64);
    }

    private static int hp(int[] ws, int[] ys, int[] geo) { return (ys[2] - 1) * geo[Conv.SH] + ws[2]; }

    private static int wp(int[] ws, int[] ys, int[] geo) { return (ys[3] - 1) * geo[Conv.SW] + ws[3]; }

    /** Zeros after the last padded x plane: the flat reads of its last row run up to wp + VL past it. */
    private static long slack(long wp, int vl) { return wp + vl; }

    private static int roundUp(int n, int m) { return (n + m - 1) / m * m; }

    /** y = conv2d(x, w) as described above; {@code col} holds {@link #scratchSize} floats. */
    static void run(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws, float[] y, int yOff, int[] ys,
                    int[] geo, float[] col) {
        int vl = VectorConvBackwardWeights.lanes();
        int b = xs[0], k = xs[1], o = ws[0], kh = ws[2], kw = ws[3], hp = hp(ws, ys, geo), wp = wp(ws, ys, geo);
        int planeX = hp * wp, qpad = roundUp(kh * wp, vl);
        int gOff = b * k * planeX + (int) slack(wp, vl);
        long work = (long) b * o * ys[2] * ys[3] * k * qpad;
        Job job = Job.LOCAL.get();
        job.set(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col, hp, wp, qpad, gOff);
        try {
            int threads = Parallel.threads();
            boolean parallel = threads > 1 && work >= Conv.parallelMinWork;
            // the padded x: every plane (b, k) of x, planes split over the parts
            job.phase = Job.PAD_X;
            if (parallel) Parallel.run(Math.min(threads, b * k), job);
            else job.run(0, 1);
            java.util.Arrays.fill(col, b * k * planeX, gOff, 0f);
            // the blocks of output channels: each pads its channels of w, then sums its tiles
            job.phase = Job.SUMS;
            int blocks = (o + OB - 1) / OB;
            if (parallel) Parallel.run(Math.min(threads, blocks), job);
            else job.run(0, 1);
        } finally {
            job.clear();
        }
    }

    /** One call's arguments and the phase its parts run; one per calling thread, reused (no allocation per call). */
    private static final class Job implements Parallel.Task {
        static final ThreadLocal<Job> LOCAL = ThreadLocal.withInitial(Job::new);
        static final int PAD_X = 0, SUMS = 1;

        int phase, xOff, wOff, yOff, hp, wp, qpad, gOff;
        float[] x, w, y, col;
        int[] xs, ws, ys, geo;

        void set(float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws, float[] y, int yOff, int[] ys,
                 int[] geo, float[] col, int hp, int wp, int qpad, int gOff) {
            this.x = x;
            this.xOff = xOff;
            this.xs = xs;
            this.w = w;
            this.wOff = wOff;
            this.ws = ws;
            this.y = y;
            this.yOff = yOff;
            this.ys = ys;
            this.geo = geo;
            this.col = col;
            this.hp = hp;
            this.wp = wp;
            this.qpad = qpad;
            this.gOff = gOff;
        }

        void clear() {
            x = w = y = col = null;
            xs = ws = ys = geo = null;
        }

        @Override public void run(int part, int parts) {
            if (phase == PAD_X) {
                int planes = xs[0] * xs[1], p0 = (int) ((long) part * planes / parts), p1 = (int) ((long) (part + 1) * planes / parts);
                int plane = xs[2] * xs[3];
                if (p0 < p1)
                    ConvDirect.pad(x, xOff + p0 * plane, p1 - p0, xs[2], xs[3], geo[Conv.TOP], geo[Conv.LEFT], hp, wp,
                            col, p0 * hp * wp, 0);
                return;
            }
            int blocks = (ws[0] + OB - 1) / OB;
            int b0 = (int) ((long) part * blocks / parts), b1 = (int) ((long) (part + 1) * blocks / parts);
            if (b0 >= b1) return;
            int o0 = b0 * OB, o1 = Math.min(ws[0], b1 * OB);
            padW(o0, o1);
            VectorConvBackwardWeights.sums(col, gOff, col, xs[0], xs[1], hp * wp, wp, qpad, ys[2], ys[3],
                    geo[Conv.SH], geo[Conv.SW], ws[0], o0, o1, y, yOff);
        }

        /** gp[o, k, i*wp + j] = w[o, k, i, j] for j < KW, zeros in the rest of each row and after the plane. */
        private void padW(int o0, int o1) {
            int k = ws[1], kh = ws[2], kw = ws[3];
            for (int o = o0; o < o1; o++)
                for (int c = 0; c < k; c++) {
                    int src = wOff + (o * k + c) * kh * kw, dst = gOff + (o * k + c) * qpad;
                    java.util.Arrays.fill(col, dst, dst + qpad, 0f);
                    for (int i = 0; i < kh; i++) System.arraycopy(w, src + i * kw, col, dst + i * wp, kw);
                }
        }
    }
}
