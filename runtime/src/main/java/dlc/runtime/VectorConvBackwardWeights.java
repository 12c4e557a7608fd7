package dlc.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvBackwardWeights}'s sums with {@code jdk.incubator.vector}: a tile of 4 output channels
 * x 6 taps is 24 vector accumulators; each step of q loads 4 vectors of the padded w planes and 6 of
 * the padded x planes (one per tap) for 24 fused multiply-adds, and the tile runs over every k (the
 * layer's images) before its accumulators are reduced, lane by lane in a fixed order, once. Smaller
 * tiles (4 x 3, 4 x 1, 1 x 1) take the rest. Each tile is a small method of its own holding only the
 * multiply-adds and plain stores (so that C2 intrinsifies every vector operation in it, as in
 * {@link VectorConvDirect}). Referenced only when the vector module is present.
 */
final class VectorConvBackwardWeights {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    /** Per-thread tap offsets, grown on demand (a steady state allocates nothing). */
    private static final ThreadLocal<int[][]> TAPS = ThreadLocal.withInitial(() -> new int[1][0]);

    /** Per-thread sums of one tile. */
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[24 * VL]);

    private VectorConvBackwardWeights() {}

    static int lanes() { return VL; }

    /**
     * {@code y[yOff + (b*O + o)*PH*PW + a*PW + c] = sum_k sum_q g[gOff + (o*nk + k)*qpad + q] * xp[(b*nk + k)*planeX + a*sH*wp + c*sW + q]}
     * for output channels o in [o0, o1) of O, b < nb, a < ph, c < pw: the padded operands of {@link ConvBackwardWeights}.
     */
    static void sums(float[] xp, int gOff, float[] g, int nb, int nk, int planeX, int wp, int qpad, int ph, int pw,
                     int sh, int sw, int o, int o0, int o1, float[] y, int yOff) {
        int p = ph * pw, nt = nb * p, gs = nk * qpad;
        int[] taps = taps(nt, nk, planeX, wp, ph, pw, sh, sw);
        float[] sums = SUMS.get();
        int oc = o0;
        for (; oc + 4 <= o1; oc += 4) {
            int g0 = gOff + oc * gs, t = 0;
            for (; t + 6 <= nt; t += 6) {
                sums4x6(g, g0, gs, xp, taps, t, nk, planeX, qpad, sums);
                store(sums, 4, 6, t, oc, o, p, y, yOff);
            }
            for (; t + 3 <= nt; t += 3) {
                sums4x3(g, g0, gs, xp, taps, t, nk, planeX, qpad, sums);
                store(sums, 4, 3, t, oc, o, p, y, yOff);
            }
            for (; t < nt; t++) {
                sums4x1(g, g0, gs, xp, taps, t, nk, planeX, qpad, sums);
                store(sums, 4, 1, t, oc, o, p, y, yOff);
            }
        }
        for (; oc < o1; oc++)
            for (int t = 0; t < nt; t++) {
                sums1x1(g, gOff + oc * gs, gs, xp, taps, t, nk, planeX, qpad, sums);
                store(sums, 1, 1, t, oc, o, p, y, yOff);
            }
    }

    /** taps[t] for t = (b, a, c): the offset of tap t's window in the padded x planes of k = 0. */
    private static int[] taps(int nt, int nk, int planeX, int wp, int ph, int pw, int sh, int sw) {
        int[][] holder = TAPS.get();
        if (holder[0].length < nt) holder[0] = new int[nt];
        int[] taps = holder[0];
        for (int t = 0; t < nt; t++) {
            int b = t / (ph * pw), a = t / pw % ph, c = t % pw;
            taps[t] = b * nk * planeX + a * sh * wp + c * sw;
        }
        return taps;
    }

    /** The lanes of each of the tile's vectors summed in order, to its output (b, o, a, c). */
    private static void store(float[] sums, int mo, int nt, int t, int oc, int o, int p, float[] y, int yOff) {
        for (int m = 0; m < mo; m++)
            for (int j = 0; j < nt; j++) {
                int s = (m * nt + j) * VL;
                float acc = 0f;
                for (int l = 0; l < VL; l++) acc += sums[s + l];
                int tt = t + j;
                y[yOff + (tt / p * o + oc + m) * p + tt % p] = acc;
            }
    }

    /** Output channels [o, o + 4) x taps [t, t + 6) summed over every k and q, 24 vectors to {@code sums} (channel-major). */
    private static void sums4x6(float[] g, int g0, int gs, float[] xp, int[] taps, int t, int nk, int planeX, int qpad, float[] sums) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a02 = FloatVector.zero(S), a03 = FloatVector.zero(S), a04 = FloatVector.zero(S), a05 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a12 = FloatVector.zero(S), a13 = FloatVector.zero(S), a14 = FloatVector.zero(S), a15 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a22 = FloatVector.zero(S), a23 = FloatVector.zero(S), a24 = FloatVector.zero(S), a25 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a32 = FloatVector.zero(S), a33 = FloatVector.zero(S), a34 = FloatVector.zero(S), a35 = FloatVector.zero(S);
        int t0 = taps[t + 0], t1 = taps[t + 1], t2 = taps[t + 2], t3 = taps[t + 3], t4 = taps[t + 4], t5 = taps[t + 5];
        // one flat loop over (k, q): accumulators carried by a nested loop's phis were boxed by C2 (JDK 17)
        int gq = g0, xq = 0, q = 0;
        for (int steps = nk * (qpad / VL); steps > 0; steps--) {
            FloatVector gv0 = FloatVector.fromArray(S, g, gq + q);
            FloatVector gv1 = FloatVector.fromArray(S, g, gq + 1 * gs + q);
            FloatVector gv2 = FloatVector.fromArray(S, g, gq + 2 * gs + q);
            FloatVector gv3 = FloatVector.fromArray(S, g, gq + 3 * gs + q);
            FloatVector v;
            v = FloatVector.fromArray(S, xp, xq + t0 + q);
            a00 = gv0.fma(v, a00); a10 = gv1.fma(v, a10); a20 = gv2.fma(v, a20); a30 = gv3.fma(v, a30);
            v = FloatVector.fromArray(S, xp, xq + t1 + q);
            a01 = gv0.fma(v, a01); a11 = gv1.fma(v, a11); a21 = gv2.fma(v, a21); a31 = gv3.fma(v, a31);
            v = FloatVector.fromArray(S, xp, xq + t2 + q);
            a02 = gv0.fma(v, a02); a12 = gv1.fma(v, a12); a22 = gv2.fma(v, a22); a32 = gv3.fma(v, a32);
            v = FloatVector.fromArray(S, xp, xq + t3 + q);
            a03 = gv0.fma(v, a03); a13 = gv1.fma(v, a13); a23 = gv2.fma(v, a23); a33 = gv3.fma(v, a33);
            v = FloatVector.fromArray(S, xp, xq + t4 + q);
            a04 = gv0.fma(v, a04); a14 = gv1.fma(v, a14); a24 = gv2.fma(v, a24); a34 = gv3.fma(v, a34);
            v = FloatVector.fromArray(S, xp, xq + t5 + q);
            a05 = gv0.fma(v, a05); a15 = gv1.fma(v, a15); a25 = gv2.fma(v, a25); a35 = gv3.fma(v, a35);
            q += VL;
            if (q == qpad) {
                q = 0;
                gq += qpad;
                xq += planeX;
            }
        }
        a00.intoArray(sums, 0 * VL); a01.intoArray(sums, 1 * VL); a02.intoArray(sums, 2 * VL); a03.intoArray(sums, 3 * VL); a04.intoArray(sums, 4 * VL); a05.intoArray(sums, 5 * VL);
        a10.intoArray(sums, 6 * VL); a11.intoArray(sums, 7 * VL); a12.intoArray(sums, 8 * VL); a13.intoArray(sums, 9 * VL); a14.intoArray(sums, 10 * VL); a15.intoArray(sums, 11 * VL);
        a20.intoArray(sums, 12 * VL); a21.intoArray(sums, 13 * VL); a22.intoArray(sums, 14 * VL); a23.intoArray(sums, 15 * VL); a24.intoArray(sums, 16 * VL); a25.intoArray(sums, 17 * VL);
        a30.intoArray(sums, 18 * VL); a31.intoArray(sums, 19 * VL); a32.intoArray(sums, 20 * VL); a33.intoArray(sums, 21 * VL); a34.intoArray(sums, 22 * VL); a35.intoArray(sums, 23 * VL);
    }

    /** Output channels [o, o + 4) x taps [t, t + 3) summed over every k and q, 12 vectors to {@code sums} (channel-major). */
    private static void sums4x3(float[] g, int g0, int gs, float[] xp, int[] taps, int t, int nk, int planeX, int qpad, float[] sums) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a02 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a12 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a22 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a32 = FloatVector.zero(S);
        int t0 = taps[t + 0], t1 = taps[t + 1], t2 = taps[t + 2];
        // one flat loop over (k, q): accumulators carried by a nested loop's phis were boxed by C2 (JDK 17)
        int gq = g0, xq = 0, q = 0;
        for (int steps = nk * (qpad / VL); steps > 0; steps--) {
            FloatVector gv0 = FloatVector.fromArray(S, g, gq + q);
            FloatVector gv1 = FloatVector.fromArray(S, g, gq + 1 * gs + q);
            FloatVector gv2 = FloatVector.fromArray(S, g, gq + 2 * gs + q);
            FloatVector gv3 = FloatVector.fromArray(S, g, gq + 3 * gs + q);
            FloatVector v;
            v = FloatVector.fromArray(S, xp, xq + t0 + q);
            a00 = gv0.fma(v, a00); a10 = gv1.fma(v, a10); a20 = gv2.fma(v, a20); a30 = gv3.fma(v, a30);
            v = FloatVector.fromArray(S, xp, xq + t1 + q);
            a01 = gv0.fma(v, a01); a11 = gv1.fma(v, a11); a21 = gv2.fma(v, a21); a31 = gv3.fma(v, a31);
            v = FloatVector.fromArray(S, xp, xq + t2 + q);
            a02 = gv0.fma(v, a02); a12 = gv1.fma(v, a12); a22 = gv2.fma(v, a22); a32 = gv3.fma(v, a32);
            q += VL;
            if (q == qpad) {
                q = 0;
                gq += qpad;
                xq += planeX;
            }
        }
        a00.intoArray(sums, 0 * VL); a01.intoArray(sums, 1 * VL); a02.intoArray(sums, 2 * VL);
        a10.intoArray(sums, 3 * VL); a11.intoArray(sums, 4 * VL); a12.intoArray(sums, 5 * VL);
        a20.intoArray(sums, 6 * VL); a21.intoArray(sums, 7 * VL); a22.intoArray(sums, 8 * VL);
        a30.intoArray(sums, 9 * VL); a31.intoArray(sums, 10 * VL); a32.intoArray(sums, 11 * VL);
    }

    /** Output channels [o, o + 4) x taps [t, t + 1) summed over every k and q, 4 vectors to {@code sums} (channel-major). */
    private static void sums4x1(float[] g, int g0, int gs, float[] xp, int[] taps, int t, int nk, int planeX, int qpad, float[] sums) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S);
        int t0 = taps[t + 0];
        // one flat loop over (k, q): accumulators carried by a nested loop's phis were boxed by C2 (JDK 17)
        int gq = g0, xq = 0, q = 0;
        for (int steps = nk * (qpad / VL); steps > 0; steps--) {
            FloatVector gv0 = FloatVector.fromArray(S, g, gq + q);
            FloatVector gv1 = FloatVector.fromArray(S, g, gq + 1 * gs + q);
            FloatVector gv2 = FloatVector.fromArray(S, g, gq + 2 * gs + q);
            FloatVector gv3 = FloatVector.fromArray(S, g, gq + 3 * gs + q);
            FloatVector v;
            v = FloatVector.fromArray(S, xp, xq + t0 + q);
            a00 = gv0.fma(v, a00); a10 = gv1.fma(v, a10); a20 = gv2.fma(v, a20); a30 = gv3.fma(v, a30);
            q += VL;
            if (q == qpad) {
                q = 0;
                gq += qpad;
                xq += planeX;
            }
        }
        a00.intoArray(sums, 0 * VL);
        a10.intoArray(sums, 1 * VL);
        a20.intoArray(sums, 2 * VL);
        a30.intoArray(sums, 3 * VL);
    }

    /** Output channels [o, o + 1) x taps [t, t + 1) summed over every k and q, 1 vectors to {@code sums} (channel-major). */
    private static void sums1x1(float[] g, int g0, int gs, float[] xp, int[] taps, int t, int nk, int planeX, int qpad, float[] sums) {
        FloatVector a00 = FloatVector.zero(S);
        int t0 = taps[t + 0];
        // one flat loop over (k, q): accumulators carried by a nested loop's phis were boxed by C2 (JDK 17)
        int gq = g0, xq = 0, q = 0;
        for (int steps = nk * (qpad / VL); steps > 0; steps--) {
            FloatVector gv0 = FloatVector.fromArray(S, g, gq + q);
            FloatVector v;
            v = FloatVector.fromArray(S, xp, xq + t0 + q);
            a00 = gv0.fma(v, a00);
            q += VL;
            if (q == qpad) {
                q = 0;
                gq += qpad;
                xq += planeX;
            }
        }
        a00.intoArray(sums, 0 * VL);
    }
}
