package dlc.runtime;

/**
 * Transcendental functions over contiguous float ranges, {@code y[yo + i] = f(x[xo + i])} for
 * {@code i < n}: what the JVM backend calls for f32 exp, log, log1p, expm1, tanh, sigmoid, sin
 * and cos (a scalar call per element inside a loop nest costs several times more). With
 * {@code jdk.incubator.vector}, exp, sigmoid and tanh run vector loops of dlc's own
 * ({@link VecMathKernels}: within a few ulps, not correctly rounded, the same bits whether or not
 * the JIT compiled them), the range's last partial vector through a padded one, so an element's
 * result depends only on its value, never on the range's length or its place in it; the other
 * ops, and all of them without the module, a scalar loop with the interpreter's definitions
 * rounded to float. {@code x} and {@code y} may be the same range.
 */
public final class VecMath {
    private VecMath() {}

    /** Op codes, in the order of {@link #NAMES}. */
    public static final int EXP = 0, LOG = 1, LOG1P = 2, EXPM1 = 3, TANH = 4, SIGMOID = 5, SIN = 6, COS = 7;
    public static final java.util.List<String> NAMES = java.util.List.of("exp", "log", "log1p", "expm1", "tanh", "sigmoid", "sin", "cos");

    public static void apply(int op, float[] x, int xo, float[] y, int yo, int n) {
        if (VecSupport.ENABLED) VecMathKernels.apply(op, x, xo, y, yo, n);
        else scalar(op, x, xo, y, yo, 0, n);
    }

    /** Elements {@code from..n-1} one at a time: the ops without a vector loop, and every op without the module. */
    static void scalar(int op, float[] x, int xo, float[] y, int yo, int from, int n) {
        for (int i = from; i < n; i++) y[yo + i] = scalar(op, x[xo + i]);
    }

    static float scalar(int op, float v) {
        return switch (op) {
            case EXP -> (float) Math.exp(v);
            case LOG -> (float) Math.log(v);
            case LOG1P -> (float) Math.log1p(v);
            case EXPM1 -> (float) Math.expm1(v);
            case TANH -> Fn.tanh(v);
            case SIGMOID -> Fn.sigmoid(v);
            case SIN -> (float) Math.sin(v);
            case COS -> (float) Math.cos(v);
            default -> throw new IllegalArgumentException("no VecMath op " + op);
        };
    }
}
