package dlc.runtime;

/**
 * One thread's packing buffers for {@link Gemm}, grown on demand and kept, so that a steady stream
 * of multiplies allocates nothing.
 */
final class GemmScratch {
    private static final ThreadLocal<GemmScratch> LOCAL = ThreadLocal.withInitial(GemmScratch::new);

    private float[] a = new float[0], b = new float[0], tile = new float[0];

    static GemmScratch get() { return LOCAL.get(); }

    float[] a(int n) { return a.length >= n ? a : (a = new float[n]); }

    float[] b(int n) { return b.length >= n ? b : (b = new float[n]); }

    float[] tile(int n) { return tile.length >= n ? tile : (tile = new float[n]); }
}
