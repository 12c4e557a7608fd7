package dlc.numerics;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Integer ops wrap as two's complement (NumPy's fixed-width integers), checked against Java's own int/byte arithmetic. */
class IntsTest {
    @Test void i32OverflowWrapsInsteadOfSaturating() {
        // the cases: these gave 2147483647 when narrowing saturated
        assertEquals(0.0, Ints.mul(1073741824, 4, Ints.I32));
        assertEquals(-2147483648.0, Ints.add(2147483647, 1, Ints.I32));
        assertEquals(2147483647.0, Ints.sub(-2147483648, 1, Ints.I32));
        assertEquals(-2147483648.0, Ints.neg(-2147483648, Ints.I32));
        assertEquals(-2147483648.0, Ints.abs(-2147483648, Ints.I32));
        assertEquals(1.0, Ints.mul(2147483647, 2147483647, Ints.I32), "the 62-bit product is exact in long before it wraps");
    }

    @Test void randomI32AndI8OpsMatchJavaArithmetic() {
        Random r = new Random(7);
        for (int k = 0; k < 100_000; k++) {
            int a = r.nextInt(), b = r.nextInt();
            assertEquals(a + b, (int) Ints.add(a, b, Ints.I32));
            assertEquals(a - b, (int) Ints.sub(a, b, Ints.I32));
            assertEquals(a * b, (int) Ints.mul(a, b, Ints.I32));
            byte x = (byte) a, y = (byte) b;
            assertEquals((byte) (x + y), Ints.add(x, y, Ints.I8));
            assertEquals((byte) (x * y), Ints.mul(x, y, Ints.I8));
            int u = a & 0xFF, v = b & 0xFF;
            assertEquals((u - v) & 0xFF, Ints.sub(u, v, Ints.U8));
            assertEquals((u * v) & 0xFF, Ints.mul(u, v, Ints.U8));
            if (b != 0) {
                assertEquals(Math.floorDiv(a, b), (int) Ints.div(a, b, Ints.I32));
                assertEquals(Math.floorMod(a, b), (int) Ints.mod(a, b, Ints.I32));
                assertEquals(a / b, (int) Ints.truncDiv(a, b, Ints.I32));
                assertEquals(a % b, (int) Ints.truncMod(a, b, Ints.I32));
            }
        }
    }

    @Test void u8AndI8WrapLikeNumpy() {
        assertEquals(144.0, Ints.add(200, 200, Ints.U8));   // np.uint8(200) + np.uint8(200)
        assertEquals(255.0, Ints.sub(0, 1, Ints.U8));
        assertEquals(0.0, Ints.mul(-128, -128, Ints.I8));   // 16384 = 64 * 256
        assertEquals(-128.0, Ints.neg(-128, Ints.I8));
        assertEquals(28.0, Ints.sub(-128, 100, Ints.I8));
    }

    @Test void floorAndTruncatingDivisionDifferOnNegativeOperands() {
        assertEquals(-4.0, Ints.div(-7, 2, Ints.I32));
        assertEquals(1.0, Ints.mod(-7, 2, Ints.I32));
        assertEquals(-3.0, Ints.truncDiv(-7, 2, Ints.I32));
        assertEquals(-1.0, Ints.truncMod(-7, 2, Ints.I32));
        assertEquals(-2147483648.0, Ints.div(-2147483648, -1, Ints.I32), "the one overflowing quotient wraps");
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> Ints.truncDiv(1, 0, Ints.I32));
        assertTrue(e.getMessage().contains("trunc_div by zero"), e.getMessage());
        assertThrows(ArithmeticException.class, () -> Ints.mod(1, 0, Ints.I64));
    }

    @Test void powIsRepeatedMultiplicationWrapped() {
        assertEquals(1024.0, Ints.pow(2, 10, Ints.I32));
        assertEquals(0.0, Ints.pow(2, 32, Ints.I32));
        assertEquals((double) (int) 3486784401L, Ints.pow(3, 20, Ints.I32)); // 3^20 = 3486784401 wraps to -808182895
        assertEquals(1.0, Ints.pow(7, 0, Ints.U8));
        assertThrows(ArithmeticException.class, () -> Ints.pow(2, -1, Ints.I32));
    }

    @Test void castsWrapFromIntegersAndSaturateFromFloats() {
        assertEquals(44.0, Ints.cast(300, true, Ints.U8));
        assertEquals(255.0, Ints.cast(-1, true, Ints.U8));
        assertEquals(-56.0, Ints.cast(200, true, Ints.I8));
        assertEquals(0.0, Ints.cast(4294967296.0, true, Ints.I32));
        assertEquals(255.0, Ints.cast(300.7, false, Ints.U8));
        assertEquals(0.0, Ints.cast(-3.5, false, Ints.U8));
        assertEquals(-3.0, Ints.cast(-3.9, false, Ints.I32), "truncation toward zero");
        assertEquals(127.0, Ints.cast(1e30, false, Ints.I8));
        assertEquals(2147483647.0, Ints.cast(1e30, false, Ints.I32));
        assertEquals(0.0, Ints.cast(Double.NaN, false, Ints.I8));
        assertEquals(0.0, Ints.cast(Double.NaN, false, Ints.I32));
        assertEquals(Double.doubleToLongBits(0.0), Double.doubleToLongBits(Ints.cast(-0.5, false, Ints.I8)), "no negative zero");
    }

    @Test void anIntegerSumWrapsInPlace() {
        double[] y = {7, 300, 555, -1};
        Ints.wrapAll(y, 1, 3, Ints.U8);
        assertArrayEquals(new double[]{7, 44, 43, 255}, y);
    }
}
