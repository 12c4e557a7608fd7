package dlc.numerics;

/**
 * The counter-based random number generator, defined here once: the reference interpreter's random
 * ops ({@code dlc.ir.ops.RandomOps}) and the JVM backend's kernels both call it, so a seed gives the
 * same numbers on every backend whatever order elements are computed in (draw {@code i} of a
 * stream depends only on the key and on {@code i}); another backend reimplements exactly this.
 * A key is a non-negative integer below 2^52, so that the float64 interpreter holds it exactly.
 * In 64-bit two's-complement arithmetic with {@code >>>} the logical shift:
 * <pre>
 *   mix(key, c):  z = key * 0x9E3779B97F4A7C15 + (c + 1) * 0xD1B54A32D192ED03
 *                 z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9
 *                 z = (z ^ (z >>> 27)) * 0x94D049BB133111EB
 *                 z =  z ^ (z >>> 31)
 *   uniform(key, i) = (mix(key, i) >>> 40) * 2^-24
 *   fold(key, salt) = mix(key, salt) &amp; (2^52 - 1)
 *   normal(key, i)  = sqrt(-2 ln(1 - uniform(key, 2i))) * cos(2 pi uniform(key, 2i + 1))
 * </pre>
 * The finalizer is splitmix64's (Steele, Lea, Flood 2014). A uniform has 24 random bits, so it
 * is exact in f32 and f64; {@code 1 - u} is in (0, 1], so normals are finite (|z| < 5.77). Keys are
 * i64 scalars, stored as doubles; draws are computed in double and rounded once to float for f32.
 */
public final class Rng {
    private Rng() {}

    /** Keys are below this bound (2^52). */
    public static final long KEY_LIMIT = 1L << 52;

    private static final long KEY_MASK = KEY_LIMIT - 1;

    /** The 64 mixed bits for draw {@code counter} of stream {@code key} (splitmix64's finalizer). */
    public static long mix(long key, long counter) {
        long z = key * 0x9E3779B97F4A7C15L + (counter + 1) * 0xD1B54A32D192ED03L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Draw {@code i} of stream {@code key}, uniform in [0, 1) with 24-bit resolution. */
    public static double uniform(long key, long i) { return (mix(key, i) >>> 40) * 0x1p-24; }

    /** Draw {@code i} of stream {@code key}, standard normal by Box-Muller from draws 2i and 2i+1. */
    public static double normal(long key, long i) {
        double u1 = uniform(key, 2 * i), u2 = uniform(key, 2 * i + 1);
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** A new key derived from {@code key} and {@code salt}; distinct salts give independent streams. */
    public static long fold(long key, long salt) { return mix(key, salt) & KEY_MASK; }

    /** The key held by a stored i64 element; throws when it is not an integer in [0, 2^52). */
    public static long key(double v) {
        if (!(v >= 0 && v < KEY_LIMIT) || v != Math.rint(v))
            throw new IllegalArgumentException("random key must be an integer in [0, 2^52), got " + v);
        return (long) v;
    }

    // ---------------------------------------------------------------- kernels

    /** rng_fold: {@code y[yOff] = fold(key, salt)}. */
    public static void fold(double[] k, int kOff, long salt, double[] y, int yOff) {
        y[yOff] = fold(key(k[kOff]), salt);
    }

    /** random_uniform: {@code y[i] = low + (high - low) * uniform(key, i)} for i below n. */
    public static void uniform(double[] k, int kOff, double low, double high, float[] y, int yOff, int n) {
        long key = key(k[kOff]);
        double scale = high - low;
        for (int i = 0; i < n; i++) y[yOff + i] = (float) (low + scale * uniform(key, i));
    }

    public static void uniform(double[] k, int kOff, double low, double high, double[] y, int yOff, int n) {
        long key = key(k[kOff]);
        double scale = high - low;
        for (int i = 0; i < n; i++) y[yOff + i] = low + scale * uniform(key, i);
    }

    /** random_normal: {@code y[i] = mean + std * normal(key, i)} for i below n. */
    public static void normal(double[] k, int kOff, double mean, double std, float[] y, int yOff, int n) {
        long key = key(k[kOff]);
        for (int i = 0; i < n; i++) y[yOff + i] = (float) (mean + std * normal(key, i));
    }

    public static void normal(double[] k, int kOff, double mean, double std, double[] y, int yOff, int n) {
        long key = key(k[kOff]);
        for (int i = 0; i < n; i++) y[yOff + i] = mean + std * normal(key, i);
    }
}
