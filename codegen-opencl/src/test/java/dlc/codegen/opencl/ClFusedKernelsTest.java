package dlc.codegen.opencl;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.passes.PassManager;
import org.junit.jupiter.api.Test;

import java.util.*;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fused forms of the generated kernels, on the device against the float64 interpreter:
 * output groups (a matmul or convolution, then elementwise ops of its result) run as ONE tiled
 * kernel whose store computes the group (no separate elementwise kernel in the generated program),
 * and reductions inside groups run as a work-group tree per result from 64 terms on, with NaN and
 * infinities propagated as the interpreter does and the same bits run to run.
 */
class ClFusedKernelsTest {
    private static Value in(GraphBuilder b, String name, Shape s) { return b.input(name, new TensorType(DType.F32, s), Value.Role.INPUT); }

    private static Graph graph(String name, Function<GraphBuilder, Map<String, Value>> build) {
        GraphBuilder b = new GraphBuilder(name);
        build.apply(b).forEach((k, v) -> b.output(k, Graph.Output.Role.OUTPUT, v));
        return b.build();
    }

    /** Values in [-2, 2), rounded to float32. */
    private static Map<String, Tensor> inputs(Graph g, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            int[] shape = v.type().shape().eval(Map.of());
            double[] d = new double[(int) Tensor.numel(shape)];
            for (int i = 0; i < d.length; i++) d[i] = (float) (4 * r.nextDouble() - 2);
            out.put(v.name(), new Tensor(DType.F32, shape, d));
        }
        return out;
    }

    /** The fused graph's program has no kernel besides the GEMM/convolution: its one group is a store. */
    private static void epilogueAgrees(Graph g) {
        Graph fused = PassManager.standard().run(g);
        String src = ClCompiledGraph.source(fused);
        assertTrue(src.contains("its store computing the group"), "no epilogue store:\n" + src);
        assertFalse(src.contains("__kernel"), "a separate kernel is left:\n" + src);
        assertTrue(src.contains(": 0 generated kernels, 1 generated stores"), src);
        // sums of at most 8 products of values below 2, then a few ops rounding once each
        ClGraphOpsTest.agree(g, inputs(g, g.name().hashCode()), 1e-5, 1e-5);
    }

    private static final Shape X = Shape.of(5, 8), W = Shape.of(8, 6), BIAS = Shape.of(6), Y = Shape.of(5, 6);

    @Test void matmulBiasReluIsOneKernel() {
        epilogueAgrees(graph("bias_relu", b -> Map.of("y", b.op(Ops.RELU, b.op(Ops.ADD, b.op(Ops.MATMUL, in(b, "x", X), in(b, "w", W)), in(b, "b", BIAS))))));
    }

    @Test void matmulBiasTanhIsOneKernel() {
        epilogueAgrees(graph("bias_tanh", b -> Map.of("y", b.op(Ops.TANH, b.op(Ops.ADD, b.op(Ops.MATMUL, in(b, "x", X), in(b, "w", W)), in(b, "b", BIAS))))));
    }

    @Test void matmulResidualAddIsOneKernel() {
        epilogueAgrees(graph("residual", b -> Map.of("y", b.op(Ops.ADD, b.op(Ops.ADD, b.op(Ops.MATMUL, in(b, "x", X), in(b, "w", W)), in(b, "b", BIAS)),
                in(b, "r", Y)))));
    }

    /** Two ops after the bias (a column scale then a sigmoid), and the raw product also read outside: stored by the same store. */
    @Test void matmulChainOfTwoOpsAndItsRawResultIsOneKernel() {
        epilogueAgrees(graph("chain", b -> {
            Value mm = b.op(Ops.MATMUL, in(b, "x", X), in(b, "w", W));
            Value y = b.op(Ops.SIGMOID, b.op(Ops.MUL, b.op(Ops.ADD, mm, in(b, "b", BIAS)), in(b, "s", Shape.of(5, 1))));
            Map<String, Value> out = new LinkedHashMap<>();
            out.put("y", y);
            out.put("mm", mm);
            return out;
        }));
    }

    /** A batched product (a [2, 5, 8] @ [2, 8, 6]) with a bias per column: the store's linear index spans the products. */
    @Test void batchedMatmulEpilogueIsOneKernel() {
        epilogueAgrees(graph("batched", b -> Map.of("y", b.op(Ops.RELU, b.op(Ops.ADD,
                b.op(Ops.MATMUL, in(b, "x", Shape.of(2, 5, 8)), in(b, "w", Shape.of(2, 8, 6))), in(b, "b", Shape.of(2, 1, 6)))))));
    }

    /** conv2d + a per-channel bias ([O] reshaped to [1, O, 1, 1]) + relu, strided, padded, two groups. */
    @Test void convBiasReluIsOneKernel() {
        epilogueAgrees(graph("conv", b -> Map.of("y", b.op(Ops.RELU, b.op(Ops.ADD,
                b.op(Ops.CONV2D, Attrs.of("stride", List.of(2L, 1L), "padding", List.of(1L, 0L, 1L, 1L), "groups", 2L),
                        in(b, "x", Shape.of(2, 4, 7, 6)), in(b, "w", Shape.of(6, 2, 3, 3))),
                b.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(1, 6, 1, 1)), in(b, "b", Shape.of(6))))))));
    }

    @Test void convTransposeBiasTanhIsOneKernel() {
        epilogueAgrees(graph("convt", b -> Map.of("y", b.op(Ops.TANH, b.op(Ops.ADD,
                b.op(Ops.CONV_TRANSPOSE2D, Attrs.of("stride", List.of(2L, 2L)), in(b, "x", Shape.of(2, 4, 3, 3)), in(b, "w", Shape.of(4, 3, 2, 2))),
                b.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(1, 3, 1, 1)), in(b, "b", Shape.of(3))))))));
    }

    /**
     * The generated store combines with sgemm.cl's float4 staging: x [5, 8] and w [8, 12] lie on
     * 16 bytes in the memory plan's arena (rows of 8 and 12 floats), so the program that ran is
     * built with VEC_A and VEC_B and the EPILOGUE hook, and agrees with the interpreter (sums of 8
     * products below 4, then a bias and relu: within 1e-5).
     */
    @Test void aFusedStoreTakesTheFloat4Staging() {
        Graph g = graph("vec_store", b -> Map.of("y", b.op(Ops.RELU, b.op(Ops.ADD,
                b.op(Ops.MATMUL, in(b, "x", X), in(b, "w", Shape.of(8, 12))), in(b, "b", Shape.of(12))))));
        epilogueAgrees(g);
        ClCompiledGraph cg = ClCompiledGraph.compile(OpenClTestSupport.executor(), PassManager.standard().run(g));
        cg.run(inputs(g, 5));
        ProgramSource ran = cg.sgemm().lastSource();
        assertEquals("1", ran.defines().get("VEC_A"), ran.defines().toString());
        assertEquals("1", ran.defines().get("VEC_B"), ran.defines().toString());
        assertTrue(ran.source().contains("#define EPILOGUE("), "not the fused store's program:\n" + ran.source());
    }

    /** A plain matmul keeps the library GEMM (no store), and its bias + relu would be one kernel. */
    @Test void aPlainMatmulHasNoStore() {
        Graph g = PassManager.standard().run(graph("plain", b -> Map.of("y", b.op(Ops.MATMUL, in(b, "x", X), in(b, "w", W)))));
        assertFalse(ClCompiledGraph.source(g).contains("_store"), ClCompiledGraph.source(g));
    }

    /**
     * Reductions of 1, 3, 255, 256, 257 and 10000 terms (exp of the input, evaluated in the
     * reduction's loop) over rows that hold a NaN, a -inf, both infinities, and finite values:
     * sums within (n + 1) u of the sum of magnitudes, max/min exact, NaN and infinities as the
     * interpreter's; two runs give the same bits. From 64 terms on the kernel is a work-group
     * tree, below a serial loop; fused, the four reductions of one operand are one row kernel.
     */
    @Test void reductionsInGroupsAgreeAndRepeatBitForBit() {
        OpenClTestSupport.device();
        List<OpDef> ops = List.of(Ops.SUM, Ops.MEAN, Ops.MAX, Ops.MIN);
        int rows = 5;
        for (int n : new int[]{1, 3, 255, 256, 257, 10000}) {
            Graph g = graph("r" + n, b -> {
                Value x = b.op(Ops.MUL, in(b, "x", Shape.of(rows, n)), in(b, "s", Shape.of(rows, 1)));
                Map<String, Value> out = new LinkedHashMap<>();
                for (OpDef op : ops) out.put(op.name(), b.op(op, Attrs.of("axes", List.of(1L), "keepdims", false), x));
                return out;
            });
            Random r = new Random(n * 31L);
            double[] x = new double[rows * n];
            for (int i = 0; i < x.length; i++) x[i] = (float) (4 * r.nextDouble() - 2);
            x[n + r.nextInt(n)] = Double.NaN;                 // row 1
            x[2 * n + r.nextInt(n)] = Double.NEGATIVE_INFINITY; // row 2
            x[3 * n + r.nextInt(n)] = Double.NEGATIVE_INFINITY; // row 3: -inf, and +inf too where n > 1
            if (n > 1) x[3 * n + (x[3 * n] == Double.NEGATIVE_INFINITY ? 1 : 0)] = Double.POSITIVE_INFINITY;
            Map<String, Tensor> in = Map.of("x", new Tensor(DType.F32, new int[]{rows, n}, x),
                    "s", new Tensor(DType.F32, new int[]{rows, 1}, new double[]{1, 1, 1, 1, -0.5}));
            Map<String, Tensor> want = Interpreter.run(g, in);
            for (Graph graph : List.of(g, PassManager.standard().run(g))) {
                String src = ClCompiledGraph.source(graph);
                // unoptimized: each reduction its own kernel; fused: the four are one kernel with a
                // work-group per row (of one work-item below 64 terms); the standard pipeline makes a
                // reduction over one term a reshape
                if (graph == g)
                    assertTrue(src.contains(n >= GroupKernels.SERIAL_BELOW ? "a work-group per result" : "a serial loop per result"), src);
                else if (n > 1) assertTrue(src.contains("sum, mean, max, min per row of [5, " + n + "]") && src.contains(": 1 generated kernels"), src);
                ClCompiledGraph cg = ClCompiledGraph.compile(OpenClTestSupport.executor(), graph);
                Map<String, Tensor> first = cg.run(in), second = cg.run(in);
                for (OpDef op : ops)
                    for (int i = 0; i < rows; i++) {
                        double w = want.get(op.name()).data()[i], have = first.get(op.name()).data()[i];
                        assertEquals(Double.doubleToLongBits(have), Double.doubleToLongBits(second.get(op.name()).data()[i]),
                                op.name() + " n=" + n + " row " + i + ": runs differ");
                        double mag = 0;
                        for (int j = 0; j < n; j++) mag += Math.abs(x[i * n + j]);
                        double tol = (n + 1) * 0x1p-24 * mag * (op == Ops.MEAN ? 1.0 / n : 1) * (i == 4 ? 0.5 : 1);
                        tol += 2 * 0x1p-24 * Math.abs(w); // the mean's division, the result's rounding to float32
                        if (op == Ops.MAX || op == Ops.MIN) tol = 0;
                        String what = op.name() + " over " + n + " row " + i + ": interpreter " + w + ", OpenCL " + have;
                        if (Double.isNaN(w) || Double.isInfinite(w)) assertEquals(w, have, what);
                        else assertEquals(w, have, tol, what);
                    }
            }
        }
    }

    /**
     * A symbolic reduced size (the batch, as a bias gradient sums it) picks the kernel's form per
     * binding: a work-group of one below 64 terms, a tree above; both agree.
     */
    @Test void aSymbolicReducedSizeAgreesAtEveryBinding() {
        OpenClTestSupport.device();
        Graph g = graph("bias_grad", b -> Map.of("y", b.op(Ops.SUM, Attrs.of("axes", List.of(0L), "keepdims", false),
                b.op(Ops.TANH, b.input("g", new TensorType(DType.F32, new Shape(List.of(Dim.sym("B"), Dim.of(7)))), Value.Role.INPUT)))));
        ClCompiledGraph cg = ClCompiledGraph.compile(OpenClTestSupport.executor(), PassManager.standard().run(g));
        assertTrue(cg.source().contains("a work-group per result"), cg.source());
        for (int batch : new int[]{1, 3, 63, 64, 1000}) {
            double[] d = new double[batch * 7];
            Random r = new Random(batch);
            for (int i = 0; i < d.length; i++) d[i] = (float) (4 * r.nextDouble() - 2);
            Map<String, Tensor> in = Map.of("g", new Tensor(DType.F32, new int[]{batch, 7}, d));
            double[] want = Interpreter.run(g, in).get("y").data(), have = cg.run(in).get("y").data();
            for (int j = 0; j < 7; j++) assertEquals(want[j], have[j], (batch + 1) * 0x1p-24 * batch, "batch " + batch + " column " + j);
        }
    }

    /**
     * A softmax (max, the sum of exp(x - max), the normalized row) fused into one group is one
     * kernel with a work-group per row, for rows of 3, 300 and 5000 (a serial row below 64 terms):
     * rows with -inf entries, a NaN, a row of -inf, against the interpreter within the ulps of
     * exp, the sum and the division; the same bits on a second run.
     */
    @Test void aSoftmaxRowIsOneKernel() {
        OpenClTestSupport.device();
        int rows = 4;
        for (int n : new int[]{3, 300, 5000}) {
            Graph g = graph("softmax" + n, b -> {
                Value x = in(b, "x", Shape.of(rows, n));
                Value m = b.op(Ops.MAX, Attrs.of("axes", List.of(1L), "keepdims", true), x);
                Value e = b.op(Ops.EXP, b.op(Ops.SUB, x, m));
                return Map.of("y", b.op(Ops.DIV, e, b.op(Ops.SUM, Attrs.of("axes", List.of(1L), "keepdims", true), e)));
            });
            Graph fused = PassManager.standard().run(g);
            String src = ClCompiledGraph.source(fused);
            assertTrue(src.contains("a work-group per row") && src.contains(": 1 generated kernels"), src);
            Random r = new Random(n);
            double[] x = new double[rows * n];
            for (int i = 0; i < x.length; i++) x[i] = (float) (8 * r.nextDouble() - 4);
            x[r.nextInt(n)] = Double.NEGATIVE_INFINITY;  // row 0: a masked entry
            x[n + r.nextInt(n)] = Double.NaN;            // row 1: NaN everywhere
            for (int j = 0; j < n; j++) x[2 * n + j] = Double.NEGATIVE_INFINITY; // row 2: all masked, NaN (0/0)
            Map<String, Tensor> in = Map.of("x", new Tensor(DType.F32, new int[]{rows, n}, x));
            double[] want = Interpreter.run(g, in).get("y").data();
            ClCompiledGraph cg = ClCompiledGraph.compile(OpenClTestSupport.executor(), fused);
            double[] have = cg.run(in).get("y").data(), again = cg.run(in).get("y").data();
            for (int i = 0; i < want.length; i++) {
                assertEquals(Double.doubleToLongBits(have[i]), Double.doubleToLongBits(again[i]), "n=" + n + " [" + i + "]: runs differ");
                // x - max rounded (8 u: |x - max| < 8), exp's 3 ulps, per term and in the sum, the sum's n u, the division's u
                double tol = (n + 30) * 0x1p-24 * Math.abs(want[i]) + 1e-12;
                if (Double.isNaN(want[i])) assertTrue(Double.isNaN(have[i]), "n=" + n + " [" + i + "]: " + have[i]);
                else assertEquals(want[i], have[i], tol, "n=" + n + " [" + i + "]");
            }
        }
    }

    /**
     * A weight's update computed in a GEMM's store (w - x^T g, fused: the product's store reads w
     * at the element it writes) is donated: written over w's memory, not copied home; the result
     * is the interpreter's.
     */
    @Test void anUpdateInAGemmStoreIsDonated() {
        Graph g = dlc.ir.text.IrParser.parseModule("""
                graph step(%x: f32[5, 8], %g: f32[5, 6], param %w: f32[8, 6]) {
                  %0 = permute(%x) {perm=[1, 0]} : f32[8, 5]
                  %1 = matmul(%0, %g) : f32[8, 6]
                  %2 = sub(%w, %1) : f32[8, 6]
                  update w = %2
                }
                """, "t").graphs().get(0);
        Graph fused = PassManager.standard().run(g);
        assertTrue(ClCompiledGraph.source(fused).contains("its store computing the group"), ClCompiledGraph.source(fused));
        ClCompiledGraph cg = ClCompiledGraph.compile(OpenClTestSupport.executor(), fused);
        Set<String> donated = new HashSet<>();
        for (Value p : cg.plan().donated().values()) donated.add(p.name());
        assertEquals(Set.of("w"), donated, "w's update in the GEMM's store");
        ClGraphOpsTest.agree(g, inputs(g, 17), 1e-5, 1e-5);
    }
}
