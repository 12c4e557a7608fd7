package dlc.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The float tanh through exp agrees with Math.tanh to float rounding everywhere, NaN and signs included. */
class FnTest {
    @Test void tanhMatchesMathTanh() {
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(8) - 5));
            float want = (float) Math.tanh(x), got = Fn.tanh(x);
            assertTrue(Math.abs(want - got) <= Math.ulp(want), x + ": " + want + " vs " + got);
        }
        assertEquals(1f, Fn.tanh(100f));
        assertEquals(-1f, Fn.tanh(-100f));
        assertEquals(-0f, Fn.tanh(-0f));
        assertTrue(Float.isNaN(Fn.tanh(Float.NaN)));
    }
}
