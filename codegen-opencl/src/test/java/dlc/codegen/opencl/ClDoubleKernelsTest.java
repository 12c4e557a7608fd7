package dlc.codegen.opencl;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The library kernels on f64 data and on integers stored as double, against the float64
 * interpreter. sgemm.cl built with F64 accumulates in double: each of the K products and sums
 * rounds by at most 2^-53 relative, so a result is within K * 2^-53 * sum |a_ik b_kj|; with
 * entries below 3 in magnitude and K = 7 that is under 7 * 1.2e-16 * 63 = 5e-14, so 1e-13
 * absolute (plus 1e-14 relative) holds with room, a thousand times tighter than float32 would.
 * Integer products are exact (sums below 2^53) and wrapped as the interpreter wraps: compared
 * exactly.
 */
class ClDoubleKernelsTest {
    private static Value in(GraphBuilder b, String name, DType d, Shape s) { return b.input(name, new TensorType(d, s), Value.Role.INPUT); }

    /** Doubles in [-3, 3) that are not float32 values (a float kernel would round them). */
    private static Map<String, Tensor> inputs(Graph g, long seed, long intRange) {
        Random r = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            int[] shape = v.type().shape().eval(Map.of());
            double[] d = new double[(int) Tensor.numel(shape)];
            for (int i = 0; i < d.length; i++)
                d[i] = v.type().dtype().isInteger() ? Math.floorMod(r.nextLong(), 2 * intRange) - intRange : 6 * r.nextDouble() - 3;
            out.put(v.name(), new Tensor(v.type().dtype(), shape, d));
        }
        return out;
    }

    private static final Shape[][] SHAPES = {{Shape.of(5, 7), Shape.of(7, 3)}, {Shape.of(2, 5, 7), Shape.of(7, 3)},
            {Shape.of(7), Shape.of(7, 3)}, {Shape.of(2, 5, 7), Shape.of(2, 7, 3)}, {Shape.of(70, 7), Shape.of(7, 67)}};

    @Test void f64MatmulAgreesToDoublePrecision() {
        OpenClTestSupport.device();
        for (Shape[] s : SHAPES) {
            GraphBuilder b = new GraphBuilder("mm64");
            b.output("y", Graph.Output.Role.OUTPUT, b.op(Ops.MATMUL, in(b, "x", DType.F64, s[0]), in(b, "p", DType.F64, s[1])));
            Graph g = b.build();
            ClGraphOpsTest.agree(g, inputs(g, 3, 0), 1e-14, 1e-13);
        }
    }

    /** A matmul with elementwise ops after it: on f64 the group keeps separate kernels (the fused store takes floats). */
    @Test void f64MatmulWithAnEpilogueAgrees() {
        OpenClTestSupport.device();
        GraphBuilder b = new GraphBuilder("dense64");
        Value y = b.op(Ops.MATMUL, in(b, "x", DType.F64, Shape.of(6, 7)), in(b, "p", DType.F64, Shape.of(7, 5)));
        b.output("y", Graph.Output.Role.OUTPUT, b.op(Ops.RELU, b.op(Ops.ADD, y, in(b, "q", DType.F64, Shape.of(5)))));
        Graph g = b.build();
        ClGraphOpsTest.agree(g, inputs(g, 4, 0), 1e-14, 1e-13);
    }

    /** Integer matmul as the JVM runs it: exact sums in double, wrapped to the dtype (the i32 entries overflow here). */
    @Test void integerMatmulWrapsAsTheInterpreter() {
        OpenClTestSupport.device();
        Map<DType, Long> ranges = Map.of(DType.I32, 1L << 20, DType.I64, 1L << 20, DType.I8, 100L, DType.U8, 100L);
        for (DType d : List.of(DType.I32, DType.I64, DType.I8, DType.U8))
            for (Shape[] s : SHAPES) {
                GraphBuilder b = new GraphBuilder("mm" + d);
                b.output("y", Graph.Output.Role.OUTPUT, b.op(Ops.MATMUL, in(b, "x", d, s[0]), in(b, "p", d, s[1])));
                Graph g = b.build();
                ClGraphOpsTest.agree(g, inputs(g, 5, ranges.get(d)), 0, 0);
            }
    }

    private static Graph oneOp(String name, java.util.function.Function<GraphBuilder, Value> build) {
        GraphBuilder b = new GraphBuilder(name);
        b.output("y", Graph.Output.Role.OUTPUT, build.apply(b));
        return b.build();
    }

    /** The convolution and pooling cases of ClGraphOpsTest on tensors of {@code d}. */
    private static List<java.util.function.Function<GraphBuilder, Value>> convAndPool(DType d, boolean floating) {
        Shape img = Shape.of(2, 4, 7, 6);
        List<java.util.function.Function<GraphBuilder, Value>> cases = new ArrayList<>(List.of(
                b -> b.op(Ops.CONV2D, Attrs.of("stride", List.of(2L, 1L), "padding", List.of(1L, 0L, 1L, 1L), "groups", 2L),
                        in(b, "x", d, img), in(b, "p", d, Shape.of(6, 2, 3, 3))),
                b -> b.op(Ops.CONV_TRANSPOSE2D, Attrs.of("stride", List.of(2L, 2L)), in(b, "x", d, img), in(b, "p", d, Shape.of(4, 3, 2, 2))),
                b -> b.op(Ops.MAX_POOL2D, Attrs.of("kernel", List.of(2L, 2L)), in(b, "x", d, img))));
        if (floating) cases.addAll(List.of(
                b -> b.op(Ops.AVG_POOL2D, Attrs.of("kernel", List.of(3L, 2L), "stride", List.of(2L, 2L), "padding", List.of(1L, 1L, 0L, 1L)),
                        in(b, "x", d, img)),
                b -> b.op(Ops.MAX_POOL2D_SCATTER, Attrs.of("kernel", List.of(2L, 2L)), in(b, "x", d, img), in(b, "p", d, Shape.of(2, 4, 3, 3))),
                b -> b.op(Ops.MAX_POOL2D_GATHER, Attrs.of("kernel", List.of(2L, 2L)), in(b, "x", d, img), in(b, "q", d, img))));
        return cases;
    }

    /**
     * f64 convolution and pooling: sums of at most 18 products of values below 3 (conv), or 6
     * terms (pools), so 18 * 2^-53 * 162 < 4e-13 absolute bounds the rounding; 1e-12 absolute.
     */
    @Test void f64ConvolutionAndPoolingAgreeToDoublePrecision() {
        OpenClTestSupport.device();
        for (var c : convAndPool(DType.F64, true)) {
            Graph g = oneOp("convpool64", c);
            ClGraphOpsTest.agree(g, inputs(g, 13, 0), 1e-14, 1e-12);
        }
    }

    /** Integer convolution (exact sums, not wrapped, as the interpreter) and max pooling, exactly. */
    @Test void integerConvolutionAndMaxPoolingAreExact() {
        OpenClTestSupport.device();
        for (DType d : List.of(DType.I32, DType.I64))
            for (var c : convAndPool(d, false)) {
                Graph g = oneOp("convpool" + d, c);
                ClGraphOpsTest.agree(g, inputs(g, 17, 1000), 0, 0);
            }
    }

    /** An f32 graph with an f64 convolution and matmul in it: float and double values share the arena at their own offsets. */
    @Test void f32AndF64KernelsShareTheArena() {
        OpenClTestSupport.device();
        GraphBuilder b = new GraphBuilder("mixed");
        Value x = in(b, "x", DType.F32, Shape.of(2, 4, 7, 6)), w = in(b, "p", DType.F32, Shape.of(3, 4, 3, 3));
        Value c = b.op(Ops.CONV2D, b.op(Ops.CAST, Attrs.of("dtype", DType.F64), x), b.op(Ops.CAST, Attrs.of("dtype", DType.F64), w));
        Value f = b.op(Ops.CONV2D, x, w);
        b.output("d", Graph.Output.Role.OUTPUT, b.op(Ops.CAST, Attrs.of("dtype", DType.F32), c));
        b.output("f", Graph.Output.Role.OUTPUT, f);
        Value m = b.op(Ops.MATMUL, b.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(6, 20)), c), b.op(Ops.CAST, Attrs.of("dtype", DType.F64),
                in(b, "q", DType.F32, Shape.of(20, 5))));
        b.output("m", Graph.Output.Role.OUTPUT, m);
        Graph g = b.build();
        // f is float32 (36 products, 1e-5 relative + 1e-5 absolute as ClGraphOpsTest); d and m are double rounded once or not at all
        ClGraphOpsTest.agree(g, inputs(g, 19, 0), 1e-5, 1e-5);
    }

    /** gather and scatter_add on f64 and integer data (repeated and negative indices, an inner axis): copies and sums in the JVM's order, bit for bit. */
    @Test void gatherAndScatterAddOnDoublesAreExact() {
        OpenClTestSupport.device();
        for (DType d : List.of(DType.F64, DType.I32, DType.I64))
            for (long axis : new long[]{0, 1}) {
                GraphBuilder b = new GraphBuilder("idx" + d);
                Value x = in(b, "x", d, Shape.of(4, 5)), i = in(b, "i", DType.I32, Shape.of(2, 3));
                Value g = b.op(Ops.GATHER, Attrs.of("axis", axis), x, i);
                b.output("g", Graph.Output.Role.OUTPUT, g);
                b.output("s", Graph.Output.Role.OUTPUT, b.op(Ops.SCATTER_ADD, Attrs.of("axis", axis), x, i, b.op(Ops.MUL, g, g)));
                Graph graph = b.build();
                Map<String, Tensor> in = new LinkedHashMap<>(inputs(graph, 23, 1000));
                in.put("i", new Tensor(DType.I32, new int[]{2, 3}, new double[]{0, 3, -1, 3, 3, 1}));
                ClGraphOpsTest.agree(graph, in, 0, 0);
            }
    }

    /** argmax/argmin on f64 (values no float can tell apart) and on small integers (many ties: the first extreme wins), exactly. */
    @Test void argReduceOnDoublesAgrees() {
        OpenClTestSupport.device();
        for (DType d : List.of(DType.F64, DType.I32))
            for (long axis : new long[]{0, 1, 2}) {
                GraphBuilder b = new GraphBuilder("arg" + d);
                Value x = in(b, "x", d, Shape.of(3, 70, 5));
                b.output("max", Graph.Output.Role.OUTPUT, b.op(Ops.ARGMAX, Attrs.of("axis", axis, "keepdims", false), x));
                b.output("min", Graph.Output.Role.OUTPUT, b.op(Ops.ARGMIN, Attrs.of("axis", axis, "keepdims", false), x));
                Graph g = b.build();
                Map<String, Tensor> in = inputs(g, 29, 3);
                if (d == DType.F64) { // neighbours 1e-12 apart: equal once rounded to float, so a float kernel would pick the first
                    double[] v = in.get("x").data();
                    for (int i = 0; i < v.length; i++) v[i] = 1 + 1e-12 * ((i * 7919) % 101);
                }
                ClGraphOpsTest.agree(g, in, 0, 0);
            }
    }

    /** The table's rules for the kernel-call ops: f64, f16 (stored as double) and integer data compile to the double kernels. */
    @Test void theKernelCallsCompileForEveryNumericType() {
        for (DType d : List.of(DType.F64, DType.F16, DType.I32)) {
            GraphBuilder b = new GraphBuilder("calls" + d);
            Value x = in(b, "x", d, Shape.of(2, 4, 6, 6)), w = in(b, "p", d, Shape.of(3, 4, 3, 3));
            Value c = b.op(Ops.MAX_POOL2D, Attrs.of("kernel", List.of(2L, 2L)), b.op(Ops.CONV2D, x, w));
            Value y = b.op(Ops.MATMUL, b.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(6, 4)), c), in(b, "q", d, Shape.of(4, 2)));
            b.output("y", Graph.Output.Role.OUTPUT, b.op(Ops.ARGMAX, Attrs.of("axis", 1L, "keepdims", false), y));
            String src = ClCompiledGraph.source(b.build());
            assertFalse(src.contains("not supported"), src);
        }
    }
}
