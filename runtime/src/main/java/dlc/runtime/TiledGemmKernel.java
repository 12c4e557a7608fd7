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
     * The cache-blocked loops around the micro-kernel for one (sub-)problem on one thread: for each
     * nc-wide column block and kc-deep slice, pack the B block once, then for each mc-high row
     * block pack A and run the micro-kernel over the tiles; the epilogue runs on each C block as
     * soon as its last slice is added, while the block is still in cache.
     */
    @Override final void blocked(GemmScratch s, boolean transA, boolean transB, int m, int n, int k,
                                          float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                                 boolean accumulate, float[] bias, int biasOff, int biasKind, int act) {
        // even slices: k = 300 runs as 2 x 150 rather than 256 + 44
        int kcMax = Gemm.ceilDiv(k, Gemm.ceilDiv(k, Gemm.KC));
        int mcMax = Gemm.roundUp(Math.min(Gemm.roundUp(Gemm.MC, mr), Gemm.roundUp(m, mr)), mr);
        int ncMax = Math.min(Gemm.roundUp(Gemm.NC, nr), Gemm.roundUp(n, nr));
        float[] ap = s.a(mcMax * kcMax), bp = s.b(kcMax * ncMax), tile = s.tile(mr * nr);
        for (int jc = 0; jc < n; jc += ncMax) {
            int nc = Math.min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                boolean add = accumulate || pc > 0, last = pc + kc == k;
                // a loop invariant's panels come packed from an earlier step of the same scan run
                float[] bpk = s.packedB(transB, b, bOff, ldb, pc, kc, jc, nc, nr, bp);
                for (int ic = 0; ic < m; ic += mcMax) {
                    int mc = Math.min(mcMax, m - ic);
                    GemmPacking.packA(transA, a, aOff, lda, ic, mc, pc, kc, mr, ap);
                    for (int jr = 0; jr < nc; jr += nr) {
                        int cols = Math.min(nr, nc - jr), bi = jr * kc;
                        for (int ir = 0; ir < mc; ir += mr) {
                            int rows = Math.min(mr, mc - ir), ai = ir * kc, ci = cOff + (ic + ir) * ldc + jc + jr;
                            if (rows == mr && cols == nr) {
                                tile(kc, ap, ai, bpk, bi, c, ci, ldc, add);
                            } else {
                                // an edge tile: compute the full tile aside, keep the part inside C
                                tile(kc, ap, ai, bpk, bi, tile, 0, nr, false);
                                for (int r = 0; r < rows; r++)
                                    for (int q = 0; q < cols; q++) {
                                        int x = ci + r * ldc + q;
                                        c[x] = add ? c[x] + tile[r * nr + q] : tile[r * nr + q];
                                    }
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
