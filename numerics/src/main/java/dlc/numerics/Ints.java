package dlc.numerics;

/**
 * Integer arithmetic on values held as doubles (both backends store i8, u8, i32 and i64 in
 * {@code double}s). Each op computes in {@code long} and wraps the result to its dtype as two's
 * complement (NumPy and C unsigned semantics; C leaves signed overflow undefined, Java and NumPy
 * wrap). The one definition both the reference interpreter and the JVM backend's generated code
 * call, so they agree bit for bit.
 *
 * <p>{@code kind} names the dtype: {@link #I8}, {@link #U8}, {@link #I32}, {@link #I64}. i8, u8
 * and i32 values are exact in a double; i64 values are exact only within +-2^53 and a result
 * beyond that is rounded to the nearest double (the documented limit of i64 in dlc).
 */
public final class Ints {
    public static final int I8 = 8, U8 = -8, I32 = 32, I64 = 64;

    private Ints() {}

    /** {@code v} wrapped to the value set of {@code kind} (modulo 2^bits, two's complement when signed). */
    public static double wrap(long v, int kind) {
        return switch (kind) {
            case I8 -> (byte) v;
            case U8 -> v & 0xFF;
            case I32 -> (int) v;
            default -> v;
        };
    }

    /**
     * Wraps {@code y[off, off + n)} in place: the end of an integer {@code sum}, which adds in
     * double (exact while the true sum is within 2^53) and keeps its operand's dtype (ONNX ReduceSum).
     */
    public static void wrapAll(double[] y, int off, int n, int kind) {
        for (int i = off; i < off + n; i++) y[i] = wrap((long) y[i], kind);
    }

    public static double add(double a, double b, int kind) { return wrap((long) a + (long) b, kind); }

    public static double sub(double a, double b, int kind) { return wrap((long) a - (long) b, kind); }

    public static double mul(double a, double b, int kind) { return wrap((long) a * (long) b, kind); }

    public static double neg(double a, int kind) { return wrap(-(long) a, kind); }

    /** |a|, wrapped: the most negative value is its own absolute value (as NumPy). */
    public static double abs(double a, int kind) { return wrap(Math.abs((long) a), kind); }

    /** Floor division, the language's {@code /} on integers (Python and NumPy {@code //}). */
    public static double div(double a, double b, int kind) {
        return wrap(Math.floorDiv((long) a, nonZero(b, "div")), kind);
    }

    /** Floor modulo, the language's {@code %} on integers: the result has the divisor's sign. */
    public static double mod(double a, double b, int kind) {
        return wrap(Math.floorMod((long) a, nonZero(b, "mod")), kind);
    }

    /** Division truncating toward zero (C, Java, ONNX {@code Div} on integers). */
    public static double truncDiv(double a, double b, int kind) {
        return wrap((long) a / nonZero(b, "trunc_div"), kind);
    }

    /** Remainder of truncating division: the result has the dividend's sign (C {@code %}, ONNX {@code Mod fmod=1}). */
    public static double truncMod(double a, double b, int kind) {
        return wrap((long) a % nonZero(b, "trunc_mod"), kind);
    }

    /** a^b by repeated squaring, wrapped; a negative exponent is an error (as NumPy). */
    public static double pow(double a, double b, int kind) {
        long base = (long) a, e = (long) b, r = 1;
        if (e < 0) throw new ArithmeticException("integer pow with a negative exponent " + e + "; cast to a float dtype first");
        while (e != 0) {
            if ((e & 1) != 0) r *= base;
            base *= base;
            e >>>= 1;
        }
        return wrap(r, kind);
    }

    /**
     * A cast to an integer dtype. From an integer dtype ({@code fromInteger}) the value wraps; from
     * a float it truncates toward zero and saturates at the target's range, NaN giving 0 (C and
     * ONNX leave out-of-range conversions undefined; this is Java's rule, for every width).
     */
    public static double cast(double v, boolean fromInteger, int kind) {
        if (fromInteger) return wrap((long) v, kind);
        return switch (kind) {
            case I8 -> clamp(v, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case U8 -> clamp(v, 0, 255);
            case I32 -> (int) v;
            default -> (long) v;
        };
    }

    private static double clamp(double v, int lo, int hi) {
        if (Double.isNaN(v)) return 0;
        double t = v < 0 ? Math.ceil(v) : Math.floor(v);
        return Math.max(lo, Math.min(hi, t)) + 0.0;
    }

    private static long nonZero(double b, String op) {
        long d = (long) b;
        if (d == 0) throw new ArithmeticException("integer " + op + " by zero");
        return d;
    }
}
