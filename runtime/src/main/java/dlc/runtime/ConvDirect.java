package dlc.runtime;

/**
 * conv2d at stride 1 for one image and group without im2col: the group's input planes are copied
 * once into a zero-padded block {@code xp [cg, Hp, Wp]} (Hp = Ho + dH*(kH-1), Wp = Wo + dW*(kW-1)),
 * after which every tap (c, u, v) of output row i reads the contiguous run
 * {@code xp[c, i + u*dH, v*dW ..]}; {@link VectorConvDirect} keeps a register tile of output
 * channels x row vectors, broadcasting weights against those runs, bias first and the activation
 * at the store. The im2col path writes K*Ho*Wo floats per image (288 x 196 for the reference CNN's
 * second layer, 225 KB) and the GEMM packs them again before multiplying; here the only copy is the
 * padded image (cg*Hp*Wp, 32 KB there), and the weights are read in place.
 *
 * <p>Applies when the vector module is present (else the im2col + GEMM path runs: the scalar GEMM
 * kernel is the better scalar conv), the stride is 1, the output rows fill most of a vector
 * (a row of Wo is ceil(Wo/VL) vectors, the last partly wasted) and the per-thread scratch slice
 * holds the padded block. The partition over output channels ({@code o0, o1}) is a parameter so
 * that callers may split one image over threads.
 */
final class ConvDirect {
    private ConvDirect() {}

    /** Tests turn the path off to run the same cases through im2col + GEMM. */
    static boolean enabled = !"false".equals(System.getProperty("dlc.conv.direct"));

    /** Rows narrower than this share of their vectors run through im2col + GEMM (its tiles waste less). */
    private static final double MIN_ROW_FILL = 0.75;

    /**
     * Whether an image and group of this geometry runs here with {@code slice} floats of scratch:
     * stride 1, the vector kernel available, rows that fill their vectors, a window larger than
     * 1x1 (a 1x1 conv is a plain GEMM already) and the padded block fitting the slice.
     */
    static boolean applies(int cg, int kh, int kw, int ho, int wo, int[] geo, long slice) {
        if (!enabled || !Gemm.vectorKernelActive()) return false;
        if (geo[Conv.SH] != 1 || geo[Conv.SW] != 1 || (long) kh * kw <= 1 || ho < 1 || wo < 1) return false;
        int vl = VectorConvDirect.lanes();
        if ((double) wo / Gemm.roundUp(wo, vl) < MIN_ROW_FILL) return false;
        return scratchSize(cg, kh, kw, ho, wo, geo, vl) <= slice;
    }

    /** Floats of scratch {@link #run} and {@link #runPooled} use: the padded block, then slack for the last row's reads and one tile of sums. */
    static long scratchSize(int cg, int kh, int kw, int ho, int wo, int[] geo, int vl) {
        long hp = ho + (long) geo[Conv.DH] * (kh - 1), wp = wo + (long) geo[Conv.DW] * (kw - 1);
        return cg * hp * wp + 17L * vl;
    }

    /**
     * Whether {@link #runPooled} takes an image: {@link #applies} and relu (the pool of relu'd
     * values is an exact max: no NaN, no -0).
     */
    static boolean appliesPooled(int cg, int kh, int kw, int ho, int wo, int[] geo, int act, long slice) {
        return act == Gemm.ACT_RELU && applies(cg, kh, kw, ho, wo, geo, slice);
    }

    /**
     * {@link #run} with relu followed by a 2x2 max pool at stride 2 without padding: writes only the
     * pooled planes {@code y[yOff + o*(Ho/2)*(Wo/2) ..]} (the conv's output never reaches memory).
     */
    static void runPooled(float[] x, int xOff, int cg, int h, int wi, float[] w, int wOff, int kh, int kw,
                          float[] y, int yOff, int ho, int wo, int[] geo, float[] bias, int biasOff,
                          int o0, int o1, float[] scratch, int sOff) {
        int dh = geo[Conv.DH], dw = geo[Conv.DW];
        int hp = ho + dh * (kh - 1), wp = wo + dw * (kw - 1);
        pad(x, xOff, cg, h, wi, geo[Conv.TOP], geo[Conv.LEFT], hp, wp, scratch, sOff, VectorConvDirect.lanes());
        VectorConvDirect.runPooled(scratch, sOff, cg, hp, wp, kh, kw, dh, dw, w, wOff, y, yOff, ho, wo, bias, biasOff, o0, o1,
                sOff + cg * hp * wp);
    }

    /**
     * {@code y[yOff + o*Ho*Wo + i*Wo + j] = act(bias[biasOff + o] + sum_{c,u,v} w[wOff + ((o*cg + c)*kH + u)*kW + v]
     * * xpad[c, i - top + u*dH, j - left + v*dW])} for output channels o in [o0, o1), where the group's
     * planes start at {@code x[xOff]}; {@code scratch[sOff ..]} holds {@link #scratchSize} floats.
     */
    static void run(float[] x, int xOff, int cg, int h, int wi, float[] w, int wOff, int kh, int kw,
                    float[] y, int yOff, int ho, int wo, int[] geo, float[] bias, int biasOff, int act,
                    int o0, int o1, float[] scratch, int sOff) {
        int dh = geo[Conv.DH], dw = geo[Conv.DW];
        int hp = ho + dh * (kh - 1), wp = wo + dw * (kw - 1);
        pad(x, xOff, cg, h, wi, geo[Conv.TOP], geo[Conv.LEFT], hp, wp, scratch, sOff, VectorConvDirect.lanes());
        VectorConvDirect.run(scratch, sOff, cg, hp, wp, kh, kw, dh, dw, w, wOff, y, yOff, ho, wo, bias, biasOff,
                act == Gemm.ACT_RELU, o0, o1, sOff + cg * hp * wp);
        if (act != Gemm.ACT_NONE && act != Gemm.ACT_RELU)
            for (int o = o0; o < o1; o++)
                for (int i = yOff + o * ho * wo, e = i + ho * wo; i < e; i++) y[i] = Gemm.activate(y[i], act);
    }

    /**
     * {@code xp[c, a, b] = x[c, a - top, b - left]} inside the input, else 0, for a < hp, b < wp,
     * then {@code slack} zeros (the row vectors of the last row read into them).
     */
    static void pad(float[] x, int xOff, int cg, int h, int wi, int top, int left, int hp, int wp, float[] xp, int pOff, int slack) {
        int blo = Math.max(0, left), bhi = Math.min(wp, left + wi), d = pOff;
        for (int c = 0; c < cg; c++) {
            int xc = xOff + c * h * wi;
            for (int a = 0; a < hp; a++, d += wp) {
                int ih = a - top;
                if (ih < 0 || ih >= h || blo >= bhi) {
                    java.util.Arrays.fill(xp, d, d + wp, 0f);
                    continue;
                }
                for (int b = 0; b < blo; b++) xp[d + b] = 0f;
                System.arraycopy(x, xc + ih * wi + blo - left, xp, d + blo, bhi - blo);
                for (int b = bhi; b < wp; b++) xp[d + b] = 0f;
            }
        }
        java.util.Arrays.fill(xp, d, d + slack, 0f);
    }
}
