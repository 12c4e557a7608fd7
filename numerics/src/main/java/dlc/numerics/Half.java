package dlc.numerics;

/**
 * IEEE 754 binary16 (f16) rounding for Java 17 ({@code Float.floatToFloat16} is Java 20). f16
 * values are held in doubles on both backends; a cast to f16 rounds them here.
 */
public final class Half {
    /** The largest finite f16, 65504 = (2 - 2^-10) * 2^15. */
    public static final double MAX = 65504.0;
    /** Values from here up round to infinity: halfway between MAX and 2^16, where ties go to the even 2^16. */
    private static final double OVERFLOW = 65520.0;

    private Half() {}

    /**
     * The f16 value nearest to {@code v}, ties to even: 11 significant bits for normal values,
     * a fixed quantum of 2^-24 for subnormals (below 2^-14), infinity from 65520 up, NaN and
     * signed zeros kept.
     */
    public static double round(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) return v;
        double a = Math.abs(v);
        if (a >= OVERFLOW) return Math.copySign(Double.POSITIVE_INFINITY, v);
        // the spacing of f16 values around a: 2^(e - 10) in binade e, never below 2^-24
        int quantum = Math.max(Math.getExponent(a), -14) - 10;
        // scaling by a power of two is exact here; rint rounds half to even
        double r = Math.scalb(Math.rint(Math.scalb(a, -quantum)), quantum);
        return Math.copySign(r, v);
    }
}
