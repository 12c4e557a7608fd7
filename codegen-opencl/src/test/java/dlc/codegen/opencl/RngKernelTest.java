package dlc.codegen.opencl;

import dlc.numerics.Rng;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * rng.cl against dlc.numerics.Rng, the generator the interpreter and the JVM backend call: the
 * integers bit for bit, float32 and float64 uniforms bit for bit (one exact scaling and a
 * correctly rounded multiply-add in double, contraction off), float32 normals bit for bit, and
 * float64 normals within a few ulps: log and cos are not correctly rounded, neither in OpenCL
 * (3 and 4 ulps allowed) nor in Java's Math (1 ulp), so the last bits of a double may differ;
 * rounding to float32 hides such a difference except once in about 2^28 draws.
 */
class RngKernelTest {
    private static final int N = 20_000;

    /** Keys at the edges of the range and random ones below 2^52. */
    private static long[] keys() {
        Random r = new Random(12);
        long[] keys = new long[24];
        keys[0] = 0;
        keys[1] = 1;
        keys[2] = Rng.KEY_LIMIT - 1;
        keys[3] = 0x9E3779B9L;
        for (int i = 4; i < keys.length; i++) keys[i] = r.nextLong() & (Rng.KEY_LIMIT - 1);
        return keys;
    }

    private static ArenaLayout layout() {
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("keys", 64L * Double.BYTES);
        sizes.put("out", (long) N * Double.BYTES);
        return ArenaLayout.packed(sizes);
    }

    @Test void bitsMatchMixForManyKeysAndCounters() {
        ClExecutor ex = OpenClTestSupport.executor();
        RandomKernels rng = new RandomKernels(ex);
        long[] got = new long[N];
        try (DeviceArena arena = ex.arena("rng", layout())) {
            long outOff = arena.slice("out").elementOffset(Long.BYTES);
            for (long key : keys())
                for (long first : new long[]{0, 1L << 40, Long.MAX_VALUE - N, -N}) { // counters wrap as Java's long does
                    rng.bits(key, first, arena, outOff, N);
                    ex.download(arena, arena.slice("out"), got);
                    for (int i = 0; i < N; i++)
                        if (got[i] != Rng.mix(key, first + i))
                            fail("mix(" + key + ", " + (first + i) + "): device " + Long.toHexString(got[i]) + ", Java " + Long.toHexString(Rng.mix(key, first + i)));
                }
        }
    }

    @Test void foldMatchesForManyKeysAndSalts() {
        ClExecutor ex = OpenClTestSupport.executor();
        RandomKernels rng = new RandomKernels(ex);
        long[] keys = keys();
        long[] salts = {0, 1, 2, 7, 1L << 33, -1};
        double[] keyDoubles = new double[64];
        for (int i = 0; i < keys.length; i++) keyDoubles[i] = keys[i];
        double[] out = new double[keys.length * salts.length];
        try (DeviceArena arena = ex.arena("rng", layout())) {
            ex.upload(arena, arena.slice("keys"), keyDoubles);
            long outOff = arena.slice("out").elementOffset(Double.BYTES);
            for (int k = 0; k < keys.length; k++)
                for (int s = 0; s < salts.length; s++) rng.fold(arena, k, salts[s], outOff + (long) k * salts.length + s);
            ex.download(arena, arena.slice("out"), out);
        }
        for (int k = 0; k < keys.length; k++)
            for (int s = 0; s < salts.length; s++)
                assertEquals((double) Rng.fold(keys[k], salts[s]), out[k * salts.length + s], 0.0, "fold(" + keys[k] + ", " + salts[s] + ")");
    }

    @Test void uniformAndNormalFloatsAreTheJvmBackendsFloats() {
        ClExecutor ex = OpenClTestSupport.executor();
        RandomKernels rng = new RandomKernels(ex);
        long[] keys = keys();
        double[] keyDoubles = new double[64];
        for (int i = 0; i < keys.length; i++) keyDoubles[i] = keys[i];
        double[][] params = {{0, 1}, {-3, 5.5}, {1e-3, 2e-3}, {0.1, -0.7}};
        float[] got = new float[N], want = new float[N];
        double[] got64 = new double[N], want64 = new double[N];
        long normal64Differ = 0, normal64Total = 0;
        double worstUlps = 0;
        try (DeviceArena arena = ex.arena("rng", layout())) {
            ex.upload(arena, arena.slice("keys"), keyDoubles);
            long yOff = arena.slice("out").elementOffset(Double.BYTES) * 2; // as floats
            long yOff64 = arena.slice("out").elementOffset(Double.BYTES);
            for (int k = 0; k < keys.length; k++)
                for (double[] p : params) {
                    String what = "key " + keys[k] + ", " + p[0] + ", " + p[1];
                    rng.uniform(arena, k, p[0], p[1], false, yOff, N);
                    ex.download(arena, arena.slice("out"), got);
                    Rng.uniform(keyDoubles, k, p[0], p[1], want, 0, N);
                    assertArrayEquals(want, got, "random_uniform f32, " + what);

                    rng.normal(arena, k, p[0], p[1], false, yOff, N);
                    ex.download(arena, arena.slice("out"), got);
                    Rng.normal(keyDoubles, k, p[0], p[1], want, 0, N);
                    assertArrayEquals(want, got, "random_normal f32, " + what);

                    rng.uniform(arena, k, p[0], p[1], true, yOff64, N);
                    ex.download(arena, arena.slice("out"), got64);
                    Rng.uniform(keyDoubles, k, p[0], p[1], want64, 0, N);
                    assertArrayEquals(want64, got64, "random_uniform f64, " + what);

                    rng.normal(arena, k, p[0], p[1], true, yOff64, N);
                    ex.download(arena, arena.slice("out"), got64);
                    Rng.normal(keyDoubles, k, p[0], p[1], want64, 0, N);
                    for (int i = 0; i < N; i++) {
                        normal64Total++;
                        if (got64[i] == want64[i]) continue;
                        normal64Differ++;
                        // in ulps of the larger of |mean| and |std * z|: mean + std * z may cancel
                        double scale = Math.max(Math.abs(p[0]), Math.abs(want64[i] - p[0]));
                        double ulps = Math.abs(got64[i] - want64[i]) / Math.ulp(scale);
                        worstUlps = Math.max(worstUlps, ulps);
                    }
                }
        }
        System.out.printf("random_normal f64 on %s: %d of %d draws differ from Java in the last bits, at most %.1f ulps%n",
                ex.device().name(), normal64Differ, normal64Total, worstUlps);
        assertTrue(worstUlps <= 16, "random_normal f64 differs from Java by " + worstUlps + " ulps");
    }

    @Test void anInvalidKeyGivesNaNNotNumbers() {
        ClExecutor ex = OpenClTestSupport.executor();
        RandomKernels rng = new RandomKernels(ex);
        double[] bad = {-1, Rng.KEY_LIMIT, 0.5, Double.NaN, Double.POSITIVE_INFINITY};
        double[] keyDoubles = new double[64];
        System.arraycopy(bad, 0, keyDoubles, 0, bad.length);
        float[] got = new float[8];
        double[] folded = new double[8];
        try (DeviceArena arena = ex.arena("rng", layout())) {
            ex.upload(arena, arena.slice("keys"), keyDoubles);
            long yOff = arena.slice("out").elementOffset(Float.BYTES);
            for (int k = 0; k < bad.length; k++) {
                double key = bad[k];
                assertThrows(IllegalArgumentException.class, () -> Rng.key(key)); // the JVM backend refuses it too
                rng.uniform(arena, k, 0, 1, false, yOff, 8);
                ex.download(arena, arena.slice("out"), got);
                for (float v : got) assertTrue(Float.isNaN(v), "uniform with key " + key);
                rng.normal(arena, k, 0, 1, false, yOff, 8);
                ex.download(arena, arena.slice("out"), got);
                for (float v : got) assertTrue(Float.isNaN(v), "normal with key " + key);
                rng.fold(arena, k, 3, arena.slice("out").elementOffset(Double.BYTES));
                ex.download(arena, arena.slice("out"), folded);
                assertTrue(Double.isNaN(folded[0]), "fold of key " + key);
            }
        }
    }
}
