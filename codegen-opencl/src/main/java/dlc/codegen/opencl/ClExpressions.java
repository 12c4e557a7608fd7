package dlc.codegen.opencl;

import dlc.ir.DType;
import dlc.ir.Node;
import dlc.ir.Value;
import dlc.codegen.opencl.ClLowering.Expression;

/**
 * The OpenCL C expression of each inline op (the {@link ClLoweringTable} names one per op).
 * Operands arrive in their register types ({@code float} for f32, {@code double} otherwise) and
 * the result is in its own. Semantics follow the reference interpreter's {@code eval}: NaN
 * handling of sign, maximum/minimum and comparisons as Java's, integer arithmetic wrapping to the
 * dtype through {@code long} (as {@code dlc.numerics.Ints}), casts to integers truncating and
 * saturating. Float math uses OpenCL's built-ins (their ulp bounds are within the float32
 * tolerance the tests use).
 */
final class ClExpressions {
    private ClExpressions() {}

    private static String t(Node n) { return ClTypes.register(n.output()); }

    private static boolean integer(Node n) { return n.output().type().dtype().isInteger(); }

    /** A built-in math function of one operand ({@code exp}, {@code tanh}, ...): overloaded for float and double. */
    static Expression builtin(String fn) { return (n, a) -> fn + "(" + a.get(0) + ")"; }

    static final Expression NEG = (n, a) -> integer(n)
            ? ClTypes.wrap(n.output().type().dtype()) + "(-(long)(" + a.get(0) + "))"
            : "(-" + a.get(0) + ")";

    static final Expression ABS = (n, a) -> integer(n)
            ? ClTypes.wrap(n.output().type().dtype()) + "((long)abs((long)(" + a.get(0) + ")))"
            : "fabs(" + a.get(0) + ")";

    /** Java's signum: NaN stays NaN (OpenCL's sign gives 0 for NaN). */
    static final Expression SIGN = (n, a) -> "(isnan(" + a.get(0) + ") ? " + a.get(0) + " : sign(" + a.get(0) + "))";

    static final Expression SIGMOID = (n, a) -> {
        String x = a.get(0), one = ClTypes.literal(1, t(n)), zero = ClTypes.literal(0, t(n));
        return "(" + x + " >= " + zero + " ? " + one + " / (" + one + " + exp(-" + x + ")) : exp(" + x + ") / (" + one + " + exp(" + x + ")))";
    };

    static final Expression RELU = (n, a) -> "(" + a.get(0) + " > " + ClTypes.literal(0, t(n)) + " ? " + a.get(0) + " : " + ClTypes.literal(0, t(n)) + ")";

    static final Expression NOT = (n, a) -> "(" + a.get(0) + " != 0.0 ? 0.0 : 1.0)";

    /** {@code a op b}; integers in long, wrapped to the dtype (64-bit through ulong, so overflow wraps). */
    static Expression arith(String op) {
        return (n, a) -> integer(n)
                ? ClTypes.wrap(n.output().type().dtype()) + "((long)((ulong)(long)(" + a.get(0) + ") " + op + " (ulong)(long)(" + a.get(1) + ")))"
                : "(" + a.get(0) + " " + op + " " + a.get(1) + ")";
    }

    /**
     * Where an integer op that can fail passes its error word and code to its helper
     * ({@link GroupKernels#HELPERS}); the kernel writer replaces it ({@link KernelWriter#errorSites}).
     */
    static final String ERROR_SITE = "DLC_ERROR_SITE";

    /**
     * An integer op computed on the exact values in long by helper {@code fn} (a zero divisor or
     * a negative exponent gives 0 and sets the error word), wrapped to the dtype as dlc.numerics.Ints.
     */
    private static String integerCall(Node n, String fn, java.util.List<String> a) {
        return ClTypes.wrap(n.output().type().dtype()) + "(" + fn + "((long)(" + a.get(0) + "), (long)(" + a.get(1) + "), " + ERROR_SITE + "))";
    }

    /** Whether {@code n} is an integer op that can fail (a zero divisor, a negative exponent): its kernel needs an error word. */
    static boolean canFail(Node n) {
        return integer(n) && (n.op() == dlc.ir.ops.Ops.DIV || n.op() == dlc.ir.ops.Ops.MOD || n.op() == dlc.ir.ops.Ops.TRUNC_DIV
                || n.op() == dlc.ir.ops.Ops.TRUNC_MOD || n.op() == dlc.ir.ops.Ops.POW);
    }

    /** Floats: a / b; integers: floor division (Ints.div). */
    static final Expression DIV = (n, a) -> integer(n) ? integerCall(n, "dlc_floordiv", a) : "(" + a.get(0) + " / " + a.get(1) + ")";

    /** The interpreter's floored modulo, a - floor(a / b) * b (integers: Ints.mod, the divisor's sign). */
    static final Expression MOD = (n, a) -> integer(n) ? integerCall(n, "dlc_floormod", a)
            : "(" + a.get(0) + " - floor(" + a.get(0) + " / " + a.get(1) + ") * " + a.get(1) + ")";

    static final Expression TRUNC_DIV = (n, a) -> integer(n) ? integerCall(n, "dlc_truncdiv", a) : "trunc(" + a.get(0) + " / " + a.get(1) + ")";

    /** C's fmod, which is Java's % on floats (integers: Ints.truncMod, the dividend's sign). */
    static final Expression TRUNC_MOD = (n, a) -> integer(n) ? integerCall(n, "dlc_truncmod", a) : "fmod(" + a.get(0) + ", " + a.get(1) + ")";

    /** Integers: repeated squaring with wrap-around (Ints.pow); a negative exponent is an error. */
    static final Expression POW = (n, a) -> integer(n) ? integerCall(n, "dlc_ipow", a) : "pow(" + a.get(0) + ", " + a.get(1) + ")";

    /** Ties (and a NaN second operand) go to the first operand, as the interpreter's {@code a >= b ? a : b}. */
    static final Expression MAXIMUM = (n, a) -> "(" + a.get(0) + " >= " + a.get(1) + " ? " + a.get(0) + " : " + a.get(1) + ")";

    static final Expression MINIMUM = (n, a) -> "(" + a.get(0) + " <= " + a.get(1) + " ? " + a.get(0) + " : " + a.get(1) + ")";

    /** A comparison; the bool result is 0.0/1.0. */
    static Expression compare(String op) { return (n, a) -> "(" + a.get(0) + " " + op + " " + a.get(1) + " ? 1.0 : 0.0)"; }

    static Expression logical(String op) {
        return (n, a) -> "((" + a.get(0) + " != 0.0 " + op + " " + a.get(1) + " != 0.0) ? 1.0 : 0.0)";
    }

    static final Expression WHERE = (n, a) -> "(" + a.get(0) + " != 0.0 ? " + a.get(1) + " : " + a.get(2) + ")";

    /** The operand itself (broadcast_to: the kernel reads it broadcast). */
    static final Expression OPERAND = (n, a) -> a.get(0);

    /** A splat constant: its one value as a literal. */
    static final Expression CONSTANT = (n, a) -> ClTypes.literal(n.attrs().getDoubles("values")[0], t(n));

    /** As the interpreter's {@code ElementwiseOps.convert}. */
    static final Expression CAST = (n, a) -> {
        Value x = n.input(0);
        DType to = n.output().type().dtype();
        String v = a.get(0);
        boolean fromInteger = !x.type().dtype().isFloating();
        return switch (to) {
            case F32 -> "(float)(" + v + ")";
            case F64 -> "(double)(" + v + ")";
            case BOOL -> "(" + v + " != 0 ? 1.0 : 0.0)";
            case I8, U8, I32, I64 -> fromInteger ? ClTypes.wrap(to) + "((long)(" + v + "))"
                    : "(double)convert_" + switch (to) { case I8 -> "char"; case U8 -> "uchar"; case I32 -> "int"; default -> "long"; }
                    + "_sat_rtz(" + v + ")";
            case F16 -> "dlc_f16((double)(" + v + "))";
        };
    };

}
