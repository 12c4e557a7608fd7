package dlc.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvDirect}'s loops with {@code jdk.incubator.vector}. The output plane of a channel is
 * cut into row vectors (row i, columns [j0, j0 + VL), the last of a row partly past its end); a
 * tile of 8 output channels x 2 row vectors is 16 accumulators, and each tap (c, u, v) costs two
 * vector loads of the padded block at {@code taps[t]} past the row vectors' corners, eight weight
 * broadcasts and sixteen fused multiply-adds (the GEMM micro-kernel's proportions, without packing).
 * The sums go to a scratch tile, from which the epilogue adds the bias, applies relu (as
 * Gemm.activate: v > 0 ? v : 0) and stores them, or pools pairs of rows. A row vector whose lanes
 * run past its row is stored whole while the overrun stays inside the channel's plane: the lanes
 * land on later row vectors of the same plane, which are stored after it (row vectors are stored in
 * increasing order per channel) and overwrite them; at the plane's end only the valid lanes are
 * copied. Referenced only when the vector module is present ({@link ConvDirect#applies}).
 *
 * <p>Scratch after the padded block at {@code s}: VL floats of slack, then 16 vectors of sums.
 */
final class VectorConvDirect {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    /** Per-thread tap offsets, grown on demand (a steady state allocates nothing). */
    private static final ThreadLocal<int[][]> TAPS = ThreadLocal.withInitial(() -> new int[1][0]);

    /** Per-thread tile of sums (an array of its own, so the sums never share the padded block's). */
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[16 * VL]);

    private VectorConvDirect() {}

    static int lanes() { return VL; }

    /** Floats of scratch after the padded block: slack for the last row's reads, and the sums of one tile. */
    static int scratchAfterBlock() { return 17 * VL; }

    /**
     * Output channels [o0, o1) of one image and group from the padded block {@code xp[p0 ..]}
     * ([cg, hp, wp]), its scratch at {@code s} (after the block); relu when {@code relu}.
     */
    static void run(float[] xp, int p0, int cg, int hp, int wp, int kh, int kw, int dh, int dw,
                    float[] w, int wOff, float[] y, int yOff, int ho, int wo, float[] bias, int biasOff, boolean relu,
                    int o0, int o1, int s) {
        int k = cg * kh * kw, nch = (wo + VL - 1) / VL, rows = ho * nch, plane = ho * wo, acc = 0;
        int[] taps = taps(k, cg, kh, kw, dh, dw, hp, wp);
        float[] sums = SUMS.get();
        int o = o0;
        for (; o + 8 <= o1; o += 8) {
            int r = 0, py = yOff + o * plane;
            for (; r + 2 <= rows; r += 2) {
                int i0 = r / nch, j0 = r % nch * VL, i1 = (r + 1) / nch, j1 = (r + 1) % nch * VL;
                sums8x2(xp, taps, k, w, wOff + o * k, p0 + i0 * wp + j0, p0 + i1 * wp + j1, sums, acc);
                store(sums, acc, 8, 2, i0 * wo + j0, Math.min(VL, wo - j0), i1 * wo + j1, Math.min(VL, wo - j1), bias, biasOff + o, relu, y, py, plane);
            }
            if (r < rows) {
                int i0 = r / nch, j0 = r % nch * VL;
                sums8x1(xp, taps, k, w, wOff + o * k, p0 + i0 * wp + j0, sums, acc);
                store(sums, acc, 8, 1, i0 * wo + j0, Math.min(VL, wo - j0), 0, 0, bias, biasOff + o, relu, y, py, plane);
            }
        }
        for (; o < o1; o++)
            for (int r = 0; r < rows; r++) {
                int i0 = r / nch, j0 = r % nch * VL;
                sums1x1(xp, taps, k, w, wOff + o * k, p0 + i0 * wp + j0, sums, acc);
                store(sums, acc, 1, 1, i0 * wo + j0, Math.min(VL, wo - j0), 0, 0, bias, biasOff + o, relu, y, yOff + o * plane, plane);
            }
    }

    /**
     * {@link #run} with relu and a 2x2 max pool (stride 2, no padding) of each channel's plane,
     * writing only the pooled planes {@code y[yOff + o*(Ho/2)*(Wo/2) ..]}. A tile's two row vectors
     * are the same columns of rows (i, i + 1); the pooled row i/2 takes VL/2 columns per vector (the
     * last vector's valid lanes / 2); an odd last row or column is dropped, as the pool drops it.
     */
    static void runPooled(float[] xp, int p0, int cg, int hp, int wp, int kh, int kw, int dh, int dw,
                          float[] w, int wOff, float[] y, int yOff, int ho, int wo, float[] bias, int biasOff,
                          int o0, int o1, int s) {
        int k = cg * kh * kw, pw = wo / 2, pplane = ho / 2 * pw, acc = 0, nch = (wo + VL - 1) / VL;
        int[] taps = taps(k, cg, kh, kw, dh, dw, hp, wp);
        float[] sums = SUMS.get();
        int o = o0;
        for (; o + 8 <= o1; o += 8)
            for (int i = 0; i + 2 <= ho; i += 2)
                for (int c = 0, j0 = 0; c < nch; c++, j0 += VL) {
                    sums8x2(xp, taps, k, w, wOff + o * k, p0 + i * wp + j0, p0 + (i + 1) * wp + j0, sums, acc);
                    pool(sums, acc, 8, bias, biasOff + o, y, yOff + o * pplane + i / 2 * pw + j0 / 2, pplane, Math.min(VL, wo - j0) / 2);
                }
        for (; o < o1; o++)
            for (int i = 0; i + 2 <= ho; i += 2)
                for (int c = 0, j0 = 0; c < nch; c++, j0 += VL) {
                    sums1x1(xp, taps, k, w, wOff + o * k, p0 + i * wp + j0, sums, acc);
                    sums1x1(xp, taps, k, w, wOff + o * k, p0 + (i + 1) * wp + j0, sums, acc + VL);
                    pool(sums, acc, 1, bias, biasOff + o, y, yOff + o * pplane + i / 2 * pw + j0 / 2, pplane, Math.min(VL, wo - j0) / 2);
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
     * The sums of channels [o, o + 8) x row vectors at input offsets x0, x1 into 16 vectors at {@code acc[a ..]}
     * (channel-major). Only the multiply-adds and plain stores: C2 compiles a method this size with every
     * vector operation intrinsified, where one that also held the epilogue fell back to the API's Java code.
     */
    private static void sums8x2(float[] xp, int[] taps, int k, float[] w, int w0, int x0, int x1, float[] acc, int a) {
        int w1 = w0 + k, w2 = w0 + 2 * k, w3 = w0 + 3 * k, w4 = w0 + 4 * k, w5 = w0 + 5 * k, w6 = w0 + 6 * k, w7 = w0 + 7 * k;
        // the first tap peeled (k >= 1): accumulators that start as products, not as one shared zero (measured: 7.5 -> 6.8 ms for the reference conv2)
        int off0 = taps[0];
        FloatVector v00 = FloatVector.fromArray(S, xp, x0 + off0), v10 = FloatVector.fromArray(S, xp, x1 + off0);
        FloatVector b00 = FloatVector.broadcast(S, w[w0]), b10 = FloatVector.broadcast(S, w[w1 + 0]), b20 = FloatVector.broadcast(S, w[w2 + 0]), b30 = FloatVector.broadcast(S, w[w3 + 0]), b40 = FloatVector.broadcast(S, w[w4 + 0]), b50 = FloatVector.broadcast(S, w[w5 + 0]), b60 = FloatVector.broadcast(S, w[w6 + 0]), b70 = FloatVector.broadcast(S, w[w7 + 0]);
        FloatVector a00 = v00.mul(b00), a01 = v10.mul(b00), a10 = v00.mul(b10), a11 = v10.mul(b10), a20 = v00.mul(b20), a21 = v10.mul(b20), a30 = v00.mul(b30), a31 = v10.mul(b30), a40 = v00.mul(b40), a41 = v10.mul(b40), a50 = v00.mul(b50), a51 = v10.mul(b50), a60 = v00.mul(b60), a61 = v10.mul(b60), a70 = v00.mul(b70), a71 = v10.mul(b70);
        for (int t = 1; t < k; t++) {
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
        a00.intoArray(acc, a + 0 * VL); a01.intoArray(acc, a + 1 * VL);
        a10.intoArray(acc, a + 2 * VL); a11.intoArray(acc, a + 3 * VL);
        a20.intoArray(acc, a + 4 * VL); a21.intoArray(acc, a + 5 * VL);
        a30.intoArray(acc, a + 6 * VL); a31.intoArray(acc, a + 7 * VL);
        a40.intoArray(acc, a + 8 * VL); a41.intoArray(acc, a + 9 * VL);
        a50.intoArray(acc, a + 10 * VL); a51.intoArray(acc, a + 11 * VL);
        a60.intoArray(acc, a + 12 * VL); a61.intoArray(acc, a + 13 * VL);
        a70.intoArray(acc, a + 14 * VL); a71.intoArray(acc, a + 15 * VL);
    }

    /**
     * The sums of channels [o, o + 8) x row vectors at input offsets x0 into 8 vectors at {@code acc[a ..]}
     * (channel-major). Only the multiply-adds and plain stores: C2 compiles a method this size with every
     * vector operation intrinsified, where one that also held the epilogue fell back to the API's Java code.
     */
    private static void sums8x1(float[] xp, int[] taps, int k, float[] w, int w0, int x0, float[] acc, int a) {
        int w1 = w0 + k, w2 = w0 + 2 * k, w3 = w0 + 3 * k, w4 = w0 + 4 * k, w5 = w0 + 5 * k, w6 = w0 + 6 * k, w7 = w0 + 7 * k;
        // the first tap peeled (k >= 1): accumulators that start as products, not as one shared zero (measured: 7.5 -> 6.8 ms for the reference conv2)
        int off0 = taps[0];
        FloatVector v00 = FloatVector.fromArray(S, xp, x0 + off0);
        FloatVector b00 = FloatVector.broadcast(S, w[w0]), b10 = FloatVector.broadcast(S, w[w1 + 0]), b20 = FloatVector.broadcast(S, w[w2 + 0]), b30 = FloatVector.broadcast(S, w[w3 + 0]), b40 = FloatVector.broadcast(S, w[w4 + 0]), b50 = FloatVector.broadcast(S, w[w5 + 0]), b60 = FloatVector.broadcast(S, w[w6 + 0]), b70 = FloatVector.broadcast(S, w[w7 + 0]);
        FloatVector a00 = v00.mul(b00), a10 = v00.mul(b10), a20 = v00.mul(b20), a30 = v00.mul(b30), a40 = v00.mul(b40), a50 = v00.mul(b50), a60 = v00.mul(b60), a70 = v00.mul(b70);
        for (int t = 1; t < k; t++) {
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
        a00.intoArray(acc, a + 0 * VL);
        a10.intoArray(acc, a + 1 * VL);
        a20.intoArray(acc, a + 2 * VL);
        a30.intoArray(acc, a + 3 * VL);
        a40.intoArray(acc, a + 4 * VL);
        a50.intoArray(acc, a + 5 * VL);
        a60.intoArray(acc, a + 6 * VL);
        a70.intoArray(acc, a + 7 * VL);
    }

    /** One channel x one row vector: the channels left over after the blocks of 8. */
    private static void sums1x1(float[] xp, int[] taps, int k, float[] w, int w0, int x0, float[] acc, int a) {
        FloatVector s = FloatVector.zero(S);
        for (int t = 0; t < k; t++) s = FloatVector.fromArray(S, xp, x0 + taps[t]).fma(FloatVector.broadcast(S, w[w0 + t]), s);
        s.intoArray(acc, a);
    }

    /**
     * The epilogue of a tile of {@code channels} x {@code vecs} row vectors (sums at {@code acc[a ..]},
     * channel-major): plus the channel's bias, relu'd when asked, row vector j to
     * {@code y[py + m*plane + dj ..]}: the whole vector when it ends inside the channel's plane,
     * else its first nj lanes. One call per tile (a call per vector cost a fifth of the conv).
     */
    private static void store(float[] acc, int a, int channels, int vecs, int d0, int n0, int d1, int n1,
                              float[] bias, int biasOff, boolean relu, float[] y, int py, int plane) {
        for (int m = 0; m < channels; m++) {
            float b = bias == null ? 0f : bias[biasOff + m];
            for (int j = 0; j < vecs; j++) {
                int at = a + (m * vecs + j) * VL, d = j == 0 ? d0 : d1, dst = py + m * plane + d;
                FloatVector v = FloatVector.fromArray(S, acc, at).add(b);
                if (relu) v = FloatVector.zero(S).blend(v, v.compare(VectorOperators.GT, 0f));
                if (d + VL <= plane) v.intoArray(y, dst);
                else {
                    v.intoArray(acc, at);
                    System.arraycopy(acc, at, y, dst, j == 0 ? n0 : n1);
                }
            }
        }
    }

    /**
     * The pooled epilogue of {@code channels} x 2 rows (sums at {@code acc[a ..]}, channel-major: row
     * i then row i + 1): plus the bias, relu'd, the two rows' lanewise max, then the max of each lane
     * pair: {@code pw} values to {@code y[at + m*pplane ..]}. Exact, as Pool's max of the relu'd
     * values (they are +0 or positive, so the order of the maxima does not matter).
     */
    private static void pool(float[] acc, int a, int channels, float[] bias, int biasOff, float[] y, int at, int pplane, int pw) {
        for (int m = 0; m < channels; m++) {
            float b = bias == null ? 0f : bias[biasOff + m];
            int a0 = a + 2 * m * VL, dst = at + m * pplane;
            FloatVector v0 = FloatVector.fromArray(S, acc, a0).add(b), v1 = FloatVector.fromArray(S, acc, a0 + VL).add(b);
            v0 = FloatVector.zero(S).blend(v0, v0.compare(VectorOperators.GT, 0f));
            v1 = FloatVector.zero(S).blend(v1, v1.compare(VectorOperators.GT, 0f));
            v0.max(v1).intoArray(acc, a0);
            for (int j = 0; j < pw; j++) y[dst + j] = Math.max(acc[a0 + 2 * j], acc[a0 + 2 * j + 1]);
        }
    }
}
