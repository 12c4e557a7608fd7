package dlc.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SyntheticTest {
    @Test void everySetIsDeterministicBySeed() {
        for (String name : Synthetic.NAMES) {
            Dataset a = Synthetic.byName(name, 64, 7), b = Synthetic.byName(name, 64, 7), c = Synthetic.byName(name, 64, 8);
            assertEquals(64, a.size(), name);
            for (String col : a.columnNames()) {
                assertArrayEquals(a.column(col).toTensor().data(), b.column(col).toTensor().data(), name + "." + col);
            }
            String first = a.columnNames().get(0);
            assertNotEquals(a.column(first).toTensor(), c.column(first).toTensor(), name + ": another seed gives other data");
        }
    }

    @Test void twoMoonsIsAnAliasOfMoons() {
        assertEquals(Synthetic.byName("moons", 8, 1).features().toTensor(), Synthetic.byName("two_moons", 8, 1).features().toTensor());
    }

    @Test void unknownNameListsTheBuiltInSets() {
        String m = assertThrows(IllegalArgumentException.class, () -> Synthetic.byName("mnist", 1, 0)).getMessage();
        assertTrue(m.contains("moons") && m.contains("copy"), m);
    }

    @Test void moonsAreTwoInterleavedHalfCircles() {
        Dataset d = Synthetic.twoMoons(400, 0, 1);
        float[] x = d.features().floats();
        int[] y = d.labels().ints();
        double[] meanY = new double[2];
        for (int i = 0; i < d.size(); i++) {
            double px = x[2 * i], py = x[2 * i + 1];
            if (y[i] == 0) {
                assertEquals(1, Math.hypot(px, py), 1e-5); // upper half of the unit circle at (0, 0)
                assertTrue(py >= -1e-6);
            } else {
                assertEquals(1, Math.hypot(px - 1, py - 0.5), 1e-5); // lower half of the unit circle at (1, 0.5)
                assertTrue(py <= 0.5 + 1e-6);
            }
            meanY[y[i]] += py / 200;
        }
        assertTrue(meanY[0] > 0.5 && meanY[1] < 0, "class 0 lies above class 1 on average: " + meanY[0] + " vs " + meanY[1]);
        // Interleaved: the x ranges overlap ([-1, 1] vs [0, 2]), so no vertical line separates the classes.
        assertEquals(2, d.numClasses());
        assertArrayEquals(new int[]{200, 200}, counts(y, 2));
    }

    @Test void moonsNoiseHasTheRequestedSpread() {
        Dataset noisy = Synthetic.twoMoons(2000, 0.2, 3);
        // Isotropic noise of std 0.2 moves points off their circle by about 0.2 in the radial direction.
        float[] x = noisy.features().floats();
        int[] y = noisy.labels().ints();
        double sq = 0;
        for (int i = 0; i < noisy.size(); i++) {
            double r = y[i] == 0 ? Math.hypot(x[2 * i], x[2 * i + 1]) : Math.hypot(x[2 * i] - 1, x[2 * i + 1] - 0.5);
            sq += (r - 1) * (r - 1);
        }
        double rms = Math.sqrt(sq / noisy.size());
        assertTrue(rms > 0.1 && rms < 0.3, "radial rms " + rms + " for noise 0.2");
    }

    @Test void spiralArmsFollowTheirAngle() {
        int k = 4;
        Dataset d = Synthetic.spirals(200, k, 0, 5);
        float[] x = d.features().floats();
        int[] y = d.labels().ints();
        for (int i = 0; i < d.size(); i++) {
            double r = Math.hypot(x[2 * i], x[2 * i + 1]);
            assertTrue(r >= 0.05 - 1e-6 && r <= 1 + 1e-6);
            double offset = Math.atan2(x[2 * i + 1], x[2 * i]) - 4 * r - 2 * Math.PI * y[i] / k;
            double wrapped = Math.IEEEremainder(offset, 2 * Math.PI);
            assertEquals(0, wrapped, 1e-4, "sample " + i);
        }
        assertArrayEquals(new int[]{50, 50, 50, 50}, counts(y, k));
    }

    @Test void sineTargetContinuesTheSequence() {
        int steps = 12;
        Dataset d = Synthetic.sineSequences(50, steps, 0, 9);
        assertArrayEquals(new int[]{50, steps, 1}, d.features().shape());
        assertArrayEquals(new int[]{50, 1}, d.labels().shape());
        float[] x = d.features().floats(), y = d.labels().floats();
        for (int i = 0; i < 50; i++) {
            // A pure sinusoid obeys s(t+1) = c s(t) - s(t-1) with c = 2 cos w; fit c, then extrapolate.
            double num = 0, den = 0;
            for (int t = 1; t < steps - 1; t++) {
                double s = x[i * steps + t];
                num += (x[i * steps + t + 1] + x[i * steps + t - 1]) * s;
                den += s * s;
            }
            double c = num / den;
            double predicted = c * x[i * steps + steps - 1] - x[i * steps + steps - 2];
            assertEquals(predicted, y[i], 1e-4, "sample " + i);
        }
    }

    @Test void copyTaskLayout() {
        int len = 5, vocab = 7;
        Dataset d = Synthetic.copyTask(30, len, vocab, 2);
        int w = 2 * len + 1;
        int[] x = d.features().ints(), y = d.labels().ints();
        float[] mask = d.column("mask").floats();
        for (int i = 0; i < 30; i++) {
            int b = i * w;
            assertEquals(Synthetic.DELIMITER, x[b + len]);
            for (int t = 0; t < len; t++) {
                assertTrue(x[b + t] >= 2 && x[b + t] < vocab);
                assertEquals(x[b + t], y[b + len + 1 + t]);
                assertEquals(Synthetic.PAD, x[b + len + 1 + t]);
                assertEquals(1f, mask[b + len + 1 + t]);
                assertEquals(0f, mask[b + t]);
                assertEquals(Synthetic.PAD, y[b + t]);
            }
        }
    }

    @Test void xorLabelsAreTheSignRule() {
        Dataset d = Synthetic.xor(300, 0, 4);
        float[] x = d.features().floats();
        int[] y = d.labels().ints();
        for (int i = 0; i < d.size(); i++) assertEquals(x[2 * i] * x[2 * i + 1] < 0 ? 1 : 0, y[i], "sample " + i);
        assertArrayEquals(new int[]{150, 150}, counts(y, 2));
    }

    @Test void blobClassMeansAreFarApartComparedToTheSpread() {
        Dataset d = Synthetic.blobs(600, 3, 2, 0.1, 11);
        double[][] mean = new double[3][2];
        float[] x = d.features().floats();
        int[] y = d.labels().ints();
        for (int i = 0; i < d.size(); i++) for (int j = 0; j < 2; j++) mean[y[i]][j] += x[2 * i + j] / 200;
        for (int i = 0; i < d.size(); i++)
            assertTrue(Math.hypot(x[2 * i] - mean[y[i]][0], x[2 * i + 1] - mean[y[i]][1]) < 0.6, "5 sigma of the spread");
        assertTrue(Math.hypot(mean[0][0] - mean[1][0], mean[0][1] - mean[1][1]) > 1e-3);
    }

    @Test void markovSequencesFollowTheirSparseChain() {
        Dataset d = Synthetic.markov(200, 12, 10, 5);
        assertEquals(java.util.List.of("tokens"), d.columnNames());
        assertArrayEquals(new int[]{200, 12}, d.column("tokens").shape());
        int[][] chain = Synthetic.markovChain(10, 5);
        int[] tok = d.column("tokens").ints();
        int[][] seen = new int[10][10];
        for (int i = 0; i < 200; i++)
            for (int t = 1; t < 12; t++) {
                int prev = tok[i * 12 + t - 1], cur = tok[i * 12 + t];
                assertTrue(cur == chain[prev][0] || cur == chain[prev][1], "sample " + i + " step " + t + ": " + prev + " -> " + cur);
                seen[prev][cur]++;
            }
        int first = 0;
        for (int v = 0; v < 10; v++) {
            assertNotEquals(chain[v][0], chain[v][1], "successors of " + v + " are distinct");
            first += seen[v][chain[v][0]];
        }
        // each step picks the first successor with probability 1/2: 2200 steps, binomial std about 23
        assertEquals(1100, first, 150, "the two successors are equally likely");
    }

    @Test void reverseTargetsAreTheReversedSourceBetweenBosAndEos() {
        Dataset d = Synthetic.reverse(50, 4, 9, 2);
        assertEquals(java.util.List.of("src", "tgt_in", "tgt_out", "tgt_mask"), d.columnNames());
        assertArrayEquals(new int[]{50, 4}, d.column("src").shape());
        assertArrayEquals(new int[]{50, 5}, d.column("tgt_in").shape());
        int[] src = d.column("src").ints(), in = d.column("tgt_in").ints(), out = d.column("tgt_out").ints();
        for (int i = 0; i < 50; i++) {
            for (int s = 0; s < 4; s++) assertTrue(src[i * 4 + s] >= 3 && src[i * 4 + s] < 9, "words avoid pad/bos/eos");
            int[] row = java.util.Arrays.copyOfRange(src, i * 4, i * 4 + 4);
            assertArrayEquals(new int[]{Synthetic.BOS, row[3], row[2], row[1], row[0]}, java.util.Arrays.copyOfRange(in, i * 5, i * 5 + 5));
            assertArrayEquals(new int[]{row[3], row[2], row[1], row[0], Synthetic.EOS}, java.util.Arrays.copyOfRange(out, i * 5, i * 5 + 5));
        }
        for (float m : d.column("tgt_mask").floats()) assertEquals(1f, m);
        assertEquals(1, Synthetic.BOS);
        assertEquals(2, Synthetic.EOS);
        assertEquals(0, Synthetic.PAD);
    }

    @Test void gratingsAreTintedOrientedImages() {
        Dataset d = Synthetic.gratings(40, 10, 16, 0, 3);
        assertArrayEquals(new int[]{40, 3, 16, 16}, d.features().shape());
        assertEquals(10, d.numClasses());
        float[] x = d.features().floats();
        int[] y = d.labels().ints();
        for (int i = 0; i < 40; i++) {
            assertEquals(i % 10, y[i]);
            for (int ch = 0; ch < 3; ch++) {
                double tint = 0.5 * Math.cos(2 * Math.PI * y[i] / 10 + 2 * Math.PI * ch / 3);
                for (int p = 0; p < 256; p++) {
                    double v = x[i * 768 + ch * 256 + p];
                    assertTrue(Math.abs(v - tint) <= 1 + 1e-6, "noise 0: a unit wave around the tint");
                }
            }
            // class 0 (angle 0) varies along columns only: every row of a channel is the same
            if (y[i] == 0)
                for (int r = 1; r < 16; r++)
                    for (int col = 0; col < 16; col++) assertEquals(x[i * 768 + col], x[i * 768 + r * 16 + col], 1e-6);
        }
    }

    @Test void badParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Synthetic.gratings(10, 1, 16, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.markov(10, 5, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.reverse(10, 5, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.reverse(10, 0, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.spirals(10, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.copyTask(10, 3, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.twoMoons(-1, 0, 0));
    }

    static int[] counts(int[] y, int k) {
        int[] c = new int[k];
        for (int v : y) c[v]++;
        return c;
    }

    /** Issue 10: data moons(n=2000000000) was a NegativeArraySizeException; now the sizes that do not fit are named. */
    @Test void sizesPastAJavaArrayAreAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Synthetic.twoMoons(2_000_000_000, 0.1, 0));
        assertTrue(e.getMessage().contains("2 x 2000000000 = 4000000000 values do not fit one Java array"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Synthetic.gratings(10, 2, 100_000, 0.1, 0));
        assertTrue(e.getMessage().contains("do not fit one Java array"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Synthetic.copyTask(1 << 20, 1 << 12, 10, 0));
        assertTrue(e.getMessage().contains("use fewer samples"), e.getMessage());
    }
}
