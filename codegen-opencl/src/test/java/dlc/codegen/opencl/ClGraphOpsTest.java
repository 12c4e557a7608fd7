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
 * Every inline op of the {@link ClLoweringTable} through a one-op f32 graph (broadcasting operands
 * where the op takes two), and the reductions, movement kernels and matmul, on the device against
 * the float64 interpreter at float32 tolerance: a one-op graph rounds once to float32 (half an ulp,
 * 6e-8 relative) and OpenCL's built-ins add at most 16 ulp (erf; exp, log, tanh a few), so
 * 1e-5 relative to the element plus 1e-6 absolute (for results near 0, such as sin near pi) holds
 * with room; sums add n ulps of the summed magnitudes.
 */
class ClGraphOpsTest {
    private static final Shape S = Shape.of(3, 4), ROW = Shape.of(4);

    private static Value in(GraphBuilder b, String name, DType d, Shape s) { return b.input(name, new TensorType(d, s), Value.Role.INPUT); }

    /** One-op graphs for every inline op; an inline op of the table without one here fails {@link #everyInlineOpOfTheTableAgrees}. */
    private static final Map<OpDef, Function<GraphBuilder, Value>> GRAPHS = new LinkedHashMap<>();

    static {
        for (OpDef op : List.of(Ops.NEG, Ops.ABS, Ops.SIGN, Ops.EXP, Ops.LOG, Ops.LOG1P, Ops.EXPM1, Ops.SQRT, Ops.RSQRT, Ops.TANH,
                Ops.SIGMOID, Ops.ERF, Ops.ERFC, Ops.ATAN, Ops.SIN, Ops.COS, Ops.RELU, Ops.FLOOR))
            GRAPHS.put(op, b -> b.op(op, in(b, positive(op) ? "p" : "x", DType.F32, S)));
        GRAPHS.put(Ops.NOT, b -> b.op(Ops.NOT, in(b, "m", DType.BOOL, S)));
        for (OpDef op : List.of(Ops.ADD, Ops.SUB, Ops.MUL, Ops.DIV, Ops.MOD, Ops.TRUNC_DIV, Ops.TRUNC_MOD, Ops.MAXIMUM, Ops.MINIMUM,
                Ops.LT, Ops.LE, Ops.GT, Ops.GE, Ops.EQ, Ops.NE))
            GRAPHS.put(op, b -> b.op(op, in(b, "x", DType.F32, S), in(b, "q", DType.F32, ROW)));
        GRAPHS.put(Ops.POW, b -> b.op(Ops.POW, in(b, "p", DType.F32, S), in(b, "x", DType.F32, ROW)));
        GRAPHS.put(Ops.AND, b -> b.op(Ops.AND, in(b, "m", DType.BOOL, S), in(b, "n", DType.BOOL, ROW)));
        GRAPHS.put(Ops.OR, b -> b.op(Ops.OR, in(b, "m", DType.BOOL, S), in(b, "n", DType.BOOL, ROW)));
        GRAPHS.put(Ops.WHERE, b -> b.op(Ops.WHERE, in(b, "m", DType.BOOL, Shape.of(3, 1)), in(b, "x", DType.F32, S), in(b, "q", DType.F32, ROW)));
        GRAPHS.put(Ops.CAST, b -> b.op(Ops.CAST, Attrs.of("dtype", DType.F32),
                b.op(Ops.CAST, Attrs.of("dtype", DType.I32), b.op(Ops.MUL, in(b, "x", DType.F32, S), b.op(Ops.CONSTANT,
                        Attrs.of("dtype", DType.F32, "shape", Shape.SCALAR, "values", List.of(40.0)))))));
        GRAPHS.put(Ops.BROADCAST_TO, b -> b.op(Ops.BROADCAST_TO, Attrs.of("shape", Shape.of(2, 3, 4)), in(b, "q", DType.F32, ROW)));
        GRAPHS.put(Ops.CONSTANT, b -> b.op(Ops.ADD, in(b, "x", DType.F32, S),
                b.op(Ops.CONSTANT, Attrs.of("dtype", DType.F32, "shape", ROW, "values", List.of(2.5)))));
        GRAPHS.put(Ops.STOP_GRADIENT, b -> b.op(Ops.EXP, b.op(Ops.STOP_GRADIENT, in(b, "x", DType.F32, S))));
    }

    private static boolean positive(OpDef op) { return op == Ops.LOG || op == Ops.SQRT || op == Ops.RSQRT; }

    /** Inputs by name: x in [-3, 3), p in [0.1, 3), q in [0.5, 2) with random sign, m and n booleans. */
    private static Map<String, Tensor> inputs(Graph g, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            int[] shape = v.type().shape().eval(Map.of());
            double[] d = new double[(int) Tensor.numel(shape)];
            for (int i = 0; i < d.length; i++)
                d[i] = switch (v.name()) {
                    case "p" -> (float) (0.1 + 2.9 * r.nextDouble());
                    case "q" -> (float) ((0.5 + 1.5 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1));
                    case "m", "n" -> r.nextInt(2);
                    default -> (float) (6 * r.nextDouble() - 3);
                };
            out.put(v.name(), new Tensor(v.type().dtype(), shape, d));
        }
        return out;
    }

    static void agree(Graph g, Map<String, Tensor> in, double rtol, double atol) {
        Map<String, Tensor> ref = Interpreter.run(g, in);
        for (Graph graph : List.of(g, PassManager.standard().run(g))) {
            ClCompiledGraph cg = ClCompiledGraph.compile(OpenClTestSupport.executor(), graph);
            Map<String, Tensor> got = cg.run(in);
            for (String k : ref.keySet()) {
                Tensor want = ref.get(k), have = got.get(k);
                assertNotNull(have, k);
                assertArrayEquals(want.shape(), have.shape(), k);
                assertEquals(want.dtype(), have.dtype(), k);
                for (int i = 0; i < want.data().length; i++) {
                    double a = want.data()[i], b = have.data()[i];
                    boolean ok = Double.isNaN(a) ? Double.isNaN(b) : Double.isInfinite(a) ? a == b : Math.abs(a - b) <= rtol * Math.abs(a) + atol;
                    if (!ok) fail(k + "[" + i + "]: interpreter " + a + ", OpenCL " + b + "\n" + graph + "\n" + cg.source());
                }
            }
        }
    }

    private static Graph oneOp(OpDef op, Function<GraphBuilder, Value> build) {
        GraphBuilder b = new GraphBuilder(op.name());
        b.output("y", Graph.Output.Role.OUTPUT, build.apply(b));
        return b.build();
    }

    @Test void everyInlineOpOfTheTableAgrees() {
        OpenClTestSupport.device();
        List<String> untested = new ArrayList<>();
        for (OpDef op : Ops.all()) {
            ClLowering l = ClLoweringTable.get(op);
            boolean inline = l instanceof ClLowering.Inline || l instanceof ClLowering.ByNode bn && bn.ifTrue() instanceof ClLowering.Inline
                    || l instanceof ClLowering.Alias a && a.inNest();
            if (!inline) continue;
            Function<GraphBuilder, Value> build = GRAPHS.get(op);
            if (build == null) {
                untested.add(op.name());
                continue;
            }
            Graph g = oneOp(op, build);
            agree(g, inputs(g, op.name().hashCode()), 1e-5, 1e-6);
        }
        assertEquals(List.of(), untested, "inline ops without a one-op graph here");
    }

    @Test void reductionsAgree() {
        OpenClTestSupport.device();
        for (OpDef op : List.of(Ops.SUM, Ops.MEAN, Ops.MAX, Ops.MIN))
            for (List<Long> axes : List.of(List.of(0L), List.of(1L), List.of(0L, 2L), List.of(0L, 1L, 2L), List.<Long>of()))
                for (boolean keep : new boolean[]{false, true}) {
                    GraphBuilder b = new GraphBuilder(op.name());
                    Value x = in(b, "x", DType.F32, Shape.of(2, 5, 3));
                    b.output("y", Graph.Output.Role.OUTPUT, b.op(op, Attrs.of("axes", axes, "keepdims", keep), b.op(Ops.EXP, x)));
                    Graph g = b.build();
                    agree(g, inputs(g, 7), 1e-5, 1e-6);
                }
    }

    @Test void movementKernelsAgree() {
        OpenClTestSupport.device();
        List<Function<GraphBuilder, Value>> cases = List.of(
                b -> b.op(Ops.PERMUTE, Attrs.of("perm", List.of(2L, 0L, 1L)), in(b, "x", DType.F32, Shape.of(2, 3, 4))),
                b -> b.op(Ops.SLICE, Attrs.of("starts", Shape.of(0, 1, 1), "stops", Shape.of(2, 3, 4), "steps", List.of(1L, 1L, 2L)),
                        in(b, "x", DType.F32, Shape.of(2, 3, 4))),
                b -> b.op(Ops.REVERSE, Attrs.of("axes", List.of(0L, 2L)), in(b, "x", DType.F32, Shape.of(2, 3, 4))),
                b -> b.op(Ops.PAD, Attrs.of("low", List.of(1L, 0L), "high", List.of(0L, 2L), "value", 0.5), in(b, "x", DType.F32, S)),
                b -> b.op(Ops.CONCAT, Attrs.of("axis", 1L), in(b, "x", DType.F32, S), in(b, "p", DType.F32, Shape.of(3, 2))),
                b -> b.op(Ops.ADD, in(b, "x", DType.F32, S), b.op(Ops.IOTA, Attrs.of("dtype", DType.F32, "shape", S, "axis", 1L))),
                b -> b.op(Ops.MUL, in(b, "x", DType.F32, ROW), b.op(Ops.CONSTANT, Attrs.of("dtype", DType.F32, "shape", ROW,
                        "values", List.of(1.0, -2.0, 3.5, 0.25)))),
                b -> b.op(Ops.ADD, b.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(4, 3)), in(b, "x", DType.F32, S)), in(b, "p", DType.F32, Shape.of(3))));
        for (Function<GraphBuilder, Value> c : cases) {
            Graph g = oneOp(Ops.PERMUTE, c);
            agree(g, inputs(g, 11), 1e-7, 0); // copies are exact; the adds and muls round once to float32
        }
    }

    @Test void matmulAndArgmaxAgree() {
        OpenClTestSupport.device();
        for (Shape[] s : new Shape[][]{{Shape.of(5, 7), Shape.of(7, 3)}, {Shape.of(2, 5, 7), Shape.of(7, 3)}, {Shape.of(7), Shape.of(7, 3)},
                {Shape.of(2, 5, 7), Shape.of(2, 7, 3)}}) {
            GraphBuilder b = new GraphBuilder("mm");
            Value y = b.op(Ops.MATMUL, in(b, "x", DType.F32, s[0]), in(b, "p", DType.F32, s[1]));
            b.output("y", Graph.Output.Role.OUTPUT, y);
            b.output("i", Graph.Output.Role.OUTPUT, b.op(Ops.ARGMAX, Attrs.of("axis", (long) (y.type().rank() - 1), "keepdims", false), y));
            Graph g = b.build();
            agree(g, inputs(g, 5), 7 * 3e-7, 1e-6);
        }
    }

    /**
     * The random ops draw the interpreter's numbers for the same key: uniforms bit for bit (f32: the
     * interpreter's value rounded once), f32 normals bit for bit, f64 normals within 8 ulps of
     * max(|mean|, |std * z|) (OpenCL's log and cos are within 3 and 4 ulps, Java's within 1; see RngKernelTest).
     */
    @Test void randomOpsDrawTheInterpretersNumbers() {
        OpenClTestSupport.device();
        for (DType d : List.of(DType.F32, DType.F64)) {
            GraphBuilder b = new GraphBuilder("rng");
            Value key = b.op(Ops.RNG_FOLD, Attrs.of("salt", 7L), in(b, "key", DType.I64, Shape.SCALAR));
            b.output("u", Graph.Output.Role.OUTPUT, b.op(Ops.RANDOM_UNIFORM, Attrs.of("shape", Shape.of(5, 7), "low", -1.0, "high", 3.0, "dtype", d), key));
            b.output("n", Graph.Output.Role.OUTPUT, b.op(Ops.RANDOM_NORMAL, Attrs.of("shape", Shape.of(33), "mean", 0.5, "std", 2.0, "dtype", d), key));
            Graph g = b.build();
            Map<String, Tensor> in = Map.of("key", new Tensor(DType.I64, new int[0], new double[]{123456789}));
            Map<String, Tensor> ref = Interpreter.run(g, in);
            Map<String, Tensor> got = ClCompiledGraph.compile(OpenClTestSupport.executor(), g).run(in);
            for (String k : List.of("u", "n")) {
                double[] want = ref.get(k).data().clone();
                if (d == DType.F32) for (int i = 0; i < want.length; i++) want[i] = (float) want[i];
                double[] have = got.get(k).data();
                for (int i = 0; i < want.length; i++) {
                    double tol = k.equals("n") && d == DType.F64 ? 8 * Math.ulp(Math.max(0.5, Math.abs(want[i] - 0.5))) : 0;
                    assertEquals(want[i], have[i], tol, k + " " + d + " [" + i + "]");
                }
            }
        }
    }

    /** conv2d (strided, padded, grouped), conv_transpose2d, the pools and max-pool's gradients: sums of up to 18 products of values below 3, 1e-5 relative plus 1e-5 absolute (cancelling sums). */
    @Test void convolutionAndPoolingAgree() {
        OpenClTestSupport.device();
        Shape img = Shape.of(2, 4, 7, 6);
        List<Function<GraphBuilder, Value>> cases = List.of(
                b -> b.op(Ops.CONV2D, Attrs.of("stride", List.of(2L, 1L), "padding", List.of(1L, 0L, 1L, 1L), "groups", 2L),
                        in(b, "x", DType.F32, img), in(b, "p", DType.F32, Shape.of(6, 2, 3, 3))),
                b -> b.op(Ops.CONV_TRANSPOSE2D, Attrs.of("stride", List.of(2L, 2L)), in(b, "x", DType.F32, img), in(b, "p", DType.F32, Shape.of(4, 3, 2, 2))),
                b -> b.op(Ops.MAX_POOL2D, Attrs.of("kernel", List.of(2L, 2L)), in(b, "x", DType.F32, img)),
                b -> b.op(Ops.AVG_POOL2D, Attrs.of("kernel", List.of(3L, 2L), "stride", List.of(2L, 2L), "padding", List.of(1L, 1L, 0L, 1L)),
                        in(b, "x", DType.F32, img)),
                b -> b.op(Ops.MAX_POOL2D_SCATTER, Attrs.of("kernel", List.of(2L, 2L)), in(b, "x", DType.F32, img), in(b, "p", DType.F32, Shape.of(2, 4, 3, 3))),
                b -> b.op(Ops.MAX_POOL2D_GATHER, Attrs.of("kernel", List.of(2L, 2L)), in(b, "x", DType.F32, img), in(b, "q", DType.F32, img)));
        for (Function<GraphBuilder, Value> c : cases) {
            Graph g = oneOp(Ops.CONV2D, c);
            agree(g, inputs(g, 13), 1e-5, 1e-5);
        }
    }

    /** gather and scatter_add (repeated and negative indices, an inner axis) bit for bit; a bad index is the interpreter's error after the run. */
    @Test void gatherAndScatterAddAgree() {
        OpenClTestSupport.device();
        for (long axis : new long[]{0, 1}) {
            GraphBuilder b = new GraphBuilder("idx");
            Value x = in(b, "x", DType.F32, Shape.of(4, 5)), i = in(b, "i", DType.I32, Shape.of(2, 3));
            Value g = b.op(Ops.GATHER, Attrs.of("axis", axis), x, i);
            b.output("g", Graph.Output.Role.OUTPUT, g);
            b.output("s", Graph.Output.Role.OUTPUT, b.op(Ops.SCATTER_ADD, Attrs.of("axis", axis), x, i, b.op(Ops.EXP, g)));
            Graph graph = b.build();
            Map<String, Tensor> in = new LinkedHashMap<>(inputs(graph, 3));
            in.put("i", new Tensor(DType.I32, new int[]{2, 3}, new double[]{0, 3, -1, 3, 3, 1}));
            agree(graph, in, 1e-6, 0);
            in.put("i", new Tensor(DType.I32, new int[]{2, 3}, new double[]{0, 3, 9, 3, 3, 1}));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ClCompiledGraph.compile(OpenClTestSupport.executor(), graph).run(in));
            assertTrue(e.getMessage().startsWith("gather index 9 is out of range for an axis of size " + (axis == 0 ? 4 : 5)), e.getMessage());
        }
    }

    /**
     * The arena is the memory plan's layout: a chain of ten unfused ops runs in fewer slots than
     * values (slots reused as values die), every slot at the layout's offset with the device's
     * base-address alignment, the inputs after them; a second run with the same binding makes no
     * new binding, another batch size does, and both give the interpreter's values.
     */
    @Test void theArenaFollowsTheMemoryPlanOncePerBinding() {
        OpenClTestSupport.device();
        GraphBuilder b = new GraphBuilder("chain");
        Value v = in(b, "x", DType.F32, new Shape(List.of(Dim.sym("B"), Dim.of(5))));
        for (int k = 0; k < 10; k++) v = b.op(k % 2 == 0 ? Ops.TANH : Ops.NEG, v);
        b.output("y", Graph.Output.Role.OUTPUT, v);
        Graph g = b.build();
        ClCompiledGraph cg = ClCompiledGraph.compile(OpenClTestSupport.executor(), g);
        assertTrue(cg.plan().slots().size() < g.nodes().size(), "slots " + cg.plan().slots().size() + " for " + g.nodes().size() + " values");
        for (int batch : new int[]{3, 3, 8}) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            double[] data = new double[batch * 5];
            for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(i);
            in.put("x", new Tensor(DType.F32, new int[]{batch, 5}, data));
            Map<String, Tensor> ref = Interpreter.run(g, in), got = cg.run(in);
            assertArrayEquals(ref.get("y").data(), got.get("y").data(), 1e-5);
            ClBinding bound = cg.binding(Map.of("B", (long) batch));
            for (var s : cg.plan().slots()) {
                assertEquals(bound.layout.slotOffset()[s.index()], bound.arenaLayout.slice(PlanArenas.slotName(s)).offsetBytes());
                assertEquals(0, bound.layout.slotOffset()[s.index()] % cg.alignment());
            }
            assertTrue(bound.arenaLayout.slice(ClCompiledGraph.inputSlice(0)).offsetBytes() >= bound.layout.arenaBytes());
        }
        assertEquals(2, cg.bindings());
        assertTrue(cg.alignment() >= ArenaLayout.ALIGN && cg.alignment() % ArenaLayout.ALIGN == 0, "alignment " + cg.alignment());
    }
}
