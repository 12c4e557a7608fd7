package dlc.runtime;

/**
 * The stride-1 conv2d + bias + relu + 2x2 max pool of one image and group with the vectors across
 * OUTPUT CHANNELS (the NCHWc idea, with NCHW tensors on both sides): a register tile holds one
 * 2 x 6 (or 2 x 4, 2 x 2) block of output pixels for 2 vectors of output channels, each tap
 * (c, u, v) costing two loads of pre-arranged weights, a broadcast per input pixel from the
 * padded block and two fused multiply-adds per pixel; the pixels pool right there, so the
 * epilogue is a lanewise max of four vectors. {@link #run} is the same conv (+ bias, + relu or
 * none) without the pool, a training step's forward, on the same tiles. Every lane computes a real
 * output whatever the plane's width, where {@link ConvDirect}'s row vectors waste the lanes past
 * a row's end (2 in 16 for a 14-wide row, 4 in 32 for a 28-wide one).
 *
 * <p>The weights {@code [O/g, C/g, kH, kW]} are re-laid out into panels {@code [O/g / nb][K][nb]}
 * (nb = 2 vectors, or 1 for a last odd vector of channels), so that a tap's weights for a block
 * are contiguous; a thread keeps the panels of its last few weight tensors and reuses them while
 * the weights hold the same values ({@link #pack}), so an inference packs each tensor once.
 *
 * <p>Each output is {@code max} over its window of {@code relu(bias + sum_t x_t * w_t)} with the
 * sum over t = (c, u, v) in order, the first term a product and the rest fused multiply-adds:
 * bit for bit {@link ConvDirect}'s sums, so the fused result equals conv2d (direct kernel) then
 * the pool exactly.
 */
final class ConvChannelBlocks {
    private ConvChannelBlocks() {}

    /** Tests turn the path off to run the same cases through {@link ConvDirect}'s pooled kernel. */
    static boolean enabled = !"false".equals(System.getProperty("dlc.conv.channelBlocks"));

    /** The per-thread panels of the last few weight tensors ({@link Panels}). */
    private static final ThreadLocal<Panels> PANELS = ThreadLocal.withInitial(Panels::new);

    /**
     * Whether {@link #run} takes a group of {@code og} output channels: the vector kernel active,
     * no activation or relu, stride 1, a window larger than 1x1, whole vectors of output channels,
     * an output plane at least 2 x 2, and the padded block within the {@code slice} floats of scratch.
     */
    static boolean applies(int cg, int og, int kh, int kw, int ho, int wo, int[] geo, int act, long slice) {
        if (!enabled || !Gemm.vectorKernelActive() || (act != Gemm.ACT_RELU && act != Gemm.ACT_NONE)) return false;
        if (geo[Conv.SH] != 1 || geo[Conv.SW] != 1 || (long) kh * kw <= 1 || ho < 2 || wo < 2 || cg < 1) return false;
        int vl = VectorConvChannelBlocks.lanes();
        if (og < vl || og % vl != 0) return false;
        long hp = ho + (long) geo[Conv.DH] * (kh - 1), wp = wo + (long) geo[Conv.DW] * (kw - 1);
        return cg * hp * wp <= slice;
    }

    /** Whether {@link #runPooled} takes a group of {@code og} output channels: {@link #applies} with relu. */
    static boolean appliesPooled(int cg, int og, int kh, int kw, int ho, int wo, int[] geo, int act, long slice) {
        return act == Gemm.ACT_RELU && applies(cg, og, kh, kw, ho, wo, geo, act, slice);
    }

    /**
     * The panels of {@code groups} groups of {@code og} output channels each ({@code w[wOff ..]},
     * [groups * og, k] row-major), group q's at {@code q * og * k}: channel block b (width nb,
     * starting at channel ob) holds tap t's weights at {@code ob*k + t*nb + m} for m < nb. Reused
     * from this thread's cache when the same array holds the same values at the same place as
     * when they were packed ({@link Panels}), else packed again.
     */
    static float[] pack(float[] w, int wOff, int groups, int og, int k) {
        return PANELS.get().panels(w, wOff, groups, og, k);
    }

    /** Packs {@code w[wOff ..]} into {@code p} as {@link #pack} lays it out. */
    static void packInto(float[] w, int wOff, int groups, int og, int k, float[] p) {
        int vl = VectorConvChannelBlocks.lanes();
        for (int q = 0; q < groups; q++)
            for (int ob = 0; ob < og; ) {
                int nb = og - ob >= 2 * vl ? 2 * vl : vl, base = (q * og + ob) * k;
                for (int m = 0; m < nb; m++) {
                    int src = wOff + (q * og + ob + m) * k;
                    for (int t = 0, d = base + m; t < k; t++, d += nb) p[d] = w[src + t];
                }
                ob += nb;
            }
    }

    /**
     * A thread's panels of the last {@link #SLOTS} weight tensors it ran, each with a plain copy of
     * the weights it was packed from. Re-laying out a weight tensor is a strided scatter (about
     * 10 us for the reference CNN's second layer, a tenth of that layer at batch 1); comparing the
     * weights with the copy is one sequential pass (Arrays.mismatch), so a call whose weights are
     * unchanged (inference) skips the packing, and one whose weights changed (a training step
     * updates them in place) packs again: the panels never go stale. Nothing is allocated once
     * every slot has grown to its tensor.
     */
    private static final class Panels {
        static final int SLOTS = 4;
        final float[][] source = new float[SLOTS][], copy = new float[SLOTS][], panels = new float[SLOTS][];
        final int[] off = new int[SLOTS], len = new int[SLOTS], channels = new int[SLOTS], taps = new int[SLOTS];
        int next;

        float[] panels(float[] w, int wOff, int groups, int og, int k) {
            int n = groups * og * k;
            for (int i = 0; i < SLOTS; i++)
                if (source[i] == w && off[i] == wOff && len[i] == n && channels[i] == og && taps[i] == k
                        && java.util.Arrays.mismatch(w, wOff, wOff + n, copy[i], 0, n) < 0) return panels[i];
            int i = next;
            next = (next + 1) % SLOTS;
            if (copy[i] == null || copy[i].length < n) {
                copy[i] = new float[n];
                panels[i] = new float[n];
            }
            System.arraycopy(w, wOff, copy[i], 0, n);
            packInto(w, wOff, groups, og, k, panels[i]);
            source[i] = w;
            off[i] = wOff;
            len[i] = n;
            channels[i] = og;
            taps[i] = k;
            return panels[i];
        }
    }

    /**
     * Pooled planes {@code y[yOff + o*(Ho/2)*(Wo/2) ..]} of {@code max_pool2x2(relu(conv(x) + bias))}
     * for the og output channels of one image and group, from the input planes at {@code x[xOff]}
     * ([cg, h, wi]) and the group's panels at {@code panels[pOff ..]} ({@link #pack}); the padded
     * block goes to {@code scratch[sOff ..]}.
     */
    static void runPooled(float[] x, int xOff, int cg, int h, int wi, float[] panels, int pOff, int og, int kh, int kw,
                          float[] y, int yOff, int ho, int wo, int[] geo, float[] bias, int biasOff,
                          float[] scratch, int sOff) {
        int dh = geo[Conv.DH], dw = geo[Conv.DW];
        int hp = ho + dh * (kh - 1), wp = wo + dw * (kw - 1);
        ConvDirect.pad(x, xOff, cg, h, wi, geo[Conv.TOP], geo[Conv.LEFT], hp, wp, scratch, sOff, 0);
        VectorConvChannelBlocks.runPooled(scratch, sOff, cg, hp, wp, kh, kw, dh, dw, panels, pOff, og, y, yOff, ho, wo, bias, biasOff);
    }

    /**
     * Planes {@code y[yOff + o*Ho*Wo ..]} of {@code act(conv(x) + bias)} (act none or relu) for the
     * og output channels of one image and group, arguments as {@link #runPooled}'s: the same tiles,
     * whose sums go to the output planes instead of the pool.
     */
    static void run(float[] x, int xOff, int cg, int h, int wi, float[] panels, int pOff, int og, int kh, int kw,
                    float[] y, int yOff, int ho, int wo, int[] geo, float[] bias, int biasOff, int act,
                    float[] scratch, int sOff) {
        int dh = geo[Conv.DH], dw = geo[Conv.DW];
        int hp = ho + dh * (kh - 1), wp = wo + dw * (kw - 1);
        ConvDirect.pad(x, xOff, cg, h, wi, geo[Conv.TOP], geo[Conv.LEFT], hp, wp, scratch, sOff, 0);
        VectorConvChannelBlocks.runPlain(scratch, sOff, cg, hp, wp, kh, kw, dh, dw, panels, pOff, og, y, yOff, ho, wo,
                bias, biasOff, act == Gemm.ACT_RELU);
    }
}
