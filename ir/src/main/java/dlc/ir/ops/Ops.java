package dlc.ir.ops;

import dlc.ir.OpDef;

import java.util.*;

/**
 * The closed set of primitive ops. Code refers to an op through its typed handle ({@link #MUL},
 * {@link #MATMUL}, ...); only the IR text parser, the printer and diagnostics look ops up by name
 * ({@link #get}, {@link #find}). Adding an op means adding it to one family's list and a handle here.
 */
public final class Ops {
    private static final Map<String, OpDef> BY_NAME = new LinkedHashMap<>();

    static {
        for (List<OpDef> family : List.of(ElementwiseOps.ALL, ReduceOps.ALL, MovementOps.ALL, ContractionOps.ALL,
                RandomOps.ALL, ControlOps.ALL, ResizeOps.ALL))
            for (OpDef op : family)
                if (BY_NAME.put(op.name(), op) != null) throw new IllegalStateException("op " + op.name() + " defined twice");
    }

    private Ops() {}

    // Typed handles, one per op, so a misspelled op is a compile error. They are declared after
    // the registry is filled (static initializers run in text order). OpsHandlesTest checks that
    // every registered op has exactly one handle, named after it.
    public static final OpDef NEG = get("neg");
    public static final OpDef ABS = get("abs");
    public static final OpDef SIGN = get("sign");
    public static final OpDef EXP = get("exp");
    public static final OpDef LOG = get("log");
    public static final OpDef LOG1P = get("log1p");
    public static final OpDef EXPM1 = get("expm1");
    public static final OpDef SQRT = get("sqrt");
    public static final OpDef RSQRT = get("rsqrt");
    public static final OpDef TANH = get("tanh");
    public static final OpDef SIGMOID = get("sigmoid");
    public static final OpDef ERF = get("erf");
    public static final OpDef SIN = get("sin");
    public static final OpDef COS = get("cos");
    public static final OpDef RELU = get("relu");
    public static final OpDef FLOOR = get("floor");
    public static final OpDef NOT = get("not");
    public static final OpDef ADD = get("add");
    public static final OpDef SUB = get("sub");
    public static final OpDef MUL = get("mul");
    public static final OpDef DIV = get("div");
    public static final OpDef MOD = get("mod");
    public static final OpDef TRUNC_DIV = get("trunc_div");
    public static final OpDef TRUNC_MOD = get("trunc_mod");
    public static final OpDef POW = get("pow");
    public static final OpDef MAXIMUM = get("maximum");
    public static final OpDef MINIMUM = get("minimum");
    public static final OpDef LT = get("lt");
    public static final OpDef LE = get("le");
    public static final OpDef GT = get("gt");
    public static final OpDef GE = get("ge");
    public static final OpDef EQ = get("eq");
    public static final OpDef NE = get("ne");
    public static final OpDef AND = get("and");
    public static final OpDef OR = get("or");
    public static final OpDef WHERE = get("where");
    public static final OpDef CAST = get("cast");
    public static final OpDef SUM = get("sum");
    public static final OpDef MEAN = get("mean");
    public static final OpDef MAX = get("max");
    public static final OpDef MIN = get("min");
    public static final OpDef ARGMAX = get("argmax");
    public static final OpDef ARGMIN = get("argmin");
    public static final OpDef RESHAPE = get("reshape");
    public static final OpDef PERMUTE = get("permute");
    public static final OpDef BROADCAST_TO = get("broadcast_to");
    public static final OpDef SLICE = get("slice");
    public static final OpDef CONCAT = get("concat");
    public static final OpDef PAD = get("pad");
    public static final OpDef REVERSE = get("reverse");
    public static final OpDef GATHER = get("gather");
    public static final OpDef SCATTER_ADD = get("scatter_add");
    public static final OpDef CONSTANT = get("constant");
    public static final OpDef IOTA = get("iota");
    public static final OpDef MATMUL = get("matmul");
    public static final OpDef CONV2D = get("conv2d");
    public static final OpDef CONV_TRANSPOSE2D = get("conv_transpose2d");
    public static final OpDef MAX_POOL2D = get("max_pool2d");
    public static final OpDef AVG_POOL2D = get("avg_pool2d");
    public static final OpDef MAX_POOL2D_SCATTER = get("max_pool2d_scatter");
    public static final OpDef MAX_POOL2D_GATHER = get("max_pool2d_gather");
    public static final OpDef RNG_FOLD = get("rng_fold");
    public static final OpDef RANDOM_UNIFORM = get("random_uniform");
    public static final OpDef RANDOM_NORMAL = get("random_normal");
    public static final OpDef STOP_GRADIENT = get("stop_gradient");
    public static final OpDef SCAN = get("scan");
    public static final OpDef FUSION = get("fusion");
    public static final OpDef RESIZE = get("resize");

    /** The op called {@code name}; throws IllegalArgumentException naming it when there is none. */
    public static OpDef get(String name) {
        OpDef op = BY_NAME.get(name);
        if (op == null) throw new IllegalArgumentException("unknown op '" + name + "'");
        return op;
    }

    public static Optional<OpDef> find(String name) { return Optional.ofNullable(BY_NAME.get(name)); }

    public static Collection<OpDef> all() { return Collections.unmodifiableCollection(BY_NAME.values()); }
}
