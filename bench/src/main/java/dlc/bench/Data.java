package dlc.bench;

import java.util.Random;

/**
 * Deterministic synthetic data, a copy of the peers' {@code peers/Data.java}
 * (same seeds give the same values as the peers feed to PyTorch and DL4J). Kept as a copy because
 * the peers project is outside the reactor.
 */
final class Data {
    private Data() {}

    /** Uniform [0,1) floats (like normalized pixels), row-major for the given total size. */
    static float[] uniform(long seed, int n) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat();
        return a;
    }

    /** Standard normal floats. */
    static float[] normal(long seed, int n) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    /** Class labels in [0, classes), as the JVM backend stores an i32 tensor: a double[]. */
    static double[] labels(long seed, int n, int classes) {
        Random r = new Random(seed);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(classes);
        return a;
    }
}
