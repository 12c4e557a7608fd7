package dlc.codegen.opencl;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.*;

/**
 * f16 values on the OpenCL backend, against the float64 interpreter. As on the JVM, an f16 value
 * is stored as a double and only a cast to f16 rounds (to nearest binary16, ties to even,
 * overflow to infinity, subnormals kept): the rounding itself must be bit-exact, and arithmetic
 * between casts is IEEE double on both sides, so elementwise chains are exact too. After a matmul
 * the double sums may differ in their last bit (another summation order), which a following cast
 * to f16 can move by at most one binary16 ulp (2^-10 relative).
 */
class ClHalfTest {
    private static final double HALF_ULP = 0x1p-10;

    /** Values that exercise the rounding: ties at several exponents, subnormals, the overflow edge, NaN, signed zeros. */
    private static double[] hardValues() {
        List<Double> v = new ArrayList<>(List.of(0.0, -0.0, 1.0, -1.0, 65504.0, 65519.99, 65520.0, -65520.0, 1e6,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0x1p-24, 0x1p-25, 0x1.8p-25, 0x1p-26,
                3 * 0x1p-25, 0x1p-14, 0x1.ffcp-15));
        for (int e = -14; e <= 15; e += 3) {
            double ulp = Math.scalb(1.0, e - 10);
            v.add(Math.scalb(1.0, e) + ulp / 2);          // a tie: rounds to the even neighbour (down)
            v.add(Math.scalb(1.0, e) + 1.5 * ulp);        // a tie: rounds up to even
            v.add(-(Math.scalb(1.0, e) + ulp / 2 + 1e-3 * ulp));
        }
        Random r = new Random(11);
        while (v.size() < 96) v.add((r.nextDouble() - 0.5) * Math.scalb(1.0, r.nextInt(40) - 24));
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static Value cast(GraphBuilder b, Value x, DType d) { return b.op(Ops.CAST, Attrs.of("dtype", d), x); }

    @Test void castToHalfRoundsBitForBitAsTheInterpreter() {
        OpenClTestSupport.device();
        double[] xs = hardValues();
        GraphBuilder b = new GraphBuilder("half");
        Value x = b.input("x", new TensorType(DType.F64, Shape.of(xs.length)), Value.Role.INPUT);
        Value h = cast(b, x, DType.F16);
        b.output("h", Graph.Output.Role.OUTPUT, h);
        b.output("back", Graph.Output.Role.OUTPUT, cast(b, h, DType.F32));
        Graph g = b.build();
        ClGraphOpsTest.agree(g, Map.of("x", new Tensor(DType.F64, new int[] {xs.length}, xs)), 0, 0);
    }

    /** An f16 model as the language writes one: f32 in, f16 storage and arithmetic, f32 out. */
    @Test void halfArithmeticMatmulAndReductionsAgree() {
        OpenClTestSupport.device();
        GraphBuilder b = new GraphBuilder("halfnet");
        Value x = cast(b, b.input("x", new TensorType(DType.F32, Shape.of(6, 9)), Value.Role.INPUT), DType.F16);
        Value w = cast(b, b.input("w", new TensorType(DType.F32, Shape.of(9, 5)), Value.Role.PARAM), DType.F16);
        Value elementwise = cast(b, b.op(Ops.ADD, b.op(Ops.MUL, x, x), x), DType.F16);
        b.output("e", Graph.Output.Role.OUTPUT, cast(b, elementwise, DType.F32));
        Value y = cast(b, b.op(Ops.MATMUL, x, w), DType.F16);
        b.output("y", Graph.Output.Role.OUTPUT, cast(b, y, DType.F32));
        b.output("s", Graph.Output.Role.OUTPUT, cast(b, cast(b, b.op(Ops.SUM, Attrs.of("axes", List.of(1L)), y), DType.F16), DType.F32));
        Graph g = b.build();
        Random r = new Random(5);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            int[] shape = v.type().shape().eval(Map.of());
            double[] d = new double[(int) Tensor.numel(shape)];
            for (int i = 0; i < d.length; i++) d[i] = (float) (4 * r.nextDouble() - 2);
            in.put(v.name(), new Tensor(DType.F32, shape, d));
        }
        ClGraphOpsTest.agree(g, in, 2 * HALF_ULP, 0);
    }
}
