package dlc.runtime;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * VecMath against the float64 definitions: every op, lengths that leave a scalar tail, offsets,
 * in place. The vector exp (and sigmoid and tanh built on it) is not correctly rounded; 4 ulps of
 * the float result (plus 1e-7 absolute near zero crossings of sin/cos/log) bounds every op.
 */
class VecMathTest {
    private static double reference(int op, double v) {
        return switch (op) {
            case VecMath.EXP -> Math.exp(v);
            case VecMath.LOG -> Math.log(v);
            case VecMath.LOG1P -> Math.log1p(v);
            case VecMath.EXPM1 -> Math.expm1(v);
            case VecMath.TANH -> Math.tanh(v);
            case VecMath.SIGMOID -> 1 / (1 + Math.exp(-v));
            case VecMath.SIN -> Math.sin(v);
            default -> Math.cos(v);
        };
    }

    @Test void everyOpAgreesIncludingTailsOffsetsAndInPlace() {
        Random r = new Random(3);
        for (int op = 0; op < VecMath.NAMES.size(); op++)
            for (int n : new int[]{0, 1, 7, 16, 33, 1000}) {
                int xo = r.nextInt(5), yo = r.nextInt(5);
                float[] x = new float[xo + n], y = new float[yo + n + 3];
                for (int i = 0; i < x.length; i++) {
                    float v = (float) (r.nextGaussian() * 4);
                    x[i] = op == VecMath.LOG ? Math.abs(v) + 1e-3f : op == VecMath.LOG1P ? Math.abs(v) - 0.5f : v;
                }
                y[yo + n] = 42f;
                VecMath.apply(op, x, xo, y, yo, n);
                for (int i = 0; i < n; i++) {
                    double want = reference(op, x[xo + i]);
                    float got = y[yo + i];
                    assertTrue(Math.abs(want - got) <= 4 * Math.ulp((float) want) + 1e-7,
                            VecMath.NAMES.get(op) + "(" + x[xo + i] + ") = " + want + ", got " + got);
                }
                assertEquals(42f, y[yo + n], "nothing written past the range");
                float[] in = x.clone();
                VecMath.apply(op, in, xo, in, xo, n);
                for (int i = 0; i < n; i++) assertEquals(y[yo + i], in[xo + i], "in place gives the same values");
            }
    }

    /**
     * An element's result is a function of its value alone: computed over the whole range, over
     * ranges of every length that start anywhere, or alone, the bits are the same (the scan's row
     * parts cut a batch's buffer into shorter ranges, where the whole range's vector elements fall
     * in a part's last partial vector; with that tail computed by the scalar library they differed
     * by an ulp).
     */
    @Test void anElementsResultDoesNotDependOnTheRangeAroundIt() {
        Random r = new Random(5);
        float[] x = new float[75];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 3);
        for (int op = 0; op < VecMath.NAMES.size(); op++) {
            float[] whole = new float[x.length];
            VecMath.apply(op, x, 0, whole, 0, x.length);
            for (int from = 0; from < x.length; from += 7)
                for (int n : new int[]{1, 5, 16, 23, x.length - from}) {
                    if (from + n > x.length) continue;
                    float[] part = new float[n];
                    VecMath.apply(op, x, from, part, 0, n);
                    for (int i = 0; i < n; i++)
                        assertEquals(Float.floatToRawIntBits(whole[from + i]), Float.floatToRawIntBits(part[i]),
                                VecMath.NAMES.get(op) + "(" + x[from + i] + ") over [" + from + ", " + (from + n) + ")");
                }
        }
    }

    @Test void expOverItsWholeRangeDenormalsAndOverflowIncluded() {
        // every 1/64 from -110 to 90: results underflow through the denormals to 0 and overflow to +inf
        int n = (110 + 90) * 64 + 1;
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) x[i] = -110f + i / 64f;
        VecMath.apply(VecMath.EXP, x, 0, y, 0, n);
        for (int i = 0; i < n; i++) {
            double want = Math.exp(x[i]);
            float wantF = (float) want;
            assertTrue(Math.abs(want - y[i]) <= 2 * Math.ulp(wantF) || (wantF == y[i]),
                    "exp(" + x[i] + ") = " + want + ", got " + y[i]);
        }
        float[] sp = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 89f, -104f, 0f, -0f}, out = new float[sp.length];
        VecMath.apply(VecMath.EXP, sp, 0, out, 0, sp.length);
        assertTrue(Float.isNaN(out[0]));
        assertEquals(Float.POSITIVE_INFINITY, out[1]);
        assertEquals(0f, out[2]);
        assertEquals(Float.POSITIVE_INFINITY, out[3]);
        assertEquals(0f, out[4]);
        assertEquals(1f, out[5]);
        assertEquals(1f, out[6]);
    }

    @Test void specialValues() {
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -200f, 200f}, y = new float[5];
        VecMath.apply(VecMath.SIGMOID, x, 0, y, 0, 5);
        assertTrue(Float.isNaN(y[0]));
        assertArrayEquals(new float[]{1f, 0f, 0f, 1f}, new float[]{y[1], y[2], y[3], y[4]});
        VecMath.apply(VecMath.TANH, x, 0, y, 0, 5);
        assertTrue(Float.isNaN(y[0]));
        assertArrayEquals(new float[]{1f, -1f, -1f, 1f}, new float[]{y[1], y[2], y[3], y[4]});
    }
}
