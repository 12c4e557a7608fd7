package dlc.codegen.opencl;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.*;

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
}
