package dlc.numerics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Half.round against a brute-force definition: the 63,488 finite non-negative binary16 values
 * are decoded from their bit patterns, and every test value must round to the nearest of them,
 * ties to the one with an even significand, and to infinity from halfway past the largest.
 */
class HalfTest {
    /** Every finite non-negative f16 value in increasing order, index = bit pattern. */
    private static final double[] VALUES = new double[0x7C00];

    static {
        for (int bits = 0; bits < VALUES.length; bits++) {
            int exp = bits >> 10, frac = bits & 0x3FF;
            VALUES[bits] = exp == 0 ? Math.scalb((double) frac, -24) : Math.scalb(1024.0 + frac, exp - 25);
        }
    }

    private static double reference(double v) {
        double a = Math.abs(v);
        double r;
        if (a >= 65520) r = Double.POSITIVE_INFINITY;
        else {
            int i = Arrays.binarySearch(VALUES, a);
            if (i >= 0) r = a;
            else {
                int hi = -i - 1, lo = hi - 1; // VALUES[lo] < a < VALUES[hi]
                double dl = a - VALUES[lo], dh = VALUES[hi] - a;
                r = dl < dh ? VALUES[lo] : dh < dl ? VALUES[hi] : (lo % 2 == 0 ? VALUES[lo] : VALUES[hi]);
            }
        }
        return Math.copySign(r, v);
    }

    @Test void everyF16ValueAndEveryMidpointRoundsAsIeee() {
        for (int i = 0; i < VALUES.length; i++) {
            assertEquals(VALUES[i], Half.round(VALUES[i]), "exact value " + i);
            assertEquals(-VALUES[i], Half.round(-VALUES[i]));
            if (i + 1 < VALUES.length) {
                double mid = (VALUES[i] + VALUES[i + 1]) / 2; // exact in double
                assertEquals(i % 2 == 0 ? VALUES[i] : VALUES[i + 1], Half.round(mid), "tie after value " + i);
            }
        }
    }

    @Test void randomFloatsOfEveryMagnitudeRoundToTheNearest() {
        Random r = new Random(3);
        for (int k = 0; k < 300_000; k++) {
            double v = (float) (r.nextGaussian() * Math.pow(2, r.nextInt(50) - 30));
            assertEquals(reference(v), Half.round(v), "round(" + v + ")");
        }
    }

    @Test void edgesOverflowSubnormalsAndSpecials() {
        assertEquals(65504.0, Half.round(65519.99));
        assertEquals(Double.POSITIVE_INFINITY, Half.round(65520));
        assertEquals(Double.NEGATIVE_INFINITY, Half.round(-1e5));
        assertEquals(0x1p-24, Half.round(0x1p-24));
        assertEquals(0.0, Half.round(0x1p-25), "the tie at half the smallest subnormal goes to the even zero");
        assertEquals(0x1p-24, Half.round(0x1.0001p-25));
        assertEquals(Double.doubleToLongBits(-0.0), Double.doubleToLongBits(Half.round(-1e-10)), "the sign of an underflow is kept");
        assertEquals(0.333251953125, Half.round(1.0 / 3));
        assertEquals(2048.0, Half.round(2049), "from 2048 the spacing is 2: 2049 ties to the even 2048");
        assertEquals(2052.0, Half.round(2051));
        assertTrue(Double.isNaN(Half.round(Double.NaN)));
        assertEquals(Double.POSITIVE_INFINITY, Half.round(Double.POSITIVE_INFINITY));
    }
}
