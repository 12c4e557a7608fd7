package dlc.ir.ops;

import dlc.ir.OpDef;
import dlc.ir.OpTrait;
import dlc.ir.Value;
import dlc.ir.ops.ElementwiseOps.Binary;
import dlc.ir.ops.ElementwiseOps.Unary;
import dlc.numerics.Ints;
import dlc.numerics.SpecialFunctions;

import java.util.*;

import static dlc.ir.ops.ElementwiseOps.*;
import static dlc.ir.ops.ElementwiseOps.Binary.Family.*;

/**
 * The closed set of primitive ops, each defined once, here, as its typed handle: {@code
 * public static final OpDef ERF = def(new Unary("erf", ...))} is the op's definition (name,
 * traits, float64 function and VJP for the elementwise ops; the {@code OpDef} subclass of its
 * family file for the others) and the constant code refers to it by ({@link #MUL}, {@link #MATMUL}).
 * {@link #def} registers each handle as it is initialized, so {@link #all()} lists the ops in the
 * order they are declared below. Only the IR text parser, the printer and diagnostics look ops up
 * by name ({@link #get}, {@link #find}). The family files ({@link ElementwiseOps}, {@link ReduceOps},
 * {@link MovementOps}, {@link ContractionOps}, {@link RandomOps}, {@code ControlOps},
 * {@link ResizeOps}) hold the {@code OpDef} classes: shape rules, evaluation, gradient helpers.
 */
public final class Ops {
    // Filled by def() as the handles below are initialized (static initializers run in text order),
    // so it must be declared before them.
    private static final Map<String, OpDef> BY_NAME = new LinkedHashMap<>();

    private Ops() {}

    /** Registers {@code op} under its name; a second op of that name is a bug in this file. */
    private static OpDef def(OpDef op) {
        if (BY_NAME.put(op.name(), op) != null) throw new IllegalStateException("op " + op.name() + " defined twice");
        return op;
    }

    // --- elementwise (ElementwiseOps): VJPs refer to ops as Ops.X, since a lambda in a static
    // initializer may not name a field of its own class by its simple name before it is declared
    public static final OpDef NEG = def(new Unary("neg", ANY, x -> -x, Ints::neg, (c, x, y, g) -> c.op(Ops.NEG, g)));
    // abs'(0) = sign(0) = 0 (docs/models.md 4.5)
    public static final OpDef ABS = def(new Unary("abs", ANY, Math::abs, Ints::abs,
            (c, x, y, g) -> mul(c, g, c.op(Ops.SIGN, x))));
    public static final OpDef SIGN = def(new Unary("sign", ANY_STEP, Math::signum, (c, x, y, g) -> null));
    public static final OpDef EXP = def(new Unary("exp", FLOAT, Math::exp, (c, x, y, g) -> mul(c, g, y)));
    public static final OpDef LOG = def(new Unary("log", FLOAT, Math::log, (c, x, y, g) -> c.op(Ops.DIV, g, x)));
    public static final OpDef LOG1P = def(new Unary("log1p", FLOAT, Math::log1p,
            (c, x, y, g) -> c.op(Ops.DIV, g, c.op(Ops.ADD, x, one(c, x)))));
    public static final OpDef EXPM1 = def(new Unary("expm1", FLOAT, Math::expm1,
            (c, x, y, g) -> mul(c, g, c.op(Ops.ADD, y, one(c, y)))));
    public static final OpDef SQRT = def(new Unary("sqrt", FLOAT, Math::sqrt,
            (c, x, y, g) -> c.op(Ops.DIV, mul(c, g, c.scalar(0.5, x.type().dtype())), y)));
    public static final OpDef RSQRT = def(new Unary("rsqrt", FLOAT, x -> 1 / Math.sqrt(x),
            (c, x, y, g) -> mul(c, g, mul(c, c.scalar(-0.5, x.type().dtype()), mul(c, y, mul(c, y, y))))));
    public static final OpDef TANH = def(new Unary("tanh", FLOAT, Math::tanh,
            (c, x, y, g) -> mul(c, g, c.op(Ops.SUB, one(c, y), mul(c, y, y)))));
    public static final OpDef SIGMOID = def(new Unary("sigmoid", FLOAT, ElementwiseOps::sigmoid,
            (c, x, y, g) -> mul(c, g, mul(c, y, c.op(Ops.SUB, one(c, y), y)))));
    public static final OpDef ERF = def(new Unary("erf", FLOAT, SpecialFunctions::erf, (c, x, y, g) -> mul(c, g,
            mul(c, c.scalar(2 / Math.sqrt(Math.PI), x.type().dtype()), c.op(Ops.EXP, c.op(Ops.NEG, mul(c, x, x)))))));
    // erfc = 1 - erf without the cancellation: erfc(10) = 2e-45 where 1 - erf(10) is 0; erfc' = -erf'
    public static final OpDef ERFC = def(new Unary("erfc", FLOAT, SpecialFunctions::erfc, (c, x, y, g) -> mul(c, g,
            mul(c, c.scalar(-2 / Math.sqrt(Math.PI), x.type().dtype()), c.op(Ops.EXP, c.op(Ops.NEG, mul(c, x, x)))))));
    public static final OpDef SIN = def(new Unary("sin", FLOAT, Math::sin, (c, x, y, g) -> mul(c, g, c.op(Ops.COS, x))));
    public static final OpDef COS = def(new Unary("cos", FLOAT, Math::cos,
            (c, x, y, g) -> c.op(Ops.NEG, mul(c, g, c.op(Ops.SIN, x)))));
    public static final OpDef ATAN = def(new Unary("atan", FLOAT, Math::atan,
            (c, x, y, g) -> c.op(Ops.DIV, g, c.op(Ops.ADD, one(c, x), mul(c, x, x)))));
    // relu'(0) = 0 (docs/models.md 4.5)
    public static final OpDef RELU = def(new Unary("relu", ANY, x -> x > 0 ? x : 0,
            (c, x, y, g) -> c.op(Ops.WHERE, c.op(Ops.GT, x, c.scalar(0, x.type().dtype())), g, c.zerosLike(g))));
    public static final OpDef FLOOR = def(new Unary("floor", FLOAT_STEP, Math::floor, (c, x, y, g) -> null));
    public static final OpDef NOT = def(new Unary("not", Set.of(OpTrait.LOGIC), x -> x != 0 ? 0 : 1, (c, x, y, g) -> null));
    public static final OpDef ADD = def(new Binary("add", ARITH, ASSOC_COMM, 0.0, null, Double::sum, Ints::add,
            (c, a, b, y, g) -> both(g, g)));
    public static final OpDef SUB = def(new Binary("sub", ARITH, NO_LAWS, 0.0, null, (a, b) -> a - b, Ints::sub,
            (c, a, b, y, g) -> both(g, c.op(Ops.NEG, g))));
    public static final OpDef MUL = def(new Binary("mul", ARITH, ASSOC_COMM, 1.0, 0.0, (a, b) -> a * b, Ints::mul,
            (c, a, b, y, g) -> both(mul(c, g, b), mul(c, g, a))));
    public static final OpDef DIV = def(new Binary("div", ARITH, NO_LAWS, 1.0, null, (a, b) -> a / b, Ints::div,
            (c, a, b, y, g) -> both(c.op(Ops.DIV, g, b), c.op(Ops.NEG, c.op(Ops.DIV, mul(c, g, y), b)))));
    public static final OpDef MOD = def(new Binary("mod", ARITH, NO_LAWS, (a, b) -> a - Math.floor(a / b) * b, Ints::mod,
            (c, a, b, y, g) -> both(g, c.op(Ops.NEG, mul(c, g, c.op(Ops.FLOOR, c.op(Ops.DIV, a, b)))))));
    // C/ONNX division: the quotient truncated toward zero (floats: trunc(a / b)), and the
    // remainder with the dividend's sign (floats: C fmod, which Java's % is)
    public static final OpDef TRUNC_DIV = def(new Binary("trunc_div", ARITH, Set.of(OpTrait.PIECEWISE_CONSTANT), ElementwiseOps::truncDiv, Ints::truncDiv,
            (c, a, b, y, g) -> both(null, null)));
    public static final OpDef TRUNC_MOD = def(new Binary("trunc_mod", ARITH, NO_LAWS, (a, b) -> a % b, Ints::truncMod,
            (c, a, b, y, g) -> both(g, c.op(Ops.NEG, mul(c, g, c.op(Ops.TRUNC_DIV, a, b))))));
    // d/db a^b = a^b log a, taken as 0 where a <= 0 (log is evaluated on a safe operand so no NaN leaks)
    public static final OpDef POW = def(new Binary("pow", ARITH, NO_LAWS, Math::pow, Ints::pow, (c, a, b, y, g) -> {
        Value zero = c.scalar(0, a.type().dtype());
        Value pos = c.op(Ops.GT, a, zero);
        Value safeA = c.op(Ops.WHERE, pos, a, c.fill(1, a));
        Value ga = mul(c, g, mul(c, b, c.op(Ops.POW, a, c.op(Ops.SUB, b, one(c, b)))));
        Value gb = mul(c, g, c.op(Ops.WHERE, pos, mul(c, y, c.op(Ops.LOG, safeA)), c.zerosLike(y)));
        return both(ga, gb);
    }));
    // ties go to the first operand (docs/models.md 4.5), which matters only for gradients
    public static final OpDef MAXIMUM = def(new Binary("maximum", ARITH, ASSOC_ONLY, (a, b) -> a >= b ? a : b, null,
            (c, a, b, y, g) -> {
        Value first = c.op(Ops.GE, a, b), zero = c.zerosLike(g);
        return both(c.op(Ops.WHERE, first, g, zero), c.op(Ops.WHERE, first, zero, g));
    }));
    public static final OpDef MINIMUM = def(new Binary("minimum", ARITH, ASSOC_ONLY, (a, b) -> a <= b ? a : b, null,
            (c, a, b, y, g) -> {
        Value first = c.op(Ops.LE, a, b), zero = c.zerosLike(g);
        return both(c.op(Ops.WHERE, first, g, zero), c.op(Ops.WHERE, first, zero, g));
    }));
    public static final OpDef LT = def(new Binary("lt", COMPARE, NO_LAWS, (a, b) -> a < b ? 1 : 0, null, null));
    public static final OpDef LE = def(new Binary("le", COMPARE, NO_LAWS, (a, b) -> a <= b ? 1 : 0, null, null));
    public static final OpDef GT = def(new Binary("gt", COMPARE, NO_LAWS, (a, b) -> a > b ? 1 : 0, null, null));
    public static final OpDef GE = def(new Binary("ge", COMPARE, NO_LAWS, (a, b) -> a >= b ? 1 : 0, null, null));
    public static final OpDef EQ = def(new Binary("eq", COMPARE, COMM_ONLY, (a, b) -> a == b ? 1 : 0, null, null));
    public static final OpDef NE = def(new Binary("ne", COMPARE, COMM_ONLY, (a, b) -> a != b ? 1 : 0, null, null));
    public static final OpDef AND = def(new Binary("and", LOGIC, ASSOC_COMM, 1.0, 0.0, (a, b) -> a != 0 && b != 0 ? 1 : 0, null, null));
    public static final OpDef OR = def(new Binary("or", LOGIC, ASSOC_COMM, 0.0, 1.0, (a, b) -> a != 0 || b != 0 ? 1 : 0, null, null));
    public static final OpDef WHERE = def(new Where());
    public static final OpDef CAST = def(new Cast());

    // --- reductions (ReduceOps)
    public static final OpDef SUM = def(new ReduceOps.Reduce("sum", ReduceOps.Reduce.Fn.SUM));
    public static final OpDef MEAN = def(new ReduceOps.Reduce("mean", ReduceOps.Reduce.Fn.MEAN));
    public static final OpDef MAX = def(new ReduceOps.Reduce("max", ReduceOps.Reduce.Fn.MAX));
    public static final OpDef MIN = def(new ReduceOps.Reduce("min", ReduceOps.Reduce.Fn.MIN));
    public static final OpDef ARGMAX = def(new ReduceOps.ArgReduce("argmax", true));
    public static final OpDef ARGMIN = def(new ReduceOps.ArgReduce("argmin", false));

    // --- movement (MovementOps)
    public static final OpDef RESHAPE = def(new MovementLayoutOps.Reshape());
    public static final OpDef PERMUTE = def(new MovementLayoutOps.Permute());
    public static final OpDef BROADCAST_TO = def(new MovementLayoutOps.BroadcastTo());
    public static final OpDef SLICE = def(new MovementSliceOps.Slice());
    public static final OpDef CONCAT = def(new MovementSliceOps.Concat());
    public static final OpDef PAD = def(new MovementSliceOps.Pad());
    public static final OpDef REVERSE = def(new MovementSliceOps.Reverse());
    public static final OpDef GATHER = def(new MovementIndexOps.Gather());
    public static final OpDef SCATTER_ADD = def(new MovementIndexOps.ScatterAdd());
    public static final OpDef CONSTANT = def(new MovementSourceOps.Constant());
    public static final OpDef IOTA = def(new MovementSourceOps.Iota());

    // --- contraction, convolution, pooling (ContractionOps)
    public static final OpDef MATMUL = def(new ContractionOps.Matmul());
    public static final OpDef CONV2D = def(new ConvOps.Conv2d());
    public static final OpDef CONV_TRANSPOSE2D = def(new ConvOps.ConvTranspose2d());
    public static final OpDef MAX_POOL2D = def(new PoolOps.Pool2d("max_pool2d", false));
    public static final OpDef AVG_POOL2D = def(new PoolOps.Pool2d("avg_pool2d", true));
    public static final OpDef MAX_POOL2D_SCATTER = def(new MaxPoolGradOps.Scatter());
    public static final OpDef MAX_POOL2D_GATHER = def(new MaxPoolGradOps.Gather());

    // --- random (RandomOps)
    public static final OpDef RNG_FOLD = def(new RandomOps.Fold());
    public static final OpDef RANDOM_UNIFORM = def(new RandomOps.Draw("random_uniform", false));
    public static final OpDef RANDOM_NORMAL = def(new RandomOps.Draw("random_normal", true));

    // --- control (ControlOps)
    public static final OpDef STOP_GRADIENT = def(new ControlOps.StopGradient());
    public static final OpDef SCAN = def(new ScanOp());
    public static final OpDef FUSION = def(new FusionOp());

    // --- resize (ResizeOps)
    public static final OpDef RESIZE = def(new ResizeOps.Resize());

    /**
     * Whether {@code n} is a permute that swaps the last two axes and keeps the others in place:
     * the transpose a matmul can take as an operand flag instead of a copy (the fusion pass keeps
     * such a permute out of groups, the JVM backend reads it as a GEMM operand transposed).
     */
    public static boolean isLastTwoAxesSwap(dlc.ir.Node n) {
        if (n.op() != PERMUTE) return false;
        long[] perm = n.attrs().getLongs("perm");
        int r = perm.length;
        boolean swap = r >= 2 && perm[r - 1] == r - 2 && perm[r - 2] == r - 1;
        for (int i = 0; i < r - 2; i++) swap &= perm[i] == i;
        return swap;
    }

    /** The op called {@code name}; throws IllegalArgumentException naming it when there is none. */
    public static OpDef get(String name) {
        OpDef op = BY_NAME.get(name);
        if (op == null) throw new IllegalArgumentException("unknown op '" + name + "'");
        return op;
    }

    public static Optional<OpDef> find(String name) { return Optional.ofNullable(BY_NAME.get(name)); }

    /** Every op, in the order of the handles above. */
    public static Collection<OpDef> all() { return Collections.unmodifiableCollection(BY_NAME.values()); }
}
