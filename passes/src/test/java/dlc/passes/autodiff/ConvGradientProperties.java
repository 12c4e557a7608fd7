package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import net.jqwik.api.*;

import java.util.*;

import static dlc.passes.autodiff.GraphsForGrad.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * conv2d's and conv_transpose2d's VJPs (input and weight) against float64 central differences
 * over random tiny geometries: batch, channels, groups, kernel, stride, asymmetric padding,
 * dilation and output padding; plus one full Jacobian, second order, and planted wrong rules.
 */
class ConvGradientProperties {
    /** One random convolution: operand shapes and attributes. */
    record Case(int[] x, int[] w, Attrs attrs) {
        @Override public String toString() { return Arrays.toString(x) + " * " + Arrays.toString(w) + " " + attrs; }
    }

    static long[] pair(Random r, int lo, int hi) { return new long[]{lo + r.nextInt(hi - lo + 1), lo + r.nextInt(hi - lo + 1)}; }

    /** conv2d: x [N, g*Cg, H, W], w [g*Og, Cg, kH, kW], with H, W large enough for one window. */
    static Case conv2d(Random r) {
        int n = 1 + r.nextInt(2), g = 1 + r.nextInt(2), cg = 1 + r.nextInt(2), og = 1 + r.nextInt(2);
        long[] k = pair(r, 1, 3), s = pair(r, 1, 2), d = pair(r, 1, 2);
        long[] p = {r.nextInt(2), r.nextInt(3), r.nextInt(2), r.nextInt(3)};
        int[] hw = new int[2];
        for (int a = 0; a < 2; a++) {
            long need = d[a] * (k[a] - 1) + 1 - p[2 * a] - p[2 * a + 1];
            hw[a] = (int) Math.max(1, need) + r.nextInt(3);
        }
        Attrs attrs = Attrs.of("stride", s, "padding", p, "dilation", d, "groups", (long) g);
        return new Case(new int[]{n, g * cg, hw[0], hw[1]}, new int[]{g * og, cg, (int) k[0], (int) k[1]}, attrs);
    }

    /** conv_transpose2d: x [N, g*Cg, H, W], w [g*Cg, Og, kH, kW], output padding below max(stride, dilation). */
    static Case convTranspose2d(Random r) {
        while (true) {
            int n = 1 + r.nextInt(2), g = 1 + r.nextInt(2), cg = 1 + r.nextInt(2), og = 1 + r.nextInt(2);
            long[] k = pair(r, 1, 3), s = pair(r, 1, 2), d = pair(r, 1, 2);
            long[] p = {r.nextInt(2), r.nextInt(3), r.nextInt(2), r.nextInt(3)};
            long[] op = {r.nextInt((int) Math.max(s[0], d[0])), r.nextInt((int) Math.max(s[1], d[1]))};
            int h = 1 + r.nextInt(3), w = 1 + r.nextInt(3);
            boolean ok = true;
            int[] in = {h, w};
            for (int a = 0; a < 2; a++) ok &= (in[a] - 1) * s[a] - p[2 * a] - p[2 * a + 1] + d[a] * (k[a] - 1) + op[a] + 1 >= 1;
            if (!ok) continue;
            Attrs attrs = Attrs.of("stride", s, "padding", p, "dilation", d, "groups", (long) g, "output_padding", op);
            return new Case(new int[]{n, g * cg, h, w}, new int[]{g * cg, og, (int) k[0], (int) k[1]}, attrs);
        }
    }

    static Graph graph(OpDef op, Case c) {
        GraphBuilder b = new GraphBuilder(op.name());
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("x", c.x);
        shapes.put("w", c.w);
        return scalarized(shapes, null, in -> b.op(op, c.attrs, in.get(0), in.get(1)), b);
    }

    static Map<String, Tensor> inputs(Graph g, Case c, Random r) {
        Map<String, Tensor> in = new HashMap<>();
        in.put("x", tensor(c.x, r, r::nextGaussian));
        in.put("w", tensor(c.w, r, r::nextGaussian));
        in.put("u", GradSupport.weightFor(g, r));
        return in;
    }

    @Property
    void conv2dGradientMatchesFiniteDifferences(@ForAll long seed) {
        Random r = new Random(seed);
        Case c = conv2d(r);
        Graph g = graph(Ops.CONV2D, c);
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), g, "loss", List.of("x", "w"), inputs(g, c, r), r);
        assertTrue(res.ok(), c + ": " + res);
    }

    @Property
    void convTranspose2dGradientMatchesFiniteDifferences(@ForAll long seed) {
        Random r = new Random(seed);
        Case c = convTranspose2d(r);
        Graph g = graph(Ops.CONV_TRANSPOSE2D, c);
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), g, "loss", List.of("x", "w"), inputs(g, c, r), r);
        assertTrue(res.ok(), c + ": " + res);
    }

    /** The rules are made of convolutions, so they differentiate again: loss2 = <dL/dx, u2> depends on w and u. */
    @Property(tries = 40)
    void conv2dSecondOrderMatchesFiniteDifferencesOfTheGradient(@ForAll long seed, @ForAll boolean throughX) {
        Random r = new Random(seed);
        Case c = conv2d(r);
        Graph g = graph(Ops.CONV2D, c);
        String wrt = throughX ? "x" : "w";
        Graph second = gradientFunctional(GradSupport.autodiff().gradients(g, "loss", List.of("x", "w")), wrt, "u2");
        Map<String, Tensor> in = inputs(g, c, r);
        in.put("u2", tensor(throughX ? c.x : c.w, r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), second, "loss2", List.of("x", "w", "u"), in, r);
        assertTrue(res.ok(), "d2 through " + wrt + ", " + c + ": " + res);
    }

    /**
     * The whole Jacobian of a tiny grouped, strided, asymmetrically padded, dilated conv: row o from
     * the VJP of the unit cotangent e_o, column i from central differences in input element i
     * (exact up to rounding, since the conv is bilinear).
     */
    @Example
    void fullJacobianOfATinyConvMatchesFiniteDifferences() {
        Case c = new Case(new int[]{1, 2, 4, 3}, new int[]{2, 1, 2, 2},
                Attrs.of("stride", new long[]{2, 1}, "padding", new long[]{1, 0, 0, 1}, "dilation", new long[]{1, 2}, "groups", 2L));
        Graph g = graph(Ops.CONV2D, c);
        Graph grad = GradSupport.autodiff().gradients(g, "loss", List.of("x", "w"));
        Random r = new Random(5);
        Tensor x = tensor(c.x, r, r::nextGaussian), w = tensor(c.w, r, r::nextGaussian);
        int[] ys = GradSupport.shapeOf(g.input("u").orElseThrow());
        int outs = (int) Tensor.numel(ys), nx = x.size(), nw = w.size();
        double[][] analytic = new double[outs][nx + nw], numeric = new double[outs][nx + nw];
        for (int o = 0; o < outs; o++) {
            double[] e = new double[outs];
            e[o] = 1;
            Map<String, Tensor> gr = GradCheck.gradients(grad, Map.of("x", x, "w", w, "u", new Tensor(DType.F64, ys, e)));
            System.arraycopy(gr.get("x").data(), 0, analytic[o], 0, nx);
            System.arraycopy(gr.get("w").data(), 0, analytic[o], nx, nw);
        }
        for (int i = 0; i < nx + nw; i++) {
            double[] plus = convAt(c, x, w, i, GradCheck.H), minus = convAt(c, x, w, i, -GradCheck.H);
            for (int o = 0; o < outs; o++) numeric[o][i] = (plus[o] - minus[o]) / (2 * GradCheck.H);
        }
        for (int o = 0; o < outs; o++)
            for (int i = 0; i < nx + nw; i++)
                assertEquals(numeric[o][i], analytic[o][i], 1e-7, "J[" + o + "][" + i + "]");
        // the conv reads every weight and, with this geometry, some x element: the Jacobian is not all zero
        assertTrue(Arrays.stream(analytic).flatMapToDouble(Arrays::stream).anyMatch(v -> v != 0));
    }

    /** Gradient graphs of every op of the family (pools included) pass the IR verifier. */
    @Example
    void gradientGraphsVerify() {
        Random r = new Random(12);
        Verifier.verify(GradSupport.autodiff().gradients(graph(Ops.CONV2D, conv2d(r)), "loss", List.of("x", "w")));
        Verifier.verify(GradSupport.autodiff().gradients(graph(Ops.CONV_TRANSPOSE2D, convTranspose2d(r)), "loss", List.of("x", "w")));
        for (OpDef pool : List.of(Ops.MAX_POOL2D, Ops.AVG_POOL2D))
            Verifier.verify(GradSupport.autodiff().gradients(PoolGradientProperties.graph(pool, PoolGradientProperties.random(r, pool == Ops.AVG_POOL2D)),
                    "loss", List.of("x")));
    }

    /** conv2d(x, w) with input element i (x first, then w) moved by h. */
    private static double[] convAt(Case c, Tensor x, Tensor w, int i, double h) {
        double[] xd = x.data().clone(), wd = w.data().clone();
        if (i < xd.length) xd[i] += h;
        else wd[i - xd.length] += h;
        Tensor y = Ops.CONV2D.eval(new Tensor[]{new Tensor(DType.F64, x.shape(), xd), new Tensor(DType.F64, w.shape(), wd)},
                c.attrs, List.of(), null)[0];
        return y.data();
    }

    @Example
    void symbolicSpatialDimsNeedStrideOneOrAClearError() {
        Dim h = Dim.sym("H");
        GraphBuilder b = new GraphBuilder("sym");
        Value x = b.input("x", new TensorType(DType.F64, Shape.of(Dim.of(1), Dim.of(1), h, Dim.of(5))), Value.Role.INPUT);
        Value w = b.input("w", GradSupport.f64(1, 1, 3, 3), Value.Role.INPUT);
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.CONV2D, Attrs.of("stride", new long[]{1, 2}, "padding", new long[]{1, 1, 0, 0}), x, w)));
        Graph grad = GradSupport.autodiff().gradients(b.build(), "loss", List.of("x", "w"));
        assertEquals(x.type(), grad.output("x").orElseThrow().value().type());

        // symbolic batch and channels with groups: the grouped weight gradient reshapes with K from the weight
        for (OpDef op : List.of(Ops.CONV2D, Ops.CONV_TRANSPOSE2D)) {
            GraphBuilder bg = new GraphBuilder("symg");
            Value xg = bg.input("x", new TensorType(DType.F64, Shape.of(Dim.sym("N"), Dim.of(4), Dim.of(5), Dim.of(5))), Value.Role.INPUT);
            Value wg = bg.input("w", GradSupport.f64(4, 2, 2, 2), Value.Role.INPUT);
            bg.output("loss", Graph.Output.Role.LOSS, all(bg, Ops.SUM, bg.op(op, Attrs.of("stride", new long[]{2, 2}, "groups", 2L), xg, wg)));
            Graph gg = GradSupport.autodiff().gradients(bg.build(), "loss", List.of("x", "w"));
            assertEquals(xg.type(), gg.output("x").orElseThrow().value().type(), op.name());
            assertEquals(wg.type(), gg.output("w").orElseThrow().value().type(), op.name());
        }

        GraphBuilder b2 = new GraphBuilder("sym2");
        Value x2 = b2.input("x", new TensorType(DType.F64, Shape.of(Dim.of(1), Dim.of(1), h, Dim.of(5))), Value.Role.INPUT);
        Value w2 = b2.input("w", GradSupport.f64(1, 1, 3, 3), Value.Role.INPUT);
        b2.output("loss", Graph.Output.Role.LOSS, all(b2, Ops.SUM, b2.op(Ops.CONV2D, Attrs.of("stride", new long[]{2, 1}), x2, w2)));
        ShapeException e = assertThrows(ShapeException.class, () -> GradSupport.autodiff().gradients(b2.build(), "loss", List.of("x")));
        assertTrue(e.getMessage().contains("stride 2") && e.getMessage().contains("height"), e.getMessage());
    }

    /** A convolution/correlation mix-up: the weight gradient with its kernel flipped. */
    private static Autodiff.Rule flippedWeightGradient(OpDef op) {
        return ctx -> {
            List<Value> right = op.vjp(ctx);
            return List.of(right.get(0), ctx.op(Ops.REVERSE, Attrs.of("axes", new long[]{2, 3}), right.get(1)));
        };
    }

    /** Flipping the weight gradient's kernel (same shape, wrong values) fails both convolutions' checks. */
    @Example
    void plantedWrongConvVjpsAreDetected() {
        for (OpDef op : List.of(Ops.CONV2D, Ops.CONV_TRANSPOSE2D)) {
            Case c = op == Ops.CONV2D
                    ? new Case(new int[]{1, 2, 4, 4}, new int[]{2, 2, 2, 2}, Attrs.of("padding", new long[]{0, 1, 1, 0}))
                    : new Case(new int[]{1, 2, 3, 3}, new int[]{2, 2, 2, 2}, Attrs.of("stride", new long[]{2, 1}));
            Graph g = graph(op, c);
            Map<String, Tensor> in = inputs(g, c, new Random(11));
            assertFalse(GradCheck.check(GradSupport.planted(op, flippedWeightGradient(op)), g, "loss", List.of("x", "w"), in, new Random(1)).ok(), op.name());
            assertTrue(GradCheck.check(GradSupport.autodiff(), g, "loss", List.of("x", "w"), in, new Random(1)).ok(), op.name());
        }
    }
}
