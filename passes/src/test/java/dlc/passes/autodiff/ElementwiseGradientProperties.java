package dlc.passes.autodiff;

import dlc.ir.ops.Ops;
import dlc.ir.*;
import dlc.ir.eval.Tensor;
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
    static final List<String> UNARY = List.of("neg", "abs", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "tanh",
            "sigmoid", "erf", "sin", "cos", "relu");
    static final List<String> BINARY = List.of("add", "sub", "mul", "div", "pow", "maximum", "minimum", "mod", "trunc_mod");

    /** Values where op is smooth: positive for log-like ops, away from 0 for kinks. */
    static DoubleSupplier domain(String op, Random r) {
        return switch (op) {
            case "log", "sqrt", "rsqrt", "log1p" -> () -> 0.2 + 2.8 * r.nextDouble();
            case "abs", "relu" -> () -> (r.nextBoolean() ? 1 : -1) * (0.1 + 2 * r.nextDouble());
            default -> () -> -2 + 4 * r.nextDouble();
        };
    }

    @Provide Arbitrary<String> unaryOps() { return Arbitraries.of(UNARY); }

    @Provide Arbitrary<String> binaryOps() { return Arbitraries.of(BINARY); }

    @Property
    void unaryGradientMatchesFiniteDifferences(@ForAll("unaryOps") String op, @ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 4);
        GraphBuilder b = new GraphBuilder(op);
        Graph g = scalarized(Map.of("x", s), s, in -> b.op(op, in.get(0)), b);
        Map<String, Tensor> inputs = Map.of("x", tensor(s, r, domain(op, r)), "u", tensor(s, r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(new Autodiff(), g, "loss", List.of("x"), inputs, r);
        assertTrue(res.ok(), op + " on " + Arrays.toString(s) + ": " + res);
    }

    @Property
    void binaryGradientMatchesFiniteDifferencesUnderBroadcasting(@ForAll("binaryOps") String op, @ForAll long seed) {
        Random r = new Random(seed);
        int[] big = randomShape(r, 4), small = broadcastable(r, big);
        boolean swap = r.nextBoolean();
        int[] sa = swap ? small : big, sb = swap ? big : small;
        GraphBuilder b = new GraphBuilder(op);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("a", sa);
        shapes.put("b", sb);
        Graph g = scalarized(shapes, big, in -> b.op(op, in.get(0), in.get(1)), b);
        Tensor a, bt;
        switch (op) {
            case "div" -> { a = tensor(sa, r, () -> -2 + 4 * r.nextDouble()); bt = tensor(sb, r, () -> (r.nextBoolean() ? 1 : -1) * (0.5 + r.nextDouble())); }
            case "pow" -> { a = tensor(sa, r, () -> 0.5 + 1.5 * r.nextDouble()); bt = tensor(sb, r, () -> -2 + 4 * r.nextDouble()); }
            // keep a/b away from integers, where mod jumps
            case "mod", "trunc_mod" -> { bt = tensor(sb, r, () -> 1 + r.nextDouble()); a = tensor(sa, r, () -> r.nextInt(5) - 2 + 0.2 + 0.6 * r.nextDouble()); }
            default -> { a = tensor(sa, r, () -> -2 + 4 * r.nextDouble()); bt = tensor(sb, r, () -> -2 + 4 * r.nextDouble()); }
        }
        if (op.equals("mod") || op.equals("trunc_mod")) a = scaleBy(a, bt, big); // a = b * (k + frac), broadcast-compatible
        if (op.equals("maximum") || op.equals("minimum")) bt = separate(a, bt, big);
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
    void secondOrderGradientMatchesFiniteDifferencesOfTheGradient(@ForAll("smoothUnary") String op, @ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 3);
        GraphBuilder b = new GraphBuilder(op);
        Graph g = scalarized(Map.of("x", s), s, in -> b.op(op, in.get(0)), b);
        Graph grad = new Autodiff().gradients(g, "loss", List.of("x"));
        Graph second = gradientFunctional(grad, "x", "u2");
        Map<String, Tensor> inputs = Map.of("x", tensor(s, r, domain(op, r)), "u", tensor(s, r, r::nextGaussian),
                "u2", tensor(s, r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(new Autodiff(), second, "loss2", List.of("x"), inputs, r);
        assertTrue(res.ok(), "d2 " + op + " on " + Arrays.toString(s) + ": " + res);
    }

    @Provide Arbitrary<String> smoothUnary() {
        return Arbitraries.of("exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "erf", "sin", "cos", "log1p", "expm1");
    }

    /** A planted wrong rule (exp' = 1 instead of exp) must be caught: the suite can fail. */
    @Example
    void plantedWrongVjpIsDetected() {
        Autodiff broken = new Autodiff(op -> op.name().equals("exp") ? ctx -> List.of(ctx.cotangent(0)) : op::vjp);
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
