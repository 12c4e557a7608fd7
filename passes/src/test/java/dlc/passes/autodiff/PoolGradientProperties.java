package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import net.jqwik.api.*;

import java.util.*;

import static dlc.passes.autodiff.GraphsForGrad.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * max_pool2d's and avg_pool2d's VJPs against float64 central differences over random kernels,
 * strides and (asymmetric) paddings; max-pool inputs are pairwise apart so that no window has a
 * tie within the step. Ties themselves are checked by hand: the gradient goes to the first maximum.
 */
class PoolGradientProperties {
    record Case(int[] x, Attrs attrs) {
        @Override public String toString() { return Arrays.toString(x) + " " + attrs; }
    }

    static Case random(Random r, boolean average) {
        long[] k = {1 + r.nextInt(3), 1 + r.nextInt(3)}, s = {1 + r.nextInt(3), 1 + r.nextInt(3)};
        long[] p = new long[4];
        for (int side = 0; side < 4; side++) p[side] = r.nextInt((int) k[side / 2]);
        int h = (int) Math.max(1, k[0] - p[0] - p[1]) + r.nextInt(3), w = (int) Math.max(1, k[1] - p[2] - p[3]) + r.nextInt(3);
        Attrs attrs = Attrs.of("kernel", k, "stride", s, "padding", p);
        if (average) attrs = attrs.with("count_include_pad", r.nextBoolean());
        return new Case(new int[]{1 + r.nextInt(2), 1 + r.nextInt(2), h, w}, attrs);
    }

    static Graph graph(OpDef op, Case c) {
        GraphBuilder b = new GraphBuilder(op.name());
        return scalarized(Map.of("x", c.x), null, in -> b.op(op, c.attrs, in.get(0)), b);
    }

    static GradCheck.Result check(Autodiff ad, OpDef op, Case c, Random r) {
        Graph g = graph(op, c);
        Tensor x = op == Ops.MAX_POOL2D ? GradSupport.distinct(c.x, r) : tensor(c.x, r, r::nextGaussian);
        return GradCheck.check(ad, g, "loss", List.of("x"), Map.of("x", x, "u", GradSupport.weightFor(g, r)), r);
    }

    @Property
    void maxPoolGradientMatchesFiniteDifferences(@ForAll long seed) {
        Random r = new Random(seed);
        Case c = random(r, false);
        GradCheck.Result res = check(GradSupport.autodiff(), Ops.MAX_POOL2D, c, r);
        assertTrue(res.ok(), c + ": " + res);
    }

    @Property
    void avgPoolGradientMatchesFiniteDifferencesInBothPaddingModes(@ForAll long seed) {
        Random r = new Random(seed);
        Case c = random(r, true);
        GradCheck.Result res = check(GradSupport.autodiff(), Ops.AVG_POOL2D, c, r);
        assertTrue(res.ok(), c + ": " + res);
    }

    /** The scatter/gather pair: each is linear in its second operand and its VJP there is the other. */
    @Property(tries = 50)
    void maxPoolScatterAndGatherAreEachOthersAdjoint(@ForAll long seed, @ForAll boolean scatter) {
        Random r = new Random(seed);
        Case c = random(r, false);
        Tensor x = GradSupport.distinct(c.x, r);
        Graph pooled = graph(Ops.MAX_POOL2D, c);
        int[] ps = GradSupport.shapeOf(pooled.input("u").orElseThrow());
        OpDef op = scatter ? Ops.MAX_POOL2D_SCATTER : Ops.MAX_POOL2D_GATHER;
        int[] vs = scatter ? ps : c.x;
        GraphBuilder b = new GraphBuilder(op.name());
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("x", c.x);
        shapes.put("v", vs);
        Graph g = scalarized(shapes, null, in -> b.op(op, c.attrs, in.get(0), in.get(1)), b);
        Map<String, Tensor> in = Map.of("x", x, "v", tensor(vs, r, r::nextGaussian), "u", GradSupport.weightFor(g, r));
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), g, "loss", List.of("v"), in, r);
        assertTrue(res.ok(), op + " " + c + ": " + res);
        // and second order through max_pool2d: <d loss/dx, u2> is linear in u, its gradient is the scatter's gather
        Graph second = gradientFunctional(GradSupport.autodiff().gradients(pooled, "loss", List.of("x")), "x", "u2");
        Map<String, Tensor> in2 = Map.of("x", x, "u", tensor(ps, r, r::nextGaussian), "u2", tensor(c.x, r, r::nextGaussian));
        GradCheck.Result res2 = GradCheck.check(GradSupport.autodiff(), second, "loss2", List.of("u"), in2, r);
        assertTrue(res2.ok(), "d2 max_pool2d " + c + ": " + res2);
    }

    @Example
    void maxPoolTiesSendTheGradientToTheFirstMaximum() {
        // x = [[1, 3, 3], [0, 3, 2]], 2x2 windows at stride 1: both windows' first maximum is (0, 1)
        GraphBuilder b = new GraphBuilder("ties");
        Value x = b.input("x", GradSupport.f64(1, 1, 2, 3), Value.Role.INPUT);
        Value u = b.input("u", GradSupport.f64(1, 1, 1, 2), Value.Role.INPUT);
        Value y = b.op(Ops.MAX_POOL2D, Attrs.of("kernel", new long[]{2, 2}, "stride", new long[]{1, 1}), x);
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.MUL, y, u)));
        Map<String, Tensor> gr = GradSupport.grads(GradSupport.autodiff(), b.build(), "loss", List.of("x"),
                Map.of("x", Tensor.of(new int[]{1, 1, 2, 3}, 1, 3, 3, 0, 3, 2), "u", Tensor.of(new int[]{1, 1, 1, 2}, 10, 20)));
        assertArrayEquals(new double[]{0, 30, 0, 0, 0, 0}, gr.get("x").data(), 0);
    }

    @Example
    void avgPoolGradientByHandInBothPaddingModes() {
        // x [1,1,1,2], kernel [1,2], stride [1,2], padding [0,0,1,1]: windows {pad, x0} and {x1, pad}
        for (boolean includePad : List.of(true, false)) {
            GraphBuilder b = new GraphBuilder("avg");
            Value x = b.input("x", GradSupport.f64(1, 1, 1, 2), Value.Role.INPUT);
            Value y = b.op(Ops.AVG_POOL2D, Attrs.of("kernel", new long[]{1, 2}, "stride", new long[]{1, 2}, "padding", new long[]{0, 0, 1, 1},
                    "count_include_pad", includePad), x);
            b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, y));
            Map<String, Tensor> gr = GradSupport.grads(GradSupport.autodiff(), b.build(), "loss", List.of("x"),
                    Map.of("x", Tensor.of(new int[]{1, 1, 1, 2}, 4, 7)));
            double each = includePad ? 0.5 : 1;
            assertArrayEquals(new double[]{each, each}, gr.get("x").data(), 0, "count_include_pad=" + includePad);
        }
    }

    @Example
    void scatterAndGatherByHand() {
        // windows 2x2 at stride 2 with padding [1, 0, 0, 0] over x [1,1,3,2] = [[5, 1], [2, 9], [4, 4]]:
        // window 0 = {pad row, x[0,:]} -> max 5 at flat 0; window 1 = {x[1,:], x[2,:]} -> max 9 at flat 3
        Attrs a = Attrs.of("kernel", new long[]{2, 2}, "stride", new long[]{2, 2}, "padding", new long[]{1, 0, 0, 0});
        Tensor x = Tensor.of(new int[]{1, 1, 3, 2}, 5, 1, 2, 9, 4, 4);
        Tensor g = Tensor.of(new int[]{1, 1, 2, 1}, 10, 20);
        Tensor scattered = Ops.MAX_POOL2D_SCATTER.eval(new Tensor[]{x, g}, a, List.of(), null)[0];
        assertArrayEquals(new int[]{1, 1, 3, 2}, scattered.shape());
        assertArrayEquals(new double[]{10, 0, 0, 20, 0, 0}, scattered.data(), 0);
        Tensor h = Tensor.of(new int[]{1, 1, 3, 2}, 1, 2, 3, 4, 5, 6);
        Tensor gathered = Ops.MAX_POOL2D_GATHER.eval(new Tensor[]{x, h}, a, List.of(), null)[0];
        assertArrayEquals(new int[]{1, 1, 2, 1}, gathered.shape());
        assertArrayEquals(new double[]{1, 4}, gathered.data(), 0);
        // a tie [4, 4] in one window: the first one takes it all
        Attrs row = Attrs.of("kernel", new long[]{1, 2});
        Tensor tie = Ops.MAX_POOL2D_SCATTER.eval(new Tensor[]{x, Tensor.of(new int[]{1, 1, 3, 1}, 1, 2, 3)}, row, List.of(), null)[0];
        assertArrayEquals(new double[]{1, 0, 0, 2, 3, 0}, tie.data(), 0);
    }

    @Example
    void scatterRejectsACotangentOfTheWrongShape() {
        GraphBuilder b = new GraphBuilder("bad");
        Value x = b.input("x", GradSupport.f64(1, 1, 4, 4), Value.Role.INPUT), g = b.input("g", GradSupport.f64(1, 1, 3, 3), Value.Role.INPUT);
        ShapeException e = assertThrows(ShapeException.class,
                () -> b.op(Ops.MAX_POOL2D_SCATTER, Attrs.of("kernel", new long[]{2, 2}), x, g));
        assertTrue(e.getMessage().contains("[1, 1, 2, 2]"), e.getMessage());
    }

    /** Planted: max pool spreading like an average, and average routing like a max; both are caught. */
    @Example
    void plantedWrongPoolVjpsAreDetected() {
        Case c = new Case(new int[]{1, 2, 4, 4}, Attrs.of("kernel", new long[]{2, 2}, "stride", new long[]{1, 2}, "padding", new long[]{1, 0, 0, 1}));
        Autodiff maxAsAvg = GradSupport.planted(Ops.MAX_POOL2D, ctx -> Ops.AVG_POOL2D.vjp(ctx));
        Autodiff avgAsMax = GradSupport.planted(Ops.AVG_POOL2D, ctx -> Ops.MAX_POOL2D.vjp(ctx));
        assertFalse(check(maxAsAvg, Ops.MAX_POOL2D, c, new Random(2)).ok());
        assertTrue(check(GradSupport.autodiff(), Ops.MAX_POOL2D, c, new Random(2)).ok());
        assertFalse(check(avgAsMax, Ops.AVG_POOL2D, c, new Random(2)).ok());
        assertTrue(check(GradSupport.autodiff(), Ops.AVG_POOL2D, c, new Random(2)).ok());
    }
}
