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
                toX("where(c, x, x)", op(Ops.WHERE, C, X, X), ALWAYS),
                toX("pad by nothing", node("p", Ops.PAD, X), m -> padsNothing(m.node("p"))),
                // the VJP of slices that cover an axis (an LSTM's four gates) is a sum of zero-padded
                // cotangents: one buffer filled and added four times where a concat copies each once
                rule("add(pad a, pad b) of adjacent windows", op(Ops.ADD, node("p", Ops.PAD, var("a")), node("q", Ops.PAD, var("b"))),
                        AlgebraicRules::adjacentPads, AlgebraicRules::concatOfPads)));
        // a reduction over axes that all have size 1 moves no data but the reshape: sum, mean, max, min alike
        for (OpDef r : Ops.all())
            if (r.is(OpTrait.REDUCTION))
                RULES.add(rule(r.name() + " over size-1 axes", node("r", r, X), AlgebraicRules::reducesOnlyOnes,
                        (m, e) -> e.reshape(m.get("x"), m.root().output().type().shape())));
    }

    private static boolean padsNothing(Node pad) {
        for (long v : pad.attrs().getLongs("low")) if (v != 0) return false;
        for (long v : pad.attrs().getLongs("high")) if (v != 0) return false;
        return true;
    }

    /**
     * The axis along which two zero pads of the same shape differ, when their windows are adjacent
     * there and equal on every other axis (so their sum is the concat of the two operands, padded);
     * -1 otherwise.
     */
    private static int adjacentAxis(Node p, Node q) {
        if (p.attrs().getDouble("value", 0) != 0 || q.attrs().getDouble("value", 0) != 0) return -1;
        if (!p.output().type().equals(q.output().type())) return -1;
        long[] pl = p.attrs().getLongs("low"), ph = p.attrs().getLongs("high"), ql = q.attrs().getLongs("low"), qh = q.attrs().getLongs("high");
        int axis = -1;
        for (int a = 0; a < pl.length; a++) {
            if (pl[a] == ql[a] && ph[a] == qh[a]) continue;
            if (axis >= 0) return -1;
            axis = a;
        }
        if (axis < 0) return -1;
        // p's window [pl, pl + dim) ends where q's begins, or the other way round
        Dim pEnd = p.input(0).type().shape().dim(axis).plus(pl[axis]), qEnd = q.input(0).type().shape().dim(axis).plus(ql[axis]);
        return pEnd.equals(Dim.of(ql[axis])) || qEnd.equals(Dim.of(pl[axis])) ? axis : -1;
    }

    private static boolean adjacentPads(Match m) {
        return m.root().output().type().equals(m.node("p").output().type()) && adjacentAxis(m.node("p"), m.node("q")) >= 0;
    }

    /** pad(concat(first, second)) with the first's low and the second's high counts; a concat operand flattened. */
    private static Value concatOfPads(Match m, GraphRewriter.Emitter e) {
        Node p = m.node("p"), q = m.node("q");
        int axis = adjacentAxis(p, q);
        boolean pFirst = p.attrs().getLongs("low")[axis] < q.attrs().getLongs("low")[axis];
        Node first = pFirst ? p : q, second = pFirst ? q : p;
        List<Value> parts = new ArrayList<>();
        for (Node pad : List.of(first, second)) {
            Value x = pad.input(0);
            Node c = x.producer();
            if (c != null && c.op() == Ops.CONCAT && c.attrs().getLong("axis") == axis) parts.addAll(c.inputs());
            else parts.add(x);
        }
        Value cat = e.op(Ops.CONCAT, Attrs.of("axis", (long) axis), parts.toArray(new Value[0]));
        long[] low = first.attrs().getLongs("low").clone(), high = first.attrs().getLongs("high").clone();
        high[axis] = second.attrs().getLongs("high")[axis];
        boolean none = Arrays.stream(low).allMatch(v -> v == 0) && Arrays.stream(high).allMatch(v -> v == 0);
        return none ? cat : e.op(Ops.PAD, Attrs.of("low", longs(low), "high", longs(high)), cat);
    }

    private static List<Long> longs(long[] v) { return Arrays.stream(v).boxed().toList(); }

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
