package dlc.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class RngTest {
    @Test void matchesTheSplitMix64ReferenceSequence() {
        // First outputs of Vigna's splitmix64.c seeded with 0.
        Rng r = new Rng(0);
        assertEquals(0xE220A8397B1DCDAFL, r.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, r.nextLong());
        assertEquals(0x06C45D188009454FL, r.nextLong());
    }

    @Test void stateIsThePosition() {
        Rng a = new Rng(123);
        for (int i = 0; i < 17; i++) a.nextGaussian();
        Rng b = new Rng(a.state());
        for (int i = 0; i < 100; i++) assertEquals(a.nextLong(), b.nextLong());
    }

    @Test void boundedIntsAreInRangeAndRoughlyUniform() {
        Rng r = new Rng(9);
        int[] c = new int[7];
        for (int i = 0; i < 70000; i++) c[r.nextInt(7)]++;
        for (int v : c) assertEquals(10000, v, 500); // 5 standard deviations
        assertThrows(IllegalArgumentException.class, () -> r.nextInt(0));
    }

    @Test void gaussianHasUnitMomentsAndDoublesAreInUnitInterval() {
        Rng r = new Rng(77);
        double sum = 0, sq = 0;
        int n = 200000;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            sum += g;
            sq += g * g;
            double u = r.nextDouble();
            assertTrue(u >= 0 && u < 1);
        }
        assertEquals(0, sum / n, 0.01);
        assertEquals(1, sq / n, 0.02);
    }

    @Test void streamsDiffer() {
        assertNotEquals(Rng.forStream(1, 0).nextLong(), Rng.forStream(1, 1).nextLong());
        assertEquals(Rng.forStream(1, 5).nextLong(), Rng.forStream(1, 5).nextLong());
    }
}
