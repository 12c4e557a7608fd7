package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import net.jqwik.api.*;

import java.util.*;

import static dlc.passes.autodiff.GraphsForGrad.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * scan's VJP (a reverse scan over the body's VJP) against float64 central differences: an Elman
 * RNN and an LSTM-like cell over T = 1..5 steps with captured weights, forward and reverse, with
 * the steps on axis 0, 1 or -2, several carries and xs, gradients with respect to the initial
 * carries, the xs and the captured weights; second order; an integer carry; zero steps; and a
 * planted rule that walks the steps in the wrong direction.
 */
class ScanGradientProperties {
    /** Sizes and layout of one random recurrence. */
    record Setup(int t, int batch, int features, int hidden, long axis, boolean reverse) {
        static Setup random(Random r, int maxT) {
            long[] axes = {0, 1, -2};
            return new Setup(1 + r.nextInt(maxT), 1 + r.nextInt(2), 1 + r.nextInt(3), 1 + r.nextInt(3), axes[r.nextInt(3)], r.nextBoolean());
        }

        /** A per-step [B, n] stacked over T on the scan axis. */
        int[] stacked(int n) { return axis == 0 ? new int[]{t, batch, n} : new int[]{batch, t, n}; }
    }

    /** Adds {@code sum(v * u_name)} for a fresh weight input u_name shaped like v. */
    private static Value weighted(GraphBuilder b, Value v, String name) {
        return all(b, Ops.SUM, b.op(Ops.MUL, v, b.input(name, v.type(), Value.Role.INPUT)));
    }

    private static Value matmul(GraphBuilder b, Value x, Value w) { return b.op(Ops.MATMUL, x, w); }

    /** Body of h' = tanh(x @ Wxh + h @ Whh + bias), y = h'. */
    static Graph elmanBody(Setup s) {
        GraphBuilder b = new GraphBuilder("elman");
        Value h = b.input("h", GradSupport.f64(s.batch, s.hidden), Value.Role.INPUT);
        Value x = b.input("x", GradSupport.f64(s.batch, s.features), Value.Role.INPUT);
        Value wxh = b.input("wxh", GradSupport.f64(s.features, s.hidden), Value.Role.INPUT);
        Value whh = b.input("whh", GradSupport.f64(s.hidden, s.hidden), Value.Role.INPUT);
        Value bias = b.input("bias", GradSupport.f64(s.hidden), Value.Role.INPUT);
        Value next = b.op(Ops.TANH, b.op(Ops.ADD, b.op(Ops.ADD, matmul(b, x, wxh), matmul(b, h, whh)), bias));
        b.output("h", Graph.Output.Role.OUTPUT, next);
        b.output("y", Graph.Output.Role.OUTPUT, next);
        return b.build();
    }

    /** loss = sum(h_T * u_h) + sum(ys * u_y) over scan(elman, h0, xs, wxh, whh, bias). */
    static Graph elman(Setup s) {
        GraphBuilder b = new GraphBuilder("rnn");
        Value h0 = b.input("h0", GradSupport.f64(s.batch, s.hidden), Value.Role.INPUT);
        Value xs = b.input("xs", GradSupport.f64(s.stacked(s.features)), Value.Role.INPUT);
        Value wxh = b.input("wxh", GradSupport.f64(s.features, s.hidden), Value.Role.INPUT);
        Value whh = b.input("whh", GradSupport.f64(s.hidden, s.hidden), Value.Role.INPUT);
        Value bias = b.input("bias", GradSupport.f64(s.hidden), Value.Role.INPUT);
        List<Value> out = b.op(Ops.SCAN, scanAttrs(1, 1, s), List.of(elmanBody(s)), List.of(h0, xs, wxh, whh, bias));
        b.output("loss", Graph.Output.Role.LOSS, b.op(Ops.ADD, weighted(b, out.get(0), "u_h"), weighted(b, out.get(1), "u_y")));
        return b.build();
    }

    static Attrs scanAttrs(long carries, long xs, Setup s) {
        return Attrs.of("num_carries", carries, "num_xs", xs, "axis", s.axis, "reverse", s.reverse);
    }

    static final List<String> GATES = List.of("i", "f", "o", "g");

    /**
     * LSTM-like body: carries (h, c), xs (x, z), captured W_gate [F, H] and U_gate [H, H];
     * c' = f*c + i*g, h' = o*tanh(c'), with the candidate g also reading z; ys (h', c' * h').
     */
    static Graph lstmBody(Setup s) {
        GraphBuilder b = new GraphBuilder("lstm");
        Value h = b.input("h", GradSupport.f64(s.batch, s.hidden), Value.Role.INPUT);
        Value c = b.input("c", GradSupport.f64(s.batch, s.hidden), Value.Role.INPUT);
        Value x = b.input("x", GradSupport.f64(s.batch, s.features), Value.Role.INPUT);
        Value z = b.input("z", GradSupport.f64(s.batch, s.hidden), Value.Role.INPUT);
        Map<String, Value> pre = new HashMap<>();
        Map<String, Value> ws = new LinkedHashMap<>(), us = new LinkedHashMap<>();
        for (String gate : GATES) ws.put(gate, b.input("w" + gate, GradSupport.f64(s.features, s.hidden), Value.Role.INPUT));
        for (String gate : GATES) us.put(gate, b.input("u" + gate, GradSupport.f64(s.hidden, s.hidden), Value.Role.INPUT));
        for (String gate : GATES) pre.put(gate, b.op(Ops.ADD, matmul(b, x, ws.get(gate)), matmul(b, h, us.get(gate))));
        Value i = b.op(Ops.SIGMOID, pre.get("i")), f = b.op(Ops.SIGMOID, pre.get("f")), o = b.op(Ops.SIGMOID, pre.get("o"));
        Value g = b.op(Ops.TANH, b.op(Ops.ADD, pre.get("g"), z));
        Value c2 = b.op(Ops.ADD, b.op(Ops.MUL, f, c), b.op(Ops.MUL, i, g));
        Value h2 = b.op(Ops.MUL, o, b.op(Ops.TANH, c2));
        b.output("h", Graph.Output.Role.OUTPUT, h2);
        b.output("c", Graph.Output.Role.OUTPUT, c2);
        b.output("y1", Graph.Output.Role.OUTPUT, h2);
        b.output("y2", Graph.Output.Role.OUTPUT, b.op(Ops.MUL, c2, h2));
        return b.build();
    }

    static Graph lstm(Setup s) {
        GraphBuilder b = new GraphBuilder("lstm_scan");
        List<Value> operands = new ArrayList<>();
        operands.add(b.input("h0", GradSupport.f64(s.batch, s.hidden), Value.Role.INPUT));
        operands.add(b.input("c0", GradSupport.f64(s.batch, s.hidden), Value.Role.INPUT));
        operands.add(b.input("xs", GradSupport.f64(s.stacked(s.features)), Value.Role.INPUT));
        operands.add(b.input("zs", GradSupport.f64(s.stacked(s.hidden)), Value.Role.INPUT));
        for (String gate : GATES) operands.add(b.input("w" + gate, GradSupport.f64(s.features, s.hidden), Value.Role.INPUT));
        for (String gate : GATES) operands.add(b.input("u" + gate, GradSupport.f64(s.hidden, s.hidden), Value.Role.INPUT));
        List<Value> out = b.op(Ops.SCAN, scanAttrs(2, 2, s), List.of(lstmBody(s)), operands);
        Value loss = weighted(b, out.get(0), "u_h");
        loss = b.op(Ops.ADD, loss, weighted(b, out.get(1), "u_c"));
        loss = b.op(Ops.ADD, loss, weighted(b, out.get(2), "u_y1"));
        loss = b.op(Ops.ADD, loss, weighted(b, out.get(3), "u_y2"));
        b.output("loss", Graph.Output.Role.LOSS, loss);
        return b.build();
    }

    /** Random values for every input of g: weights scaled down so tanh/sigmoid stay away from saturation. */
    static Map<String, Tensor> inputs(Graph g, Random r) {
        Map<String, Tensor> in = new HashMap<>();
        for (Value v : g.inputs()) {
            int[] s = GradSupport.shapeOf(v);
            double scale = v.name().startsWith("w") || v.name().startsWith("u") && !v.name().startsWith("u_") ? 0.5 : 1;
            in.put(v.name(), tensor(s, r, () -> scale * r.nextGaussian()));
        }
        return in;
    }

    /** Every input except the loss weights u_*. */
    static List<String> differentiable(Graph g) {
        return g.inputs().stream().map(Value::name).filter(n -> !n.startsWith("u_") && !n.equals("u2")).toList();
    }

    @Property
    void elmanRnnGradientMatchesFiniteDifferences(@ForAll long seed) {
        Random r = new Random(seed);
        Setup s = Setup.random(r, 5);
        Graph g = elman(s);
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), g, "loss", differentiable(g), inputs(g, r), r);
        assertTrue(res.ok(), s + ": " + res);
    }

    @Property
    void lstmLikeCellGradientMatchesFiniteDifferences(@ForAll long seed) {
        Random r = new Random(seed);
        Setup s = Setup.random(r, 5);
        Graph g = lstm(s);
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), g, "loss", differentiable(g), inputs(g, r), r);
        assertTrue(res.ok(), s + ": " + res);
    }

    /** Each gradient on its own (a directional check over all inputs could hide a wrong one behind a large one). */
    @Property(tries = 50)
    void eachElmanGradientMatchesOnItsOwn(@ForAll long seed, @ForAll("elmanInputs") String wrt) {
        Random r = new Random(seed);
        Setup s = Setup.random(r, 4);
        Graph g = elman(s);
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), g, "loss", List.of(wrt), inputs(g, r), r);
        assertTrue(res.ok(), wrt + ", " + s + ": " + res);
    }

    @Provide Arbitrary<String> elmanInputs() { return Arbitraries.of("h0", "xs", "wxh", "whh", "bias"); }

    /** Second order: the gradient graph holds the augmented and the reverse scan, which differentiate again. */
    @Property(tries = 30)
    void elmanSecondOrderMatchesFiniteDifferencesOfTheGradient(@ForAll long seed, @ForAll("elmanInputs") String through) {
        Random r = new Random(seed);
        Setup s = Setup.random(r, 3);
        Graph g = elman(s);
        Graph grad = GradSupport.autodiff().gradients(g, "loss", differentiable(g));
        Graph second = gradientFunctional(grad, through, "u2");
        Map<String, Tensor> in = inputs(g, r);
        in.put("u2", tensor(GradSupport.shapeOf(g.input(through).orElseThrow()), r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), second, "loss2", differentiable(g), in, r);
        assertTrue(res.ok(), "d2 through " + through + ", " + s + ": " + res);
    }

    /**
     * A scalar carry s' = tanh(s * w + sum(x_t * v)) with ys y_t = s' * x_t, over xs [B, T] (axis 1
     * or -1) or [T, B] (axis -2): a scalar cannot be stacked on axis 1 or -2 as it stands, so the
     * rule lifts the stored carries to rank 1 and back.
     */
    @Property
    void scalarCarryOnAnyAxis(@ForAll long seed) {
        Random r = new Random(seed);
        long axis = new long[]{1, -1, -2}[r.nextInt(3)];
        int t = 1 + r.nextInt(4), batch = 1 + r.nextInt(3);
        boolean reverse = r.nextBoolean();
        GraphBuilder bb = new GraphBuilder("scalar");
        Value sc = bb.input("s", GradSupport.f64(), Value.Role.INPUT);
        Value x = bb.input("x", GradSupport.f64(batch), Value.Role.INPUT);
        Value w = bb.input("w", GradSupport.f64(), Value.Role.INPUT);
        Value v = bb.input("v", GradSupport.f64(batch), Value.Role.INPUT);
        Value next = bb.op(Ops.TANH, bb.op(Ops.ADD, bb.op(Ops.MUL, sc, w), all(bb, Ops.SUM, bb.op(Ops.MUL, x, v))));
        bb.output("s", Graph.Output.Role.OUTPUT, next);
        bb.output("y", Graph.Output.Role.OUTPUT, bb.op(Ops.MUL, next, x));
        GraphBuilder b = new GraphBuilder("scalar_scan");
        Value s0 = b.input("s0", GradSupport.f64(), Value.Role.INPUT);
        Value xs = b.input("xs", axis == -2 ? GradSupport.f64(t, batch) : GradSupport.f64(batch, t), Value.Role.INPUT);
        Value ww = b.input("w", GradSupport.f64(), Value.Role.INPUT);
        Value vv = b.input("v", GradSupport.f64(batch), Value.Role.INPUT);
        List<Value> out = b.op(Ops.SCAN, Attrs.of("num_carries", 1L, "num_xs", 1L, "axis", axis, "reverse", reverse),
                List.of(bb.build()), List.of(s0, xs, ww, vv));
        b.output("loss", Graph.Output.Role.LOSS, b.op(Ops.ADD, weighted(b, out.get(0), "u_s"), weighted(b, out.get(1), "u_y")));
        Graph g = b.build();
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), g, "loss", differentiable(g), inputs(g, r), r);
        assertTrue(res.ok(), "axis " + axis + ", T " + t + ", reverse " + reverse + ": " + res);
    }

    /**
     * carries (h [H], t i64): h' = tanh(h * w + x * t), t' = t + 1. The integer carry and the cast
     * get no gradient; the float ones still do, and the step count reaches them.
     */
    @Example
    void integerCarryGetsNoGradientAndFloatsStillDo() {
        GraphBuilder bb = new GraphBuilder("counted");
        Value h = bb.input("h", GradSupport.f64(2), Value.Role.INPUT);
        Value t = bb.input("t", TensorType.scalar(DType.I64), Value.Role.INPUT);
        Value x = bb.input("x", GradSupport.f64(2), Value.Role.INPUT);
        Value w = bb.input("w", GradSupport.f64(2), Value.Role.INPUT);
        Value tf = bb.op(Ops.CAST, Attrs.of("dtype", DType.F64), t);
        Value next = bb.op(Ops.TANH, bb.op(Ops.ADD, bb.op(Ops.MUL, h, w), bb.op(Ops.MUL, x, tf)));
        Value one = bb.op(Ops.CONSTANT, Attrs.of("dtype", DType.I64, "shape", Shape.SCALAR, "values", List.of(1.0)));
        bb.output("h", Graph.Output.Role.OUTPUT, next);
        bb.output("t", Graph.Output.Role.OUTPUT, bb.op(Ops.ADD, t, one));
        bb.output("y", Graph.Output.Role.OUTPUT, next);
        GraphBuilder b = new GraphBuilder("counted_scan");
        Value h0 = b.input("h0", GradSupport.f64(2), Value.Role.INPUT);
        Value t0 = b.input("t0", TensorType.scalar(DType.I64), Value.Role.INPUT);
        Value xs = b.input("xs", GradSupport.f64(3, 2), Value.Role.INPUT);
        Value ww = b.input("w", GradSupport.f64(2), Value.Role.INPUT);
        List<Value> out = b.op(Ops.SCAN, Attrs.of("num_carries", 2L, "num_xs", 1L), List.of(bb.build()), List.of(h0, t0, xs, ww));
        b.output("loss", Graph.Output.Role.LOSS, b.op(Ops.ADD, weighted(b, out.get(0), "u_h"), weighted(b, out.get(2), "u_y")));
        Graph g = b.build();
        Random r = new Random(9);
        Map<String, Tensor> in = inputs(g, r);
        in.put("t0", Tensor.scalar(DType.I64, 1));
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), g, "loss", List.of("h0", "xs", "w"), in, r);
        assertTrue(res.ok(), res.toString());
    }

    /** A scan without carries (a map, y_t = sin(x_t) * w) and a scan nested in a scan's body both differentiate. */
    @Example
    void mapsAndNestedScansDifferentiate() {
        GraphBuilder mb = new GraphBuilder("map_body");
        Value mx = mb.input("x", GradSupport.f64(2), Value.Role.INPUT);
        Value mw = mb.input("w", GradSupport.f64(2), Value.Role.INPUT);
        mb.output("y", Graph.Output.Role.OUTPUT, mb.op(Ops.MUL, mb.op(Ops.SIN, mx), mw));
        Graph mapBody = mb.build();

        // inner: over the K rows of x_t [K, 2], h' = tanh(h * w + x_k); outer: over T steps, carrying h and mapping ys
        GraphBuilder ib = new GraphBuilder("inner");
        Value ih = ib.input("h", GradSupport.f64(2), Value.Role.INPUT);
        Value ix = ib.input("x", GradSupport.f64(2), Value.Role.INPUT);
        Value iw = ib.input("w", GradSupport.f64(2), Value.Role.INPUT);
        ib.output("h", Graph.Output.Role.OUTPUT, ib.op(Ops.TANH, ib.op(Ops.ADD, ib.op(Ops.MUL, ih, iw), ix)));
        GraphBuilder ob = new GraphBuilder("outer");
        Value oh = ob.input("h", GradSupport.f64(2), Value.Role.INPUT);
        Value ox = ob.input("x", GradSupport.f64(3, 2), Value.Role.INPUT);
        Value ow = ob.input("w", GradSupport.f64(2), Value.Role.INPUT);
        Value inner = ob.op(Ops.SCAN, Attrs.of("num_carries", 1L, "num_xs", 1L, "reverse", true), List.of(ib.build()), List.of(oh, ox, ow)).get(0);
        ob.output("h", Graph.Output.Role.OUTPUT, inner);
        ob.output("y", Graph.Output.Role.OUTPUT, ob.op(Ops.MUL, inner, oh));

        GraphBuilder b = new GraphBuilder("nested");
        Value h0 = b.input("h0", GradSupport.f64(2), Value.Role.INPUT);
        Value xs = b.input("xs", GradSupport.f64(2, 3, 2), Value.Role.INPUT);
        Value w = b.input("w", GradSupport.f64(2), Value.Role.INPUT);
        List<Value> out = b.op(Ops.SCAN, Attrs.of("num_carries", 1L, "num_xs", 1L), List.of(ob.build()), List.of(h0, xs, w));
        Value mapped = b.op(Ops.SCAN, Attrs.of("num_carries", 0L, "num_xs", 1L), List.of(mapBody), List.of(out.get(1), w)).get(0);
        b.output("loss", Graph.Output.Role.LOSS, b.op(Ops.ADD, weighted(b, out.get(0), "u_h"), weighted(b, mapped, "u_y")));
        Graph g = b.build();
        Random r = new Random(21);
        for (String wrt : List.of("h0", "xs", "w")) {
            GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), g, "loss", List.of(wrt), inputs(g, r), r);
            assertTrue(res.ok(), wrt + ": " + res);
        }
    }

    /** With T = 0 the final carry is the initial one: its gradient is the loss weight, the others are zero. */
    @Example
    void zeroStepsPassTheCarryCotangentThrough() {
        Setup s = new Setup(0, 1, 2, 2, 0, false);
        Graph g = elman(s);
        Random r = new Random(4);
        Map<String, Tensor> in = inputs(g, r);
        Map<String, Tensor> gr = GradSupport.grads(GradSupport.autodiff(), g, "loss", differentiable(g), in);
        assertArrayEquals(in.get("u_h").data(), gr.get("h0").data(), 0);
        assertEquals(0, gr.get("xs").size());
        assertTrue(Arrays.stream(gr.get("whh").data()).allMatch(v -> v == 0));
    }

    /** A hand-computed linear recurrence h' = h * w + x over 2 steps: dL/dw = h0 + (h0 w + x0), dL/dx = [w, 1]. */
    @Example
    void linearRecurrenceByHand() {
        GraphBuilder bb = new GraphBuilder("lin");
        Value h = bb.input("h", GradSupport.f64(), Value.Role.INPUT);
        Value x = bb.input("x", GradSupport.f64(), Value.Role.INPUT);
        Value w = bb.input("w", GradSupport.f64(), Value.Role.INPUT);
        bb.output("h", Graph.Output.Role.OUTPUT, bb.op(Ops.ADD, bb.op(Ops.MUL, h, w), x));
        GraphBuilder b = new GraphBuilder("lin_scan");
        Value h0 = b.input("h0", GradSupport.f64(), Value.Role.INPUT);
        Value xs = b.input("xs", GradSupport.f64(2), Value.Role.INPUT);
        Value ww = b.input("w", GradSupport.f64(), Value.Role.INPUT);
        List<Value> out = b.op(Ops.SCAN, Attrs.of("num_carries", 1L, "num_xs", 1L), List.of(bb.build()), List.of(h0, xs, ww));
        b.output("loss", Graph.Output.Role.LOSS, out.get(0));
        // h0 = 2, xs = [3, 5], w = 4: h1 = 11, h2 = 49; dh2/dw = h1 + w * h0 = 11 + 8 = 19; dh2/dh0 = w^2 = 16
        Map<String, Tensor> gr = GradSupport.grads(GradSupport.autodiff(), b.build(), "loss", List.of("h0", "xs", "w"),
                Map.of("h0", Tensor.scalar(DType.F64, 2), "xs", Tensor.of(new int[]{2}, 3, 5), "w", Tensor.scalar(DType.F64, 4)));
        assertEquals(16, gr.get("h0").item(), 0);
        assertArrayEquals(new double[]{4, 1}, gr.get("xs").data(), 0);
        assertEquals(19, gr.get("w").item(), 0);
    }

    /** The gradient graphs (first and second order, with their nested reverse scans) pass the IR verifier. */
    @Example
    void gradientGraphsVerify() {
        Setup s = new Setup(3, 2, 2, 2, -2, true);
        for (Graph g : List.of(elman(s), lstm(s))) {
            Graph grad = GradSupport.autodiff().gradients(g, "loss", differentiable(g));
            Verifier.verify(grad);
            Verifier.verify(GradSupport.autodiff().gradients(gradientFunctional(grad, "h0", "u2"), "loss2", differentiable(g)));
        }
    }

    /** Planted: the scan rule run as if the loop went the other way (carries and steps mismatched) is caught. */
    @Example
    void plantedWrongDirectionScanVjpIsDetected() {
        OpDef scan = Ops.SCAN;
        Autodiff.Rule wrongDirection = ctx -> {
            List<Value> ins = new ArrayList<>(), outs = new ArrayList<>(), cts = new ArrayList<>();
            for (int i = 0; i < ctx.inputCount(); i++) ins.add(ctx.input(i));
            for (int i = 0; i < ctx.outputCount(); i++) {
                outs.add(ctx.output(i));
                cts.add(ctx.hasCotangent(i) ? ctx.cotangent(i) : null);
            }
            Attrs flipped = ctx.attrs().with("reverse", !ctx.attrs().getBool("reverse", false));
            Node fake = new Node(scan, ins, flipped, ctx.regions(), outs.stream().map(Value::type).toList(), null, null);
            return scan.vjp(new VjpContext(ctx.builder(), fake, ins, outs, cts, ctx.bodies()));
        };
        Setup s = new Setup(3, 2, 2, 2, 0, false);
        Graph g = elman(s);
        Map<String, Tensor> in = inputs(g, new Random(8));
        assertFalse(GradCheck.check(GradSupport.planted(Ops.SCAN, wrongDirection), g, "loss", differentiable(g), in, new Random(1)).ok());
        assertTrue(GradCheck.check(GradSupport.autodiff(), g, "loss", differentiable(g), in, new Random(1)).ok());
    }

    /**
     * The backward reads the step's saved activations instead of recomputing the step: after the
     * simplifier (scan merge, CSE, dead code), the Elman gradient is one forward scan whose body
     * keeps its 2 matmuls (x @ Wxh, h @ Whh) and one reverse scan whose body has only the 2 of
     * the backward that feed the carries and xs (dx, dh), not the 2 forward ones again; the weight
     * gradients dWxh and dWhh are one matmul over all the steps' rows after the loop (each is a
     * product over the same rows of the pre-activation's cotangent, which shared-matmul merges).
     */
    @Example
    void backwardReadsSavedActivationsRatherThanRecomputingTheStep() {
        Setup s = new Setup(3, 2, 2, 2, 1, false);
        Graph g = elman(s);
        Graph grad = new dlc.passes.simplify.Simplify().run(GradSupport.autodiff().gradients(g, "loss", differentiable(g)));
        List<Node> scans = grad.nodes().stream().filter(n -> n.op() == Ops.SCAN).toList();
        assertEquals(2, scans.size(), "the forward runs once, merged with the augmented scan");
        assertEquals(2, matmuls(scans.get(0).regions().get(0)), "forward body");
        assertEquals(2, matmuls(scans.get(1).regions().get(0)), "reverse body");
        assertEquals(1, matmuls(grad), "dWxh and dWhh, one matmul over the stacked steps");
    }

    private static long matmuls(Graph body) { return body.nodes().stream().filter(n -> n.op() == Ops.MATMUL).count(); }
}
