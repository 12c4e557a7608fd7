package dlc.ir.testing;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import net.jqwik.api.*;

import java.util.*;

/**
 * Random graphs aimed at size-1 dims, where {@link RandomGraphs} lands only now and then: every
 * input has some, and each step is an elementwise op, a binary op that broadcasts two values
 * against each other, or a reduction combined with its own operand again ({@code b - sum(b)},
 * {@code x / max(x)}): over random axes, exactly the size-1 ones, the leading size-1 ones or all
 * of them; with keepdims, or without where the result still broadcasts back (leading axes), or to
 * a scalar broadcast_to the operand's shape; sometimes reshaped to the keepdims shape first.
 *
 * <p>Issue 9's miscompile lives here: a reduction over size-1 dims is a reshape after simplify,
 * fusion puts it in one group with its operand's producer and its reader, and a backend that
 * reads the reshape where it writes the operand computes {@code b - b} as {@code b - 0}. Values
 * are f32 (callers may retype them); symbols are bound by {@link RandomGraphs#BINDINGS}.
 */
public final class UnitDimGraphs {
    private UnitDimGraphs() {}

    private static final List<Dim> DIMS = List.of(Dim.of(1), Dim.of(1), Dim.of(1), Dim.of(2), Dim.of(3), Dim.sym("B"));
    // by trait, so a new unary math or binary arithmetic op meets size-1 dims with no edit here
    private static final List<OpDef> UNARY = OpLists.with(OpTrait.UNARY);
    private static final List<OpDef> BINARY = OpLists.with(OpTrait.ARITHMETIC);
    private static final List<OpDef> REDUCE = OpLists.with(OpTrait.REDUCTION);

    /** Graphs of up to {@code maxSteps} steps over one or two inputs. */
    public static Arbitrary<Graph> graphs(int maxSteps) {
        Arbitrary<List<Dim>> master = Arbitraries.of(DIMS).list().ofMinSize(0).ofMaxSize(3);
        Arbitrary<List<Integer>> inputs = Arbitraries.integers().between(0, 63).list().ofMinSize(1).ofMaxSize(2);
        Arbitrary<List<List<Integer>>> steps = Arbitraries.integers().between(0, 999).list().ofSize(4).list().ofMinSize(1).ofMaxSize(maxSteps);
        return Combinators.combine(master, inputs, steps).as(UnitDimGraphs::build);
    }

    static Graph build(List<Dim> master, List<Integer> inputs, List<List<Integer>> steps) {
        GraphBuilder b = new GraphBuilder("unit");
        List<Value> values = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++)
            values.add(b.input("x" + i, new TensorType(DType.F32, variant(master, inputs.get(i))), Value.Role.INPUT));
        for (List<Integer> s : steps) {
            Value a = recent(values, s.get(1)), c = recent(values, s.get(2));
            int bits = s.get(3);
            switch (s.get(0) % 4) {
                case 0 -> values.add(b.op(UNARY.get(s.get(0) / 4 % UNARY.size()), a));
                case 1 -> values.add(b.op(BINARY.get(s.get(0) / 4 % BINARY.size()), a, c));
                default -> values.add(reduceBack(b, s.get(0) / 4, bits, a));
            }
        }
        b.output("y", Graph.Output.Role.OUTPUT, values.get(values.size() - 1));
        Value other = values.get(steps.get(0).get(3) % values.size());
        if (!other.isGraphInput() && other != values.get(values.size() - 1)) b.output("z", Graph.Output.Role.OUTPUT, other);
        return b.build();
    }

    /** {@code op(a, reduce(a))} or {@code op(reduce(a), a)}, the reduction broadcast back over {@code a}. */
    private static Value reduceBack(GraphBuilder b, int sub, int bits, Value a) {
        Shape s = a.type().shape();
        int r = s.rank();
        List<Long> axes = switch (bits % 4) {
            case 0 -> subset(r, bits >> 2);
            case 1 -> unitAxes(s, false);
            case 2 -> unitAxes(s, true);
            default -> subset(r, -1);
        };
        boolean leading = axes.equals(subset(axes.size(), -1));
        boolean keep = !leading || (bits >> 5 & 1) == 1;
        OpDef reduce = REDUCE.get(sub % REDUCE.size());
        Value red = b.op(reduce, Attrs.of("axes", axes, "keepdims", keep), a);
        int how = bits >> 6 & 3;
        if (how == 1 && !keep) red = b.op(Ops.RESHAPE, Attrs.of("shape", keptShape(s, axes)), red);
        else if (how == 2) red = b.op(Ops.BROADCAST_TO, Attrs.of("shape", s), red);
        OpDef op = BINARY.get(sub / REDUCE.size() % BINARY.size());
        return (bits >> 8 & 1) == 1 ? b.op(op, red, a) : b.op(op, a, red);
    }

    private static Shape keptShape(Shape s, List<Long> axes) {
        List<Dim> dims = new ArrayList<>(s.dims());
        for (long ax : axes) dims.set((int) ax, Dim.of(1));
        return new Shape(dims);
    }

    /** A shape that broadcasts against {@code master}: leading dims dropped, some dims set to 1. */
    private static Shape variant(List<Dim> master, int code) {
        int drop = code % 4 == 0 ? code / 4 % (master.size() + 1) : 0;
        List<Dim> dims = new ArrayList<>();
        for (int i = drop; i < master.size(); i++) dims.add((code >> (2 + i) & 1) == 1 ? Dim.of(1) : master.get(i));
        return new Shape(dims);
    }

    /** Mostly one of the three newest values, so steps chain into one fusion group. */
    private static Value recent(List<Value> values, int i) {
        int n = values.size();
        return i % 4 == 3 ? values.get(i / 4 % n) : values.get(n - 1 - i / 4 % Math.min(n, 3));
    }

    private static List<Long> subset(int rank, int bits) {
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < rank; i++) if ((bits >> i & 1) == 1) axes.add((long) i);
        return axes;
    }

    private static List<Long> unitAxes(Shape s, boolean leading) {
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
            if (s.dim(i).isConst() && s.dim(i).value() == 1) axes.add((long) i);
            else if (leading) break;
        }
        return axes;
    }
}
