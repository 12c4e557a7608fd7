package dlc.codegen.opencl;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.passes.PassManager;
import dlc.runtime.OpFailure;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Integer div, mod, trunc_div, trunc_mod and pow on the device: computed on the exact values with
 * the interpreter's floor/trunc rules and wrap-around, so the results equal the interpreter's
 * exactly, on every integer dtype, at the extremes (the most negative value divided by -1 wraps);
 * a zero divisor or a negative exponent is the interpreter's error, naming the op and its place,
 * in a plain graph, in a fused group and at a later step of a scan.
 */
class ClIntegerArithmeticTest {
    private static final List<OpDef> OPS = List.of(Ops.DIV, Ops.MOD, Ops.TRUNC_DIV, Ops.TRUNC_MOD, Ops.POW);

    /** Dividends of each dtype: the extremes, around zero, and a spread between. */
    private static double[] dividends(DType d) {
        return switch (d) {
            case I8 -> new double[]{-128, 127, -1, 0, 1, 7, -7, 100, -100, 5, -6, 126};
            case U8 -> new double[]{0, 255, 1, 7, 128, 200, 254, 3, 99, 64, 17, 250};
            case I32 -> new double[]{Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0, 1, 7, -7, 1_000_000_007, -999_999_937, 5, -6, 65_536};
            default -> new double[]{Long.MIN_VALUE, 0x1p53, -0x1p53, -1, 0, 7, -7, 1e15 + 3, -1e15 - 5, 5, -6, 4_294_967_296.0};
        };
    }

    /** Non-zero divisors: +-1 (the wrapping cases), small and large of both signs. */
    private static double[] divisors(DType d) {
        return switch (d) {
            case I8 -> new double[]{-1, 1, -128, 127, 3, -3, 7, -7, 2, -2, 100, -100};
            case U8 -> new double[]{1, 255, 2, 3, 7, 128, 10, 200, 5, 6, 64, 250};
            case I32 -> new double[]{-1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, 3, -3, 7, -7, 2, -2, 65_536, -1000};
            default -> new double[]{-1, 1, Long.MIN_VALUE, 0x1p53, 3, -3, 7, -7, 2, -2, 4_294_967_296.0, -1000};
        };
    }

    /** Non-negative exponents, large enough to wrap every dtype (2^63, 7^20, 255^9). */
    private static final double[] EXPONENTS = {0, 1, 2, 3, 9, 20, 63, 64, 5, 0, 31, 7};

    private static Graph binary(OpDef op, DType d, int n) {
        GraphBuilder b = new GraphBuilder(op.name() + "_" + d);
        Value x = b.input("a", new TensorType(d, Shape.of(n)), Value.Role.INPUT), y = b.input("b", new TensorType(d, Shape.of(n)), Value.Role.INPUT);
        b.output("y", Graph.Output.Role.OUTPUT, b.op(op, x, y));
        return b.build();
    }

    private static Map<String, Tensor> operands(DType d, double[] a, double[] b) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a", new Tensor(d, new int[]{a.length}, a));
        in.put("b", new Tensor(d, new int[]{b.length}, b));
        return in;
    }

    /** Every pair of a dividend and a divisor (the pow base and an exponent) of {@code d}. */
    private static Map<String, Tensor> allPairs(OpDef op, DType d) {
        double[] xs = dividends(d), ys = op == Ops.POW ? EXPONENTS : divisors(d);
        double[] a = new double[xs.length * ys.length], b = new double[a.length];
        for (int i = 0; i < xs.length; i++)
            for (int j = 0; j < ys.length; j++) {
                a[i * ys.length + j] = xs[i];
                b[i * ys.length + j] = ys[j];
            }
        return operands(d, a, b);
    }

    private static void exactlyAsTheInterpreter(Graph g, Map<String, Tensor> in) {
        Map<String, Tensor> want = Interpreter.run(g, in);
        for (Graph graph : List.of(g, PassManager.standard().run(g))) {
            Map<String, Tensor> got = ClCompiledGraph.compile(OpenClTestSupport.executor(), graph).run(in);
            for (String k : want.keySet())
                assertArrayEquals(want.get(k).data(), got.get(k).data(), g.name() + " " + k + " with inputs " + in);
        }
    }

    @Test void eachOpAgreesExactlyOnEveryIntegerDtype() {
        OpenClTestSupport.device();
        for (OpDef op : OPS)
            for (DType d : List.of(DType.I32, DType.I64, DType.U8, DType.I8)) {
                Map<String, Tensor> in = allPairs(op, d);
                exactlyAsTheInterpreter(binary(op, d, in.get("a").data().length), in);
            }
    }

    /** The interpreter's message for {@code g} on {@code in} (it must fail). */
    private static String interpreterError(Graph g, Map<String, Tensor> in) {
        return assertThrows(Interpreter.EvalException.class, () -> Interpreter.run(g, in)).getMessage();
    }

    private static void failsAsTheInterpreter(Graph g, Map<String, Tensor> in, String expected) {
        String want = interpreterError(g, in);
        assertTrue(want.endsWith(expected), want);
        for (Graph graph : List.of(g, PassManager.standard().run(g))) {
            ClCompiledGraph cg = ClCompiledGraph.compile(OpenClTestSupport.executor(), graph);
            OpFailure e = assertThrows(OpFailure.class, () -> cg.run(in));
            assertEquals(want, e.getMessage());
        }
    }

    @Test void aZeroDivisorOrANegativeExponentIsTheInterpretersError() {
        OpenClTestSupport.device();
        for (OpDef op : OPS)
            for (DType d : List.of(DType.I32, DType.I64, DType.I8)) {
                double[] a = {7, -7, 3, 5}, b = op == Ops.POW ? new double[]{2, 1, -3, -1} : new double[]{2, 3, 0, 0};
                Graph g = binary(op, d, 4);
                Map<String, Tensor> bad = operands(d, a, b);
                failsAsTheInterpreter(g, bad, op == Ops.POW ? "integer pow with a negative exponent -3; cast to a float dtype first"
                        : "integer " + op.name() + " by zero");
                // the same compiled graph runs again with good operands: the error word is armed afresh
                ClCompiledGraph cg = ClCompiledGraph.compile(OpenClTestSupport.executor(), g);
                assertThrows(OpFailure.class, () -> cg.run(bad));
                Map<String, Tensor> good = operands(d, a, new double[]{2, 3, 1, 2});
                assertArrayEquals(Interpreter.run(g, good).get("y").data(), cg.run(good).get("y").data());
            }
    }

    /** ((a + 1) div b) * a - (a mod b): one fused kernel with two failing ops; the first in the graph's order is reported. */
    @Test void aZeroDivisorInAFusedGroupIsReported() {
        OpenClTestSupport.device();
        GraphBuilder b = new GraphBuilder("fused");
        Value x = b.input("a", new TensorType(DType.I32, Shape.of(2, 3)), Value.Role.INPUT), y = b.input("b", new TensorType(DType.I32, Shape.of(3)), Value.Role.INPUT);
        Value one = b.op(Ops.CONSTANT, Attrs.of("dtype", DType.I32, "shape", Shape.SCALAR, "values", List.of(1.0)));
        Value q = b.op(Ops.DIV, b.op(Ops.ADD, x, one), y);
        b.output("y", Graph.Output.Role.OUTPUT, b.op(Ops.SUB, b.op(Ops.MUL, q, x), b.op(Ops.MOD, x, y)));
        Graph g = b.build();
        Graph fused = PassManager.standard().run(g);
        String src = ClCompiledGraph.source(fused);
        assertTrue(src.contains("dlc_floordiv(") && src.contains("dlc_floormod("), src);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a", new Tensor(DType.I32, new int[]{2, 3}, new double[]{-7, 8, Integer.MAX_VALUE, 4, -5, Integer.MIN_VALUE}));
        in.put("b", new Tensor(DType.I32, new int[]{3}, new double[]{3, -2, -1}));
        exactlyAsTheInterpreter(g, in);
        in.put("b", new Tensor(DType.I32, new int[]{3}, new double[]{3, 0, -1}));
        failsAsTheInterpreter(g, in, "integer div by zero");
    }

    /** A scan whose carry is divided by each step's divisor: a zero at step 3 (of 0..4) is reported after the run. */
    @Test void aZeroDivisorAtALaterScanStepIsReported() {
        OpenClTestSupport.device();
        GraphBuilder b = new GraphBuilder("divide_step");
        Value c = b.input("c", new TensorType(DType.I64, Shape.of(2)), Value.Role.INPUT), x = b.input("x", new TensorType(DType.I64, Shape.of(2)), Value.Role.INPUT);
        Value next = b.op(Ops.ADD, b.op(Ops.TRUNC_DIV, c, x), b.op(Ops.TRUNC_MOD, c, x));
        Graph body = b.output("c", Graph.Output.Role.OUTPUT, next).output("y", Graph.Output.Role.OUTPUT, next).build();
        GraphBuilder g = new GraphBuilder("divisions");
        Value c0 = g.input("c0", new TensorType(DType.I64, Shape.of(2)), Value.Role.INPUT), xs = g.input("xs", new TensorType(DType.I64, Shape.of(5, 2)), Value.Role.INPUT);
        List<Value> r = g.op(Ops.SCAN, Attrs.of("num_carries", 1L, "num_xs", 1L), List.of(body), List.of(c0, xs));
        Graph graph = g.output("c", Graph.Output.Role.OUTPUT, r.get(0)).output("ys", Graph.Output.Role.OUTPUT, r.get(1)).build();
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("c0", new Tensor(DType.I64, new int[]{2}, new double[]{1_000_003, -999_999}));
        in.put("xs", new Tensor(DType.I64, new int[]{5, 2}, new double[]{3, -7, -2, 5, 4, 4, -1, 3, 2, -3}));
        exactlyAsTheInterpreter(graph, in);
        in.put("xs", new Tensor(DType.I64, new int[]{5, 2}, new double[]{3, -7, -2, 5, 4, 4, -1, 0, 2, -3}));
        failsAsTheInterpreter(graph, in, "integer trunc_div by zero");
    }

    /** cast(x @ w, i32) div d: the division stays out of the GEMM's store (which has no error word) and a zero divisor is reported. */
    @Test void integerDivisionAfterAMatmulIsReported() {
        OpenClTestSupport.device();
        GraphBuilder b = new GraphBuilder("after_matmul");
        Value x = b.input("x", new TensorType(DType.F32, Shape.of(3, 4)), Value.Role.INPUT), w = b.input("w", new TensorType(DType.F32, Shape.of(4, 2)), Value.Role.INPUT);
        Value d = b.input("d", new TensorType(DType.I32, Shape.of(2)), Value.Role.INPUT);
        Value p = b.op(Ops.CAST, Attrs.of("dtype", DType.I32), b.op(Ops.MATMUL, x, w));
        b.output("y", Graph.Output.Role.OUTPUT, b.op(Ops.MOD, p, d));
        Graph g = b.build();
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("x", new Tensor(DType.F32, new int[]{3, 4}, new double[]{1, -2, 3, 4, 5, 6, -7, 8, 9, 10, 11, -12}));
        in.put("w", new Tensor(DType.F32, new int[]{4, 2}, new double[]{1, 2, -3, 4, 5, 6, 7, -8}));
        in.put("d", new Tensor(DType.I32, new int[]{2}, new double[]{-5, 3}));
        exactlyAsTheInterpreter(g, in);
        in.put("d", new Tensor(DType.I32, new int[]{2}, new double[]{-5, 0}));
        failsAsTheInterpreter(g, in, "integer mod by zero");
    }

    /** sum(a trunc_div b) over rows: the division is evaluated inside the reduction's kernel, which carries the error word too. */
    @Test void aZeroDivisorInsideAReductionIsReported() {
        OpenClTestSupport.device();
        for (int n : new int[]{5, 300}) { // a serial loop per result, and a work-group per result
            GraphBuilder b = new GraphBuilder("reduced");
            Value x = b.input("a", new TensorType(DType.I64, Shape.of(2, n)), Value.Role.INPUT), y = b.input("b", new TensorType(DType.I64, Shape.of(2, n)), Value.Role.INPUT);
            b.output("y", Graph.Output.Role.OUTPUT, b.op(Ops.SUM, Attrs.of("axes", List.of(1L), "keepdims", false), b.op(Ops.TRUNC_DIV, x, y)));
            Graph g = b.build();
            double[] a = new double[2 * n], d = new double[2 * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (i * 7919L % 20011) - 10000;
                d[i] = (i % 13) - 6 == 0 ? 7 : (i % 13) - 6;
            }
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("a", new Tensor(DType.I64, new int[]{2, n}, a));
            in.put("b", new Tensor(DType.I64, new int[]{2, n}, d));
            exactlyAsTheInterpreter(g, in);
            d[2 * n - 2] = 0;
            in.put("b", new Tensor(DType.I64, new int[]{2, n}, d));
            failsAsTheInterpreter(g, in, "integer trunc_div by zero");
        }
    }
}
