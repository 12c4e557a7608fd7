package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ScanTest {
    static final OpDef SCAN = Ops.SCAN;
    static final Dim B = Dim.sym("B"), T = Dim.sym("T");

    static TensorType f32(Object... dims) {
        return new TensorType(DType.F32, new Shape(java.util.Arrays.stream(dims).map(d -> d instanceof Dim x ? x : Dim.of(((Number) d).longValue())).toList()));
    }

    static Value in(GraphBuilder g, String name, TensorType t) { return g.input(name, t, Value.Role.INPUT); }

    /** Body of a running sum over rows: (c [B], x [B]) -> (c + x, c + x). */
    static Graph cumsumBody() {
        GraphBuilder b = new GraphBuilder("cumsum_step");
        Value c = in(b, "c", f32(B)), x = in(b, "x", f32(B));
        Value s = b.op(Ops.ADD, c, x);
        return b.output("c", Graph.Output.Role.OUTPUT, s).output("y", Graph.Output.Role.OUTPUT, s).build();
    }

    static Map<String, Tensor> runCumsum(boolean reverse, Tensor xs) {
        GraphBuilder g = new GraphBuilder("cumsum");
        Value c0 = in(g, "c0", f32(B)), x = in(g, "xs", f32(B, T));
        List<Value> r = g.op(SCAN, Attrs.of("num_carries", 1, "num_xs", 1, "axis", 1, "reverse", reverse), List.of(cumsumBody()), List.of(c0, x));
        assertEquals(f32(B), r.get(0).type());
        assertEquals(f32(B, T), r.get(1).type());
        g.output("total", Graph.Output.Role.OUTPUT, r.get(0)).output("sums", Graph.Output.Role.OUTPUT, r.get(1));
        return Interpreter.run(g.build(), Map.of("c0", Tensor.zeros(DType.F32, xs.dim(0)), "xs", xs));
    }

    @Test
    void cumulativeSumOverAxisOne() {
        Tensor xs = new Tensor(DType.F32, new int[]{2, 3}, new double[]{1, 2, 3, 4, 5, 6});
        Map<String, Tensor> r = runCumsum(false, xs);
        assertArrayEquals(new double[]{6, 15}, r.get("total").data());
        assertArrayEquals(new int[]{2, 3}, r.get("sums").shape());
        assertArrayEquals(new double[]{1, 3, 6, 4, 9, 15}, r.get("sums").data());
    }

    @Test
    void reverseWalksBackwardsAndStoresEachStepAtItsIndex() {
        Tensor xs = new Tensor(DType.F32, new int[]{2, 3}, new double[]{1, 2, 3, 4, 5, 6});
        Map<String, Tensor> r = runCumsum(true, xs);
        assertArrayEquals(new double[]{6, 15}, r.get("total").data());
        // y_t = sum_{s >= t} x_s, stored at t
        assertArrayEquals(new double[]{6, 5, 3, 15, 11, 6}, r.get("sums").data());
    }

    @Test
    void elmanRnnMatchesAHandWrittenLoop() {
        int f = 3, h = 4;
        GraphBuilder b = new GraphBuilder("elman_step");
        Value hPrev = in(b, "h", f32(B, h)), x = in(b, "x", f32(B, f));
        Value wxh = in(b, "wxh", f32(f, h)), whh = in(b, "whh", f32(h, h)), bias = in(b, "b", f32(h));
        Value hNew = b.op(Ops.TANH, b.op(Ops.ADD, b.op(Ops.ADD, b.op(Ops.MATMUL, x, wxh), b.op(Ops.MATMUL, hPrev, whh)), bias));
        Graph body = b.output("h", Graph.Output.Role.OUTPUT, hNew).output("y", Graph.Output.Role.OUTPUT, hNew).build();

        GraphBuilder g = new GraphBuilder("elman");
        Value xs = in(g, "xs", f32(B, T, f)), h0 = in(g, "h0", f32(B, h));
        Value w1 = g.input("wxh", f32(f, h), Value.Role.PARAM), w2 = g.input("whh", f32(h, h), Value.Role.PARAM), bb = g.input("b", f32(h), Value.Role.PARAM);
        List<Value> r = g.op(SCAN, Attrs.of("num_carries", 1, "num_xs", 1, "axis", 1), List.of(body), List.of(h0, xs, w1, w2, bb));
        assertEquals(f32(B, T, h), r.get(1).type());
        g.output("last", Graph.Output.Role.OUTPUT, r.get(0)).output("seq", Graph.Output.Role.OUTPUT, r.get(1));

        Random rnd = new Random(3);
        int nb = 2, nt = 5;
        Tensor xv = f32t(rnd, nb, nt, f), hv = f32t(rnd, nb, h), wx = f32t(rnd, f, h), wh = f32t(rnd, h, h), bv = f32t(rnd, h);
        Map<String, Tensor> out = Interpreter.run(g.build(), Map.of("xs", xv, "h0", hv, "wxh", wx, "whh", wh, "b", bv));
        assertArrayEquals(new int[]{nb, nt, h}, out.get("seq").shape());

        double[][] state = new double[nb][h];
        for (int i = 0; i < nb; i++) for (int k = 0; k < h; k++) state[i][k] = hv.get(i, k);
        for (int t = 0; t < nt; t++) {
            double[][] next = new double[nb][h];
            for (int i = 0; i < nb; i++)
                for (int k = 0; k < h; k++) {
                    double z = bv.get(k);
                    for (int j = 0; j < f; j++) z += xv.get(i, t, j) * wx.get(j, k);
                    for (int j = 0; j < h; j++) z += state[i][j] * wh.get(j, k);
                    next[i][k] = Math.tanh(z);
                    assertEquals(next[i][k], out.get("seq").get(i, t, k), 1e-14);
                }
            state = next;
        }
        for (int i = 0; i < nb; i++) for (int k = 0; k < h; k++) assertEquals(state[i][k], out.get("last").get(i, k), 1e-14);
    }

    @Test
    void lengthOnlyScanWithCapturedValue() {
        // c -> c * two, y = c (before the update): powers of two
        GraphBuilder b = new GraphBuilder("double");
        Value c = in(b, "c", f32()), two = in(b, "two", f32());
        Graph body = b.output("c", Graph.Output.Role.OUTPUT, b.op(Ops.MUL, c, two)).output("y", Graph.Output.Role.OUTPUT, c).build();
        GraphBuilder g = new GraphBuilder("powers");
        Value c0 = in(g, "c0", f32()), k = in(g, "two", f32());
        List<Value> r = g.op(SCAN, Attrs.of("num_carries", 1, "num_xs", 0, "length", 4), List.of(body), List.of(c0, k));
        assertEquals(f32(4), r.get(1).type());
        g.output("c", Graph.Output.Role.OUTPUT, r.get(0)).output("ys", Graph.Output.Role.OUTPUT, r.get(1));
        Map<String, Tensor> out = Interpreter.run(g.build(), Map.of("c0", Tensor.scalar(DType.F32, 1), "two", Tensor.scalar(DType.F32, 2)));
        assertEquals(16, out.get("c").item());
        assertArrayEquals(new double[]{1, 2, 4, 8}, out.get("ys").data());

        // zero steps: the initial carry and an empty stack
        GraphBuilder g0 = new GraphBuilder("none");
        Value d0 = in(g0, "c0", f32()), k0 = in(g0, "two", f32());
        List<Value> r0 = g0.op(SCAN, Attrs.of("num_carries", 1, "num_xs", 0, "length", 0), List.of(body), List.of(d0, k0));
        g0.output("c", Graph.Output.Role.OUTPUT, r0.get(0)).output("ys", Graph.Output.Role.OUTPUT, r0.get(1));
        Map<String, Tensor> none = Interpreter.run(g0.build(), Map.of("c0", Tensor.scalar(DType.F32, 3), "two", Tensor.scalar(DType.F32, 2)));
        assertEquals(3, none.get("c").item());
        assertArrayEquals(new int[]{0}, none.get("ys").shape());
    }

    @Test
    void severalXsAndYsWithTimeMajorAndNegativeAxes() {
        // no carries; y0 = a_t * b_t, y1 = a_t; xs time-major [T, 2] with axis 0 and with axis -2
        GraphBuilder b = new GraphBuilder("prod");
        Value a = in(b, "a", f32(2)), c = in(b, "b", f32(2));
        Graph body = b.output("p", Graph.Output.Role.OUTPUT, b.op(Ops.MUL, a, c)).output("a", Graph.Output.Role.OUTPUT, a).build();
        for (long axis : new long[]{0, -2}) {
            GraphBuilder g = new GraphBuilder("g");
            Value xa = in(g, "xa", f32(T, 2)), xb = in(g, "xb", f32(T, 2));
            List<Value> r = g.op(SCAN, Attrs.of("num_carries", 0, "num_xs", 2, "axis", axis), List.of(body), List.of(xa, xb));
            assertEquals(List.of(f32(T, 2), f32(T, 2)), r.stream().map(Value::type).toList());
            g.output("p", Graph.Output.Role.OUTPUT, r.get(0)).output("a", Graph.Output.Role.OUTPUT, r.get(1));
            Tensor ta = Tensor.of(new int[]{3, 2}, 1, 2, 3, 4, 5, 6).withDType(DType.F32), tb = Tensor.of(new int[]{3, 2}, 1, 0, 2, 0, 3, 1).withDType(DType.F32);
            Map<String, Tensor> out = Interpreter.run(g.build(), Map.of("xa", ta, "xb", tb));
            assertArrayEquals(new double[]{1, 0, 6, 0, 15, 6}, out.get("p").data());
            assertArrayEquals(ta.data(), out.get("a").data());
        }
    }

    @Test
    void wrongCarryTypeIsNamed() {
        GraphBuilder b = new GraphBuilder("shrink");
        Value h = in(b, "h", f32(B, 128)), w = in(b, "w", f32(128, 64));
        Graph body = b.output("h", Graph.Output.Role.OUTPUT, b.op(Ops.MATMUL, h, w)).build();
        var e = assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B, 128), f32(128, 64)),
                Attrs.of("num_carries", 1, "num_xs", 0, "length", 3), List.of(body)));
        assertEquals("scan body returns carry 0 as f32[B, 64] but the initial carry is f32[B, 128]", e.getMessage());
    }

    @Test
    void wrongBodyInputsAreRejected() {
        Graph body = cumsumBody();
        Attrs a = Attrs.of("num_carries", 1, "num_xs", 1, "axis", 1);
        // the body takes an x step f32[B], but the scan would pass x with axis 0 removed: f32[T]
        var slice = assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B), f32(B, T)), a.with("axis", 0L), List.of(body)));
        assertTrue(slice.getMessage().contains("step of x 0") && slice.getMessage().contains("f32[T]"), slice.getMessage());
        var count = assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B), f32(B, T), f32(3)), a, List.of(body)));
        assertTrue(count.getMessage().contains("takes 2 inputs but the scan passes 3"), count.getMessage());
        var carry = assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B, 1), f32(B, T)), a, List.of(body)));
        assertTrue(carry.getMessage().contains("carry 0"), carry.getMessage());
        var dtype = assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B), f32(B, T).withDType(DType.F64)), a, List.of(body)));
        assertTrue(dtype.getMessage().contains("f64[B]"), dtype.getMessage());
        // too few outputs for the carries
        GraphBuilder nb = new GraphBuilder("none");
        in(nb, "c", f32(B));
        in(nb, "x", f32(B));
        assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B), f32(B, T)), a, List.of(nb.build())));
    }

    @Test
    void attributeAndStepCountMistakes() {
        Graph body = cumsumBody();
        Attrs a = Attrs.of("num_carries", 1, "num_xs", 1, "axis", 1);
        List<Graph> r = List.of(body);
        GraphBuilder two = new GraphBuilder("two");
        Value c = in(two, "c", f32(B)), x1 = in(two, "x1", f32(B)), x2 = in(two, "x2", f32(B));
        Graph body2 = two.output("c", Graph.Output.Role.OUTPUT, two.op(Ops.ADD, c, two.op(Ops.ADD, x1, x2))).build();
        var disagree = assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B), f32(B, T), f32(B, 5)), a.with("num_xs", 2L), List.of(body2)));
        assertTrue(disagree.getMessage().contains("disagree"), disagree.getMessage());
        assertEquals(List.of(f32(B)), SCAN.infer(List.of(f32(B), f32(B, 5), f32(B, 5)), a.with("num_xs", 2L), List.of(body2)));
        assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B), f32(B, 5)), a.with("length", 4L), r));
        assertEquals(f32(B, 5), SCAN.infer(List.of(f32(B), f32(B, 5)), a.with("length", 5L), r).get(1));
        assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B)), Attrs.of("num_carries", 1, "num_xs", 0), r)); // no length
        assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B), f32(B, T)), a.with("axis", 2L), r));
        assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B)), a, r)); // fewer operands than carries + xs
        assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B), f32(B, T)), Attrs.of("num_xs", 1), r));
        assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B), f32(B, T)), a.with("reverse", 1L), r));
        assertThrows(ShapeException.class, () -> SCAN.infer(List.of(f32(B), f32(B, T)), a, List.of()));
        assertEquals(1, SCAN.regionCount());
        assertEquals(OpDef.Kind.OPAQUE, SCAN.kind());
    }

    @Test
    void symbolicLengthIsCheckedAtRunTime() {
        GraphBuilder g = new GraphBuilder("g");
        Value c0 = in(g, "c0", f32(B)), x = in(g, "xs", f32(B, T));
        List<Value> r = g.op(SCAN, Attrs.of("num_carries", 1, "num_xs", 1, "axis", 1, "length", 3), List.of(cumsumBody()), List.of(c0, x));
        g.output("c", Graph.Output.Role.OUTPUT, r.get(0));
        Graph graph = g.build();
        Tensor ok = Interpreter.run(graph, Map.of("c0", Tensor.zeros(DType.F32, 1), "xs", Tensor.zeros(DType.F32, 1, 3))).get("c");
        assertArrayEquals(new double[]{0}, ok.data());
        var e = assertThrows(RuntimeException.class, () -> Interpreter.run(graph, Map.of("c0", Tensor.zeros(DType.F32, 1), "xs", Tensor.zeros(DType.F32, 1, 4))));
        assertTrue(e.getMessage().contains("4 steps"), e.getMessage());
    }

    @Test
    void stopGradientIsTheIdentity() {
        OpDef sg = Ops.STOP_GRADIENT;
        assertEquals(OpDef.Kind.ELEMENTWISE, sg.kind());
        assertEquals(f32(B, 3), sg.infer(List.of(f32(B, 3)), Attrs.EMPTY, List.of()).get(0));
        Tensor x = Tensor.of(new int[]{2}, 1.5, -2);
        assertEquals(x, sg.eval(new Tensor[]{x}, Attrs.EMPTY, List.of(), null)[0]);
        assertThrows(ShapeException.class, () -> sg.infer(List.of(f32(1), f32(1)), Attrs.EMPTY, List.of()));
    }

    static Tensor f32t(Random r, int... shape) {
        return ContractionMatmulTest.random(r, shape).withDType(DType.F32);
    }
}
