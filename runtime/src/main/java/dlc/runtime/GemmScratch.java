package dlc.runtime;

/**
 * One thread's packing buffers for {@link Gemm}, grown on demand and kept, so that a steady stream
 * of multiplies allocates nothing.
 */
final class GemmScratch {
    private static final ThreadLocal<GemmScratch> LOCAL = ThreadLocal.withInitial(GemmScratch::new);

    private float[] a = new float[0], b = new float[0], tile = new float[0];
    private float[][] rows = new float[0][], cRows = new float[0][];

    static GemmScratch get() { return LOCAL.get(); }

    /**
     * The {@link InvariantPacks} token of the B operand of the GEMM running on this thread, 0 when
     * B is not a loop invariant; set around each blocked call by {@link Gemm} and {@link GemmJob}.
     */
    long bToken;
    /** Cached B panels of loop invariants: key (token, array, offset, ld, trans, block) and the panels. */
    private static final int CACHED = 8;
    private final long[] keyToken = new long[CACHED];
    private final Object[] keyArray = new Object[CACHED];
    private final int[][] keyInts = new int[CACHED][8];
    private final float[][] panels = new float[CACHED][];
    private int nextSlot;

    /**
     * The packed panels of {@code op(B)[p0 .. p0+kc, j0 .. j0+nc]}: packed into {@code bp} when B is
     * not a loop invariant, else taken from (or packed once into) this thread's cache for the
     * current invariant token.
     */
    float[] packedB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc, int nr, float[] bp) {
        long token = bToken;
        if (token == 0) {
            GemmPacking.packB(transB, b, bOff, ldb, p0, kc, j0, nc, nr, bp);
            return bp;
        }
        int t = transB ? 1 : 0;
        for (int i = 0; i < CACHED; i++) {
            int[] k = keyInts[i];
            if (keyToken[i] == token && keyArray[i] == b && k[0] == bOff && k[1] == ldb && k[2] == t && k[3] == p0
                    && k[4] == kc && k[5] == j0 && k[6] == nc && k[7] == nr)
                return panels[i];
        }
        int i = nextSlot;
        nextSlot = (nextSlot + 1) % CACHED;
        int need = kc * Gemm.roundUp(nc, nr);
        if (panels[i] == null || panels[i].length < need) panels[i] = new float[need];
        GemmPacking.packB(transB, b, bOff, ldb, p0, kc, j0, nc, nr, panels[i]);
        keyToken[i] = token;
        keyArray[i] = b;
        int[] k = keyInts[i];
        k[0] = bOff;
        k[1] = ldb;
        k[2] = t;
        k[3] = p0;
        k[4] = kc;
        k[5] = j0;
        k[6] = nc;
        k[7] = nr;
        return panels[i];
    }

    float[] a(int n) { return a.length >= n ? a : (a = new float[n]); }

    float[] b(int n) { return b.length >= n ? b : (b = new float[n]); }

    float[] tile(int n) { return tile.length >= n ? tile : (tile = new float[n]); }

    /** At least {@code count} separate rows of at least {@code len} floats (the scalar kernel's B block). */
    float[][] rows(int count, int len) { return rows = grown(rows, count, len); }

    /** At least {@code count} separate rows of at least {@code len} floats (the scalar kernel's C rows). */
    float[][] cRows(int count, int len) { return cRows = grown(cRows, count, len); }

    private static float[][] grown(float[][] x, int count, int len) {
        if (x.length >= count && (count == 0 || x[0].length >= len)) return x;
        float[][] y = new float[Math.max(count, x.length)][Math.max(len, x.length > 0 ? x[0].length : 0)];
        return y;
    }
}
