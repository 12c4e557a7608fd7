package dlc.numerics;

/** Special functions the JDK lacks, accurate to float64 rounding where the interpreter needs them. */
public final class SpecialFunctions {
    private SpecialFunctions() {}

    /**
     * The error function. For |x| < 2.5 the Maclaurin series (converges fast there), else the
     * complementary continued fraction (Lentz); both reach ~1e-16 absolute error.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax < 2.5) {
            double sum = x, term = x, x2 = x * x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        if (ax > 6) return Math.signum(x);
        return Math.signum(x) * (1 - erfcContinuedFraction(ax));
    }

    /**
     * The complementary error function 1 - erf(x), to ~1e-15 relative error even where it is far
     * below 1 (erfc(10) = 2.1e-45, where 1 - erf(x) is 0): for 0 <= x < 1, 1 - erf(x) (erf(x) <
     * 0.85 there, so the subtraction loses under one digit); for x >= 1 the continued fraction
     * directly (under 200 terms); for x < 0, 2 - erfc(-x) (at least 1, no cancellation).
     */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return 2 - erfc(-x);
        if (x < 1) return 1 - erf(x);
        if (x == Double.POSITIVE_INFINITY) return 0; // the fraction would give inf * 0
        return erfcContinuedFraction(x);
    }

    private static double erfcContinuedFraction(double x) {
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
        double tiny = 1e-300, f = x, c = x, d = 0;
        for (int n = 1; n < 500; n++) {
            double a = n / 2.0;
            d = x + a * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
