package dlc.numerics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The generator itself, pinned to the algorithm its javadoc documents (the reference interpreter's
 * random ops are checked against it in ir's RandomTest, the runtime's draw kernels in runtime's RngTest).
 */
class RngTest {
    @Test
    void matchesTheDocumentedAlgorithm() {
        // golden values from an independent arbitrary-precision implementation (Python ints masked to 64 bits)
        assertEquals(0x8209b480faed1b10L, Rng.mix(0, 0));
        assertEquals(0x644a1d1984561d77L, Rng.mix(42, 7));
        assertEquals(0xc75d4d7a1718e267L, Rng.mix((1L << 52) - 1, 123456));
        assertEquals(8522164 * 0x1p-24, Rng.uniform(0, 0));
        assertEquals(7087018 * 0x1p-24, Rng.uniform(0, 1));
        assertEquals(6572573 * 0x1p-24, Rng.uniform(42, 7));
        assertEquals(2731740849052432L, Rng.fold(0, 0));
        assertEquals(3537264058410851L, Rng.fold(42, 1));
        assertEquals(3745688211520815L, Rng.fold(42, 2));
        double u1 = 8522164 * 0x1p-24, u2 = 7087018 * 0x1p-24; // draws 0 and 1 of key 0
        assertEquals(Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2), Rng.normal(0, 0));
    }

    @Test
    void keysMustBeIntegersBelowTwoToThe52() {
        assertEquals(0, Rng.key(0));
        assertEquals(Rng.KEY_LIMIT - 1, Rng.key(Rng.KEY_LIMIT - 1));
        for (double bad : new double[]{-1, 0.5, 0x1p52, Double.NaN, Double.POSITIVE_INFINITY})
            assertThrows(IllegalArgumentException.class, () -> Rng.key(bad), "key " + bad);
        for (long salt : new long[]{0, 1, -3, Long.MAX_VALUE}) {
            long k = Rng.fold(Rng.KEY_LIMIT - 1, salt);
            assertTrue(k >= 0 && k < Rng.KEY_LIMIT, "folded key " + k + " is a valid key");
        }
    }
}
