package dlc.cli;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import dlc.numerics.Rng;
import net.jqwik.api.*;

import static org.junit.jupiter.api.Assertions.*;

class RandomInputsTest {
    @Property
    void keysAreValidRandomKeysForEverySeed(@ForAll long seed) {
        for (String graph : new String[]{"init", "eval"}) {
            double k = RandomInputs.key(seed, graph).item();
            assertTrue(k >= 0 && k < Rng.KEY_LIMIT && k == Math.rint(k), "key " + k + " for seed " + seed);
        }
        assertNotEquals(RandomInputs.key(seed, "init").item(), RandomInputs.key(seed, "eval").item());
    }

    @Property
    void integersStayInRangeAndStreamsDependOnlyOnSeedAndName(@ForAll long seed, @ForAll("ranges") int range) {
        Tensor a = RandomInputs.sample(DType.I32, new int[]{3, 7}, seed, "tokens", range);
        for (double v : a.data()) assertTrue(v >= 0 && v < range && v == Math.rint(v), "value " + v);
        assertEquals(a, RandomInputs.sample(DType.I32, new int[]{3, 7}, seed, "tokens", range));
        Tensor b = RandomInputs.sample(DType.BOOL, new int[]{5}, seed, "mask", range);
        for (double v : b.data()) assertTrue(v == 0 || v == 1);
    }

    @Provide
    Arbitrary<Integer> ranges() { return Arbitraries.integers().between(1, 1000); }

    @Example
    void floatsLookStandardNormal() {
        Tensor t = RandomInputs.sample(DType.F32, new int[]{10000}, 3, "x", 2);
        Summary s = Summary.of(t);
        // the mean of 10^4 N(0, 1) draws has std 0.01 and their sample std has std about 0.007: 5 sigma is 0.05
        assertEquals(0, s.mean(), 0.05);
        assertEquals(1, s.std(), 0.05);
        assertNotEquals(t, RandomInputs.sample(DType.F32, new int[]{10000}, 3, "y", 2));
    }
}
