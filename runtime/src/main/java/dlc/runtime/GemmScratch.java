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
