package dlc.runtime;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Weights registered as invariant are packed once per thread and reused (a write the owner does
 * not report is not seen: the proof that the packing is skipped), give the same bits as an
 * unregistered multiply, and are packed afresh after {@link InvariantWeights#changed()}.
 */
class InvariantWeightsTest {
    // 8 x 64 x 300: more rows than the unpacked vector-matrix path takes, less work than a split
    private static final int M = 8, N = 64, K = 300;

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    private static float[] multiply(float[] x, float[] w, InvariantWeights registered) {
        float[] c = new float[M * N];
        if (registered != null) registered.begin();
        try {
            Gemm.matmul(false, false, M, N, K, x, 0, K, w, 0, N, c, 0, N, false);
        } finally {
            if (registered != null) registered.end();
        }
        return c;
    }

    @Test void packedOnceReusedAndRepackedAfterAChange() {
        float[] x = random(M * K, 1), w = random(K * N, 2);
        float[] plain = multiply(x, w, null);
        InvariantWeights weights = new InvariantWeights(new Object[]{null, w});
        assertArrayEquals(plain, multiply(x, w, weights), "registered weights give the same bits");

        for (int i = 0; i < w.length; i++) w[i] *= 2;
        assertArrayEquals(plain, multiply(x, w, weights), "unreported writes are not seen: the panels packed first are reused");

        weights.changed();
        float[] doubled = multiply(x, w, weights);
        assertArrayEquals(multiply(x, w, null), doubled, "after changed() the new values are packed");
        for (int i = 0; i < doubled.length; i++) assertEquals(2 * plain[i], doubled[i], Math.ulp(2 * plain[i]) * 4);
    }

    @Test void anUnregisteredArrayIsPackedAtEveryCall() {
        float[] x = random(M * K, 3), w = random(K * N, 4), other = random(K * N, 5);
        InvariantWeights weights = new InvariantWeights(new Object[]{other});
        float[] before = multiply(x, w, weights);
        for (int i = 0; i < w.length; i++) w[i] = -w[i];
        float[] after = multiply(x, w, weights);
        for (int i = 0; i < after.length; i++) assertEquals(-before[i], after[i], 0f);
    }
}
