package dlc.codegen.opencl;

import dlc.codegen.opencl.ClLowering.Alias;
import dlc.codegen.opencl.ClLowering.Combine;
import dlc.codegen.opencl.ClLowering.Expression;
import dlc.codegen.opencl.ClLowering.Inline;
import dlc.codegen.opencl.ClLowering.KernelCall;
import dlc.codegen.opencl.ClLowering.KernelCode;
import dlc.codegen.opencl.ClLowering.Reduction;
import dlc.codegen.opencl.ClLowering.Region;
import dlc.ir.Node;
import dlc.ir.OpDef;
import dlc.ir.ops.Ops;

import java.util.*;
import java.util.function.Function;

import static dlc.codegen.opencl.ClExpressions.*;

/**
 * The OpenCL backend's lowering table: for every op, keyed by its {@link OpDef}, how it is lowered
 * ({@link ClLowering}). The graph compiler, the group planner and the memory plan's
 * materialization all ask it, and nothing else in the backend switches on ops.
 * {@code ClLoweringTableTest} fails for any op of {@link Ops#all()} without an entry. An op the
 * backend cannot run yet has an entry too, which fails when a graph using it compiles with
 * "op X is not supported by the OpenCL backend yet" and where the node is ({@link #notYet()}
 * lists them).
 */
public final class ClLoweringTable {
    private static final Map<OpDef, ClLowering> TABLE = new IdentityHashMap<>();
    private static final Set<OpDef> NOT_YET_OPS = Collections.newSetFromMap(new IdentityHashMap<>());

    private static void put(OpDef op, ClLowering how) {
        if (TABLE.put(op, how) != null) throw new IllegalStateException("op " + op.name() + " has two OpenCL lowerings");
    }

    private static Inline inline(Expression e) { return new Inline(e); }

    private static KernelCall kernel(KernelCode code) { return new KernelCall(code); }

    private static KernelCall kernel(KernelCode code, Function<Node, String> unsupported) { return new KernelCall(code, unsupported); }

    /** An op whose kernel does not exist yet: any graph using it fails to compile, naming it. */
    private static KernelCall notYet(OpDef op) {
        NOT_YET_OPS.add(op);
        return new KernelCall((n, cx) -> { throw notYet(n, null); }, n -> "");
    }

    static {
        // elementwise, unary
        put(Ops.NEG, inline(NEG));
        put(Ops.ABS, inline(ABS));
        put(Ops.SIGN, inline(SIGN));
        put(Ops.EXP, inline(builtin("exp")));
        put(Ops.LOG, inline(builtin("log")));
        put(Ops.LOG1P, inline(builtin("log1p")));
        put(Ops.EXPM1, inline(builtin("expm1")));
        put(Ops.SQRT, inline(builtin("sqrt")));
        put(Ops.RSQRT, inline(builtin("rsqrt")));
        put(Ops.TANH, inline(builtin("tanh")));
        put(Ops.SIGMOID, inline(SIGMOID));
        put(Ops.ERF, inline(builtin("erf")));
        put(Ops.ERFC, inline(builtin("erfc")));
        put(Ops.ATAN, inline(builtin("atan")));
        put(Ops.SIN, inline(builtin("sin")));
        put(Ops.COS, inline(builtin("cos")));
        put(Ops.RELU, inline(RELU));
        put(Ops.FLOOR, inline(builtin("floor")));
        put(Ops.NOT, inline(NOT));
        // elementwise, binary
        put(Ops.ADD, inline(arith("+")));
        put(Ops.SUB, inline(arith("-")));
        put(Ops.MUL, inline(arith("*")));
        put(Ops.DIV, inline(DIV));
        put(Ops.MOD, inline(MOD));
        put(Ops.TRUNC_DIV, inline(TRUNC_DIV));
        put(Ops.TRUNC_MOD, inline(TRUNC_MOD));
        put(Ops.POW, inline(POW));
        put(Ops.MAXIMUM, inline(MAXIMUM));
        put(Ops.MINIMUM, inline(MINIMUM));
        put(Ops.LT, inline(compare("<")));
        put(Ops.LE, inline(compare("<=")));
        put(Ops.GT, inline(compare(">")));
        put(Ops.GE, inline(compare(">=")));
        put(Ops.EQ, inline(compare("==")));
        put(Ops.NE, inline(compare("!=")));
        put(Ops.AND, inline(logical("&&")));
        put(Ops.OR, inline(logical("||")));
        put(Ops.WHERE, inline(WHERE));
        put(Ops.CAST, inline(CAST));
        // reductions: generated kernels, the operand's expression evaluated inline
        put(Ops.SUM, new Reduction(Combine.ADD, false));
        put(Ops.MEAN, new Reduction(Combine.ADD, true));
        put(Ops.MAX, new Reduction(Combine.MAX, false));
        put(Ops.MIN, new Reduction(Combine.MIN, false));
        put(Ops.ARGMAX, kernel((n, cx) -> LibraryCalls.argReduce(n, cx, true), LibraryCalls::floatOrDouble));
        put(Ops.ARGMIN, kernel((n, cx) -> LibraryCalls.argReduce(n, cx, false), LibraryCalls::floatOrDouble));
        // movement: generated index-mapping kernels
        put(Ops.RESHAPE, new Alias(false));
        put(Ops.PERMUTE, kernel(MovementKernels::permute));
        put(Ops.BROADCAST_TO, inline(OPERAND));
        put(Ops.SLICE, kernel(MovementKernels::slice));
        put(Ops.CONCAT, kernel(MovementKernels::concat));
        put(Ops.PAD, kernel(MovementKernels::pad));
        put(Ops.REVERSE, kernel(MovementKernels::reverse));
        put(Ops.GATHER, kernel(IndexCalls::gather, IndexCalls::floatOrDoubleData));
        put(Ops.SCATTER_ADD, kernel(IndexCalls::scatterAdd, IndexCalls::floatOrDoubleData));
        put(Ops.CONSTANT, new ClLowering.ByNode("a splat (one value for every element)",
                n -> n.attrs().getDoubles("values").length == 1, inline(CONSTANT),
                kernel(MovementKernels::constant)));
        put(Ops.IOTA, kernel(MovementKernels::iota));
        // contraction, convolution, pooling: the tiled GEMM, conv.cl and pool.cl (float, or double for f64 and integers)
        put(Ops.MATMUL, kernel(LibraryCalls::matmul, LibraryCalls::matmulTypes));
        put(Ops.CONV2D, kernel(ConvPoolCalls::conv2d, LibraryCalls::floatOrDouble));
        put(Ops.CONV_TRANSPOSE2D, kernel(ConvPoolCalls::convTranspose2d, LibraryCalls::floatOrDouble));
        put(Ops.MAX_POOL2D, kernel(ConvPoolCalls::maxPool2d, LibraryCalls::floatOrDouble));
        put(Ops.AVG_POOL2D, kernel(ConvPoolCalls::avgPool2d, LibraryCalls::floatOrDouble));
        put(Ops.MAX_POOL2D_SCATTER, kernel(ConvPoolCalls::maxPool2dScatter, LibraryCalls::floatOrDouble));
        put(Ops.MAX_POOL2D_GATHER, kernel(ConvPoolCalls::maxPool2dGather, LibraryCalls::floatOrDouble));
        put(Ops.RESIZE, kernel(ResizeKernel::resize));
        // random: rng.cl, the counter-based generator ported bit for bit (computes in double)
        put(Ops.RNG_FOLD, kernel(LibraryCalls::rngFold));
        put(Ops.RANDOM_UNIFORM, kernel((n, cx) -> LibraryCalls.draw(n, cx, false), LibraryCalls::drawsFloats));
        put(Ops.RANDOM_NORMAL, kernel((n, cx) -> LibraryCalls.draw(n, cx, true), LibraryCalls::drawsFloats));
        // control
        put(Ops.STOP_GRADIENT, new Alias(true));
        put(Ops.SCAN, new Region(true)); // ClScan: the body's kernels enqueued per step, carries on the device
        put(Ops.FUSION, new Region(true));
    }

    private ClLoweringTable() {}

    /** The lowering of {@code op}; throws, naming the op, when the table has none. */
    public static ClLowering get(OpDef op) {
        ClLowering l = TABLE.get(op);
        if (l == null) throw new UnsupportedOperationException("the OpenCL backend has no lowering for op " + op.name());
        return l;
    }

    /** The lowering of node {@code n}'s op, naming where the node is when there is none. */
    static ClLowering of(Node n) {
        ClLowering l = TABLE.get(n.op());
        if (l == null) throw new UnsupportedOperationException("the OpenCL backend has no lowering for op " + n.op().name() + " (at " + n.loc() + ")");
        return l;
    }

    public static boolean has(OpDef op) { return TABLE.containsKey(op); }

    public static Set<OpDef> ops() { return Collections.unmodifiableSet(TABLE.keySet()); }

    /** The ops whose every use fails to compile because their kernel does not exist yet (the docs list them). */
    public static Set<OpDef> notYet() { return Collections.unmodifiableSet(NOT_YET_OPS); }

    /** The compile-time error for a node the backend cannot run yet; {@code why} (may be null or blank) says which form. */
    static UnsupportedOperationException notYet(Node n, String why) {
        return new UnsupportedOperationException("op " + n.op().name() + " is not supported by the OpenCL backend yet"
                + (why == null || why.isBlank() ? "" : " " + why) + " (at " + n.loc() + ")");
    }

    /** Checks every node of {@code g} and of the graphs it holds, throwing for the first one the backend cannot lower. */
    static void checkAll(dlc.ir.Graph g) {
        for (Node n : g.nodes()) {
            of(n).check(n);
            for (dlc.ir.Graph r : n.regions()) checkAll(r);
        }
    }

    /** A visitor answering {@code otherwise} for every kind it does not override. */
    abstract static class Kinds<R> implements ClLowering.Visitor<R> {
        private final R otherwise;

        Kinds(R otherwise) { this.otherwise = otherwise; }

        @Override public R inline(Node n, Inline how) { return otherwise; }

        @Override public R reduction(Node n, Reduction how) { return otherwise; }

        @Override public R alias(Node n, Alias how) { return otherwise; }

        @Override public R kernel(Node n, KernelCall how) { return otherwise; }

        @Override public R region(Node n, Region how) { return otherwise; }
    }
}
