package dlc.runtime;

/**
 * A kernel built around a register-blocked micro-kernel ({@link #tile}) over packed panels (see
 * {@link GemmPacking} for the layouts): the classic cache-blocked loops, BLIS-style.
 */
abstract class TiledGemmKernel extends GemmKernel {
    TiledGemmKernel(int mr, int nr) { super(mr, nr); }

    /**
     * {@code C[ci + r*ldc + c] (+)= sum_p ap[ai + p*mr + r] * bp[bi + p*nr + c]} for the full
     * {@code mr x nr} tile; adds to C when {@code add}, else overwrites it.
     */
    abstract void tile(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean add);

    /**
     * The same tile as {@link #tile} with A read in place instead of from a packed panel: row
     * {@code r} of the tile is {@code a[a0 + r*lda + p]}, and rows from {@code rows} on (an edge
     * tile) repeat row {@code rows - 1}, so nothing past A's last row is read; the caller keeps
     * only the first {@code rows} rows of such a tile.
     */
    abstract void tileRowsA(int kc, float[] a, int a0, int lda, int rows, float[] bp, int bi, float[] c, int ci, int ldc, boolean add);

    /**
     * {@link #tileRowsA} for a tile of only {@link #SHORT_ROWS} rows (rows from {@code rows} on
     * repeat row {@code rows - 1}): the last rows of a block whose height is not a multiple of
     * {@code mr} (32 = 6+6+6+6+4+4 rather than six 6-row tiles, the last one two-thirds repeats).
     */
    abstract void tileRowsA4(int kc, float[] a, int a0, int lda, int rows, float[] bp, int bi, float[] c, int ci, int ldc, boolean add);

    static final int SHORT_ROWS = 4;

    /**
     * Rows of the next in-place tile when {@code left} rows of the block remain: {@code mr} rows
     * while that leaves none or more than {@link #SHORT_ROWS}, else short tiles, so that 7 or 8
     * rows run as 4 + 3-4 and 1-4 rows as one short tile instead of a mostly repeated full one.
     */
    final int inPlaceRows(int left) {
        if (left <= SHORT_ROWS) return left;
        if (left > mr && left <= mr + 2) return SHORT_ROWS; // mr = 6: 7 or 8 left
        return Math.min(mr, left);
    }

    /**
     * Panel width for a narrow B ({@code n} up to this, e.g. a classifier's 10 outputs), or 0 for
     * none: a full-width panel would spend most of its multiply-adds on zero padding.
     */
    int narrowWidth() { return 0; }

    /** Rows of the narrow tile ({@link #tileNarrow}). */
    int narrowRows() { return mr; }

    /** As {@link #tileRowsA} for a {@link #narrowRows()} x {@link #narrowWidth()} tile over panels of that width. */
    void tileNarrow(int kc, float[] a, int a0, int lda, int rows, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {
        throw new UnsupportedOperationException(name() + " has no narrow tile");
    }

    /**
     * The cache-blocked loops around the micro-kernel for one (sub-)problem on one thread: for each
     * nc-wide column block and kc-deep slice, pack the B block once, then for each mc-high row
     * block pack A (unless A is read in place: not transposed, its rows are contiguous already)
     * and run the micro-kernel over the tiles; the epilogue runs on each C block as soon as its
     * last slice is added, while the block is still in cache.
     */
    @Override final void blocked(GemmScratch s, boolean transA, boolean transB, int m, int n, int k,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                                 boolean accumulate, float[] bias, int biasOff, int biasKind, int act) {
        // A's rows are read in place when they are contiguous: packing them costs more than it saves
        // (a 6-row tile reads 6 sequential streams, which stay in L1 across the B panels)
        boolean direct = !transA;
        boolean narrow = direct && n <= narrowWidth();
        int w = narrow ? narrowWidth() : nr, h = narrow ? narrowRows() : mr;
        // even slices: k = 300 runs as 2 x 150 rather than 256 + 44
        int kcMax = Gemm.ceilDiv(k, Gemm.ceilDiv(k, Gemm.KC));
        int mcMax = Gemm.roundUp(Math.min(Gemm.roundUp(Gemm.MC, mr), Gemm.roundUp(m, mr)), mr);
        int ncMax = Math.min(Gemm.roundUp(Gemm.NC, w), Gemm.roundUp(n, w));
        float[] ap = direct ? null : s.a(mcMax * kcMax), bp = s.b(kcMax * ncMax), tile = s.tile(h * w);
        for (int jc = 0; jc < n; jc += ncMax) {
            int nc = Math.min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                boolean add = accumulate || pc > 0, last = pc + kc == k;
                // a loop invariant's panels come packed from an earlier step of the same scan run
                float[] bpk = s.packedB(transB, b, bOff, ldb, pc, kc, jc, nc, w, bp);
                for (int ic = 0; ic < m; ic += mcMax) {
                    int mc = Math.min(mcMax, m - ic);
                    if (!direct) GemmPacking.packA(transA, a, aOff, lda, ic, mc, pc, kc, mr, ap);
                    for (int jr = 0; jr < nc; jr += w) {
                        int cols = Math.min(w, nc - jr), bi = jr * kc;
                        for (int ir = 0, rows; ir < mc; ir += rows) {
                            // in place (A not packed), the last rows of the block run short tiles
                            boolean inPlace = direct && !narrow;
                            rows = inPlace ? inPlaceRows(mc - ir) : Math.min(h, mc - ir);
                            boolean shortRows = inPlace && rows <= SHORT_ROWS;
                            int th = shortRows ? SHORT_ROWS : h;
                            int ci = cOff + (ic + ir) * ldc + jc + jr, a0 = aOff + (ic + ir) * lda + pc;
                            boolean full = rows == th && cols == w;
                            // an edge tile is computed aside, and only its part inside C is kept
                            float[] out = full ? c : tile;
                            int oi = full ? ci : 0, ld = full ? ldc : w;
                            boolean o = full && add;
                            if (narrow) tileNarrow(kc, a, a0, lda, rows, bpk, bi, out, oi, ld, o);
                            else if (shortRows) tileRowsA4(kc, a, a0, lda, rows, bpk, bi, out, oi, ld, o);
                            else if (direct) tileRowsA(kc, a, a0, lda, rows, bpk, bi, out, oi, ld, o);
                            else tile(kc, ap, ir * kc, bpk, bi, out, oi, ld, o);
                            if (!full)
                                for (int r = 0; r < rows; r++)
                                    for (int q = 0; q < cols; q++) {
                                        int x = ci + r * ldc + q;
                                        c[x] = add ? c[x] + tile[r * w + q] : tile[r * w + q];
                                    }
                        }
                    }
                    if (last)
                        epilogue(c, cOff + ic * ldc + jc, ldc, mc, nc, bias,
                                biasOff + (biasKind == Gemm.BIAS_ROW ? ic : jc), biasKind, act);
                }
            }
        }
    }
}
