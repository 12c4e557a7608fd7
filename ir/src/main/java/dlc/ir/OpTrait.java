package dlc.ir;

/**
 * Facts about an op that passes and backends ask, kept as data on its {@link OpDef} (set where
 * the op is defined, in its family's list) so that no code tests an op's name to learn them.
 * {@code docs/ops.md} lists which pass reads which trait; {@code OpTraitsTest} checks each claim
 * against the op's float64 reference semantics.
 */
public enum OpTrait {
    /**
     * The result is drawn from a key operand ({@code rng_fold}, {@code random_uniform},
     * {@code random_normal}). Still a function of operands and attributes (two draws with the same
     * key are the same tensor), so CSE and DCE treat it like any op; only constant folding must not
     * freeze samples into data. Every op without this trait is pure in the everyday sense.
     */
    RANDOM,
    /** A binary op with {@code op(a, b) == op(b, a)} for every value, NaN included; patterns match both operand orders. */
    COMMUTATIVE,
    /** A binary op with {@code op(op(a, b), c) == op(a, op(b, c))} in exact arithmetic (floats: up to rounding). */
    ASSOCIATIVE,
    /**
     * The result holds its first operand's elements in the same row-major order with the same
     * dtype, only relabelled (reshape, stop_gradient): a backend may give it the operand's storage.
     */
    ALIAS,

    // --- the elementwise kind: at most one of these, and only on ops of Kind.ELEMENTWISE
    /** Unary math on numbers: {@code y = f(x)}, same type (neg, exp, relu, floor ...; not {@code not}). */
    UNARY,
    /** Binary arithmetic with broadcasting; the result has the operands' dtype (add, pow, maximum ...). */
    ARITHMETIC,
    /** Binary comparison with broadcasting; the result is bool (lt, eq ...). */
    COMPARISON,
    /** Logic on bool operands (not, and, or). */
    LOGIC,
    /** {@code where(c, a, b)}: picks a or b by a bool condition. */
    SELECT,
    /** {@code cast}: converts to the dtype attribute. */
    CAST,

    /** Operands must be floating (exp, log, sqrt ...); ops without it also map integers to integers. */
    FLOAT_ONLY,
    /**
     * The derivative is zero wherever it is defined (sign, floor, trunc_div): the VJP gives no
     * cotangent, and gradient checks have nothing to check.
     */
    PIECEWISE_CONSTANT,
    /**
     * Reduces its operand over the axes in attribute {@code axes} (with optional {@code keepdims})
     * to the operand's dtype: sum, mean, max, min. Not argmax/argmin (one axis, i64 result) nor pooling.
     */
    REDUCTION
}
