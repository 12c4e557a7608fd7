package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import net.jqwik.api.*;

import java.util.*;
import java.util.function.Function;

import static dlc.passes.autodiff.GraphsForGrad.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Movement ops (reshape, permute, broadcast_to, slice, pad, reverse, concat, gather, scatter_add):
 * reverse-mode gradients vs float64 central differences over random shapes (rank 0-4) and random
 * attributes (permutations, slice starts/stops/steps including empty slices, pads, concat of 2-3
 * parts, gather indices with repeats); full Jacobians on tiny shapes; second-order checks through
 * random chains of movement ops around nonlinearities; symbolic dims; planted wrong rules.
 */
class MovementGradientProperties {
    static final List<OpDef> SINGLE = List.of(Ops.RESHAPE, Ops.PERMUTE, Ops.BROADCAST_TO, Ops.SLICE, Ops.PAD, Ops.REVERSE, Ops.GATHER);

    @Provide Arbitrary<OpDef> singleOperandOps() { return Arbitraries.of(SINGLE); }

    /** One op on a random input, with its random attributes; empty slices are allowed here. */
    private static Graph oneOp(OpDef op, int[] s, Random r) {
        GraphBuilder b = new GraphBuilder(op.name());
        return scalarized(Map.of("x", s), null, in -> op == Ops.SLICE
                ? b.op(Ops.SLICE, RandomMovements.sliceAttrs(r, s, r.nextInt(4) != 0), in.get(0))
                : RandomMovements.apply(op, b, in.get(0), r), b);
    }

    private static int[] uShape(Graph g) { return RandomMovements.shapeOf(g.input("u").orElseThrow()); }

    @Property
    void singleOperandMovementGradientMatchesFiniteDifferences(@ForAll("singleOperandOps") OpDef op, @ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 4);
        Graph g = oneOp(op, s, r);
        Map<String, Tensor> inputs = Map.of("x", tensor(s, r, r::nextGaussian), "u", tensor(uShape(g), r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(new Autodiff(), g, "loss", List.of("x"), inputs, r);
        assertTrue(res.ok(), op + " on " + Arrays.toString(s) + ": " + res + "\n" + g);
    }

    /** Builds concat of 2-3 independent inputs along a random axis (part sizes 0-3 along it). */
    private static Graph concat(Random r, Map<String, int[]> shapes) {
        int[] base = randomShape(r, 4);
        if (base.length == 0) base = new int[]{2};
        int axis = r.nextInt(base.length), parts = 2 + r.nextInt(2);
        for (int k = 0; k < parts; k++) {
            int[] s = base.clone();
            s[axis] = r.nextInt(4);
            shapes.put("x" + k, s);
        }
        GraphBuilder b = new GraphBuilder("concat");
        return scalarized(shapes, null, in -> b.op(Ops.CONCAT, Attrs.of("axis", (long) axis), in.toArray(Value[]::new)), b);
    }

    @Property
    void concatGradientMatchesFiniteDifferences(@ForAll long seed) {
        Random r = new Random(seed);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Graph g = concat(r, shapes);
        Map<String, Tensor> inputs = new HashMap<>();
        shapes.forEach((n, s) -> inputs.put(n, tensor(s, r, r::nextGaussian)));
        inputs.put("u", tensor(uShape(g), r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(new Autodiff(), g, "loss", List.copyOf(shapes.keySet()), inputs, r);
        assertTrue(res.ok(), res + "\n" + g);
    }

    /** scatter_add(base, idx, updates) with constant indices (repeats likely) along a random axis. */
    private static Graph scatterAdd(Random r, Map<String, int[]> shapes) {
        int[] base = randomShape(r, 3);
        if (base.length == 0) base = new int[]{3};
        int axis = r.nextInt(base.length);
        GraphBuilder b = new GraphBuilder("scatter_add");
        Value idx = RandomMovements.indices(b, r, base[axis]);
        int[] is = RandomMovements.shapeOf(idx);
        List<Integer> us = new ArrayList<>();
        for (int a = 0; a < axis; a++) us.add(base[a]);
        for (int d : is) us.add(d);
        for (int a = axis + 1; a < base.length; a++) us.add(base[a]);
        shapes.put("base", base);
        shapes.put("updates", us.stream().mapToInt(Integer::intValue).toArray());
        return scalarized(shapes, null, in -> b.op(Ops.SCATTER_ADD, Attrs.of("axis", (long) axis), in.get(0), idx, in.get(1)), b);
    }

    @Property
    void scatterAddGradientMatchesFiniteDifferences(@ForAll long seed) {
        Random r = new Random(seed);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Graph g = scatterAdd(r, shapes);
        Map<String, Tensor> inputs = new HashMap<>();
        shapes.forEach((n, s) -> inputs.put(n, tensor(s, r, r::nextGaussian)));
        inputs.put("u", tensor(uShape(g), r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(new Autodiff(), g, "loss", List.of("base", "updates"), inputs, r);
        assertTrue(res.ok(), res + "\n" + g);
    }

    @Provide Arbitrary<OpDef> jacobianOps() { return Arbitraries.of(Ops.SLICE, Ops.PAD, Ops.PERMUTE, Ops.BROADCAST_TO, Ops.GATHER, Ops.CONCAT, Ops.SCATTER_ADD); }

    /** Every entry of the Jacobian on tiny shapes (rank <= 2), each input element perturbed alone. */
    @Property
    void fullJacobiansOnTinyShapes(@ForAll("jacobianOps") OpDef op, @ForAll long seed) {
        Random r = new Random(seed);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Graph g;
        if (op == Ops.CONCAT) g = concat(r, shapes);
        else if (op == Ops.SCATTER_ADD) g = scatterAdd(r, shapes);
        else {
            int[] s = randomShape(r, 2);
            shapes.put("x", s);
            g = oneOp(op, s, r);
        }
        Assume.that(Tensor.numel(uShape(g)) <= 40);
        Map<String, Tensor> inputs = new HashMap<>();
        shapes.forEach((n, s) -> inputs.put(n, tensor(s, r, r::nextGaussian)));
        inputs.put("u", tensor(uShape(g), r, r::nextGaussian));
        for (String w : shapes.keySet()) {
            String bad = fullJacobianMismatch(new Autodiff(), g, w, inputs);
            assertNull(bad, bad + "\n" + g);
        }
    }

    /**
     * Second order: loss = sum(u * sin(M2(sin(M1(x))))) for random movement chains M1, M2, so the
     * Hessian M1^T diag(..) M2^T diag(..) M2 diag(..) M1 runs every chain op's VJP and the VJP of that VJP.
     */
    @Property
    void secondOrderThroughRandomMovementChains(@ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 3);
        GraphBuilder b = new GraphBuilder("chain");
        Graph g = scalarized(Map.of("x", s), null, in -> b.op(Ops.SIN,
                RandomMovements.chain(b, b.op(Ops.SIN, RandomMovements.chain(b, in.get(0), r, 1 + r.nextInt(3), RandomMovements.OPS)),
                        r, 1 + r.nextInt(3), RandomMovements.OPS)), b);
        Graph second = gradientFunctional(new Autodiff().gradients(g, "loss", List.of("x")), "x", "u2");
        Map<String, Tensor> inputs = Map.of("x", distinct(s, r), "u", tensor(uShape(g), r, r::nextGaussian),
                "u2", tensor(s, r, r::nextGaussian));
        GradCheck.Result first = GradCheck.check(new Autodiff(), g, "loss", List.of("x"), inputs, new Random(seed));
        assertTrue(first.ok(), "first order: " + first + "\n" + g);
        GradCheck.Result res = GradCheck.check(new Autodiff(), second, "loss2", List.of("x"), inputs, r);
        assertTrue(res.ok(), "second order: " + res + "\n" + g);
    }

    /**
     * The gradient graphs (first and second order) these rules build are valid IR: they verify and
     * survive a round trip through the IR text, so passes and backends can consume them.
     */
    @Property
    void gradientGraphsVerifyAndRoundTripThroughIrText(@ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 3);
        GraphBuilder b = new GraphBuilder("chain");
        Graph g = scalarized(Map.of("x", s), null, in -> b.op(Ops.SIN, RandomMovements.chain(b, in.get(0), r, 1 + r.nextInt(4), RandomMovements.OPS)), b);
        Graph grad = new Autodiff().gradients(g, "loss", List.of("x"));
        Graph second = new Autodiff().gradients(gradientFunctional(grad, "x", "u2"), "loss2", List.of("x"));
        for (Graph h : List.of(grad, second)) {
            assertEquals(List.of(), Verifier.check(h), h.toString());
            Graph back = dlc.ir.text.IrParser.parseGraph(h.toString());
            assertEquals(java.util.Optional.empty(), GraphEquivalence.difference(h, back), h.toString());
        }
    }

    /**
     * Symbolic dims: x of shape [T, 2] with T bound at run time; slice with a symbolic stop and
     * steps 1-3 (the scatter formulation), pad, concat with itself and reverse all keep T symbolic.
     */
    @Property
    void symbolicShapesDifferentiate(@ForAll long seed) {
        Random r = new Random(seed);
        int t = 2 + r.nextInt(5);
        long start = r.nextInt(2), cut = r.nextInt(2), step = 1 + r.nextInt(3);
        GraphBuilder b = new GraphBuilder("sym");
        Value x = b.input("x", new TensorType(DType.F64, Shape.of(Dim.sym("T"), Dim.of(2))), Value.Role.INPUT);
        Value sl = b.op(Ops.SLICE, Attrs.of("starts", Shape.of(Dim.of(start), Dim.of(0)), "stops", Shape.of(Dim.sym("T").minus(cut), Dim.of(2)),
                "steps", List.of(step, 1L)), b.op(Ops.TANH, x));
        Value padded = b.op(Ops.PAD, Attrs.of("low", List.of(1L, 0L), "high", List.of(0L, 2L)), sl);
        Value joined = b.op(Ops.CONCAT, Attrs.of("axis", 0L), padded, b.op(Ops.REVERSE, Attrs.of("axes", List.of(0L)), padded));
        Value y = b.op(Ops.SIN, b.op(Ops.BROADCAST_TO, Attrs.of("shape", Shape.of(Dim.of(2), joined.type().shape().dim(0), Dim.of(4))), joined));
        // random weights u, so the loss is not a coherent sum whose size dwarfs a small directional derivative
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.MUL, y, b.input("u", y.type(), Value.Role.INPUT))));
        Graph g = b.build();
        int rows = 2 * (1 + (int) ((t - cut - start + step - 1) / step));
        Map<String, Tensor> inputs = Map.of("x", tensor(new int[]{t, 2}, r, r::nextGaussian), "u", tensor(new int[]{2, rows, 4}, r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(new Autodiff(), g, "loss", List.of("x"), inputs, r);
        assertTrue(res.ok(), "T = " + t + ": " + res + "\n" + g);
    }

    @Example
    void stridedSliceGradientIsInterleavedWithZeros() {
        // x[1:6:2] of x = [0..6]: elements 1, 3, 5; cotangent [10, 20, 30] lands there
        GraphBuilder b = new GraphBuilder("strided");
        Value x = b.input("x", TensorType.of(DType.F64, 7), Value.Role.INPUT);
        Value y = b.op(Ops.SLICE, Attrs.of("starts", Shape.of(1), "stops", Shape.of(6), "steps", List.of(2L)), x);
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.MUL, y, b.op(Ops.CONSTANT,
                Attrs.of("dtype", DType.F64, "shape", Shape.of(3), "values", List.of(10.0, 20.0, 30.0))))));
        Graph grad = new Autodiff().gradients(b.build(), "loss", List.of("x"));
        assertArrayEquals(new double[]{0, 10, 0, 20, 0, 30, 0},
                GradCheck.gradients(grad, Map.of("x", Tensor.of(new int[]{7}, 0, 1, 2, 3, 4, 5, 6))).get("x").data(), 0);
    }

    @Example
    void gatherWithRepeatedIndicesAccumulates() {
        GraphBuilder b = new GraphBuilder("gather");
        Value x = b.input("x", TensorType.of(DType.F64, 3), Value.Role.INPUT);
        Value idx = b.op(Ops.CONSTANT, Attrs.of("dtype", DType.I64, "shape", Shape.of(4), "values", List.of(2.0, 0.0, 2.0, 2.0)));
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.GATHER, Attrs.of("axis", 0L), x, idx)));
        Graph grad = new Autodiff().gradients(b.build(), "loss", List.of("x"));
        assertArrayEquals(new double[]{1, 0, 3}, GradCheck.gradients(grad, Map.of("x", Tensor.of(new int[]{3}, 5, 6, 7))).get("x").data(), 0);
    }

    @Example
    void constantAndIotaHaveNoOperandsToDifferentiate() {
        GraphBuilder b = new GraphBuilder("src");
        Value k = b.op(Ops.IOTA, Attrs.of("dtype", DType.F64, "shape", Shape.of(3), "axis", 0L));
        for (OpDef op : List.of(Ops.CONSTANT, Ops.IOTA)) {
            VjpContext ctx = new VjpContext(b, null, List.of(), List.of(k), Collections.singletonList(k), null);
            assertEquals(List.of(), op.vjp(ctx), op.name());
        }
    }

    /** Integer tensors carry no gradient: every rule of the family answers null for them. */
    @Example
    void integerOperandsGetNoGradient() {
        GraphBuilder b = new GraphBuilder("ints");
        Value x = b.input("x", TensorType.of(DType.I64, 2, 3), Value.Role.INPUT);
        Value idx = b.op(Ops.CONSTANT, Attrs.of("dtype", DType.I64, "shape", Shape.of(2), "values", List.of(1.0, 1.0)));
        b.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(6)), x);
        b.op(Ops.PERMUTE, Attrs.of("perm", List.of(1L, 0L)), x);
        b.op(Ops.BROADCAST_TO, Attrs.of("shape", Shape.of(4, 2, 3)), x);
        b.op(Ops.SLICE, Attrs.of("starts", Shape.of(0, 1), "stops", Shape.of(2, 3), "steps", List.of(1L, 2L)), x);
        b.op(Ops.PAD, Attrs.of("low", List.of(1L, 0L), "high", List.of(0L, 1L)), x);
        b.op(Ops.REVERSE, Attrs.of("axes", List.of(1L)), x);
        b.op(Ops.CONCAT, Attrs.of("axis", 0L), x, x);
        b.op(Ops.GATHER, Attrs.of("axis", 1L), x, idx);
        b.op(Ops.SCATTER_ADD, Attrs.of("axis", 0L), x, idx, b.op(Ops.GATHER, Attrs.of("axis", 0L), x, idx));
        b.op(Ops.MAX, Attrs.of("axes", List.of(1L), "keepdims", false), x);
        b.op(Ops.MIN, Attrs.of("axes", List.of(0L, 1L), "keepdims", true), x);
        int checked = 0;
        for (Node n : b.build().nodes()) {
            if (n.op() == Ops.CONSTANT) continue;
            VjpContext ctx = new VjpContext(b, n, n.inputs(), n.outputs(), Collections.singletonList(n.outputs().get(0)), null);
            assertTrue(n.op().vjp(ctx).stream().allMatch(Objects::isNull), n.op().name());
            checked++;
        }
        assertEquals(12, checked);
    }

    /** A rule that replaces op's VJP; the others stay. */
    private static Autodiff planted(OpDef op, Autodiff.Rule rule) {
        return new Autodiff(o -> o == op ? rule : o::vjp);
    }

    /** Planted wrong rules in this family are caught by the checks the properties run. */
    @Example
    void plantedWrongMovementRulesAreDetected() {
        Random r = new Random(11);
        // permute by the forward permutation instead of its inverse (differs for a 3-cycle; equal dims keep it well-typed)
        Autodiff permute = planted(Ops.PERMUTE, c -> List.of(c.op(Ops.PERMUTE, Attrs.of("perm", c.attrs().get("perm")), c.cotangent(0))));
        GraphBuilder b = new GraphBuilder("p");
        int[] s = {2, 2, 2};
        Graph g = scalarized(Map.of("x", s), null, in -> b.op(Ops.PERMUTE, Attrs.of("perm", List.of(1L, 2L, 0L)), in.get(0)), b);
        Map<String, Tensor> inputs = Map.of("x", tensor(s, r, r::nextGaussian), "u", tensor(s, r, r::nextGaussian));
        assertFalse(GradCheck.check(permute, g, "loss", List.of("x"), inputs, new Random(1)).ok());
        assertTrue(GradCheck.check(new Autodiff(), g, "loss", List.of("x"), inputs, new Random(1)).ok());
        // reverse's rule forgetting to flip back
        assertPlantedFails(planted(Ops.REVERSE, c -> List.of(c.cotangent(0))), Ops.REVERSE, Attrs.of("axes", List.of(0L)), new int[]{4}, new int[]{4});
        // pad's rule cutting at offset 0 instead of low
        assertPlantedFails(planted(Ops.PAD, c -> List.of(c.op(Ops.SLICE, Attrs.of("starts", Shape.of(0), "stops", Shape.of(3), "steps", List.of(1L)), c.cotangent(0)))),
                Ops.PAD, Attrs.of("low", List.of(2L), "high", List.of(0L)), new int[]{3}, new int[]{5});
        // slice's rule ignoring the step (places the cotangent contiguously from start)
        assertPlantedFails(planted(Ops.SLICE, c -> List.of(c.op(Ops.PAD, Attrs.of("low", List.of(1L), "high", List.of(3L)), c.cotangent(0)))),
                Ops.SLICE, Attrs.of("starts", Shape.of(1), "stops", Shape.of(6), "steps", List.of(2L)), new int[]{7}, new int[]{3});
        // broadcast_to's rule averaging instead of summing over the broadcast axis
        assertPlantedFails(planted(Ops.BROADCAST_TO, c -> List.of(c.op(Ops.MEAN, Attrs.of("axes", List.of(0L), "keepdims", false), c.cotangent(0)))),
                Ops.BROADCAST_TO, Attrs.of("shape", Shape.of(3, 2)), new int[]{2}, new int[]{3, 2});
        // scatter_add's rule giving the updates nothing
        Autodiff scatter = planted(Ops.SCATTER_ADD, c -> Arrays.asList(c.cotangent(0), null, c.zerosLike(c.input(2))));
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Graph sg = scatterAdd(new Random(5), shapes);
        Map<String, Tensor> sin = new HashMap<>();
        shapes.forEach((n, sh) -> sin.put(n, tensor(sh, r, r::nextGaussian)));
        sin.put("u", tensor(uShape(sg), r, r::nextGaussian));
        assertNotNull(fullJacobianMismatch(scatter, sg, "updates", sin));
        assertNull(fullJacobianMismatch(new Autodiff(), sg, "updates", sin));
    }

    private static void assertPlantedFails(Autodiff broken, OpDef op, Attrs attrs, int[] in, int[] out) {
        GraphBuilder b = new GraphBuilder(op.name());
        Graph g = scalarized(Map.of("x", in), null, v -> b.op(op, attrs, v.get(0)), b);
        Random r = new Random(2);
        Map<String, Tensor> inputs = Map.of("x", tensor(in, r, r::nextGaussian), "u", tensor(out, r, r::nextGaussian));
        assertNotNull(fullJacobianMismatch(broken, g, "x", inputs), "planted " + op + " rule not caught");
        assertNull(fullJacobianMismatch(new Autodiff(), g, "x", inputs), op.name());
    }
}
