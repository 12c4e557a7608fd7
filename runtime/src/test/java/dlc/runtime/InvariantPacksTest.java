package dlc.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The B panels of a registered loop invariant are reused only within the run that packed them:
 * a product with an invariant B gives the exact result of an unregistered one (the same panels,
 * so bit for bit), at every step, on one thread and split over two; an array changed after its run
 * ended (an optimizer step between two scans) is packed afresh, registered again or not.
 */
class InvariantPacksTest {
    // an LSTM step's h @ W_h: 32 x 128 times 128 x 512 (the packed path, not the few-rows one)
    private static final int M = 32, K = 128, N = 512;
    private static final long DEFAULT_MIN_WORK = Gemm.parallelMinWork;

    @AfterEach void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        Gemm.parallelMinWork = DEFAULT_MIN_WORK;
    }

    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian());
        return x;
    }

    private static float[] product(float[] a, float[] b, boolean transB) {
        float[] c = new float[M * N];
        Gemm.matmul(false, transB, M, N, K, a, 0, K, b, 0, transB ? K : N, c, 0, N, false);
        return c;
    }

    private void sameAsUnregistered(boolean transB) {
        Random r = new Random(7);
        float[] w = random(r, K * N);
        Object[] operands = {null, w};
        float[] expectedFirst = product(random(new Random(1), M * K), w, transB);
        InvariantPacks.begin(operands, 1, 2);
        try {
            assertEquals(InvariantPacks.tokenOf(w) != 0, true);
            for (int step = 0; step < 3; step++) {
                float[] a = random(new Random(1 + step), M * K);
                float[] got = product(a, w, transB);
                InvariantPacks.end(); // the same product, unregistered
                float[] want = product(a, w, transB);
                InvariantPacks.begin(operands, 1, 2);
                assertArrayEquals(want, got, "step " + step);
                if (step == 0) assertArrayEquals(expectedFirst, got);
            }
        } finally {
            InvariantPacks.end();
        }
        assertEquals(0, InvariantPacks.tokenOf(w));
    }

    @Test void invariantProductEqualsPackedEachTime() {
        Parallel.setThreads(1);
        sameAsUnregistered(false);
        sameAsUnregistered(true);
    }

    @Test void invariantProductEqualsPackedEachTimeOnTwoThreads() {
        Parallel.setThreads(2);
        Gemm.parallelMinWork = 1;
        sameAsUnregistered(false);
        sameAsUnregistered(true);
    }

    @Test void arrayChangedBetweenRunsIsPackedAgain() {
        Parallel.setThreads(1);
        Random r = new Random(3);
        float[] w = random(r, K * N), a = random(r, M * K);
        Object[] operands = {w};
        InvariantPacks.begin(operands, 0, 1);
        float[] first = product(a, w, false);
        InvariantPacks.end();
        for (int i = 0; i < w.length; i++) w[i] *= 2; // the optimizer step between two scan runs
        float[] unregistered = product(a, w, false);
        InvariantPacks.begin(operands, 0, 1);
        float[] second = product(a, w, false);
        InvariantPacks.end();
        for (int i = 0; i < first.length; i++) {
            assertEquals(2 * first[i], unregistered[i], 1e-4f * Math.max(1, Math.abs(first[i])), "unregistered " + i);
            assertEquals(unregistered[i], second[i], "registered again " + i);
        }
    }

    @Test void nestedRegistrationsStackAndEndUnwinds() {
        float[] outer = new float[1], inner = new float[1];
        InvariantPacks.begin(new Object[]{outer}, 0, 1);
        long t1 = InvariantPacks.tokenOf(outer);
        InvariantPacks.begin(new Object[]{inner, outer}, 0, 1);
        assertNotEquals(0, InvariantPacks.tokenOf(inner));
        assertNotEquals(t1, InvariantPacks.tokenOf(inner));
        assertEquals(t1, InvariantPacks.tokenOf(outer)); // outside the inner range, found in the outer run
        InvariantPacks.end();
        assertEquals(0, InvariantPacks.tokenOf(inner));
        assertEquals(t1, InvariantPacks.tokenOf(outer));
        InvariantPacks.end();
        assertEquals(0, InvariantPacks.tokenOf(outer));
        assertThrows(IllegalStateException.class, InvariantPacks::end);
    }
}
