package dlc.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvChannelBlocks}' loops with {@code jdk.incubator.vector}. Tiles, per block of output
 * channels and pair of output rows (i, i + 1): with 2 vectors of channels, 2 rows x 6 columns
 * (three pooled outputs, 24 accumulators) while six columns remain, then 2 x 4, then 2 x 2 (the
 * pooled width may be odd); with 1 vector (a last odd one), 2 x 4 then 2 x 2. The multiply-adds run in small methods of their own
 * that end by storing the accumulators to a per-thread tile of sums (as {@link VectorConvDirect}:
 * C2 then intrinsifies every vector operation), from which {@link #pool} adds the bias, applies
 * relu (v > 0 ? v : 0, as Gemm.activate), takes the lanewise max of each 2x2 window and stores
 * the pooled vectors to a row buffer (pooled columns x channels); {@link #transpose} then copies
 * each channel's pooled row to its NCHW plane. Referenced only when the vector module is present
 * ({@link ConvChannelBlocks#appliesPooled}).
 *
 * <p>Tile of sums, for a tile W = 6 or 4 columns wide (a 2-column tile is stored as a 4-wide
 * one): accumulator (channel vector a, row r, column c) at {@code ((a*2W + r*W + c) * VL)}.
 */
final class VectorConvChannelBlocks {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    /** Per-thread tap offsets, grown on demand (a steady state allocates nothing). */
    private static final ThreadLocal<int[][]> TAPS = ThreadLocal.withInitial(() -> new int[1][0]);

    /** Per-thread tile of sums. */
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[24 * VL]);

    private VectorConvChannelBlocks() {}

    static int lanes() { return VL; }

    /**
     * The og output channels' pooled planes from the padded block {@code xp[p0 ..]} ([cg, hp, wp])
     * and the group's panels at {@code panels[pOff ..]}: relu, then the 2x2 max pool.
     */
    static void runPooled(float[] xp, int p0, int cg, int hp, int wp, int kh, int kw, int dh, int dw,
                          float[] panels, int pOff, int og, float[] y, int yOff, int ho, int wo, float[] bias, int biasOff) {
        run(xp, p0, cg, hp, wp, kh, kw, dh, dw, panels, pOff, og, y, yOff, ho / 2 * 2, wo / 2 * 2, bias, biasOff, true, true);
    }

    /**
     * The og output channels' planes {@code y[yOff + o*ho*wo ..]} = bias + conv, relu'd when
     * {@code relu}, from the padded block and the group's panels (ho, wo >= 2).
     */
    static void runPlain(float[] xp, int p0, int cg, int hp, int wp, int kh, int kw, int dh, int dw,
                         float[] panels, int pOff, int og, float[] y, int yOff, int ho, int wo, float[] bias, int biasOff,
                         boolean relu) {
        run(xp, p0, cg, hp, wp, kh, kw, dh, dw, panels, pOff, og, y, yOff, ho, wo, bias, biasOff, relu, false);
    }

    /**
     * The one tile loop of both entries, over the output rows [0, rows) and columns [0, cols):
     * per channel block, row pairs, and across a pair tiles 6 (two channel vectors only), 4 and 2
     * columns wide; 8 columns left run as 4 + 4, not 6 + 2 (a 14-wide plane: 6 + 4 + 4), since the
     * 2-wide tile's 8 accumulators leave its weight loads unamortized (CNN b64 inference 3 % faster). Pooled, rows and cols are even and the tiles fall on the 2x2 windows; plain, an
     * odd last row or column is covered by a last pair or tile moved back by one (it recomputes a
     * row or column already stored, with the same values), so no tile reads past the padded block.
     * Only the epilogue differs: {@link #pool} or {@link #store} into the row buffer, which
     * {@link #transpose} then copies to the channels' planes (a pooled row, or the pair's two rows,
     * contiguous in NCHW).
     */
    private static void run(float[] xp, int p0, int cg, int hp, int wp, int kh, int kw, int dh, int dw,
                            float[] panels, int pOff, int og, float[] y, int yOff, int rows, int cols,
                            float[] bias, int biasOff, boolean relu, boolean pooled) {
        int k = cg * kh * kw, plane = pooled ? rows / 2 * (cols / 2) : rows * cols, perRow = pooled ? cols / 2 : 2 * cols;
        int[] taps = taps(cg, kh, kw, dh, dw, hp, wp);
        float[] sums = SUMS.get(), row = row(perRow);
        for (int ob = 0; ob < og; ) {
            int nb = og - ob >= 2 * VL ? 2 * VL : VL, wt = pOff + ob * k, vecs = nb / VL;
            for (int i = 0; i < rows; i += 2) {
                int r = Math.min(i, rows - 2), x0 = p0 + r * wp;
                for (int j = 0; j < cols; ) {
                    int left = cols - j, width = vecs == 2 && left >= 6 && left != 8 ? 6 : left >= 4 ? 4 : 2; // 8 as 4 + 4, not 6 + 2
                    int c0 = Math.min(j, cols - width), stride = width == 6 ? 6 : 4;
                    if (vecs == 2) {
                        if (width == 6) sums2x6x2(xp, taps, k, panels, wt, x0 + c0, wp, sums);
                        else if (width == 4) sums2x4x2(xp, taps, k, panels, wt, x0 + c0, wp, sums);
                        else sums2x2x2(xp, taps, k, panels, wt, x0 + c0, wp, sums);
                    } else if (width == 4) sums2x4x1(xp, taps, k, panels, wt, x0 + c0, wp, sums);
                    else sums2x2x1(xp, taps, k, panels, wt, x0 + c0, wp, sums);
                    if (pooled) pool(sums, vecs, stride, width / 2, bias, biasOff + ob, row, c0 / 2 * nb);
                    else store(sums, vecs, stride, width, bias, biasOff + ob, relu, row, c0, cols, nb);
                    j = c0 + width;
                }
                transpose(row, nb, perRow, y, yOff + ob * plane + (pooled ? r / 2 * (cols / 2) : r * cols), plane);
            }
            ob += nb;
        }
    }

    private static int[] taps(int cg, int kh, int kw, int dh, int dw, int hp, int wp) {
        int[][] holder = TAPS.get();
        int k = cg * kh * kw;
        if (holder[0].length < k) holder[0] = new int[k];
        int[] taps = holder[0];
        for (int c = 0, t = 0; c < cg; c++)
            for (int u = 0; u < kh; u++)
                for (int v = 0; v < kw; v++, t++) taps[t] = (c * hp + u * dh) * wp + v * dw;
        return taps;
    }

    /**
     * Sums of 2 channel vectors (panel taps at {@code p[wt + t*2VL ..]}) x output pixels (rows x0,
     * x0 + wp; columns +0..+3) into the tile. The accumulators start at -0.0: fma(b, w, -0.0) is
     * b*w rounded once, its sign included, so each sum rounds exactly as {@link VectorConvDirect}'s
     * (which start from the first product) without a peeled first tap, which made these methods
     * half again as large for C2.
     */
    private static void sums2x4x2(float[] xp, int[] taps, int k, float[] p, int wt, int x0, int wp, float[] acc) {
        int x1 = x0 + wp;
        FloatVector w0, w1, b, z = FloatVector.broadcast(S, -0f);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a04 = z, a05 = z, a06 = z, a07 = z;
        FloatVector a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z, a16 = z, a17 = z;
        for (int t = 0; t < k; t++) {
            int off = taps[t], q = wt + t * 2 * VL, r0 = x0 + off, r1 = x1 + off;
            w0 = FloatVector.fromArray(S, p, q);
            w1 = FloatVector.fromArray(S, p, q + VL);
            b = FloatVector.broadcast(S, xp[r0]);
            a00 = b.fma(w0, a00); a10 = b.fma(w1, a10);
            b = FloatVector.broadcast(S, xp[r0 + 1]);
            a01 = b.fma(w0, a01); a11 = b.fma(w1, a11);
            b = FloatVector.broadcast(S, xp[r0 + 2]);
            a02 = b.fma(w0, a02); a12 = b.fma(w1, a12);
            b = FloatVector.broadcast(S, xp[r0 + 3]);
            a03 = b.fma(w0, a03); a13 = b.fma(w1, a13);
            b = FloatVector.broadcast(S, xp[r1]);
            a04 = b.fma(w0, a04); a14 = b.fma(w1, a14);
            b = FloatVector.broadcast(S, xp[r1 + 1]);
            a05 = b.fma(w0, a05); a15 = b.fma(w1, a15);
            b = FloatVector.broadcast(S, xp[r1 + 2]);
            a06 = b.fma(w0, a06); a16 = b.fma(w1, a16);
            b = FloatVector.broadcast(S, xp[r1 + 3]);
            a07 = b.fma(w0, a07); a17 = b.fma(w1, a17);
        }
        a00.intoArray(acc, 0); a01.intoArray(acc, VL); a02.intoArray(acc, 2  * VL); a03.intoArray(acc, 3  * VL);
        a04.intoArray(acc, 4  * VL); a05.intoArray(acc, 5  * VL); a06.intoArray(acc, 6  * VL); a07.intoArray(acc, 7  * VL);
        a10.intoArray(acc, 8  * VL); a11.intoArray(acc, 9  * VL); a12.intoArray(acc, 10  * VL); a13.intoArray(acc, 11  * VL);
        a14.intoArray(acc, 12  * VL); a15.intoArray(acc, 13  * VL); a16.intoArray(acc, 14  * VL); a17.intoArray(acc, 15  * VL);
    }

    /** {@link #sums2x4x2} for columns +0..+5 (three pooled outputs): 24 accumulators. */
    private static void sums2x6x2(float[] xp, int[] taps, int k, float[] p, int wt, int x0, int wp, float[] acc) {
        int x1 = x0 + wp;
        FloatVector w0, w1, b, z = FloatVector.broadcast(S, -0f);
        FloatVector a000 = z, a001 = z, a002 = z, a003 = z, a004 = z, a005 = z;
        FloatVector a010 = z, a011 = z, a012 = z, a013 = z, a014 = z, a015 = z;
        FloatVector a100 = z, a101 = z, a102 = z, a103 = z, a104 = z, a105 = z;
        FloatVector a110 = z, a111 = z, a112 = z, a113 = z, a114 = z, a115 = z;
        for (int t = 0; t < k; t++) {
            int off = taps[t], q = wt + t * 2 * VL, r0 = x0 + off, r1 = x1 + off;
            w0 = FloatVector.fromArray(S, p, q);
            w1 = FloatVector.fromArray(S, p, q + VL);
            b = FloatVector.broadcast(S, xp[r0 + 0]);
            a000 = b.fma(w0, a000); a100 = b.fma(w1, a100);
            b = FloatVector.broadcast(S, xp[r0 + 1]);
            a001 = b.fma(w0, a001); a101 = b.fma(w1, a101);
            b = FloatVector.broadcast(S, xp[r0 + 2]);
            a002 = b.fma(w0, a002); a102 = b.fma(w1, a102);
            b = FloatVector.broadcast(S, xp[r0 + 3]);
            a003 = b.fma(w0, a003); a103 = b.fma(w1, a103);
            b = FloatVector.broadcast(S, xp[r0 + 4]);
            a004 = b.fma(w0, a004); a104 = b.fma(w1, a104);
            b = FloatVector.broadcast(S, xp[r0 + 5]);
            a005 = b.fma(w0, a005); a105 = b.fma(w1, a105);
            b = FloatVector.broadcast(S, xp[r1 + 0]);
            a010 = b.fma(w0, a010); a110 = b.fma(w1, a110);
            b = FloatVector.broadcast(S, xp[r1 + 1]);
            a011 = b.fma(w0, a011); a111 = b.fma(w1, a111);
            b = FloatVector.broadcast(S, xp[r1 + 2]);
            a012 = b.fma(w0, a012); a112 = b.fma(w1, a112);
            b = FloatVector.broadcast(S, xp[r1 + 3]);
            a013 = b.fma(w0, a013); a113 = b.fma(w1, a113);
            b = FloatVector.broadcast(S, xp[r1 + 4]);
            a014 = b.fma(w0, a014); a114 = b.fma(w1, a114);
            b = FloatVector.broadcast(S, xp[r1 + 5]);
            a015 = b.fma(w0, a015); a115 = b.fma(w1, a115);
        }
        a000.intoArray(acc, 0 * VL);
        a001.intoArray(acc, 1 * VL);
        a002.intoArray(acc, 2 * VL);
        a003.intoArray(acc, 3 * VL);
        a004.intoArray(acc, 4 * VL);
        a005.intoArray(acc, 5 * VL);
        a010.intoArray(acc, 6 * VL);
        a011.intoArray(acc, 7 * VL);
        a012.intoArray(acc, 8 * VL);
        a013.intoArray(acc, 9 * VL);
        a014.intoArray(acc, 10 * VL);
        a015.intoArray(acc, 11 * VL);
        a100.intoArray(acc, 12 * VL);
        a101.intoArray(acc, 13 * VL);
        a102.intoArray(acc, 14 * VL);
        a103.intoArray(acc, 15 * VL);
        a104.intoArray(acc, 16 * VL);
        a105.intoArray(acc, 17 * VL);
        a110.intoArray(acc, 18 * VL);
        a111.intoArray(acc, 19 * VL);
        a112.intoArray(acc, 20 * VL);
        a113.intoArray(acc, 21 * VL);
        a114.intoArray(acc, 22 * VL);
        a115.intoArray(acc, 23 * VL);
    }

    /** {@link #sums2x4x2} for columns +0, +1 only (a last odd pooled column). */
    private static void sums2x2x2(float[] xp, int[] taps, int k, float[] p, int wt, int x0, int wp, float[] acc) {
        int x1 = x0 + wp;
        FloatVector w0, w1, b, z = FloatVector.broadcast(S, -0f);
        FloatVector a00 = z, a01 = z, a04 = z, a05 = z, a10 = z, a11 = z, a14 = z, a15 = z;
        for (int t = 0; t < k; t++) {
            int off = taps[t], q = wt + t * 2 * VL, r0 = x0 + off, r1 = x1 + off;
            w0 = FloatVector.fromArray(S, p, q);
            w1 = FloatVector.fromArray(S, p, q + VL);
            b = FloatVector.broadcast(S, xp[r0]);
            a00 = b.fma(w0, a00); a10 = b.fma(w1, a10);
            b = FloatVector.broadcast(S, xp[r0 + 1]);
            a01 = b.fma(w0, a01); a11 = b.fma(w1, a11);
            b = FloatVector.broadcast(S, xp[r1]);
            a04 = b.fma(w0, a04); a14 = b.fma(w1, a14);
            b = FloatVector.broadcast(S, xp[r1 + 1]);
            a05 = b.fma(w0, a05); a15 = b.fma(w1, a15);
        }
        a00.intoArray(acc, 0); a01.intoArray(acc, VL); a04.intoArray(acc, 4  * VL); a05.intoArray(acc, 5  * VL);
        a10.intoArray(acc, 8  * VL); a11.intoArray(acc, 9  * VL); a14.intoArray(acc, 12  * VL); a15.intoArray(acc, 13  * VL);
    }

    /** {@link #sums2x4x2} for one vector of channels (panel taps at {@code p[wt + t*VL ..]}). */
    private static void sums2x4x1(float[] xp, int[] taps, int k, float[] p, int wt, int x0, int wp, float[] acc) {
        int x1 = x0 + wp;
        FloatVector w0, z = FloatVector.broadcast(S, -0f);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        for (int t = 0; t < k; t++) {
            int off = taps[t], r0 = x0 + off, r1 = x1 + off;
            w0 = FloatVector.fromArray(S, p, wt + t  * VL);
            a0 = FloatVector.broadcast(S, xp[r0]).fma(w0, a0);
            a1 = FloatVector.broadcast(S, xp[r0 + 1]).fma(w0, a1);
            a2 = FloatVector.broadcast(S, xp[r0 + 2]).fma(w0, a2);
            a3 = FloatVector.broadcast(S, xp[r0 + 3]).fma(w0, a3);
            a4 = FloatVector.broadcast(S, xp[r1]).fma(w0, a4);
            a5 = FloatVector.broadcast(S, xp[r1 + 1]).fma(w0, a5);
            a6 = FloatVector.broadcast(S, xp[r1 + 2]).fma(w0, a6);
            a7 = FloatVector.broadcast(S, xp[r1 + 3]).fma(w0, a7);
        }
        a0.intoArray(acc, 0); a1.intoArray(acc, VL); a2.intoArray(acc, 2  * VL); a3.intoArray(acc, 3  * VL);
        a4.intoArray(acc, 4  * VL); a5.intoArray(acc, 5  * VL); a6.intoArray(acc, 6  * VL); a7.intoArray(acc, 7  * VL);
    }

    /** {@link #sums2x4x1} for columns +0, +1 only. */
    private static void sums2x2x1(float[] xp, int[] taps, int k, float[] p, int wt, int x0, int wp, float[] acc) {
        int x1 = x0 + wp;
        FloatVector w0, z = FloatVector.broadcast(S, -0f);
        FloatVector a0 = z, a1 = z, a4 = z, a5 = z;
        for (int t = 0; t < k; t++) {
            int off = taps[t], r0 = x0 + off, r1 = x1 + off;
            w0 = FloatVector.fromArray(S, p, wt + t  * VL);
            a0 = FloatVector.broadcast(S, xp[r0]).fma(w0, a0);
            a1 = FloatVector.broadcast(S, xp[r0 + 1]).fma(w0, a1);
            a4 = FloatVector.broadcast(S, xp[r1]).fma(w0, a4);
            a5 = FloatVector.broadcast(S, xp[r1 + 1]).fma(w0, a5);
        }
        a0.intoArray(acc, 0); a1.intoArray(acc, VL); a4.intoArray(acc, 4  * VL); a5.intoArray(acc, 5  * VL);
    }

    /**
     * The epilogue of a tile {@code width} columns wide: for each of {@code vecs} channel vectors and
     * {@code cols} pooled columns, bias added and relu'd (each of the window's four sums, then their
     * max: exact, the values being +0 or positive), to the pooled row buffer at
     * {@code row[at + pc*vecs*VL + a*VL ..]} (pooled column-major, channels within).
     */
    private static void pool(float[] acc, int vecs, int width, int cols, float[] bias, int biasOff, float[] row, int at) {
        for (int a = 0; a < vecs; a++) {
            FloatVector bv = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, biasOff + a * VL);
            for (int pc = 0; pc < cols; pc++) {
                int s = (a * 2 * width + 2 * pc) * VL, s1 = s + width * VL;
                FloatVector v0 = relu(FloatVector.fromArray(S, acc, s).add(bv));
                FloatVector v1 = relu(FloatVector.fromArray(S, acc, s + VL).add(bv));
                FloatVector v2 = relu(FloatVector.fromArray(S, acc, s1).add(bv));
                FloatVector v3 = relu(FloatVector.fromArray(S, acc, s1 + VL).add(bv));
                v0.max(v1).max(v2.max(v3)).intoArray(row, at + (pc * vecs + a) * VL);
            }
        }
    }

    /**
     * The epilogue of an unpooled tile {@code stride} columns apart in the tile of sums: for each of
     * {@code vecs} channel vectors, both rows and {@code cols} columns, bias added (then relu'd when
     * {@code relu}), to the row buffer at {@code row[((r*width + c0 + c)*nb + a*VL ..]} (the pair's two
     * rows of {@code width} columns, channels within).
     */
    private static void store(float[] acc, int vecs, int stride, int cols, float[] bias, int biasOff, boolean relu,
                              float[] row, int c0, int width, int nb) {
        for (int a = 0; a < vecs; a++) {
            FloatVector bv = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, biasOff + a * VL);
            for (int r = 0; r < 2; r++)
                for (int c = 0; c < cols; c++) {
                    FloatVector v = FloatVector.fromArray(S, acc, (a * 2 * stride + r * stride + c) * VL).add(bv);
                    int at = (r * width + c0 + c) * nb + a * VL;
                    if (relu) relu(v).intoArray(row, at); // two stores, not one of a merged vector (a phi C2 may not unbox)
                    else v.intoArray(row, at);
                }
        }
    }

    /**
     * The row buffer ({@code pw} columns x {@code nb} channels: a pooled row, or an unpooled pair of
     * rows) to the channels' NCHW rows {@code y[dst + m*pplane ..]}, a channel at a time (contiguous stores; the buffer is in L1).
     * Scalar: a gather per vector of columns ran no faster on this JDK.
     */
    private static void transpose(float[] row, int nb, int pw, float[] y, int dst, int pplane) {
        for (int m = 0; m < nb; m++)
            for (int j = 0, d = dst + m * pplane, r = m; j < pw; j++, r += nb) y[d + j] = row[r];
    }

    /** Per-thread row buffer, grown on demand: {@code perRow} columns x 2 vectors of channels. */
    private static final ThreadLocal<float[][]> ROW = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] row(int perRow) {
        float[][] holder = ROW.get();
        int n = perRow * 2 * VL;
        if (holder[0].length < n) holder[0] = new float[n];
        return holder[0];
    }

    private static FloatVector relu(FloatVector v) {
        return FloatVector.zero(S).blend(v, v.compare(VectorOperators.GT, 0f));
    }
}
