package dlc.codegen.opencl;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.passes.autodiff.Autodiff;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code scan} and {@code resize} on the device against the float64 interpreter, each graph as
 * built and through the standard pipeline ({@link ClGraphOpsTest#agree}). A scan's steps compound
 * float32 rounding: the recurrences here are contractions (tanh of small weights), so the error
 * stays near the per-step rounding, a few ulps of the values; 1e-4 relative plus 1e-5 absolute
 * holds with room while a wrong step, slice or carry is off by O(0.1).
 */
class ClScanTest {
    private static final double RTOL = 1e-4, ATOL = 1e-5;
    private static final Dim B = Dim.sym("B"), T = Dim.sym("T");

    private static TensorType f32(Object... dims) {
        return new TensorType(DType.F32, new Shape(Arrays.stream(dims).map(d -> d instanceof Dim x ? x : Dim.of(((Number) d).longValue())).toList()));
    }

    private static Value in(GraphBuilder b, String name, TensorType t) { return b.input(name, t, Value.Role.INPUT); }

    /** Inputs of {@code g} under {@code dims}, uniform in [-1, 1) (rounded to float32), from a fixed seed. */
    private static Map<String, Tensor> inputs(Graph g, Map<String, Long> dims, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            int[] shape = v.type().shape().eval(dims);
            double[] d = new double[(int) Tensor.numel(shape)];
            for (int i = 0; i < d.length; i++) d[i] = (float) (2 * r.nextDouble() - 1);
            out.put(v.name(), new Tensor(v.type().dtype(), shape, d));
        }
        return out;
    }

    /** h' = tanh(x @ wx + h @ wh + b) with y = h' (one value, both the new carry and the step's output). */
    private static Graph elmanBody(int f, int h) {
        GraphBuilder b = new GraphBuilder("elman_step");
        Value hPrev = in(b, "h", f32(B, h)), x = in(b, "x", f32(B, f));
        Value wx = in(b, "wx", f32(f, h)), wh = in(b, "wh", f32(h, h)), bias = in(b, "b", f32(h));
        Value next = b.op(Ops.TANH, b.op(Ops.ADD, b.op(Ops.ADD, b.op(Ops.MATMUL, x, wx), b.op(Ops.MATMUL, hPrev, wh)), bias));
        return b.output("h", Graph.Output.Role.OUTPUT, next).output("y", Graph.Output.Role.OUTPUT, next).build();
    }

    /** An Elman RNN over xs stacked on {@code axis} ([B, T, F] on axis 1, [T, B, F] on axis 0); a loss of both results when {@code loss}. */
    private static Graph elman(long axis, boolean reverse, boolean loss) {
        int f = 3, h = 4;
        GraphBuilder g = new GraphBuilder("elman");
        Value xs = in(g, "xs", axis == 0 ? f32(T, B, f) : f32(B, T, f)), h0 = in(g, "h0", f32(B, h));
        Value wx = in(g, "wx", f32(f, h)), wh = in(g, "wh", f32(h, h)), bias = in(g, "b", f32(h));
        List<Value> r = g.op(Ops.SCAN, Attrs.of("num_carries", 1L, "num_xs", 1L, "axis", axis, "reverse", reverse),
                List.of(elmanBody(f, h)), List.of(h0, xs, wx, wh, bias));
        if (!loss) return g.output("last", Graph.Output.Role.OUTPUT, r.get(0)).output("seq", Graph.Output.Role.OUTPUT, r.get(1)).build();
        Value u = in(g, "u", r.get(1).type());
        Value l = g.op(Ops.ADD, g.op(Ops.SUM, Attrs.of("axes", List.of(0L, 1L)), r.get(0)),
                g.op(Ops.SUM, Attrs.of("axes", List.of(0L, 1L, 2L)), g.op(Ops.MUL, r.get(1), u)));
        return g.output("loss", Graph.Output.Role.LOSS, l).build();
    }

    /** Batch-first sequences (strided slices, copied on the device) and time-first ones (slices read in place), both directions, T = 5, 1 and 0. */
    @Test void anElmanRnnAgreesInBothDirectionsOnBothAxes() {
        OpenClTestSupport.device();
        for (long axis : new long[]{1, 0})
            for (boolean reverse : new boolean[]{false, true})
                for (long steps : new long[]{5, 1, 0}) {
                    Graph g = elman(axis, reverse, false);
                    ClGraphOpsTest.agree(g, inputs(g, Map.of("B", 2L, "T", steps), 11), RTOL, ATOL);
                }
    }

    /** One compiled graph, three bindings of B and T (a batch of one makes a batch-first slice contiguous: read in place). */
    @Test void oneCompiledScanServesEveryBinding() {
        OpenClTestSupport.device();
        Graph g = elman(1, false, false);
        ClCompiledGraph cg = ClCompiledGraph.compile(OpenClTestSupport.executor(), g);
        for (long[] bt : new long[][]{{2, 5}, {1, 7}, {3, 2}, {2, 5}}) {
            Map<String, Tensor> in = inputs(g, Map.of("B", bt[0], "T", bt[1]), bt[0] * 31 + bt[1]);
            Map<String, Tensor> ref = Interpreter.run(g, in), got = cg.run(in);
            for (String k : ref.keySet()) assertClose(ref.get(k), got.get(k), k + " at B, T = " + Arrays.toString(bt));
        }
        assertEquals(3, cg.bindings());
    }

    /**
     * Carries that swap, a y that is an input carry (a pass-through the body does not compute), a
     * y that is the same value as a carry, a length-only scan with a captured value, and T = 0
     * (the initial carries, an empty stack).
     */
    @Test void passThroughsSwapsAndLengthOnlyScans() {
        OpenClTestSupport.device();
        GraphBuilder b = new GraphBuilder("swap_step");
        Value p = in(b, "p", f32(3)), q = in(b, "q", f32(3)), k = in(b, "k", f32(3));
        Value next = b.op(Ops.ADD, b.op(Ops.MUL, p, k), q);
        Graph body = b.output("p", Graph.Output.Role.OUTPUT, q).output("q", Graph.Output.Role.OUTPUT, next)
                .output("old_p", Graph.Output.Role.OUTPUT, p).output("new_q", Graph.Output.Role.OUTPUT, next).build();
        for (long length : new long[]{6, 1, 0})
            for (boolean reverse : new boolean[]{false, true}) {
                GraphBuilder g = new GraphBuilder("fib");
                Value p0 = in(g, "p0", f32(3)), q0 = in(g, "q0", f32(3)), kk = in(g, "k", f32(3));
                List<Value> r = g.op(Ops.SCAN, Attrs.of("num_carries", 2L, "num_xs", 0L, "length", length, "reverse", reverse), List.of(body), List.of(p0, q0, kk));
                for (int i = 0; i < r.size(); i++) g.output("r" + i, Graph.Output.Role.OUTPUT, r.get(i));
                Graph graph = g.build();
                ClGraphOpsTest.agree(graph, inputs(graph, Map.of(), 5), RTOL, ATOL);
            }
    }

    /** Two carries and two xs of different ranks on axis -2, two ys, captured weights: the shape of an LSTM step. */
    @Test void severalCarriesXsAndYsOnANegativeAxis() {
        OpenClTestSupport.device();
        int h = 4;
        GraphBuilder b = new GraphBuilder("cell");
        Value hh = in(b, "h", f32(B, h)), c = in(b, "c", f32(B, h)), x = in(b, "x", f32(B, h)), z = in(b, "z", f32(h)), w = in(b, "w", f32(h, h));
        Value pre = b.op(Ops.ADD, b.op(Ops.ADD, b.op(Ops.MATMUL, hh, w), x), z);
        Value c2 = b.op(Ops.ADD, b.op(Ops.MUL, b.op(Ops.SIGMOID, pre), c), b.op(Ops.TANH, pre));
        Value h2 = b.op(Ops.TANH, c2);
        Graph body = b.output("h", Graph.Output.Role.OUTPUT, h2).output("c", Graph.Output.Role.OUTPUT, c2)
                .output("y", Graph.Output.Role.OUTPUT, h2).output("y2", Graph.Output.Role.OUTPUT, b.op(Ops.MUL, c2, h2)).build();
        GraphBuilder g = new GraphBuilder("lstm_like");
        Value h0 = in(g, "h0", f32(B, h)), c0 = in(g, "c0", f32(B, h)), xs = in(g, "xs", f32(B, T, h)), zs = in(g, "zs", f32(T, h)), ww = in(g, "w", f32(h, h));
        List<Value> r = g.op(Ops.SCAN, Attrs.of("num_carries", 2L, "num_xs", 2L, "axis", -2L), List.of(body), List.of(h0, c0, xs, zs, ww));
        for (int i = 0; i < r.size(); i++) g.output("r" + i, Graph.Output.Role.OUTPUT, r.get(i));
        Graph graph = g.build();
        ClGraphOpsTest.agree(graph, inputs(graph, Map.of("B", 3L, "T", 4L), 7), RTOL, ATOL);
    }

    /** A scan whose body holds a scan: a running sum of running sums, the inner one over a captured sequence. */
    @Test void aNestedScanAgrees() {
        OpenClTestSupport.device();
        GraphBuilder ib = new GraphBuilder("inner_step");
        Value ic = in(ib, "c", f32(2)), ix = in(ib, "x", f32(2)), iw = in(ib, "w", f32(2));
        Value is = b2(ib, ic, ix, iw);
        Graph inner = ib.output("c", Graph.Output.Role.OUTPUT, is).output("y", Graph.Output.Role.OUTPUT, is).build();
        GraphBuilder ob = new GraphBuilder("outer_step");
        Value oc = in(ob, "c", f32(2)), ox = in(ob, "x", f32(2)), seq = in(ob, "seq", f32(3, 2));
        List<Value> r = ob.op(Ops.SCAN, Attrs.of("num_carries", 1L, "num_xs", 1L), List.of(inner), List.of(oc, seq, ox));
        Value next = ob.op(Ops.TANH, r.get(0));
        Graph outer = ob.output("c", Graph.Output.Role.OUTPUT, next)
                .output("y", Graph.Output.Role.OUTPUT, ob.op(Ops.SUM, Attrs.of("axes", List.of(0L)), r.get(1))).build();
        GraphBuilder g = new GraphBuilder("nested");
        Value c0 = in(g, "c0", f32(2)), xs = in(g, "xs", f32(4, 2)), s = in(g, "seq", f32(3, 2));
        List<Value> out = g.op(Ops.SCAN, Attrs.of("num_carries", 1L, "num_xs", 1L, "reverse", true), List.of(outer), List.of(c0, xs, s));
        Graph graph = g.output("c", Graph.Output.Role.OUTPUT, out.get(0)).output("ys", Graph.Output.Role.OUTPUT, out.get(1)).build();
        ClGraphOpsTest.agree(graph, inputs(graph, Map.of(), 9), RTOL, ATOL);
    }

    private static Value b2(GraphBuilder b, Value c, Value x, Value w) { return b.op(Ops.TANH, b.op(Ops.ADD, b.op(Ops.MUL, c, w), x)); }

    /**
     * Backpropagation through time: the gradient graph autodiff builds (an augmented forward scan
     * and a reverse scan over the body's VJP, the weights' gradients summed over the steps) agrees
     * with the interpreter's for every input, on both axes and both directions.
     */
    @Test void theGradientOfAScanAgrees() {
        OpenClTestSupport.device();
        for (long axis : new long[]{1, 0})
            for (boolean reverse : new boolean[]{false, true}) {
                Graph g = elman(axis, reverse, true);
                Graph grad = new Autodiff().gradients(g, "loss", List.of("xs", "h0", "wx", "wh", "b"));
                ClGraphOpsTest.agree(grad, inputs(grad, Map.of("B", 2L, "T", 4L), 3), RTOL, ATOL);
            }
    }

    /** A bad index inside a scan body at a step after the first is still reported (the error word is cleared once per run). */
    @Test void aBadIndexAtALaterStepIsReported() {
        OpenClTestSupport.device();
        GraphBuilder b = new GraphBuilder("lookup_step");
        Value c = in(b, "c", f32(2)), i = b.input("i", new TensorType(DType.I32, Shape.of(1)), Value.Role.INPUT), table = in(b, "table", f32(3, 2));
        Value row = b.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(2)), b.op(Ops.GATHER, Attrs.of("axis", 0L), table, i));
        Value next = b.op(Ops.ADD, c, row);
        Graph body = b.output("c", Graph.Output.Role.OUTPUT, next).output("y", Graph.Output.Role.OUTPUT, next).build();
        GraphBuilder g = new GraphBuilder("lookups");
        Value c0 = in(g, "c0", f32(2)), idx = g.input("idx", new TensorType(DType.I32, Shape.of(4, 1)), Value.Role.INPUT), t = in(g, "table", f32(3, 2));
        List<Value> r = g.op(Ops.SCAN, Attrs.of("num_carries", 1L, "num_xs", 1L), List.of(body), List.of(c0, idx, t));
        Graph graph = g.output("c", Graph.Output.Role.OUTPUT, r.get(0)).output("ys", Graph.Output.Role.OUTPUT, r.get(1)).build();
        Map<String, Tensor> in = new LinkedHashMap<>(inputs(graph, Map.of(), 1));
        in.put("idx", new Tensor(DType.I32, new int[]{4, 1}, new double[]{0, 2, -1, 1}));
        ClGraphOpsTest.agree(graph, in, RTOL, ATOL);
        in.put("idx", new Tensor(DType.I32, new int[]{4, 1}, new double[]{0, 2, 7, 1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClCompiledGraph.compile(OpenClTestSupport.executor(), graph).run(in));
        assertTrue(e.getMessage().startsWith("gather index"), e.getMessage());
        assertTrue(e.getMessage().contains("out of range for an axis of size 3"), e.getMessage());
    }

    /** resize, nearest and bilinear, up and down and by ratios that are not integers, and its gradient (two matmuls with constant matrices). */
    @Test void resizeAndItsGradientAgree() {
        OpenClTestSupport.device();
        for (String mode : List.of("nearest", "bilinear"))
            for (long[] size : new long[][]{{8, 8}, {2, 3}, {7, 5}, {4, 5}, {1, 1}, {13, 2}}) {
                GraphBuilder b = new GraphBuilder("resize");
                Value x = in(b, "x", f32(B, 2, 4, 5));
                Value y = b.op(Ops.RESIZE, Attrs.of("size", List.of(size[0], size[1]), "mode", mode), x);
                Value u = in(b, "u", y.type());
                b.output("y", Graph.Output.Role.OUTPUT, y);
                b.output("loss", Graph.Output.Role.LOSS, b.op(Ops.SUM, Attrs.of("axes", List.of(0L, 1L, 2L, 3L)), b.op(Ops.MUL, y, u)));
                Graph g = b.build();
                ClGraphOpsTest.agree(g, inputs(g, Map.of("B", 3L), 17), 1e-5, 1e-6);
                Graph grad = new Autodiff().gradients(g, "loss", List.of("x"));
                ClGraphOpsTest.agree(grad, inputs(grad, Map.of("B", 3L), 19), 1e-5, 1e-6);
            }
    }

    private static void assertClose(Tensor want, Tensor have, String what) {
        assertNotNull(have, what);
        assertArrayEquals(want.shape(), have.shape(), what);
        for (int i = 0; i < want.data().length; i++) {
            double a = want.data()[i], b = have.data()[i];
            if (!(Math.abs(a - b) <= RTOL * Math.abs(a) + ATOL)) fail(what + "[" + i + "]: interpreter " + a + ", OpenCL " + b);
        }
    }
}
