package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.ir.testing.OpLists;
import net.jqwik.api.*;

import java.util.*;
import java.util.function.DoubleSupplier;

import static dlc.passes.autodiff.GraphsForGrad.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every differentiable elementwise op: reverse-mode gradient vs central differences in float64,
 * over random shapes (rank 0-4), random broadcasting patterns and random values kept away from
 * kinks and outside each op's domain edges.
 */
class ElementwiseGradientProperties {
    // by trait, so a new unary math or binary arithmetic op has its gradient checked with no edit here
    static final List<OpDef> UNARY = OpLists.differentiableUnary();
    static final List<OpDef> BINARY = OpLists.differentiableBinary();

    /**
     * Values where op is smooth, read from the op itself: away from 0 for the ops that also take
     * integers (the kinks of abs and relu are there); positive for float ops undefined somewhere
     * in [-2, 0] (log, sqrt, rsqrt, log1p); else [-2, 2).
     */
    static DoubleSupplier domain(OpDef op, Random r) {
        if (!op.is(OpTrait.FLOAT_ONLY)) return () -> (r.nextBoolean() ? 1 : -1) * (0.1 + 2 * r.nextDouble());
        if (!finiteOn(op, -2, 0)) return () -> 0.2 + 2.8 * r.nextDouble();
        return () -> -2 + 4 * r.nextDouble();
    }

    /** Whether the unary op's reference value is finite on a grid over [lo, hi]. */
    private static boolean finiteOn(OpDef op, double lo, double hi) {
        double[] xs = new double[41];
        for (int i = 0; i < xs.length; i++) xs[i] = lo + (hi - lo) * i / (xs.length - 1);
        Tensor y = op.eval(new Tensor[]{new Tensor(DType.F64, new int[]{xs.length}, xs)}, Attrs.EMPTY, List.of(), null)[0];
        return java.util.Arrays.stream(y.data()).allMatch(Double::isFinite);
    }

    @Provide Arbitrary<OpDef> unaryOps() { return Arbitraries.of(UNARY); }

    @Provide Arbitrary<OpDef> binaryOps() { return Arbitraries.of(BINARY); }

    @Property
    void unaryGradientMatchesFiniteDifferences(@ForAll("unaryOps") OpDef op, @ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 4);
        GraphBuilder b = new GraphBuilder(op.name());
        Graph g = scalarized(Map.of("x", s), s, in -> b.op(op, in.get(0)), b);
        Map<String, Tensor> inputs = Map.of("x", tensor(s, r, domain(op, r)), "u", tensor(s, r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(new Autodiff(), g, "loss", List.of("x"), inputs, r);
        assertTrue(res.ok(), op + " on " + Arrays.toString(s) + ": " + res);
    }

    @Property
    void binaryGradientMatchesFiniteDifferencesUnderBroadcasting(@ForAll("binaryOps") OpDef op, @ForAll long seed) {
        Random r = new Random(seed);
        int[] big = randomShape(r, 4), small = broadcastable(r, big);
        boolean swap = r.nextBoolean();
        int[] sa = swap ? small : big, sb = swap ? big : small;
        GraphBuilder b = new GraphBuilder(op.name());
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("a", sa);
        shapes.put("b", sb);
        Graph g = scalarized(shapes, big, in -> b.op(op, in.get(0), in.get(1)), b);
        Tensor a, bt;
        if (op == Ops.DIV) {
            a = tensor(sa, r, () -> -2 + 4 * r.nextDouble());
            bt = tensor(sb, r, () -> (r.nextBoolean() ? 1 : -1) * (0.5 + r.nextDouble()));
        } else if (op == Ops.POW) {
            a = tensor(sa, r, () -> 0.5 + 1.5 * r.nextDouble());
            bt = tensor(sb, r, () -> -2 + 4 * r.nextDouble());
        } else if (op == Ops.MOD || op == Ops.TRUNC_MOD) { // keep a/b away from integers, where mod jumps
            bt = tensor(sb, r, () -> 1 + r.nextDouble());
            a = tensor(sa, r, () -> r.nextInt(5) - 2 + 0.2 + 0.6 * r.nextDouble());
        } else {
            a = tensor(sa, r, () -> -2 + 4 * r.nextDouble());
            bt = tensor(sb, r, () -> -2 + 4 * r.nextDouble());
        }
        if (op == Ops.MOD || op == Ops.TRUNC_MOD) a = scaleBy(a, bt, big); // a = b * (k + frac), broadcast-compatible
        if (op == Ops.MAXIMUM || op == Ops.MINIMUM) bt = separate(a, bt, big);
        Map<String, Tensor> inputs = Map.of("a", a, "b", bt, "u", tensor(big, r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(new Autodiff(), g, "loss", List.of("a", "b"), inputs, r);
        assertTrue(res.ok(), op + " on " + Arrays.toString(sa) + " and " + Arrays.toString(sb) + ": " + res);
    }

    /** For mod: when a is the larger operand, multiply it elementwise by b's broadcast so a/b keeps its fraction. */
    private static Tensor scaleBy(Tensor a, Tensor b, int[] big) {
        if (!Arrays.equals(a.shape(), big)) return new Tensor(a.dtype(), a.shape(), a.data().clone()); // b is larger: a/b varies; keep a small
        int[] src = dlc.ir.ops.Broadcasting.sourceIndex(b.shape(), big);
        double[] d = a.data().clone();
        for (int i = 0; i < d.length; i++) d[i] *= b.data()[src[i]];
        return new Tensor(a.dtype(), a.shape(), d);
    }

    /** For maximum/minimum: nudge b so that |a - b| >= 0.1 everywhere (no ties within h). */
    private static Tensor separate(Tensor a, Tensor b, int[] big) {
        int[] ia = dlc.ir.ops.Broadcasting.sourceIndex(a.shape(), big), ib = dlc.ir.ops.Broadcasting.sourceIndex(b.shape(), big);
        double[] d = b.data().clone();
        for (int k = 0; k < ia.length; k++) {
            double diff = a.data()[ia[k]] - d[ib[k]];
            if (Math.abs(diff) < 0.1) d[ib[k]] += diff >= 0 ? -0.2 : 0.2;
        }
        return new Tensor(b.dtype(), b.shape(), d);
    }

    @Property(tries = 30)
    void secondOrderGradientMatchesFiniteDifferencesOfTheGradient(@ForAll("smoothUnary") OpDef op, @ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 3);
        GraphBuilder b = new GraphBuilder(op.name());
        Graph g = scalarized(Map.of("x", s), s, in -> b.op(op, in.get(0)), b);
        Graph grad = new Autodiff().gradients(g, "loss", List.of("x"));
        Graph second = gradientFunctional(grad, "x", "u2");
        Map<String, Tensor> inputs = Map.of("x", tensor(s, r, domain(op, r)), "u", tensor(s, r, r::nextGaussian),
                "u2", tensor(s, r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(new Autodiff(), second, "loss2", List.of("x"), inputs, r);
        assertTrue(res.ok(), "d2 " + op + " on " + Arrays.toString(s) + ": " + res);
    }

    /** Float math ops with a gradient: smooth on their domain (abs and relu, which also take integers, have kinks). */
    @Provide Arbitrary<OpDef> smoothUnary() {
        return Arbitraries.of(OpLists.where(op -> UNARY.contains(op) && op.is(OpTrait.FLOAT_ONLY)));
    }

    /** A planted wrong rule (exp' = 1 instead of exp) must be caught: the suite can fail. */
    @Example
    void plantedWrongVjpIsDetected() {
        Autodiff broken = new Autodiff(op -> op == Ops.EXP ? ctx -> List.of(ctx.cotangent(0)) : op::vjp);
        Random r = new Random(7);
        int[] s = {3, 2};
        GraphBuilder b = new GraphBuilder("exp");
        Graph g = scalarized(Map.of("x", s), s, in -> b.op(Ops.EXP, in.get(0)), b);
        Map<String, Tensor> inputs = Map.of("x", tensor(s, r, () -> 1 + r.nextDouble()), "u", tensor(s, r, r::nextGaussian));
        assertFalse(GradCheck.check(broken, g, "loss", List.of("x"), inputs, new Random(1)).ok());
        assertTrue(GradCheck.check(new Autodiff(), g, "loss", List.of("x"), inputs, new Random(1)).ok());
    }

    @Example
    void fanOutAccumulatesAndStopGradientStops() {
        // loss = sum(x * x + stop_gradient(x)) -> d/dx = 2x
        GraphBuilder b = new GraphBuilder("fan");
        Value x = b.input("x", TensorType.of(DType.F64, 3), Value.Role.INPUT);
        Value y = b.op(Ops.ADD, b.op(Ops.MUL, x, x), b.op(Ops.STOP_GRADIENT, x));
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, y));
        Graph grad = new Autodiff().gradients(b.build(), "loss", List.of("x"));
        Tensor gx = GradCheck.gradients(grad, Map.of("x", Tensor.of(new int[]{3}, 1, -2, 0.5))).get("x");
        assertArrayEquals(new double[]{2, -4, 1}, gx.data(), 0);
    }

    @Example
    void reluAtZeroHasZeroDerivative() {
        GraphBuilder b = new GraphBuilder("relu0");
        Value x = b.input("x", TensorType.of(DType.F64, 2), Value.Role.INPUT);
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.RELU, x)));
        Graph grad = new Autodiff().gradients(b.build(), "loss", List.of("x"));
        assertArrayEquals(new double[]{0, 1}, GradCheck.gradients(grad, Map.of("x", Tensor.of(new int[]{2}, 0, 1))).get("x").data(), 0);
    }
}
