package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.*;
import java.util.function.BiFunction;
import java.util.function.Predicate;

import static dlc.passes.simplify.Pattern.*;

/**
 * The algebraic rewrite rules, as data: a name, a {@link Pattern}, a guard and a rewrite. Every
 * rule gives exactly the value of the node it replaces, with two documented exceptions:
 * <ul>
 *   <li>Signed zeros are not kept ({@code x + 0 -> x} turns {@code -0 + 0 = +0} into {@code -0});
 *       XLA's simplifier makes the same choice. Every other identity here is exact in IEEE
 *       arithmetic, NaN and infinities included ({@code x * 1}, {@code x - 0}, {@code x / 1},
 *       {@code -(-x)}, movement of elements).</li>
 *   <li>{@code log(exp x) -> x} holds for every real x, and in floating point it removes a
 *       rounding and the overflow of {@code exp} (log(exp 800) is inf): the rewritten graph is the
 *       more accurate one, equal up to one rounding where exp does not overflow. Its mirror
 *       {@code exp(log x) -> x} is NOT a rule: it needs x > 0 (log of a negative is NaN, of 0 is
 *       -inf), which cannot be proved in general.</li>
 * </ul>
 * {@code x * 0 -> 0} is only for integer x: for floats {@code NaN * 0} and {@code inf * 0} are
 * NaN, so the rule would be wrong without a fast-math mode, which dlc does not have.
 *
 * <p>The identity rules ({@code x + 0}, {@code x - 0}, {@code x * 1}, {@code x / 1},
 * {@code x and true}, {@code x or false}) and the absorbing ones ({@code x * 0},
 * {@code x and false}, {@code x or true}, integer and bool x only) are made from the ops' data,
 * {@link OpDef#identity} and {@link OpDef#absorbing}; each is written once with the constant on
 * the right, and {@link Pattern} matching tries both operand orders of a commutative op.
 *
 * <p>A rewrite may return a value whose shape is smaller than the node's result (x for
 * {@code x * 1} where only the 1 had the outer dims); {@link AlgebraicSimplification} broadcasts it.
 */
final class AlgebraicRules {
    private AlgebraicRules() {}

    /** One rule: when {@code pattern} matches and {@code guard} holds, the node's result is {@code rewrite}. */
    record Rule(String name, Pattern pattern, Predicate<Match> guard, BiFunction<Match, GraphRewriter.Emitter, Value> rewrite) {}

    private static final Pattern X = var("x"), C = var("c");
    private static final Predicate<Match> ALWAYS = m -> true;

    private static Rule rule(String name, Pattern p, Predicate<Match> guard, BiFunction<Match, GraphRewriter.Emitter, Value> rewrite) {
        return new Rule(name, p, guard, rewrite);
    }

    /** A rule whose result is the variable x (broadcast to the result's shape where needed). */
    private static Rule toX(String name, Pattern p, Predicate<Match> guard) { return rule(name, p, guard, (m, e) -> m.get("x")); }

    private static boolean integer(Match m) { return !m.root().output().type().dtype().isFloating(); }

    /** True when the node's shape attribute equals the shape of x. */
    private static boolean sameShape(Match m) { return m.type("x").shape().equals(m.root().output().type().shape()); }

    static final List<Rule> RULES = new ArrayList<>();

    static {
        // identities and absorbing elements are data on the ops (OpDef.identity/absorbing); a
        // commutative op's pattern matches both operand orders, so x*1 also covers 1*x
        for (OpDef op : Ops.all()) {
            op.identity().ifPresent(e -> RULES.add(toX(op.name() + "(x, " + number(e) + ")", op(op, X, splat(e)), ALWAYS)));
            op.absorbing().ifPresent(z -> RULES.add(rule(op.name() + "(x, " + number(z) + ") (integer or bool x)", op(op, X, splat(z)),
                    AlgebraicRules::integer, (m, e) -> e.fill(z, m.root().output().type()))));
        }
        RULES.addAll(List.of(
                toX("neg(neg x)", op(Ops.NEG, op(Ops.NEG, X)), ALWAYS),
                toX("not(not x)", op(Ops.NOT, op(Ops.NOT, X)), ALWAYS),
                toX("log(exp x)", op(Ops.LOG, op(Ops.EXP, X)), ALWAYS),
                rule("permute(permute x)", node("outer", Ops.PERMUTE, node("inner", Ops.PERMUTE, X)), ALWAYS,
                        (m, e) -> e.op(Ops.PERMUTE, Attrs.of("perm", compose(m.node("inner"), m.node("outer"))), m.get("x"))),
                toX("identity permute", node("p", Ops.PERMUTE, X), m -> isIdentity(m.node("p").attrs().getLongs("perm"))),
                rule("reshape(reshape x)", node("outer", Ops.RESHAPE, op(Ops.RESHAPE, X)), ALWAYS,
                        (m, e) -> e.op(Ops.RESHAPE, m.node("outer").attrs(), m.get("x"))),
                toX("reshape to the same shape", op(Ops.RESHAPE, X), AlgebraicRules::sameShape),
                rule("broadcast_to(broadcast_to x)", node("outer", Ops.BROADCAST_TO, op(Ops.BROADCAST_TO, X)), ALWAYS,
                        (m, e) -> e.op(Ops.BROADCAST_TO, m.node("outer").attrs(), m.get("x"))),
                toX("broadcast_to the same shape", op(Ops.BROADCAST_TO, X), AlgebraicRules::sameShape),
                toX("cast to the same dtype", op(Ops.CAST, X), AlgebraicRules::castIsIdentity),
                rule("stop_gradient(constant)", op(Ops.STOP_GRADIENT, node("k", Ops.CONSTANT)), ALWAYS, (m, e) -> m.node("k").output()),
                toX("where(c, x, x)", op(Ops.WHERE, C, X, X), ALWAYS)));
        // a reduction over axes that all have size 1 moves no data but the reshape: sum, mean, max, min alike
        for (OpDef r : Ops.all())
            if (r.is(OpTrait.REDUCTION))
                RULES.add(rule(r.name() + " over size-1 axes", node("r", r, X), AlgebraicRules::reducesOnlyOnes,
                        (m, e) -> e.reshape(m.get("x"), m.root().output().type().shape())));
    }

    /** A rule-name number: 1 rather than 1.0. */
    private static String number(double v) { return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v); }

    /** The composed permutation of permute(permute(x, inner), outer): result axis i is x axis inner[outer[i]]. */
    private static List<Long> compose(Node inner, Node outer) {
        long[] p = inner.attrs().getLongs("perm"), q = outer.attrs().getLongs("perm");
        List<Long> out = new ArrayList<>();
        for (long i : q) out.add(p[(int) i]);
        return out;
    }

    private static boolean isIdentity(long[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }

    /**
     * A cast to x's own dtype, for f64, integers and bool. Not for f32 and f16: the float64
     * interpreter holds their values as doubles and such a cast rounds them to the narrow type,
     * so dropping it would change what the oracle computes.
     */
    private static boolean castIsIdentity(Match m) {
        DType from = m.type("x").dtype();
        return from == m.root().output().type().dtype() && from != DType.F32 && from != DType.F16;
    }

    private static boolean reducesOnlyOnes(Match m) {
        Shape s = m.type("x").shape();
        for (long a : m.node("r").attrs().getLongs("axes")) if (!s.dim((int) a).equals(Dim.of(1))) return false;
        return true;
    }
}
