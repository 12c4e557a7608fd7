package dlc.data;

/**
 * A small, fully specified random generator (SplitMix64) whose whole state is one {@code long}.
 *
 * <p>Why not {@link java.util.SplittableRandom}: its Gaussian sampler is not specified and may change
 * between JDKs, and its state cannot be read back. Here the sequence is defined by this file alone, so
 * data sets, shuffles and checkpoints ("RNG position" = {@link #state()}) reproduce on any JVM and in
 * generated model jars.
 *
 * <p>Not the graphs' generator {@code dlc.numerics.Rng}, though both end in SplitMix64's finalizer:
 * that one is counter-based (draw {@code i} of a stream is a function of the key and {@code i}
 * alone, 24-bit uniforms, Box-Muller normals), so that a compiled graph may compute elements in any
 * order; this one is sequential (53-bit doubles, unbiased bounded integers, polar-method normals,
 * a position that checkpoints record). Data sets and shuffles are defined by this sequence, so
 * replacing it would change every synthetic data set and every epoch's batch order.
 */
public final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    /** A generator seeded with {@code seed}; two generators with the same seed give the same sequence. */
    public Rng(long seed) { this.state = seed; }

    /** A generator for an independent stream derived from {@code seed} and a stream number (e.g. an epoch). */
    public static Rng forStream(long seed, long stream) {
        return new Rng(mix(seed ^ mix(stream + GOLDEN)));
    }

    /** The current position; {@code new Rng(r.state())} continues exactly where {@code r} is. */
    public long state() { return state; }

    /** The next 64 uniformly distributed bits. */
    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** A uniform integer in [0, bound); unbiased (rejection sampling). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        // Take 31 random bits and reject the top partial range so that every residue is equally likely.
        int limit = Integer.MAX_VALUE - (int) ((Integer.MAX_VALUE + 1L) % bound);
        while (true) {
            int r = (int) (nextLong() >>> 33);
            if (r <= limit) return r % bound;
        }
    }

    /** A uniform double in [0, 1) with 53 random bits. */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** A uniform double in [lo, hi). */
    public double uniform(double lo, double hi) { return lo + (hi - lo) * nextDouble(); }

    /**
     * A standard normal sample (Marsaglia's polar method). The second value of each pair is discarded
     * on purpose so that the state stays a single long.
     */
    public double nextGaussian() {
        while (true) {
            double u = 2 * nextDouble() - 1, v = 2 * nextDouble() - 1;
            double s = u * u + v * v;
            if (s > 0 && s < 1) return u * Math.sqrt(-2 * Math.log(s) / s);
        }
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
