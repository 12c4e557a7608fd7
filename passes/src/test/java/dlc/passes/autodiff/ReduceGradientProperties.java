package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import net.jqwik.api.*;

import java.util.*;

import static dlc.passes.autodiff.GraphsForGrad.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Reductions: reverse-mode gradients of sum, mean, max and min vs float64 central differences over
 * random shapes (rank 0-4), random axis subsets and keepdims, with values kept pairwise apart so
 * max/min have no ties within a step; full Jacobians on tiny shapes; the first-maximum tie rule
 * (docs/models.md 4.5) on hand-computed cases; argmax/argmin carry no gradient.
 */
class ReduceGradientProperties {
    /** Every reduction over axes ({@link OpTrait#REDUCTION}), by trait. */
    @Provide Arbitrary<OpDef> reductions() { return Arbitraries.of(dlc.ir.testing.OpLists.with(OpTrait.REDUCTION)); }

    private static Graph reduction(OpDef op, int[] s, List<Long> axes, boolean keep) {
        GraphBuilder b = new GraphBuilder(op.name());
        Value x = b.input("x", new TensorType(DType.F64, Shape.of(toLongs(s))), Value.Role.INPUT);
        Value y = b.op(op, Attrs.of("axes", axes, "keepdims", keep), x);
        Value u = b.input("u", y.type(), Value.Role.INPUT);
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.MUL, y, u)));
        return b.build();
    }

    @Property
    void reductionGradientMatchesFiniteDifferences(@ForAll("reductions") OpDef op, @ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 4);
        List<Long> axes = RandomMovements.subset(r, s.length);
        boolean keep = r.nextBoolean();
        Graph g = reduction(op, s, axes, keep);
        int[] out = RandomMovements.shapeOf(g.input("u").orElseThrow());
        Map<String, Tensor> inputs = Map.of("x", distinct(s, r), "u", tensor(out, r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(new Autodiff(), g, "loss", List.of("x"), inputs, r);
        assertTrue(res.ok(), op + " axes " + axes + " keepdims " + keep + " on " + Arrays.toString(s) + ": " + res + "\n" + g);
    }

    @Property
    void maxAndMinFullJacobiansOnTinyShapes(@ForAll("reductions") OpDef op, @ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 3);
        List<Long> axes = RandomMovements.subset(r, s.length);
        Graph g = reduction(op, s, axes, r.nextBoolean());
        int[] out = RandomMovements.shapeOf(g.input("u").orElseThrow());
        Map<String, Tensor> inputs = Map.of("x", distinct(s, r), "u", tensor(out, r, r::nextGaussian));
        String bad = fullJacobianMismatch(new Autodiff(), g, "x", inputs);
        assertNull(bad, op + " axes " + axes + " on " + Arrays.toString(s) + ": " + bad);
    }

    /** Second order through max/min: loss = sum(u * sin(max(tanh(x) * x))), a non-trivial Hessian. */
    @Property
    void secondOrderThroughMaxAndMin(@ForAll("reductions") OpDef op, @ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 3);
        List<Long> axes = RandomMovements.subset(r, s.length);
        boolean keep = r.nextBoolean();
        GraphBuilder b = new GraphBuilder(op.name());
        // x * tanh(x) is even, so keep x positive to keep values distinct after it
        Graph g = scalarized(Map.of("x", s), null, in -> b.op(Ops.SIN, b.op(op, Attrs.of("axes", axes, "keepdims", keep),
                b.op(Ops.MUL, in.get(0), b.op(Ops.TANH, in.get(0))))), b);
        Graph second = gradientFunctional(new Autodiff().gradients(g, "loss", List.of("x")), "x", "u2");
        Tensor x = distinct(s, r);
        double[] d = x.data().clone();
        for (int i = 0; i < d.length; i++) d[i] = Math.abs(d[i]);
        int[] out = RandomMovements.shapeOf(g.input("u").orElseThrow());
        Map<String, Tensor> inputs = Map.of("x", new Tensor(DType.F64, s, d), "u", tensor(out, r, r::nextGaussian),
                "u2", tensor(s, r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(new Autodiff(), second, "loss2", List.of("x"), inputs, r);
        assertTrue(res.ok(), "d2 " + op + " axes " + axes + " on " + Arrays.toString(s) + ": " + res);
    }

    private static double[] gradOf(OpDef op, int[] s, List<Long> axes, double[] x) {
        Graph g = reduction(op, s, axes, false);
        int[] out = RandomMovements.shapeOf(g.input("u").orElseThrow());
        double[] ones = new double[(int) Tensor.numel(out)];
        Arrays.fill(ones, 1);
        Graph grad = new Autodiff().gradients(g, "loss", List.of("x"));
        return GradCheck.gradients(grad, Map.of("x", new Tensor(DType.F64, s, x), "u", new Tensor(DType.F64, out, ones))).get("x").data();
    }

    @Example
    void tiesSendTheWholeGradientToTheFirstExtreme() {
        // row 0: max 3 at columns 1 and 2 -> column 1; row 1: max 2 at columns 0 and 1 -> column 0
        assertArrayEquals(new double[]{0, 1, 0, 1, 0, 0}, gradOf(Ops.MAX, new int[]{2, 3}, List.of(1L), new double[]{1, 3, 3, 2, 2, 0}), 0);
        assertArrayEquals(new double[]{1, 0, 0, 0, 0, 1}, gradOf(Ops.MIN, new int[]{2, 3}, List.of(1L), new double[]{1, 3, 1, 2, 2, 0}), 0);
        // over all axes: the first maximum in row-major order
        assertArrayEquals(new double[]{0, 1, 0, 0}, gradOf(Ops.MAX, new int[]{2, 2}, List.of(0L, 1L), new double[]{1, 3, 3, 0}), 0);
    }

    @Example
    void firstExtremeIsRowMajorOverNonAdjacentReducedAxes() {
        // x[i,j,k] of shape [2,2,2], max over axes {0,2}. For j = 0 the slice in row-major order is
        // (0,0,0)=0, (0,0,1)=5, (1,0,0)=5, (1,0,1)=1: the maximum 5 goes to (0,0,1), flat 1, not (1,0,0), flat 4.
        // For j = 1: (0,1,0)=7, (0,1,1)=2, (1,1,0)=7, (1,1,1)=7: to (0,1,0), flat 2.
        double[] x = {0, 5, 7, 2, 5, 1, 7, 7};
        assertArrayEquals(new double[]{0, 1, 1, 0, 0, 0, 0, 0}, gradOf(Ops.MAX, new int[]{2, 2, 2}, List.of(0L, 2L), x), 0);
    }

    @Example
    void reducingNoAxesPassesTheGradientThrough() {
        assertArrayEquals(new double[]{1, 1, 1}, gradOf(Ops.MAX, new int[]{3}, List.of(), new double[]{2, 2, 1}), 0);
        assertArrayEquals(new double[]{1}, gradOf(Ops.MIN, new int[]{}, List.of(), new double[]{4}), 0);
    }

    @Example
    void maxWithSymbolicDims() {
        // x: [B, T], max over T; B = 2, T = 3 bound from the input at run time
        GraphBuilder b = new GraphBuilder("symmax");
        Value x = b.input("x", new TensorType(DType.F64, Shape.of(Dim.sym("B"), Dim.sym("T"))), Value.Role.INPUT);
        Value y = b.op(Ops.MAX, Attrs.of("axes", List.of(0L, 1L), "keepdims", true), b.op(Ops.TANH, x));
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, y));
        Graph grad = new Autodiff().gradients(b.build(), "loss", List.of("x"));
        double[] gx = GradCheck.gradients(grad, Map.of("x", Tensor.of(new int[]{2, 3}, 0.1, 0.9, 0.3, 0.9, -1, 0.2))).get("x").data();
        double t = Math.tanh(0.9);
        assertArrayEquals(new double[]{0, 1 - t * t, 0, 0, 0, 0}, gx, 1e-15);
    }

    /** argmax/argmin results are indices: no gradient to x, and an index used downstream routes the gradient. */
    @Example
    void argReductionsHaveNoGradientButTheIndexTheyPickRoutesOne() {
        for (OpDef op : List.of(Ops.ARGMAX, Ops.ARGMIN)) {
            GraphBuilder b = new GraphBuilder(op.name());
            Value x = b.input("x", TensorType.of(DType.F64, 2, 3), Value.Role.INPUT);
            Value arg = b.op(op, Attrs.of("axis", 1L, "keepdims", false), x);
            VjpContext ctx = new VjpContext(b, null, List.of(x), List.of(arg), List.of(b.op(Ops.CAST, Attrs.of("dtype", DType.I64), x)), null);
            assertEquals(Collections.singletonList(null), op.vjp(ctx), op.name());
        }
        // loss = sum(gather(x, argmax(x))) = max(x): the gradient is the one-hot of the argmax
        GraphBuilder b = new GraphBuilder("pick");
        Value x = b.input("x", TensorType.of(DType.F64, 4), Value.Role.INPUT);
        Value idx = b.op(Ops.ARGMAX, Attrs.of("axis", 0L, "keepdims", true), x);
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.GATHER, Attrs.of("axis", 0L), x, idx)));
        Graph grad = new Autodiff().gradients(b.build(), "loss", List.of("x"));
        assertArrayEquals(new double[]{0, 0, 1, 0}, GradCheck.gradients(grad, Map.of("x", Tensor.of(new int[]{4}, 1, -2, 3, 0))).get("x").data(), 0);
    }

    /** Planted wrong max rules (spreading the cotangent like sum; routing it to the minimum) are caught. */
    @Example
    void plantedWrongMaxRulesAreDetected() {
        Autodiff spread = new Autodiff(op -> op == Ops.MAX ? Ops.SUM::vjp : op::vjp);
        Random r = new Random(3);
        int[] s = {2, 3};
        Graph g = reduction(Ops.MAX, s, List.of(1L), false);
        Map<String, Tensor> inputs = Map.of("x", distinct(s, r), "u", tensor(new int[]{2}, r, r::nextGaussian));
        assertFalse(GradCheck.check(spread, g, "loss", List.of("x"), inputs, new Random(1)).ok());
        assertNotNull(fullJacobianMismatch(spread, g, "x", inputs));
        assertTrue(GradCheck.check(new Autodiff(), g, "loss", List.of("x"), inputs, new Random(1)).ok());
        // the rule of min (first minimum of x) is the rule of max on -x: planting it for max picks the wrong element
        Autodiff swapped = new Autodiff(op -> op == Ops.MAX ? Ops.MIN::vjp : op::vjp);
        assertNotNull(fullJacobianMismatch(swapped, g, "x", inputs));
    }
}
