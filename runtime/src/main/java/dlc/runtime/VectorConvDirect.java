package dlc.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvDirect}'s loops with {@code jdk.incubator.vector}. The output plane of a channel is
 * cut into row vectors (row i, columns [j0, j0 + VL), the last of a row partly past its end); a
 * tile of 8 output channels x 2 row vectors is 16 accumulators, and each tap (c, u, v) costs two
 * vector loads of the padded block at {@code taps[t]} past the row vectors' corners, eight weight
 * broadcasts and sixteen fused multiply-adds (the GEMM micro-kernel's proportions, without packing).
 * A row vector whose lanes run past its row (relu'd as Gemm.activate: v > 0 ? v : 0) is stored whole
 * while the overrun stays inside the channel's plane: the lanes land on later row vectors of the same plane, which are stored after it
 * (row vectors are stored in increasing order per channel) and overwrite them; at the plane's end
 * the vector goes through a scratch vector and only its valid lanes are copied. Referenced only when
 * the vector module is present ({@link ConvDirect#applies}).
 */
final class VectorConvDirect {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    /** Per-thread tap offsets, grown on demand (a steady state allocates nothing). */
    private static final ThreadLocal<int[][]> TAPS = ThreadLocal.withInitial(() -> new int[1][0]);

    private VectorConvDirect() {}

    static int lanes() { return VL; }

    /** Lane l takes lane l + 1 (the last wraps: its pair max is never stored); lane l takes lane 2l (the upper half never stored). */
    private static final VectorShuffle<Float> NEXT = VectorShuffle.fromOp(S, l -> (l + 1) % VL),
            EVENS = VectorShuffle.fromOp(S, l -> 2 * l % VL);

    /**
     * {@link #run} with act relu and a 2x2 max pool (stride 2, no padding) of each channel's plane,
     * writing only the pooled planes {@code y[yOff + o*(Ho/2)*(Wo/2) ..]}: Wo <= VL, channels [o0, o1)
     * in blocks of 8 (the rest through {@code rest}, the unpooled planes of those channels, then
     * pooled by {@link Pool}); an odd last row or column is dropped, as the pool drops it.
     */
    static void runPooled(float[] xp, int p0, int cg, int hp, int wp, int kh, int kw, int dh, int dw,
                          float[] w, int wOff, float[] y, int yOff, int ho, int wo, float[] bias, int biasOff,
                          int o0, int o1, int tmp) {
        int k = cg * kh * kw, pw = wo / 2, pplane = ho / 2 * pw;
        int[] taps = taps(k, cg, kh, kw, dh, dw, hp, wp);
        int o = o0;
        for (; o + 8 <= o1; o += 8)
            for (int i = 0; i + 2 <= ho; i += 2) tile8x2Pool(xp, taps, k, w, wOff, o, i, p0, wp, y, yOff, pw, pplane, bias, biasOff, tmp);
        // fewer than 8 channels left: one channel at a time, the two rows as 1x1 tiles into the scratch after tmp
        for (; o < o1; o++)
            for (int i = 0; i + 2 <= ho; i += 2) {
                float[] rows = xp;
                int at = tmp + VL; // 2*VL floats: the two relu'd rows
                tile1x1(xp, taps, k, w, wOff + o * k, 0, i, 1, p0, wp, rows, at - i * wo, ho, wo, bias, biasOff + o, true, tmp);
                tile1x1(xp, taps, k, w, wOff + o * k, 0, i + 1, 1, p0, wp, rows, at - i * wo, ho, wo, bias, biasOff + o, true, tmp);
                int dst = yOff + o * pplane + i / 2 * pw;
                for (int j = 0; j < pw; j++)
                    y[dst + j] = Math.max(Math.max(rows[at + 2 * j], rows[at + 2 * j + 1]), Math.max(rows[at + wo + 2 * j], rows[at + wo + 2 * j + 1]));
            }
    }

    private static int[] taps(int k, int cg, int kh, int kw, int dh, int dw, int hp, int wp) {
        int[][] holder = TAPS.get();
        if (holder[0].length < k) holder[0] = new int[k];
        int[] taps = holder[0];
        for (int c = 0, t = 0; c < cg; c++)
            for (int u = 0; u < kh; u++)
                for (int v = 0; v < kw; v++, t++) taps[t] = (c * hp + u * dh) * wp + v * dw;
        return taps;
    }

    /**
     * Output channels [o0, o1) of one image and group from the padded block {@code xp[p0 ..]}
     * ([cg, hp, wp] then slack); {@code tmp} indexes VL floats of scratch in {@code xp} for partial stores.
     */
    static void run(float[] xp, int p0, int cg, int hp, int wp, int kh, int kw, int dh, int dw,
                    float[] w, int wOff, float[] y, int yOff, int ho, int wo, float[] bias, int biasOff, int act,
                    int o0, int o1, int tmp) {
        int k = cg * kh * kw, nch = (wo + VL - 1) / VL, rows = ho * nch;
        int[] taps = taps(k, cg, kh, kw, dh, dw, hp, wp);
        boolean relu = act == Gemm.ACT_RELU;
        int o = o0;
        for (; o + 8 <= o1; o += 8) {
            int r = 0;
            for (; r + 2 <= rows; r += 2) tile8x2(xp, taps, k, w, wOff, o, r, nch, p0, wp, y, yOff, ho, wo, bias, biasOff, relu, tmp);
            if (r < rows) tile8x1(xp, taps, k, w, wOff, o, r, nch, p0, wp, y, yOff, ho, wo, bias, biasOff, relu, tmp);
        }
        for (; o < o1; o++)
            for (int r = 0; r < rows; r++) tile1x1(xp, taps, k, w, wOff, o, r, nch, p0, wp, y, yOff, ho, wo, bias, biasOff, relu, tmp);
    }

    /** Channels [o, o + 8) x row vectors [r, r + 2): bias first, the taps in order, the activation at the store. */
    private static void tile8x2(float[] xp, int[] taps, int k, float[] w, int wOff, int o, int r, int nch, int base,
                                  int wp, float[] y, int yOff, int ho, int wo, float[] bias, int biasOff, boolean relu, int tmp) {
        int i0 = (r + 0) / nch, j0 = (r + 0) % nch * VL, x0 = base + i0 * wp + j0, d0 = i0 * wo + j0, n0 = Math.min(VL, wo - j0);
        int i1 = (r + 1) / nch, j1 = (r + 1) % nch * VL, x1 = base + i1 * wp + j1, d1 = i1 * wo + j1, n1 = Math.min(VL, wo - j1);
        int w0 = wOff + (o + 0) * k, w1 = wOff + (o + 1) * k, w2 = wOff + (o + 2) * k, w3 = wOff + (o + 3) * k, w4 = wOff + (o + 4) * k, w5 = wOff + (o + 5) * k, w6 = wOff + (o + 6) * k, w7 = wOff + (o + 7) * k;
        FloatVector a00 = FloatVector.broadcast(S, bias(bias, biasOff + o + 0)), a01 = a00;
        FloatVector a10 = FloatVector.broadcast(S, bias(bias, biasOff + o + 1)), a11 = a10;
        FloatVector a20 = FloatVector.broadcast(S, bias(bias, biasOff + o + 2)), a21 = a20;
        FloatVector a30 = FloatVector.broadcast(S, bias(bias, biasOff + o + 3)), a31 = a30;
        FloatVector a40 = FloatVector.broadcast(S, bias(bias, biasOff + o + 4)), a41 = a40;
        FloatVector a50 = FloatVector.broadcast(S, bias(bias, biasOff + o + 5)), a51 = a50;
        FloatVector a60 = FloatVector.broadcast(S, bias(bias, biasOff + o + 6)), a61 = a60;
        FloatVector a70 = FloatVector.broadcast(S, bias(bias, biasOff + o + 7)), a71 = a70;
        for (int t = 0; t < k; t++) {
            int off = taps[t];
            FloatVector v0 = FloatVector.fromArray(S, xp, x0 + off), v1 = FloatVector.fromArray(S, xp, x1 + off);
            FloatVector b;
            b = FloatVector.broadcast(S, w[w0 + t]);
            a00 = v0.fma(b, a00); a01 = v1.fma(b, a01);
            b = FloatVector.broadcast(S, w[w1 + t]);
            a10 = v0.fma(b, a10); a11 = v1.fma(b, a11);
            b = FloatVector.broadcast(S, w[w2 + t]);
            a20 = v0.fma(b, a20); a21 = v1.fma(b, a21);
            b = FloatVector.broadcast(S, w[w3 + t]);
            a30 = v0.fma(b, a30); a31 = v1.fma(b, a31);
            b = FloatVector.broadcast(S, w[w4 + t]);
            a40 = v0.fma(b, a40); a41 = v1.fma(b, a41);
            b = FloatVector.broadcast(S, w[w5 + t]);
            a50 = v0.fma(b, a50); a51 = v1.fma(b, a51);
            b = FloatVector.broadcast(S, w[w6 + t]);
            a60 = v0.fma(b, a60); a61 = v1.fma(b, a61);
            b = FloatVector.broadcast(S, w[w7 + t]);
            a70 = v0.fma(b, a70); a71 = v1.fma(b, a71);
        }
        int plane = ho * wo;
        // stored inline: a vector passed to a method C2 does not inline is boxed on the heap
        boolean f0 = d0 + VL <= plane; boolean f1 = d1 + VL <= plane;
        if (relu) {
            a00 = FloatVector.zero(S).blend(a00, a00.compare(VectorOperators.GT, 0f)); a01 = FloatVector.zero(S).blend(a01, a01.compare(VectorOperators.GT, 0f));
            a10 = FloatVector.zero(S).blend(a10, a10.compare(VectorOperators.GT, 0f)); a11 = FloatVector.zero(S).blend(a11, a11.compare(VectorOperators.GT, 0f));
            a20 = FloatVector.zero(S).blend(a20, a20.compare(VectorOperators.GT, 0f)); a21 = FloatVector.zero(S).blend(a21, a21.compare(VectorOperators.GT, 0f));
            a30 = FloatVector.zero(S).blend(a30, a30.compare(VectorOperators.GT, 0f)); a31 = FloatVector.zero(S).blend(a31, a31.compare(VectorOperators.GT, 0f));
            a40 = FloatVector.zero(S).blend(a40, a40.compare(VectorOperators.GT, 0f)); a41 = FloatVector.zero(S).blend(a41, a41.compare(VectorOperators.GT, 0f));
            a50 = FloatVector.zero(S).blend(a50, a50.compare(VectorOperators.GT, 0f)); a51 = FloatVector.zero(S).blend(a51, a51.compare(VectorOperators.GT, 0f));
            a60 = FloatVector.zero(S).blend(a60, a60.compare(VectorOperators.GT, 0f)); a61 = FloatVector.zero(S).blend(a61, a61.compare(VectorOperators.GT, 0f));
            a70 = FloatVector.zero(S).blend(a70, a70.compare(VectorOperators.GT, 0f)); a71 = FloatVector.zero(S).blend(a71, a71.compare(VectorOperators.GT, 0f));
        }
        int y0 = yOff + (o + 0) * plane;
        if (f0) a00.intoArray(y, y0 + d0); else { a00.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y0 + d0, n0); }
        if (f1) a01.intoArray(y, y0 + d1); else { a01.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y0 + d1, n1); }
        int y1 = yOff + (o + 1) * plane;
        if (f0) a10.intoArray(y, y1 + d0); else { a10.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y1 + d0, n0); }
        if (f1) a11.intoArray(y, y1 + d1); else { a11.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y1 + d1, n1); }
        int y2 = yOff + (o + 2) * plane;
        if (f0) a20.intoArray(y, y2 + d0); else { a20.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y2 + d0, n0); }
        if (f1) a21.intoArray(y, y2 + d1); else { a21.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y2 + d1, n1); }
        int y3 = yOff + (o + 3) * plane;
        if (f0) a30.intoArray(y, y3 + d0); else { a30.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y3 + d0, n0); }
        if (f1) a31.intoArray(y, y3 + d1); else { a31.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y3 + d1, n1); }
        int y4 = yOff + (o + 4) * plane;
        if (f0) a40.intoArray(y, y4 + d0); else { a40.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y4 + d0, n0); }
        if (f1) a41.intoArray(y, y4 + d1); else { a41.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y4 + d1, n1); }
        int y5 = yOff + (o + 5) * plane;
        if (f0) a50.intoArray(y, y5 + d0); else { a50.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y5 + d0, n0); }
        if (f1) a51.intoArray(y, y5 + d1); else { a51.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y5 + d1, n1); }
        int y6 = yOff + (o + 6) * plane;
        if (f0) a60.intoArray(y, y6 + d0); else { a60.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y6 + d0, n0); }
        if (f1) a61.intoArray(y, y6 + d1); else { a61.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y6 + d1, n1); }
        int y7 = yOff + (o + 7) * plane;
        if (f0) a70.intoArray(y, y7 + d0); else { a70.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y7 + d0, n0); }
        if (f1) a71.intoArray(y, y7 + d1); else { a71.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y7 + d1, n1); }
    }

    /**
     * Channels [o, o + 8) x output rows (i, i + 1) (one vector each, Wo <= VL), relu'd, then their 2x2 max pool:
     * the two rows' lanewise max, the max of each lane pair (lane l and l + 1, moved down by a shuffle), the even
     * lanes gathered to the front and Wo/2 of them stored as row i/2 of the pooled plane (pw = Wo/2 wide).
     */
    private static void tile8x2Pool(float[] xp, int[] taps, int k, float[] w, int wOff, int o, int i, int base,
                                    int wp, float[] y, int yOff, int pw, int pplane, float[] bias, int biasOff, int tmp) {
        int x0 = base + i * wp, x1 = x0 + wp, d = i / 2 * pw;
        int w0 = wOff + (o + 0) * k, w1 = wOff + (o + 1) * k, w2 = wOff + (o + 2) * k, w3 = wOff + (o + 3) * k, w4 = wOff + (o + 4) * k, w5 = wOff + (o + 5) * k, w6 = wOff + (o + 6) * k, w7 = wOff + (o + 7) * k;
        FloatVector a00 = FloatVector.broadcast(S, bias(bias, biasOff + o + 0)), a01 = a00;
        FloatVector a10 = FloatVector.broadcast(S, bias(bias, biasOff + o + 1)), a11 = a10;
        FloatVector a20 = FloatVector.broadcast(S, bias(bias, biasOff + o + 2)), a21 = a20;
        FloatVector a30 = FloatVector.broadcast(S, bias(bias, biasOff + o + 3)), a31 = a30;
        FloatVector a40 = FloatVector.broadcast(S, bias(bias, biasOff + o + 4)), a41 = a40;
        FloatVector a50 = FloatVector.broadcast(S, bias(bias, biasOff + o + 5)), a51 = a50;
        FloatVector a60 = FloatVector.broadcast(S, bias(bias, biasOff + o + 6)), a61 = a60;
        FloatVector a70 = FloatVector.broadcast(S, bias(bias, biasOff + o + 7)), a71 = a70;
        for (int t = 0; t < k; t++) {
            int off = taps[t];
            FloatVector v0 = FloatVector.fromArray(S, xp, x0 + off), v1 = FloatVector.fromArray(S, xp, x1 + off);
            FloatVector b;
            b = FloatVector.broadcast(S, w[w0 + t]);
            a00 = v0.fma(b, a00); a01 = v1.fma(b, a01);
            b = FloatVector.broadcast(S, w[w1 + t]);
            a10 = v0.fma(b, a10); a11 = v1.fma(b, a11);
            b = FloatVector.broadcast(S, w[w2 + t]);
            a20 = v0.fma(b, a20); a21 = v1.fma(b, a21);
            b = FloatVector.broadcast(S, w[w3 + t]);
            a30 = v0.fma(b, a30); a31 = v1.fma(b, a31);
            b = FloatVector.broadcast(S, w[w4 + t]);
            a40 = v0.fma(b, a40); a41 = v1.fma(b, a41);
            b = FloatVector.broadcast(S, w[w5 + t]);
            a50 = v0.fma(b, a50); a51 = v1.fma(b, a51);
            b = FloatVector.broadcast(S, w[w6 + t]);
            a60 = v0.fma(b, a60); a61 = v1.fma(b, a61);
            b = FloatVector.broadcast(S, w[w7 + t]);
            a70 = v0.fma(b, a70); a71 = v1.fma(b, a71);
        }
        boolean whole = d + VL <= pplane;
        { // channel o + 0: relu each row (as Gemm.activate), then the pool (exact: the values are +0 or positive)
            FloatVector r0 = FloatVector.zero(S).blend(a00, a00.compare(VectorOperators.GT, 0f));
            FloatVector r1 = FloatVector.zero(S).blend(a01, a01.compare(VectorOperators.GT, 0f));
            FloatVector v = r0.max(r1);
            v = v.max(v.rearrange(NEXT)).rearrange(EVENS);
            int at = yOff + (o + 0) * pplane + d;
            if (whole) v.intoArray(y, at); else { v.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, at, pw); }
        }
        { // channel o + 1: relu each row (as Gemm.activate), then the pool (exact: the values are +0 or positive)
            FloatVector r0 = FloatVector.zero(S).blend(a10, a10.compare(VectorOperators.GT, 0f));
            FloatVector r1 = FloatVector.zero(S).blend(a11, a11.compare(VectorOperators.GT, 0f));
            FloatVector v = r0.max(r1);
            v = v.max(v.rearrange(NEXT)).rearrange(EVENS);
            int at = yOff + (o + 1) * pplane + d;
            if (whole) v.intoArray(y, at); else { v.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, at, pw); }
        }
        { // channel o + 2: relu each row (as Gemm.activate), then the pool (exact: the values are +0 or positive)
            FloatVector r0 = FloatVector.zero(S).blend(a20, a20.compare(VectorOperators.GT, 0f));
            FloatVector r1 = FloatVector.zero(S).blend(a21, a21.compare(VectorOperators.GT, 0f));
            FloatVector v = r0.max(r1);
            v = v.max(v.rearrange(NEXT)).rearrange(EVENS);
            int at = yOff + (o + 2) * pplane + d;
            if (whole) v.intoArray(y, at); else { v.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, at, pw); }
        }
        { // channel o + 3: relu each row (as Gemm.activate), then the pool (exact: the values are +0 or positive)
            FloatVector r0 = FloatVector.zero(S).blend(a30, a30.compare(VectorOperators.GT, 0f));
            FloatVector r1 = FloatVector.zero(S).blend(a31, a31.compare(VectorOperators.GT, 0f));
            FloatVector v = r0.max(r1);
            v = v.max(v.rearrange(NEXT)).rearrange(EVENS);
            int at = yOff + (o + 3) * pplane + d;
            if (whole) v.intoArray(y, at); else { v.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, at, pw); }
        }
        { // channel o + 4: relu each row (as Gemm.activate), then the pool (exact: the values are +0 or positive)
            FloatVector r0 = FloatVector.zero(S).blend(a40, a40.compare(VectorOperators.GT, 0f));
            FloatVector r1 = FloatVector.zero(S).blend(a41, a41.compare(VectorOperators.GT, 0f));
            FloatVector v = r0.max(r1);
            v = v.max(v.rearrange(NEXT)).rearrange(EVENS);
            int at = yOff + (o + 4) * pplane + d;
            if (whole) v.intoArray(y, at); else { v.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, at, pw); }
        }
        { // channel o + 5: relu each row (as Gemm.activate), then the pool (exact: the values are +0 or positive)
            FloatVector r0 = FloatVector.zero(S).blend(a50, a50.compare(VectorOperators.GT, 0f));
            FloatVector r1 = FloatVector.zero(S).blend(a51, a51.compare(VectorOperators.GT, 0f));
            FloatVector v = r0.max(r1);
            v = v.max(v.rearrange(NEXT)).rearrange(EVENS);
            int at = yOff + (o + 5) * pplane + d;
            if (whole) v.intoArray(y, at); else { v.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, at, pw); }
        }
        { // channel o + 6: relu each row (as Gemm.activate), then the pool (exact: the values are +0 or positive)
            FloatVector r0 = FloatVector.zero(S).blend(a60, a60.compare(VectorOperators.GT, 0f));
            FloatVector r1 = FloatVector.zero(S).blend(a61, a61.compare(VectorOperators.GT, 0f));
            FloatVector v = r0.max(r1);
            v = v.max(v.rearrange(NEXT)).rearrange(EVENS);
            int at = yOff + (o + 6) * pplane + d;
            if (whole) v.intoArray(y, at); else { v.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, at, pw); }
        }
        { // channel o + 7: relu each row (as Gemm.activate), then the pool (exact: the values are +0 or positive)
            FloatVector r0 = FloatVector.zero(S).blend(a70, a70.compare(VectorOperators.GT, 0f));
            FloatVector r1 = FloatVector.zero(S).blend(a71, a71.compare(VectorOperators.GT, 0f));
            FloatVector v = r0.max(r1);
            v = v.max(v.rearrange(NEXT)).rearrange(EVENS);
            int at = yOff + (o + 7) * pplane + d;
            if (whole) v.intoArray(y, at); else { v.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, at, pw); }
        }
    }

    /** Channels [o, o + 8) x row vectors [r, r + 1): bias first, the taps in order, the activation at the store. */
    private static void tile8x1(float[] xp, int[] taps, int k, float[] w, int wOff, int o, int r, int nch, int base,
                                  int wp, float[] y, int yOff, int ho, int wo, float[] bias, int biasOff, boolean relu, int tmp) {
        int i0 = (r + 0) / nch, j0 = (r + 0) % nch * VL, x0 = base + i0 * wp + j0, d0 = i0 * wo + j0, n0 = Math.min(VL, wo - j0);
        int w0 = wOff + (o + 0) * k, w1 = wOff + (o + 1) * k, w2 = wOff + (o + 2) * k, w3 = wOff + (o + 3) * k, w4 = wOff + (o + 4) * k, w5 = wOff + (o + 5) * k, w6 = wOff + (o + 6) * k, w7 = wOff + (o + 7) * k;
        FloatVector a00 = FloatVector.broadcast(S, bias(bias, biasOff + o + 0));
        FloatVector a10 = FloatVector.broadcast(S, bias(bias, biasOff + o + 1));
        FloatVector a20 = FloatVector.broadcast(S, bias(bias, biasOff + o + 2));
        FloatVector a30 = FloatVector.broadcast(S, bias(bias, biasOff + o + 3));
        FloatVector a40 = FloatVector.broadcast(S, bias(bias, biasOff + o + 4));
        FloatVector a50 = FloatVector.broadcast(S, bias(bias, biasOff + o + 5));
        FloatVector a60 = FloatVector.broadcast(S, bias(bias, biasOff + o + 6));
        FloatVector a70 = FloatVector.broadcast(S, bias(bias, biasOff + o + 7));
        for (int t = 0; t < k; t++) {
            int off = taps[t];
            FloatVector v0 = FloatVector.fromArray(S, xp, x0 + off);
            FloatVector b;
            b = FloatVector.broadcast(S, w[w0 + t]);
            a00 = v0.fma(b, a00);
            b = FloatVector.broadcast(S, w[w1 + t]);
            a10 = v0.fma(b, a10);
            b = FloatVector.broadcast(S, w[w2 + t]);
            a20 = v0.fma(b, a20);
            b = FloatVector.broadcast(S, w[w3 + t]);
            a30 = v0.fma(b, a30);
            b = FloatVector.broadcast(S, w[w4 + t]);
            a40 = v0.fma(b, a40);
            b = FloatVector.broadcast(S, w[w5 + t]);
            a50 = v0.fma(b, a50);
            b = FloatVector.broadcast(S, w[w6 + t]);
            a60 = v0.fma(b, a60);
            b = FloatVector.broadcast(S, w[w7 + t]);
            a70 = v0.fma(b, a70);
        }
        int plane = ho * wo;
        // stored inline: a vector passed to a method C2 does not inline is boxed on the heap
        boolean f0 = d0 + VL <= plane;
        if (relu) {
            a00 = FloatVector.zero(S).blend(a00, a00.compare(VectorOperators.GT, 0f));
            a10 = FloatVector.zero(S).blend(a10, a10.compare(VectorOperators.GT, 0f));
            a20 = FloatVector.zero(S).blend(a20, a20.compare(VectorOperators.GT, 0f));
            a30 = FloatVector.zero(S).blend(a30, a30.compare(VectorOperators.GT, 0f));
            a40 = FloatVector.zero(S).blend(a40, a40.compare(VectorOperators.GT, 0f));
            a50 = FloatVector.zero(S).blend(a50, a50.compare(VectorOperators.GT, 0f));
            a60 = FloatVector.zero(S).blend(a60, a60.compare(VectorOperators.GT, 0f));
            a70 = FloatVector.zero(S).blend(a70, a70.compare(VectorOperators.GT, 0f));
        }
        int y0 = yOff + (o + 0) * plane;
        if (f0) a00.intoArray(y, y0 + d0); else { a00.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y0 + d0, n0); }
        int y1 = yOff + (o + 1) * plane;
        if (f0) a10.intoArray(y, y1 + d0); else { a10.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y1 + d0, n0); }
        int y2 = yOff + (o + 2) * plane;
        if (f0) a20.intoArray(y, y2 + d0); else { a20.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y2 + d0, n0); }
        int y3 = yOff + (o + 3) * plane;
        if (f0) a30.intoArray(y, y3 + d0); else { a30.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y3 + d0, n0); }
        int y4 = yOff + (o + 4) * plane;
        if (f0) a40.intoArray(y, y4 + d0); else { a40.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y4 + d0, n0); }
        int y5 = yOff + (o + 5) * plane;
        if (f0) a50.intoArray(y, y5 + d0); else { a50.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y5 + d0, n0); }
        int y6 = yOff + (o + 6) * plane;
        if (f0) a60.intoArray(y, y6 + d0); else { a60.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y6 + d0, n0); }
        int y7 = yOff + (o + 7) * plane;
        if (f0) a70.intoArray(y, y7 + d0); else { a70.intoArray(xp, tmp); System.arraycopy(xp, tmp, y, y7 + d0, n0); }
    }

    /** One channel x one row vector: the channels left over after the blocks of 8. */
    private static void tile1x1(float[] xp, int[] taps, int k, float[] w, int wOff, int o, int r, int nch, int base,
                                int wp, float[] y, int yOff, int ho, int wo, float[] bias, int biasOff, boolean relu, int tmp) {
        int i0 = r / nch, j0 = r % nch * VL, x0 = base + i0 * wp + j0, w0 = wOff + o * k;
        FloatVector a = FloatVector.broadcast(S, bias(bias, biasOff + o));
        for (int t = 0; t < k; t++) a = FloatVector.fromArray(S, xp, x0 + taps[t]).fma(FloatVector.broadcast(S, w[w0 + t]), a);
        int plane = ho * wo, d = i0 * wo + j0, py = yOff + o * plane;
        if (relu) a = FloatVector.zero(S).blend(a, a.compare(VectorOperators.GT, 0f));
        if (d + VL <= plane) a.intoArray(y, py + d);
        else {
            a.intoArray(xp, tmp);
            System.arraycopy(xp, tmp, y, py + d, Math.min(VL, wo - j0));
        }
    }

    private static float bias(float[] bias, int i) { return bias == null ? 0f : bias[i]; }
}
