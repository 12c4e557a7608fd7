package dlc.runtime;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** bfloat16 and int8 rounding of weights against exact references (seeded). */
class NarrowRoundingTest {
    /**
     * The bfloat16 nearest to {@code f} by exact comparison: the two bfloat16 values around it (the
     * truncation and the next one away from zero, 2^128 standing for the value past the largest),
     * their distances computed exactly in double (floats and these differences are exact there),
     * the even one on a tie.
     */
    static float bf16Reference(float f) {
        int bits = Float.floatToRawIntBits(f);
        int loBits = bits & 0xFFFF0000;
        double lo = Float.intBitsToFloat(loBits);
        if (lo == f) return (float) lo;
        int hiBits = loBits + 0x10000;
        boolean hiInfinite = (hiBits & 0x7FFFFFFF) == 0x7F800000;
        double hi = hiInfinite ? Math.copySign(Math.scalb(1.0, 128), f) : Float.intBitsToFloat(hiBits);
        double dLo = Math.abs(f - lo), dHi = Math.abs(hi - f);
        boolean takeHi = dHi < dLo || dHi == dLo && (loBits & 0x10000) != 0;
        if (!takeHi) return (float) lo;
        return hiInfinite ? Math.copySign(Float.POSITIVE_INFINITY, f) : (float) hi;
    }

    @Test void bf16IsRoundToNearestEvenOnRandomBitPatterns() {
        Random r = new Random(13);
        for (int i = 0; i < 2_000_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (Float.isNaN(f)) continue;
            float want = bf16Reference(f), got = NarrowRounding.bf16(f);
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got), () -> "bf16(" + f + " = 0x" + Integer.toHexString(Float.floatToRawIntBits(f)) + ")");
        }
    }

    @Test void bf16TiesGoToEven() {
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7 (bf16 keeps 7 mantissa bits): 1 is even
        assertEquals(1f, NarrowRounding.bf16(1f + 0x1p-8f));
        // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even)
        assertEquals(1f + 0x1p-6f, NarrowRounding.bf16(1f + 3 * 0x1p-8f));
        assertEquals(-1f, NarrowRounding.bf16(-1f - 0x1p-8f));
        // just above the tie rounds up
        assertEquals(1f + 0x1p-7f, NarrowRounding.bf16(1f + 0x1p-8f + 0x1p-20f));
        // a tie that carries into the exponent: (2 - 2^-8) sits between 2 - 2^-7 (odd) and 2 (even)
        assertEquals(2f, NarrowRounding.bf16(2f - 0x1p-8f));
    }

    @Test void bf16KeepsInfinitiesZerosAndNaNAndOverflowsToInfinity() {
        assertEquals(Float.POSITIVE_INFINITY, NarrowRounding.bf16(Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, NarrowRounding.bf16(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, NarrowRounding.bf16(Float.MAX_VALUE), "past the largest bf16 plus half an ulp");
        assertEquals(Float.NEGATIVE_INFINITY, NarrowRounding.bf16(-Float.MAX_VALUE));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(NarrowRounding.bf16(-0f)));
        assertEquals(0f, NarrowRounding.bf16(Float.MIN_VALUE), "the smallest subnormal rounds to zero");
        // NaNs stay NaN, including a signalling one whose payload lies only in the dropped bits
        for (int bits : new int[]{0x7FC00000, 0x7F800001, 0xFF800001, 0x7FFFFFFF}) {
            float got = NarrowRounding.bf16(Float.intBitsToFloat(bits));
            assertTrue(Float.isNaN(got), Integer.toHexString(bits));
            assertEquals(bits < 0, Float.floatToRawIntBits(got) < 0, "sign kept");
        }
    }

    @Test void int8ScaleIsMaxOver127AndCodesRoundToEvenAndClamp() {
        float s = NarrowRounding.int8Scale(2.54f);
        assertEquals(2.54f / 127f, s);
        assertEquals(127, NarrowRounding.int8(2.54f, s));
        assertEquals(-127, NarrowRounding.int8(-2.54f, s));
        assertEquals(127, NarrowRounding.int8(1e9f, s), "clamped");
        assertEquals(-127, NarrowRounding.int8(-1e9f, s), "clamped, never -128");
        assertEquals(2, NarrowRounding.int8(2.5f, 1f), "ties to even");
        assertEquals(-2, NarrowRounding.int8(-2.5f, 1f));
        assertEquals(4, NarrowRounding.int8(3.5f, 1f));
        assertEquals(0f, NarrowRounding.int8Scale(0f), "an all-zero channel has scale 0");
        assertEquals(0, NarrowRounding.int8(0f, 0f));
        assertEquals(0f, NarrowRounding.fromInt8((byte) 0, 0f));
        assertThrows(IllegalArgumentException.class, () -> NarrowRounding.int8Scale(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> NarrowRounding.int8Scale(Float.POSITIVE_INFINITY));
    }

    /** Per column: |q| <= 127, the largest magnitude maps to +-127, and every value is within half a step (plus float32 rounding) of the weight. */
    @Test void int8MatrixIsPerColumnWithinHalfAStep() {
        Random r = new Random(29);
        int rows = 50, cols = 7;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * (1 + i % cols));
        for (int i = 0; i < rows; i++) w[i * cols + 3] = 0f; // an all-zero column
        NarrowMatrix q = NarrowMatrix.quantize(NarrowMatrix.INT8, w, rows, cols);
        for (int j = 0; j < cols; j++) {
            float max = 0;
            for (int i = 0; i < rows; i++) max = Math.max(max, Math.abs(w[i * cols + j]));
            float s = q.scales()[j];
            assertEquals(max / 127f, s, "column " + j);
            boolean reachesEnd = false;
            for (int i = 0; i < rows; i++) {
                byte c = q.codes()[i * cols + j];
                assertTrue(c >= -127 && c <= 127);
                reachesEnd |= Math.abs(c) == 127;
                float v = q.get(i * cols + j);
                assertFalse(Float.isNaN(v), "no NaN, even for the zero column");
                assertEquals(NarrowRounding.fromInt8(c, s), v);
                assertTrue(Math.abs(v - w[i * cols + j]) <= s * (0.5 + 1e-5), "column " + j + " row " + i + ": " + w[i * cols + j] + " -> " + v);
            }
            assertEquals(j != 3, reachesEnd, "column " + j);
        }
        float[] nan = w.clone();
        nan[5] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NarrowMatrix.quantize(NarrowMatrix.INT8, nan, rows, cols));
        assertTrue(e.getMessage().contains("int8 cannot store NaN"), e.getMessage());
    }

    @Test void narrowMatricesRoundTripThroughTheirNpyResources() throws Exception {
        Random r = new Random(3);
        float[] w = new float[6 * 5];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (String f : new String[]{NarrowMatrix.BF16, NarrowMatrix.INT8}) {
            NarrowMatrix q = NarrowMatrix.quantize(f, w, 6, 5);
            Tensor values = Npy.decode(q.valuesNpy());
            assertArrayEquals(new int[]{6, 5}, values.shape());
            Tensor scales = q.scalesNpy() == null ? null : Npy.decode(q.scalesNpy());
            NarrowMatrix back = NarrowMatrix.fromNpy(f, values, scales);
            assertArrayEquals(q.decode(), back.decode(), f);
            assertEquals(f.equals(NarrowMatrix.BF16) ? 60 : 30 + 20, q.bytes());
        }
    }
}
