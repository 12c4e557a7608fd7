package dlc.codegen.jvm;

import dlc.codegen.jvm.Lowering.Accumulate;
import dlc.codegen.jvm.Lowering.Alias;
import dlc.codegen.jvm.Lowering.ByNode;
import dlc.codegen.jvm.Lowering.Inline;
import dlc.codegen.jvm.Lowering.InlineCode;
import dlc.codegen.jvm.Lowering.KernelCall;
import dlc.codegen.jvm.Lowering.KernelCode;
import dlc.codegen.jvm.Lowering.Reduction;
import dlc.codegen.jvm.Lowering.Region;
import dlc.ir.Node;
import dlc.ir.OpDef;
import dlc.ir.ops.Ops;
import dlc.runtime.Gemm;
import dlc.runtime.VecMath;
import org.objectweb.asm.Opcodes;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;

import static dlc.codegen.jvm.ElementwiseCode.*;

/**
 * The JVM backend's lowering table: for every op, keyed by its {@link OpDef}, how it is lowered
 * ({@link Lowering}: inline code in a loop nest, a reduction nest, an alias, a runtime kernel call,
 * or a region). It is the one place that knows which op lowers how: the class emitter, the group
 * planner, the nest emitter and the epilogue fusion all ask it. {@code LoweringTableTest} fails
 * for any op of {@link Ops#all()} without an entry.
 */
public final class LoweringTable {
    private static final Map<OpDef, Lowering> TABLE = new IdentityHashMap<>();

    private static void put(OpDef op, Lowering how) {
        if (TABLE.put(op, how) != null) throw new IllegalStateException("op " + op.name() + " has two JVM lowerings");
    }

    /** Inline code that no epilogue takes and that cannot fail. */
    private static Inline inline(InlineCode code) { return new Inline(code, Gemm.ACT_NONE, false); }

    /** Inline code that can fail on integer operands (a division by zero): failures name it. */
    private static Inline failing(InlineCode code) { return new Inline(code, Gemm.ACT_NONE, true); }

    /** Inline code a matmul/conv epilogue can apply as {@code Gemm.ACT_*} {@code act}. */
    private static Inline activation(InlineCode code, int act) { return new Inline(code, act, false); }

    /** VecMath's kernel {@code code} for an f32 node of one type ({@link TranscendentalLowerings}), else {@code otherwise}. */
    private static ByNode vecMathOr(int code, Inline otherwise) {
        return new ByNode(TranscendentalLowerings.WHEN, TranscendentalLowerings::applies,
                new KernelCall(TranscendentalLowerings.call(code)), otherwise);
    }

    private static KernelCall kernel(KernelCode code) { return new KernelCall(code); }

    /** A constant with one value for every element: an immediate in the loop body, no buffer. */
    private static boolean isSplat(Node n) { return n.attrs().getDoubles("values").length == 1; }

    static {
        // elementwise, unary
        put(Ops.NEG, inline(integersVia("neg", NEG)));
        put(Ops.ABS, inline(integersVia("abs", mathNative("abs"))));
        put(Ops.SIGN, inline(mathNative("signum")));
        put(Ops.EXP, vecMathOr(VecMath.EXP, inline(mathViaDouble("exp"))));
        put(Ops.LOG, vecMathOr(VecMath.LOG, inline(mathViaDouble("log"))));
        put(Ops.LOG1P, vecMathOr(VecMath.LOG1P, inline(mathViaDouble("log1p"))));
        put(Ops.EXPM1, vecMathOr(VecMath.EXPM1, inline(mathViaDouble("expm1"))));
        put(Ops.SQRT, inline(mathViaDouble("sqrt")));
        put(Ops.RSQRT, inline(fnViaDouble("rsqrt")));
        put(Ops.TANH, vecMathOr(VecMath.TANH, activation(TANH, Gemm.ACT_TANH)));
        put(Ops.SIGMOID, vecMathOr(VecMath.SIGMOID, activation(fnUnary("sigmoid"), Gemm.ACT_SIGMOID)));
        put(Ops.ERF, inline(specialViaDouble("erf")));
        put(Ops.ERFC, inline(specialViaDouble("erfc")));
        put(Ops.SIN, vecMathOr(VecMath.SIN, inline(mathViaDouble("sin"))));
        put(Ops.COS, vecMathOr(VecMath.COS, inline(mathViaDouble("cos"))));
        put(Ops.ATAN, inline(mathViaDouble("atan")));
        put(Ops.RELU, activation(fnUnary("relu"), Gemm.ACT_RELU));
        put(Ops.FLOOR, inline(mathViaDouble("floor")));
        put(Ops.NOT, inline(NOT));
        // elementwise, binary (integer results that can overflow or divide call dlc.numerics.Ints)
        put(Ops.ADD, inline(integersVia("add", arith(Opcodes.FADD))));
        put(Ops.SUB, inline(integersVia("sub", arith(Opcodes.FSUB))));
        put(Ops.MUL, inline(integersVia("mul", arith(Opcodes.FMUL))));
        put(Ops.DIV, failing(integersVia("div", arith(Opcodes.FDIV))));
        put(Ops.MOD, failing(integersVia("mod", binaryViaDouble(FN, "floorMod"))));
        put(Ops.TRUNC_DIV, failing(integersVia("truncDiv", binaryViaDouble(FN, "truncDiv"))));
        put(Ops.TRUNC_MOD, failing(integersVia("truncMod", binaryViaDouble(FN, "truncMod"))));
        put(Ops.POW, failing(integersVia("pow", binaryViaDouble(MATH, "pow"))));
        put(Ops.MAXIMUM, inline(fnBinary("maximum")));
        put(Ops.MINIMUM, inline(fnBinary("minimum")));
        put(Ops.LT, inline(comparison("lt")));
        put(Ops.LE, inline(comparison("le")));
        put(Ops.GT, inline(comparison("gt")));
        put(Ops.GE, inline(comparison("ge")));
        put(Ops.EQ, inline(comparison("eq")));
        put(Ops.NE, inline(comparison("ne")));
        put(Ops.AND, inline(logical("and")));
        put(Ops.OR, inline(logical("or")));
        put(Ops.WHERE, inline(WHERE));
        put(Ops.CAST, inline(CAST));
        // reductions: sum/mean/max/min are loop nests; argmax/argmin a kernel (first occurrence, NaN)
        put(Ops.SUM, new Reduction(Accumulate.ADD, false, true));
        put(Ops.MEAN, new Reduction(Accumulate.ADD, true, false));
        put(Ops.MAX, new Reduction(Accumulate.MAX, false, false));
        put(Ops.MIN, new Reduction(Accumulate.MIN, false, false));
        put(Ops.ARGMAX, kernel((n, e) -> MiscLowerings.argReduce(n, e, true)));
        put(Ops.ARGMIN, kernel((n, e) -> MiscLowerings.argReduce(n, e, false)));
        // movement
        put(Ops.RESHAPE, new Alias(null));
        put(Ops.PERMUTE, kernel(MovementLowerings::permute));
        put(Ops.BROADCAST_TO, inline(OPERAND));
        put(Ops.SLICE, kernel(MovementLowerings::slice));
        put(Ops.CONCAT, kernel(MovementLowerings::concat));
        put(Ops.PAD, kernel(MovementLowerings::pad));
        put(Ops.REVERSE, kernel(MovementLowerings::reverse));
        put(Ops.GATHER, kernel(MovementLowerings::gather));
        put(Ops.SCATTER_ADD, kernel(MovementLowerings::scatterAdd));
        put(Ops.CONSTANT, new ByNode("a splat (one value for every element)", LoweringTable::isSplat,
                inline(CONSTANT), kernel(MovementLowerings::constant)));
        put(Ops.IOTA, kernel(MovementLowerings::iota));
        // contraction, convolution, pooling
        put(Ops.MATMUL, new KernelCall(GemmLowerings::matmul, GemmLowerings.EPILOGUE));
        put(Ops.CONV2D, new KernelCall(ConvLowerings::conv2d, ConvLowerings.EPILOGUE));
        put(Ops.CONV_TRANSPOSE2D, kernel(ConvLowerings::emitConvTranspose2d));
        put(Ops.MAX_POOL2D, kernel(ConvLowerings::maxPool2d));
        put(Ops.AVG_POOL2D, kernel(ConvLowerings::avgPool2d));
        put(Ops.MAX_POOL2D_SCATTER, kernel(ConvLowerings::maxPool2dScatter));
        put(Ops.MAX_POOL2D_GATHER, kernel(ConvLowerings::maxPool2dGather));
        put(Ops.RESIZE, kernel(ResizeLowering::resize));
        // random
        put(Ops.RNG_FOLD, kernel(MiscLowerings::rngFold));
        put(Ops.RANDOM_UNIFORM, kernel((n, e) -> MiscLowerings.draw(n, e, false)));
        put(Ops.RANDOM_NORMAL, kernel((n, e) -> MiscLowerings.draw(n, e, true)));
        // control: a view at top level, the operand itself inside a loop nest
        put(Ops.STOP_GRADIENT, new Alias(OPERAND));
        put(Ops.SCAN, new Region(ScanEmitter::emit));
        put(Ops.FUSION, new Region(GroupEmitter::emit));
    }

    private LoweringTable() {}

    /** The lowering of {@code op}; throws, naming the op, when the backend has none. */
    public static Lowering get(OpDef op) {
        Lowering l = TABLE.get(op);
        if (l == null) throw new UnsupportedOperationException("the JVM backend has no lowering for op " + op.name());
        return l;
    }

    /** The lowering of node {@code n}'s op; throws, naming the op and where the node is, when the backend has none. */
    static Lowering of(Node n) {
        Lowering l = TABLE.get(n.op());
        if (l == null) throw new UnsupportedOperationException("the JVM backend has no lowering for op " + n.op().name() + " (at " + n.loc() + ")");
        return l;
    }

    /** Whether the table has an entry for {@code op}. */
    public static boolean has(OpDef op) { return TABLE.containsKey(op); }

    /** The ops the table lowers. */
    public static java.util.Set<OpDef> ops() { return Collections.unmodifiableSet(TABLE.keySet()); }

    /** The kernel call of {@code op}: its entry's, or its per-node entry's kernel branch; null when it has none. */
    static KernelCode kernel(OpDef op) {
        Lowering l = get(op);
        if (l instanceof ByNode b) l = b.ifTrue() instanceof KernelCall ? b.ifTrue() : b.ifFalse();
        return l instanceof KernelCall k ? k.code() : null;
    }

    /** The {@link Lowering.Epilogue} of a node whose kernel can fuse a bias add and activation, else null. */
    static Lowering.Epilogue epilogue(Node n) {
        return of(n).accept(n, new Kinds<Lowering.Epilogue>(null) {
            @Override public Lowering.Epilogue kernel(Node node, KernelCall how) { return how.epilogue(); }
        });
    }

    /** Whether node {@code n} is an alias of its operand's buffer (emits no code at top level). */
    static boolean isAlias(Node n) {
        return of(n).accept(n, new Kinds<Boolean>(false) {
            @Override public Boolean alias(Node node, Alias how) { return true; }
        });
    }

    /** A visitor answering {@code otherwise} for every kind it does not override. */
    abstract static class Kinds<R> implements Lowering.Visitor<R> {
        private final R otherwise;

        Kinds(R otherwise) { this.otherwise = otherwise; }

        @Override public R inline(Node n, Inline how) { return otherwise; }

        @Override public R reduction(Node n, Reduction how) { return otherwise; }

        @Override public R alias(Node n, Alias how) { return otherwise; }

        @Override public R kernel(Node n, KernelCall how) { return otherwise; }

        @Override public R region(Node n, Region how) { return otherwise; }
    }
}
