package dlc.data;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class BatchesTest {
    static Dataset indexed(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = i;
        return Dataset.of("ids", Column.ints(Dataset.FEATURES, ids), Column.ints(Dataset.LABELS, ids.clone()));
    }

    @Property void permutationIsAPermutationFixedBySeedAndEpoch(@ForAll @IntRange(max = 300) int n, @ForAll long seed, @ForAll @IntRange(max = 1000) int epoch) {
        int[] p = Batches.permutation(n, seed, epoch);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < n; i++) assertEquals(i, sorted[i]);
        new Rng(seed).nextLong(); // other random draws in between change nothing
        Synthetic.twoMoons(10, 0.1, seed);
        assertArrayEquals(p, Batches.permutation(n, seed, epoch));
    }

    @Property void epochsAndSeedsGiveDifferentOrders(@ForAll @IntRange(min = 20, max = 200) int n, @ForAll long seed, @ForAll @IntRange(max = 1000) int epoch) {
        int[] p = Batches.permutation(n, seed, epoch);
        // Equal orders would have probability 1/n! <= 1/20!.
        assertFalse(Arrays.equals(p, Batches.permutation(n, seed, epoch + 1)));
        assertFalse(Arrays.equals(p, Batches.permutation(n, seed + 1, epoch)));
    }

    @Property void batchesCoverEverySampleOnceWithAFinalPartialBatch(
            @ForAll @IntRange(max = 200) int n, @ForAll @IntRange(min = 1, max = 64) int size, @ForAll long seed, @ForAll boolean keepPartial) {
        Batches b = Batches.shuffled(indexed(n), size, seed, 3, keepPartial);
        assertEquals(keepPartial ? (n + size - 1) / size : n / size, b.count());
        int[] seen = new int[n];
        int total = 0;
        for (int k = 0; k < b.count(); k++) {
            Dataset batch = b.batch(k);
            boolean last = k == b.count() - 1;
            if (!last || !keepPartial) assertEquals(size, batch.size());
            assertArrayEquals(batch.features().ints(), batch.labels().ints(), "columns stay aligned");
            for (int id : batch.features().ints()) seen[id]++;
            total += batch.size();
        }
        assertEquals(keepPartial ? n : n / size * size, total);
        for (int c : seen) assertTrue(c <= 1);
        int[] order = Batches.permutation(n, seed, 3);
        if (b.count() > 0) assertArrayEquals(Arrays.copyOf(order, b.rows(0).length), b.rows(0), "batches follow the permutation");
    }

    @Test void sequentialBatchesKeepDataOrder() {
        Batches b = Batches.sequential(indexed(5), 2, true);
        assertEquals(3, b.count());
        assertArrayEquals(new int[]{4}, b.batch(2).features().ints());
        int k = 0;
        for (Dataset batch : b) assertEquals(2 * k++, batch.features().ints()[0]);
        assertEquals(2, Batches.sequential(indexed(5), 2, false).count());
        assertThrows(IllegalArgumentException.class, () -> Batches.sequential(indexed(5), 0, true));
    }

    @Test void shufflingIsRoughlyUniform() {
        // All 6 orders of 3 items over 6000 seeds: each expected 1000 times; chi-square with 5 degrees
        // of freedom exceeds 25 with probability about 1e-4.
        Map<String, Integer> counts = new HashMap<>();
        for (int s = 0; s < 6000; s++) counts.merge(Arrays.toString(Batches.permutation(3, s, 0)), 1, Integer::sum);
        assertEquals(6, counts.size());
        double chi2 = 0;
        for (int c : counts.values()) chi2 += (c - 1000.0) * (c - 1000.0) / 1000;
        assertTrue(chi2 < 25, "chi-square " + chi2 + " " + counts);
    }

    @Test void permutationIsPinnedAcrossJvms() {
        // The algorithm is defined by Rng (SplitMix64) and Fisher-Yates alone: this value must never change,
        // or checkpoints resumed on another JVM would see different batches.
        assertArrayEquals(new int[]{9, 0, 2, 5, 3, 1, 6, 8, 4, 7}, Batches.permutation(10, 42, 0));
    }

    @Test void splitIsDeterministicDisjointAndComplete() {
        Dataset d = indexed(100);
        Dataset.Split s = d.split(0.2, 5), again = d.split(0.2, 5);
        assertEquals(80, s.train().size());
        assertEquals(20, s.validation().size());
        assertArrayEquals(s.validation().features().ints(), again.validation().features().ints());
        boolean[] seen = new boolean[100];
        for (Dataset part : new Dataset[]{s.train(), s.validation()})
            for (int id : part.features().ints()) {
                assertFalse(seen[id]);
                seen[id] = true;
            }
        for (boolean b : seen) assertTrue(b);
        assertFalse(Arrays.equals(s.validation().features().ints(), d.split(0.2, 6).validation().features().ints()));
        assertThrows(IllegalArgumentException.class, () -> d.split(1.0, 0));
    }
}
