package dlc.ir.testing;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import net.jqwik.api.*;

import java.util.*;

/**
 * Random well-typed graphs for property tests (printer/parser round trips, passes that must keep
 * semantics, backends against the interpreter). A graph is built from a recipe of small integers
 * that jqwik shrinks, so a failing property reports a graph with few inputs and nodes.
 *
 * <p>Every value's shape broadcasts against one "master" shape of the graph (drop leading dims,
 * replace dims by 1), so elementwise ops with broadcasting type-check often. Dims mix constants,
 * symbols and symbolic arithmetic ({@code B}, {@code 2*H}, {@code (T + 1)/2}); bind them with
 * {@link #BINDINGS} to run a graph. Inputs have random roles and names (parameter paths such as
 * {@code encoder.dense_1.w}, names that need quoting); node results have random name hints
 * (duplicates, hints that need sanitizing) and source locations.
 *
 * <p>Ops covered: unary and binary elementwise (arithmetic, comparisons, logic), {@code where},
 * {@code cast}. A step whose op rejects the operands it drew is skipped; a dtype mismatch is
 * repaired with a cast, which is itself a tested node.
 */
public final class RandomGraphs {
    private RandomGraphs() {}

    /** Values for every symbol the generator uses, all small so that interpreting is cheap. */
    public static final Map<String, Long> BINDINGS = Map.of("B", 2L, "T", 3L, "H", 2L);

    private static final List<Dim> DIM_POOL = List.of(Dim.sym("B"), Dim.sym("T"), Dim.parse("2*H"), Dim.of(3),
            Dim.parse("(T + 1)/2"), Dim.of(2));
    private static final List<DType> INPUT_DTYPES = List.of(DType.F32, DType.F32, DType.F64, DType.I32, DType.BOOL);
    private static final List<DType> CAST_DTYPES = List.of(DType.F32, DType.F64, DType.I32, DType.I64, DType.BOOL);
    private static final List<String> INPUT_NAMES = List.of("x", "y", "encoder.dense_1.w", "bn.rm", "h0", "my input", "0", "w");
    private static final List<String> HINTS = Arrays.asList(null, null, null, "h", "logits", "x", "a b", "3", "enc.out", "h");
    private static final List<String> UNARY = List.of("neg", "abs", "sign", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt",
            "tanh", "sigmoid", "erf", "sin", "cos", "relu", "floor", "not");
    private static final List<String> BINARY = List.of("add", "sub", "mul", "div", "mod", "pow", "maximum", "minimum",
            "lt", "le", "gt", "ge", "eq", "ne", "and", "or");

    /** Graphs with up to 12 steps. */
    public static Arbitrary<Graph> graphs() { return graphs(12); }

    /** Graphs built from up to {@code maxSteps} node steps (repairs may add a cast per step). */
    public static Arbitrary<Graph> graphs(int maxSteps) {
        Arbitrary<List<Dim>> master = Arbitraries.of(DIM_POOL).list().ofMaxSize(3);
        Arbitrary<List<List<Integer>>> inputs = Arbitraries.integers().between(0, 999).list().ofSize(4).list().ofMinSize(1).ofMaxSize(4);
        Arbitrary<List<List<Integer>>> steps = Arbitraries.integers().between(0, 999).list().ofSize(6).list().ofMaxSize(maxSteps);
        Arbitrary<List<Integer>> outputs = Arbitraries.integers().between(0, 999).list().ofMinSize(1).ofMaxSize(3);
        return Combinators.combine(master, inputs, steps, outputs).as(RandomGraphs::build);
    }

    /** Builds the graph a recipe describes; every recipe gives a graph that verifies. */
    static Graph build(List<Dim> master, List<List<Integer>> inputs, List<List<Integer>> steps, List<Integer> outputs) {
        GraphBuilder b = new GraphBuilder("g");
        List<Value> values = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (List<Integer> in : inputs) {
            String name = INPUT_NAMES.get(in.get(0) % INPUT_NAMES.size());
            while (!names.add(name)) name = name + "_" + names.size();
            Value.Role role = List.of(Value.Role.INPUT, Value.Role.PARAM, Value.Role.STATE).get(in.get(1) % 3);
            TensorType t = new TensorType(INPUT_DTYPES.get(in.get(2) % INPUT_DTYPES.size()), variant(master, in.get(3)));
            values.add(b.input(name, t, role));
        }
        for (List<Integer> s : steps) step(b, values, s);
        for (int i = 0; i < outputs.size(); i++) {
            Value v = values.get(outputs.get(i) % values.size());
            int kind = outputs.get(i) / values.size() % 3;
            if (kind == 1 && v.type().rank() == 0) b.output("loss" + i, Graph.Output.Role.LOSS, v);
            else if (kind == 2) b.output("upd." + i, Graph.Output.Role.UPDATE, v);
            else b.output("out" + i, Graph.Output.Role.OUTPUT, v);
        }
        return b.build();
    }

    /** A shape that broadcasts against {@code master}: leading dims dropped, some dims set to 1. */
    private static Shape variant(List<Dim> master, int code) {
        int drop = code % (master.size() + 1);
        List<Dim> dims = new ArrayList<>();
        for (int i = drop; i < master.size(); i++) dims.add((code >> (3 + i) & 1) == 1 ? Dim.of(1) : master.get(i));
        return new Shape(dims);
    }

    private static void step(GraphBuilder b, List<Value> values, List<Integer> s) {
        SourceLoc loc = switch (s.get(5) % 4) {
            case 0 -> SourceLoc.UNKNOWN;
            case 1 -> new SourceLoc("m.dl", 1 + s.get(5) % 50, 1 + s.get(4) % 30);
            case 2 -> new SourceLoc("dir/a b.dl", 7, 1 + s.get(5) % 9);
            default -> new SourceLoc("std/nn.dl", 12, 3);
        };
        b.at(loc);
        String hint = HINTS.get(s.get(4) % HINTS.size());
        Value a = pick(values, s.get(1)), c = pick(values, s.get(2)), d = pick(values, s.get(3));
        try {
            switch (s.get(0) % 4) {
                case 0 -> values.add(add(b, UNARY.get(s.get(0) / 4 % UNARY.size()), Attrs.EMPTY, hint, a));
                case 1 -> values.add(add(b, BINARY.get(s.get(0) / 4 % BINARY.size()), Attrs.EMPTY, hint, a, castTo(b, values, c, a.type().dtype())));
                case 2 -> {
                    Value cond = castTo(b, values, a, DType.BOOL);
                    values.add(add(b, "where", Attrs.EMPTY, hint, cond, c, castTo(b, values, d, c.type().dtype())));
                }
                default -> values.add(add(b, "cast", Attrs.of("dtype", CAST_DTYPES.get(s.get(0) / 4 % CAST_DTYPES.size())), hint, a));
            }
        } catch (ShapeException e) {
            // the op rejects these operands (a float-only op on integers, arithmetic on bool): skip the step
        }
    }

    private static Value pick(List<Value> values, int i) { return values.get(i % values.size()); }

    private static Value castTo(GraphBuilder b, List<Value> values, Value v, DType d) {
        if (v.type().dtype() == d) return v;
        Value c = add(b, "cast", Attrs.of("dtype", d), null, v);
        values.add(c);
        return c;
    }

    private static Value add(GraphBuilder b, String op, Attrs attrs, String hint, Value... operands) {
        return b.op(Ops.get(op), attrs, List.of(), List.of(operands), Collections.singletonList(hint)).get(0);
    }
}
