package dlc.runtime;

import dlc.numerics.Half;
import dlc.numerics.Ints;

/**
 * Scalar functions that generated loop bodies call for elementwise ops without a JVM opcode
 * (the JIT inlines them). Each matches the float64 reference interpreter's definition
 * ({@code dlc.ir.ops.ElementwiseOps}); float versions compute in double and round once.
 */
public final class Fn {
    private Fn() {}

    public static double sigmoid(double x) { return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); }

    public static float sigmoid(float x) { return (float) sigmoid((double) x); }

    /**
     * tanh for float results through the exp intrinsic (Math.tanh is a slow software routine):
     * (1 - e)/(1 + e) with e = exp(-2|x|) in double is within 1e-15 relative of tanh, far below
     * float's rounding, including near 0 (1 - e has no cancellation problem at double precision).
     */
    public static float tanh(float x) {
        double e = Math.exp(-2 * Math.abs((double) x));
        return (float) Math.copySign((1 - e) / (1 + e), x);
    }

    public static double relu(double x) { return x > 0 ? x : 0; }

    public static float relu(float x) { return x > 0 ? x : 0f; }

    public static double rsqrt(double x) { return 1 / Math.sqrt(x); }

    public static double floorMod(double a, double b) { return a - Math.floor(a / b) * b; }

    public static double maximum(double a, double b) { return a >= b ? a : b; }

    public static float maximum(float a, float b) { return a >= b ? a : b; }

    public static double minimum(double a, double b) { return a <= b ? a : b; }

    public static float minimum(float a, float b) { return a <= b ? a : b; }

    /** C fmod, as the interpreter's float {@code trunc_mod}: the remainder with the dividend's sign. */
    public static double truncMod(double a, double b) { return a % b; }

    /** The quotient truncated toward zero, as the interpreter's float {@code trunc_div}. */
    public static double truncDiv(double a, double b) {
        double q = a / b;
        return q < 0 ? Math.ceil(q) : Math.floor(q);
    }

    /** Conversion to bool, as the interpreter's {@code cast} (integer casts: {@link Ints#cast}, f16: {@link Half#round}). */
    public static double toBool(double v) { return v != 0 ? 1 : 0; }

    // comparisons and logic give bool values stored as 0/1 doubles
    public static double lt(double a, double b) { return a < b ? 1 : 0; }

    public static double le(double a, double b) { return a <= b ? 1 : 0; }

    public static double gt(double a, double b) { return a > b ? 1 : 0; }

    public static double ge(double a, double b) { return a >= b ? 1 : 0; }

    public static double eq(double a, double b) { return a == b ? 1 : 0; }

    public static double ne(double a, double b) { return a != b ? 1 : 0; }

    public static double lt(float a, float b) { return a < b ? 1 : 0; }

    public static double le(float a, float b) { return a <= b ? 1 : 0; }

    public static double gt(float a, float b) { return a > b ? 1 : 0; }

    public static double ge(float a, float b) { return a >= b ? 1 : 0; }

    public static double eq(float a, float b) { return a == b ? 1 : 0; }

    public static double ne(float a, float b) { return a != b ? 1 : 0; }

    public static double and(double a, double b) { return a != 0 && b != 0 ? 1 : 0; }

    public static double or(double a, double b) { return a != 0 || b != 0 ? 1 : 0; }

    public static double not(double a) { return a != 0 ? 0 : 1; }
}
