package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.GraphBuilder;
import dlc.ir.Node;
import dlc.ir.OpDef;
import dlc.ir.Shape;
import dlc.ir.TensorType;
import dlc.ir.Value;
import dlc.ir.ops.Ops;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.runtime.Gemm;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The matmul lowering, run through {@link DirectKernelEmitter} (its emitted instructions in a
 * class of their own), against the float64 reference interpreter: 2-D, rank-1 operands on either
 * side, batch dims with broadcasting on either side, f32 / f64 / i32, and the fused bias +
 * activation epilogue the fusion emitter asks for.
 *
 * <p>Tolerance for f32: operands are rounded to float first (so both sides multiply the same
 * numbers), then the float32 sum of k products is within {@code k * 2^-24 * sum|a||b|} of the
 * exact one (Higham 3.1), plus a rounding each for the bias and the activation; we allow
 * {@code 2 * (k + 2) * 2^-24 * (sum|a||b| + |bias|) + 2^-24 * |y|} per element, estimated with
 * {@code sum|a||b| <= k * max|a| * max|b|}. f64 and integers must match exactly (same summation order).
 */
class GemmLoweringsTest {
    private static final double U = Math.ulp(1.0f) / 2;

    /** Builds matmul(a, b) (and optionally act(matmul + bias)), runs lowering and interpreter, compares. */
    private static void check(DType dtype, long[] sa, long[] sb, boolean withBias, OpDef act, long seed) throws Exception {
        GraphBuilder g = new GraphBuilder("mm");
        Value a = g.input("a", TensorType.of(dtype, sa), Value.Role.INPUT);
        Value b = g.input("b", TensorType.of(dtype, sb), Value.Role.INPUT);
        Value mm = g.op(Ops.MATMUL, a, b);
        long n = mm.type().rank() == 0 ? 1 : sb.length == 1 ? 1 : sb[sb.length - 1];
        Value bias = null, y = mm;
        if (withBias) {
            bias = g.input("bias", TensorType.of(dtype, n), Value.Role.PARAM);
            y = g.op(Ops.ADD, mm, bias);
        }
        if (act != null) y = g.op(act, y);
        g.output("y", Graph.Output.Role.OUTPUT, y);
        Graph graph = g.build();
        Node node = mm.producer();

        Random r = new Random(seed);
        Tensor ta = random(dtype, sa, r), tb = random(dtype, sb, r), tbias = withBias ? random(dtype, new long[]{n}, r) : null;
        Tensor want = Interpreter.run(graph, withBias ? new Tensor[]{ta, tb, tbias} : new Tensor[]{ta, tb}, Map.of())[0];

        DirectKernelEmitter e = new DirectKernelEmitter(Map.of());
        int actCode = act == null ? Gemm.ACT_NONE : act == Ops.RELU ? Gemm.ACT_RELU : act == Ops.TANH ? Gemm.ACT_TANH : Gemm.ACT_SIGMOID;
        if (withBias || act != null) GemmLowerings.emitMatmul(node, e, bias, withBias ? Gemm.BIAS_COL : Gemm.BIAS_NONE, actCode, y);
        else LoweringTable.kernel(Ops.MATMUL).emit(node, e);
        Object[] arrays = new Object[3 + (withBias ? 1 : 0)];
        arrays[e.slot(a)] = storage(ta);
        arrays[e.slot(b)] = storage(tb);
        if (withBias) arrays[e.slot(bias)] = storage(tbias);
        int numel = want.size();
        Object out = dtype == DType.F32 ? new float[numel] : new double[numel];
        if (dtype == DType.F32) java.util.Arrays.fill((float[]) out, Float.NaN); // every element must be written
        else java.util.Arrays.fill((double[]) out, Double.NaN);
        arrays[e.slot(y)] = out;
        e.run(arrays);

        int k = (int) sa[sa.length - 1];
        double maxA = maxAbs(ta), maxB = maxAbs(tb), maxBias = withBias ? maxAbs(tbias) : 0;
        for (int i = 0; i < numel; i++) {
            double w = want.data()[i];
            double got = dtype == DType.F32 ? ((float[]) out)[i] : ((double[]) out)[i];
            double tol = dtype == DType.F32 ? 2 * (k + 2) * U * (k * maxA * maxB + maxBias) + U * Math.abs(w) : 0;
            if (!(Math.abs(got - w) <= tol))
                fail(dtype + " " + java.util.Arrays.toString(sa) + " @ " + java.util.Arrays.toString(sb) + " bias=" + withBias
                        + " act=" + act + ": element " + i + " = " + got + ", want " + w + " +- " + tol);
        }
    }

    private static Tensor random(DType dtype, long[] shape, Random r) {
        int[] s = new int[shape.length];
        int numel = 1;
        for (int i = 0; i < s.length; i++) numel *= s[i] = (int) shape[i];
        double[] d = new double[numel];
        for (int i = 0; i < numel; i++)
            d[i] = dtype.isInteger() ? r.nextInt(21) - 10 : dtype == DType.F32 ? (float) (r.nextDouble() * 2 - 1) : r.nextDouble() * 2 - 1;
        return new Tensor(dtype, s, d);
    }

    private static Object storage(Tensor t) {
        if (t.dtype() != DType.F32) return t.data().clone();
        float[] f = new float[t.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) t.data()[i];
        return f;
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double v : t.data()) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static long[] s(long... d) { return d; }

    @Test void twoDimensionalF32AcrossBlockSizes() throws Exception {
        check(DType.F32, s(1, 1), s(1, 1), false, null, 1);
        check(DType.F32, s(7, 13), s(13, 5), false, null, 2);
        check(DType.F32, s(128, 784), s(784, 64), false, null, 3);
        check(DType.F32, s(1, 300), s(300, 40), false, null, 4);
    }

    @Test void rankOneOperandsOnEitherSide() throws Exception {
        for (DType t : new DType[]{DType.F32, DType.F64}) {
            check(t, s(9), s(9, 4), false, null, 5);     // vector @ matrix -> [4]
            check(t, s(4, 9), s(9), false, null, 6);     // matrix @ vector -> [4]
            check(t, s(9), s(9), false, null, 7);        // dot -> scalar
            check(t, s(2, 3, 9), s(9), false, null, 8);  // batched matrix @ vector -> [2, 3]
            check(t, s(9), s(2, 9, 5), false, null, 9);  // vector @ batched matrix -> [2, 5]
        }
    }

    @Test void batchDimsBroadcastOnEitherSide() throws Exception {
        for (DType t : new DType[]{DType.F32, DType.F64, DType.I32}) {
            check(t, s(3, 5, 7), s(7, 4), false, null, 10);          // shared B: batch folded into M
            check(t, s(5, 7), s(3, 7, 4), false, null, 11);          // shared A
            check(t, s(2, 3, 5, 7), s(3, 7, 4), false, null, 12);    // rank difference
            check(t, s(2, 1, 5, 7), s(1, 3, 7, 4), false, null, 13); // both sides broadcast
            check(t, s(4, 6, 8), s(4, 8, 3), false, null, 14);       // plain batch
        }
    }

    @Test void fusedBiasAndActivationEpilogue() throws Exception {
        for (OpDef act : new OpDef[]{null, Ops.RELU, Ops.TANH, Ops.SIGMOID}) {
            check(DType.F32, s(33, 50), s(50, 17), true, act, 20);
            check(DType.F32, s(1, 50), s(50, 70), true, act, 21);       // few-rows path
            check(DType.F32, s(2, 9, 50), s(50, 17), true, act, 22);    // folded batch
            check(DType.F32, s(2, 9, 50), s(2, 50, 17), true, act, 23); // looped batch
        }
        check(DType.F32, s(5, 6), s(6, 7), false, Ops.RELU, 24);
    }

    @Test void epilogueArgumentsAreChecked() {
        GraphBuilder g = new GraphBuilder("mm");
        Value a = g.input("a", TensorType.of(DType.F64, 2, 3), Value.Role.INPUT);
        Value b = g.input("b", TensorType.of(DType.F64, 3, 4), Value.Role.INPUT);
        Value mm = g.op(Ops.MATMUL, a, b);
        DirectKernelEmitter e = new DirectKernelEmitter(Map.of());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> GemmLowerings.emitMatmul(mm.producer(), e, null, Gemm.BIAS_NONE, Gemm.ACT_RELU, mm));
        assertTrue(x.getMessage().contains("only for f32"), x.getMessage());
        GraphBuilder h = new GraphBuilder("mm32");
        Value a32 = h.input("a", TensorType.of(DType.F32, 2, 3), Value.Role.INPUT);
        Value b32 = h.input("b", TensorType.of(DType.F32, 3, 4), Value.Role.INPUT);
        Value bias = h.input("bias", TensorType.of(DType.F32, 3), Value.Role.PARAM);
        Value mm32 = h.op(Ops.MATMUL, a32, b32);
        x = assertThrows(IllegalArgumentException.class,
                () -> GemmLowerings.emitMatmul(mm32.producer(), e, bias, Gemm.BIAS_COL, Gemm.ACT_NONE, mm32));
        assertTrue(x.getMessage().contains("must have 4 elements"), x.getMessage());
    }

    @Test void symbolicBatchDimsAreEvaluatedAtBind() throws Exception {
        // the shapes pushed are evaluated under the binding (here B = 3), not baked in at compile time
        GraphBuilder g = new GraphBuilder("mm");
        Value a = g.input("a", new TensorType(DType.F64, Shape.of(dlc.ir.Dim.sym("B"), dlc.ir.Dim.of(4))), Value.Role.INPUT);
        Value b = g.input("b", TensorType.of(DType.F64, 4, 2), Value.Role.INPUT);
        Value mm = g.op(Ops.MATMUL, a, b);
        g.output("y", Graph.Output.Role.OUTPUT, mm);
        DirectKernelEmitter e = new DirectKernelEmitter(Map.of("B", 3L));
        LoweringTable.kernel(Ops.MATMUL).emit(mm.producer(), e);
        double[] x = new double[12], w = new double[8], y = new double[6];
        for (int i = 0; i < 12; i++) x[i] = i;
        for (int i = 0; i < 8; i++) w[i] = i - 3;
        Object[] arrays = new Object[3];
        arrays[e.slot(a)] = x;
        arrays[e.slot(b)] = w;
        arrays[e.slot(mm)] = y;
        e.run(arrays);
        Tensor want = Interpreter.run(g.build(), new Tensor[]{new Tensor(DType.F64, new int[]{3, 4}, x), new Tensor(DType.F64, new int[]{4, 2}, w)},
                Map.of())[0];
        assertArrayEquals(want.data(), y);
    }
}
