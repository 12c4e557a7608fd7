package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.passes.Pass;

import java.util.*;

/**
 * Constant folding: a node whose operands are all {@code constant} nodes (or that has no operands,
 * such as {@code iota}) is evaluated with its op's reference semantics ({@link OpDef#eval}, the
 * interpreter's own float64 code) and replaced by a {@code constant}, so a folded graph computes
 * bit-identical values. Folded in nested graphs too.
 *
 * <p>Not folded: results over {@link #maxElements} elements (a huge {@code iota} or
 * {@code broadcast_to} stays an op rather than a list in the IR), results of symbolic shape, random
 * ops ({@link OpTrait#RANDOM}: samples stay draws, not frozen data), ops with nested graphs such as
 * {@code scan} (its cost is steps times the body, unbounded by the result size), and any node whose evaluation throws
 * (integer division by zero stays a run-time error) or gives a value its dtype cannot hold.
 * A result whose elements are all equal folds to a one-value constant.
 */
public final class ConstantFolding implements Pass {
    public static final String NAME = "fold-constants";
    /** The default cap on folded elements. */
    public static final long DEFAULT_MAX_ELEMENTS = 4096;

    private final long maxElements;

    public ConstantFolding() { this(DEFAULT_MAX_ELEMENTS); }

    public ConstantFolding(long maxElements) { this.maxElements = maxElements; }

    /** Option {@code max-elements=N}: the largest result folded. */
    public static ConstantFolding fromOptions(Map<String, String> options) {
        long max = DEFAULT_MAX_ELEMENTS;
        for (var e : options.entrySet()) {
            if (!e.getKey().equals("max-elements"))
                throw new IllegalArgumentException(NAME + ": unknown option '" + e.getKey() + "'; known: max-elements");
            try {
                max = Long.parseLong(e.getValue());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(NAME + ": max-elements=" + e.getValue() + " must be an integer");
            }
        }
        return new ConstantFolding(max);
    }

    @Override public String name() { return NAME; }

    /** The largest number of elements a folded result may have. */
    public long maxElements() { return maxElements; }

    @Override public Graph run(Graph graph) {
        return GraphRewriter.rewrite(graph, this::run, (n, emit) -> {
            if (!foldable(n)) return null;
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int i = 0; i < in.length; i++) in[i] = constantValue(n.input(i).producer());
            Tensor out;
            try {
                out = n.op().eval(in, n.attrs(), n.regions(), CONCRETE)[0];
            } catch (RuntimeException e) {
                return null; // the run-time error stays where it happens
            }
            Value folded;
            try {
                folded = emit.named(n.output().name(), Ops.CONSTANT, constantAttrs(out));
            } catch (ShapeException e) {
                return null; // a value the dtype cannot hold (NaN in an integer): keep the op
            }
            return folded.type().equals(n.output().type()) ? List.of(folded) : null;
        });
    }

    private boolean foldable(Node n) {
        if (n.op() == Ops.CONSTANT || n.op().hasRegions() || n.op().is(OpTrait.RANDOM) || n.outputs().size() != 1) return false;
        Shape s = n.output().type().shape();
        if (!s.isConcrete() || s.numel().value() > maxElements) return false;
        for (Value v : n.inputs())
            if (v.producer() == null || v.producer().op() != Ops.CONSTANT) return false;
        return true;
    }

    /** The value of a {@code constant} node. */
    static Tensor constantValue(Node constant) {
        return constant.op().eval(new Tensor[0], constant.attrs(), List.of(), CONCRETE)[0];
    }

    /** The attributes of a constant holding {@code t}: one value when all are equal. */
    static Attrs constantAttrs(Tensor t) {
        double[] d = t.data();
        boolean uniform = d.length > 0;
        for (double x : d) uniform &= Double.compare(x, d[0]) == 0;
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        return Attrs.of("dtype", t.dtype(), "shape", Shape.of(shape), "values", uniform ? new double[]{d[0]} : d.clone());
    }

    /** Folding sees only concrete shapes; a symbol left in an attribute makes evaluation throw, and the node stays. */
    private static final EvalContext CONCRETE = new EvalContext() {
        @Override public int[] resolve(Shape shape) { return shape.eval(Map.of()); }

        @Override public Tensor[] run(Graph graph, Tensor... args) {
            throw new IllegalStateException("constant folding does not run nested graphs");
        }
    };
}
