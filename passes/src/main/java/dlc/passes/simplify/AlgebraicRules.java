package dlc.passes.simplify;

import dlc.ir.*;

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
        RULES.addAll(List.of(
                toX("x*1", op("mul", X, splat(1)), ALWAYS),
                toX("1*x", op("mul", splat(1), X), ALWAYS),
                toX("x/1", op("div", X, splat(1)), ALWAYS),
                toX("x+0", op("add", X, splat(0)), ALWAYS),
                toX("0+x", op("add", splat(0), X), ALWAYS),
                toX("x-0", op("sub", X, splat(0)), ALWAYS),
                rule("x*0 (integer x)", op("mul", X, splat(0)), AlgebraicRules::integer, (m, e) -> e.fill(0, m.root().output().type())),
                rule("0*x (integer x)", op("mul", splat(0), X), AlgebraicRules::integer, (m, e) -> e.fill(0, m.root().output().type())),
                toX("neg(neg x)", op("neg", op("neg", X)), ALWAYS),
                toX("not(not x)", op("not", op("not", X)), ALWAYS),
                toX("log(exp x)", op("log", op("exp", X)), ALWAYS),
                rule("permute(permute x)", node("outer", "permute", node("inner", "permute", X)), ALWAYS,
                        (m, e) -> e.op("permute", Attrs.of("perm", compose(m.node("inner"), m.node("outer"))), m.get("x"))),
                toX("identity permute", node("p", "permute", X), m -> isIdentity(m.node("p").attrs().getLongs("perm"))),
                rule("reshape(reshape x)", node("outer", "reshape", op("reshape", X)), ALWAYS,
                        (m, e) -> e.op("reshape", m.node("outer").attrs(), m.get("x"))),
                toX("reshape to the same shape", op("reshape", X), AlgebraicRules::sameShape),
                rule("broadcast_to(broadcast_to x)", node("outer", "broadcast_to", op("broadcast_to", X)), ALWAYS,
                        (m, e) -> e.op("broadcast_to", m.node("outer").attrs(), m.get("x"))),
                toX("broadcast_to the same shape", op("broadcast_to", X), AlgebraicRules::sameShape),
                toX("cast to the same dtype", op("cast", X), AlgebraicRules::castIsIdentity),
                rule("stop_gradient(constant)", op("stop_gradient", node("k", "constant")), ALWAYS, (m, e) -> m.node("k").output()),
                toX("where(c, x, x)", op("where", C, X, X), ALWAYS)));
        // a reduction over axes that all have size 1 moves no data but the reshape: sum, mean, max, min alike
        for (String r : List.of("sum", "mean", "max", "min"))
            RULES.add(rule(r + " over size-1 axes", node("r", r, X), AlgebraicRules::reducesOnlyOnes,
                    (m, e) -> e.reshape(m.get("x"), m.root().output().type().shape())));
    }

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
