package dlc.ir.testing;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
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
 * {@code cast}, reductions (sum, mean, max, min, argmax, argmin; also combined with their operand,
 * broadcast back over it: keepdims, or everything to a scalar), movement (permute, reverse,
 * reshape that flattens, adds or drops size-1 dims, broadcast_to, slice, concat, pad), {@code matmul} (batched, and vector products) and
 * {@code scan} (a running sum with a nested body graph). A step whose op rejects the operands it drew is skipped; a dtype mismatch is
 * repaired with a cast, which is itself a tested node.
 */
public final class RandomGraphs {
    private RandomGraphs() {}

    /** Values for every symbol the generator uses, all small so that interpreting is cheap. */
    public static final Map<String, Long> BINDINGS = Map.of("B", 2L, "T", 3L, "H", 2L);

    /**
     * Master dims. Size 1 is drawn deliberately and often (a quarter of the draws, besides the 1s
     * that {@link #variant} puts in input shapes): reductions over size-1 dims, broadcasting against
     * them and reshapes that add or drop them are where a backend's loop nests and a fusion pass's
     * groups differ from the dense case (issue 9: {@code b - sum(b)} over {@code f32[1]}).
     */
    private static final List<Dim> DIM_POOL = List.of(Dim.sym("B"), Dim.sym("T"), Dim.parse("2*H"), Dim.of(3),
            Dim.parse("(T + 1)/2"), Dim.of(2), Dim.of(1), Dim.of(1));
    private static final List<DType> INPUT_DTYPES = List.of(DType.F32, DType.F32, DType.F64, DType.I32, DType.BOOL);
    private static final List<DType> CAST_DTYPES = List.of(DType.F32, DType.F64, DType.I32, DType.I64, DType.BOOL);
    private static final List<String> INPUT_NAMES = List.of("x", "y", "encoder.dense_1.w", "bn.rm", "h0", "my input", "0", "w");
    private static final List<String> HINTS = Arrays.asList(null, null, null, "h", "logits", "x", "a b", "3", "enc.out", "h");
    // every elementwise op of one and of two operands, by trait: a new one is generated with no edit here
    private static final List<OpDef> UNARY = OpLists.unaryElementwise();
    private static final List<OpDef> BINARY = OpLists.binaryElementwise();

    /**
     * {@code g} made a training step: each input gets an UPDATE output, its new value, from the
     * last node result of its type that no other input took (where there is one), so that buffer
     * donation has something to do.
     */
    public static Graph withUpdatesOfInputs(Graph g) {
        List<Graph.Output> outs = new ArrayList<>(g.outputs());
        Set<Value> used = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value in : g.inputs()) {
            if (g.output(in.name()).isPresent()) continue;
            Value last = null;
            for (Node n : g.nodes()) for (Value v : n.outputs()) if (v.type().equals(in.type()) && !used.contains(v)) last = v;
            if (last != null) {
                used.add(last);
                outs.add(new Graph.Output(in.name(), Graph.Output.Role.UPDATE, last));
            }
        }
        return new Graph(g.name(), g.inputs(), g.nodes(), outs);
    }

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
        for (List<Integer> s : steps) step(b, values, s, new Shape(master));
        for (int i = 0; i < outputs.size(); i++) {
            Value v = values.get(outputs.get(i) % values.size());
            int kind = outputs.get(i) / values.size() % 4;
            if (kind == 1 && v.type().rank() == 0) b.output("loss" + i, Graph.Output.Role.LOSS, v);
            else if (kind == 2) b.output("upd." + i, Graph.Output.Role.UPDATE, v);
            else if (kind == 3) {
                // a gradient is named after an input and has its type: the input itself will do
                Value x = b.inputs().get(outputs.get(i) % b.inputs().size());
                if (b.build().output(x.name()).filter(o -> o.role() == Graph.Output.Role.GRAD).isEmpty())
                    b.output(x.name(), Graph.Output.Role.GRAD, x);
            }
            else b.output("out" + i, Graph.Output.Role.OUTPUT, v);
        }
        // the newest value is always an output, so the end of the chain the steps built stays live
        Value last = values.get(values.size() - 1);
        if (!last.isGraphInput() && b.build().outputs().stream().noneMatch(o -> o.value() == last))
            b.output("out_last", Graph.Output.Role.OUTPUT, last);
        return b.build();
    }

    /**
     * Random values for every input of {@code g}, symbols bound by {@code bindings}: floats in
     * [-2, 2), integers in [-3, 3], booleans 0/1. The same seed gives the same values.
     */
    public static Map<String, Tensor> randomInputs(Graph g, Map<String, Long> bindings, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            int[] shape = v.type().shape().eval(bindings);
            double[] data = new double[(int) Tensor.numel(shape)];
            DType d = v.type().dtype();
            for (int i = 0; i < data.length; i++)
                data[i] = d == DType.BOOL ? r.nextInt(2) : d.isInteger() ? r.nextInt(7) - 3 : r.nextDouble() * 4 - 2;
            out.put(v.name(), new Tensor(d, shape, data));
        }
        return out;
    }

    /** A shape that broadcasts against {@code master}: leading dims dropped, some dims set to 1. */
    private static Shape variant(List<Dim> master, int code) {
        int drop = code % (master.size() + 1);
        List<Dim> dims = new ArrayList<>();
        for (int i = drop; i < master.size(); i++) dims.add((code >> (3 + i) & 1) == 1 ? Dim.of(1) : master.get(i));
        return new Shape(dims);
    }

    private static void step(GraphBuilder b, List<Value> values, List<Integer> s, Shape master) {
        SourceLoc loc = switch (s.get(5) % 4) {
            case 0 -> SourceLoc.UNKNOWN;
            case 1 -> new SourceLoc("m.dl", 1 + s.get(5) % 50, 1 + s.get(4) % 30);
            case 2 -> new SourceLoc("dir/a b.dl", 7, 1 + s.get(5) % 9);
            default -> new SourceLoc("std/nn.dl", 12, 3);
        };
        b.at(loc);
        String hint = HINTS.get(s.get(4) % HINTS.size());
        Value a = pick(values, s.get(1)), c = pick(values, s.get(2)), d = pick(values, s.get(3));
        int sub = s.get(0) / 8, bits = s.get(2) * 1000 + s.get(3);
        try {
            switch (s.get(0) % 8) {
                case 0 -> values.add(add(b, UNARY.get(sub % UNARY.size()), Attrs.EMPTY, hint, a));
                case 1 -> values.add(add(b, BINARY.get(sub % BINARY.size()), Attrs.EMPTY, hint, a, castTo(b, values, c, a.type().dtype())));
                case 2 -> {
                    Value cond = castTo(b, values, a, DType.BOOL);
                    values.add(add(b, Ops.WHERE, Attrs.EMPTY, hint, cond, c, castTo(b, values, d, c.type().dtype())));
                }
                case 3 -> values.add(add(b, Ops.CAST, Attrs.of("dtype", CAST_DTYPES.get(sub % CAST_DTYPES.size())), hint, a));
                case 4 -> values.addAll(reduce(b, sub, bits, hint, a));
                case 5 -> values.add(movement(b, sub, bits, hint, a, master));
                case 6 -> values.add(matmul(b, sub, hint, a));
                default -> values.addAll(scan(b, sub, bits, hint, a, d));
            }
        } catch (ShapeException e) {
            // the op rejects these operands (a float-only op on integers, arithmetic on bool): skip the step
        }
    }

    private static final List<OpDef> REDUCE = reductions();

    /** The reductions over axes ({@link OpTrait#REDUCTION}: sum, mean, max, min), then argmax and argmin. */
    private static List<OpDef> reductions() {
        List<OpDef> ops = new ArrayList<>(OpLists.with(OpTrait.REDUCTION));
        ops.addAll(List.of(Ops.ARGMAX, Ops.ARGMIN));
        return ops;
    }

    /** Binary ops that combine a value with its own reduction broadcast back over it. */
    private static final List<OpDef> COMBINE = List.of(Ops.SUB, Ops.DIV, Ops.ADD, Ops.MUL, Ops.MAXIMUM, Ops.SUB);
    /** Elementwise ops that may compute the reduced value first, so it is computed in the same fusion group. */
    private static final List<OpDef> BEFORE_COMBINE = Arrays.asList(null, Ops.NEG, Ops.ABS, Ops.TANH);

    /**
     * A reduction over a random subset of axes (one axis for argmax/argmin), keepdims at random;
     * in two thirds of the steps it is combined with its operand again (the reduction broadcast back
     * over it, as in softmax's {@code x - max(x)} or issue 9's {@code b - sum(b)} with
     * {@code b = -y}): the operand is sometimes computed first by an elementwise op; the axes are
     * random, exactly the operand's size-1 dims, its leading size-1 dims, or all of them (a
     * reduction over size-1 dims only is a reshape after simplify); keepdims is random where the
     * result still broadcasts back (leading axes reduced), and a scalar is sometimes broadcast_to
     * the operand's shape before combining. Returns the values it adds.
     */
    private static List<Value> reduce(GraphBuilder b, int sub, int bits, String hint, Value a) {
        OpDef op = REDUCE.get(sub % REDUCE.size());
        int r = a.type().rank();
        boolean keep = (sub / REDUCE.size()) % 2 == 1;
        if (!op.is(OpTrait.REDUCTION)) { // argmax, argmin: one axis
            if (r == 0) throw new ShapeException("no axis to reduce");
            return List.of(add(b, op, Attrs.of("axis", (long) (bits % r), "keepdims", keep), hint, a));
        }
        if ((sub / (2 * REDUCE.size())) % 3 == 0) return List.of(add(b, op, Attrs.of("axes", subset(r, bits), "keepdims", keep), hint, a));
        List<Value> added = new ArrayList<>();
        OpDef before = BEFORE_COMBINE.get((bits >> 12) % BEFORE_COMBINE.size());
        if (before != null) {
            a = add(b, before, Attrs.EMPTY, null, a);
            added.add(a);
        }
        List<Long> axes = switch ((bits >> 14) % 4) {
            case 0 -> subset(r, bits);
            case 1 -> unitAxes(a.type().shape(), false);
            case 2 -> unitAxes(a.type().shape(), true);
            default -> subset(r, -1);
        };
        boolean all = axes.size() == r, leading = axes.equals(subset(axes.size(), -1));
        // without keepdims the result broadcasts back only when the leading dims were reduced
        Value red = add(b, op, Attrs.of("axes", axes, "keepdims", !leading || keep), null, a);
        added.add(red);
        Value back = all && (bits >> 9 & 1) == 1 ? add(b, Ops.BROADCAST_TO, Attrs.of("shape", a.type().shape()), null, red) : red;
        OpDef how = COMBINE.get((bits >> 10) % COMBINE.size());
        added.add((bits >> 8 & 1) == 1 ? add(b, how, Attrs.EMPTY, hint, a, back) : add(b, how, Attrs.EMPTY, hint, back, a));
        return added;
    }

    /** The axes of size 1 ({@code leading}: only the run of them that starts the shape). */
    private static List<Long> unitAxes(Shape s, boolean leading) {
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
            if (s.dim(i).isConst() && s.dim(i).value() == 1) axes.add((long) i);
            else if (leading) break;
        }
        return axes;
    }

    private static List<Long> subset(int rank, int bits) {
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < rank; i++) if ((bits >> i & 1) == 1) axes.add((long) i);
        return axes;
    }

    /** permute, reverse, reshape (flatten), broadcast_to the master shape, slice, concat, pad. */
    private static Value movement(GraphBuilder b, int sub, int bits, String hint, Value a, Shape master) {
        Shape sh = a.type().shape();
        int r = sh.rank();
        switch (sub % 7) {
            case 0 -> {
                List<Long> perm = new ArrayList<>();
                for (int i = 0; i < r; i++) perm.add((long) i);
                Collections.shuffle(perm, new Random(bits));
                return add(b, Ops.PERMUTE, Attrs.of("perm", perm), hint, a);
            }
            case 1 -> { return add(b, Ops.REVERSE, Attrs.of("axes", subset(r, bits)), hint, a); }
            case 2 -> { return add(b, Ops.RESHAPE, Attrs.of("shape", reshaped(sh, sub / 7, bits)), hint, a); }
            case 3 -> { return add(b, Ops.BROADCAST_TO, Attrs.of("shape", master), hint, a); }
            case 4 -> {
                List<Dim> starts = new ArrayList<>(), stops = new ArrayList<>();
                List<Long> steps = new ArrayList<>();
                for (int i = 0; i < r; i++) {
                    boolean trim = sh.dim(i).isConst() && sh.dim(i).value() >= 2 && (bits >> i & 1) == 1;
                    starts.add(Dim.of(trim ? 1 : 0));
                    stops.add(sh.dim(i));
                    steps.add((long) (1 + (bits >> (i + 4) & 1)));
                }
                return add(b, Ops.SLICE, Attrs.of("starts", new Shape(starts), "stops", new Shape(stops), "steps", steps), hint, a);
            }
            case 5 -> {
                if (r == 0) throw new ShapeException("concat needs an axis");
                return add(b, Ops.CONCAT, Attrs.of("axis", (long) (bits % r)), hint, a, a);
            }
            default -> {
                List<Long> low = new ArrayList<>(), high = new ArrayList<>();
                for (int i = 0; i < r; i++) {
                    low.add((long) (bits >> i & 1));
                    high.add((long) (bits >> (i + 3) & 1));
                }
                return add(b, Ops.PAD, Attrs.of("low", low, "high", high), hint, a);
            }
        }
    }

    /** Flattened, a size-1 dim inserted at a random place, or every size-1 dim dropped. */
    private static Shape reshaped(Shape sh, int variant, int bits) {
        List<Dim> dims = new ArrayList<>(sh.dims());
        switch (variant % 3) {
            case 0 -> { return Shape.of(sh.numel()); }
            case 1 -> dims.add(bits % (dims.size() + 1), Dim.of(1));
            default -> dims.removeIf(d -> d.isConst() && d.value() == 1);
        }
        return new Shape(dims);
    }

    /** a @ a^T (batch dims carried along), or a vector product for rank-1 a. */
    private static Value matmul(GraphBuilder b, int sub, String hint, Value a) {
        int r = a.type().rank();
        if (r < 2) return add(b, Ops.MATMUL, Attrs.EMPTY, hint, a, a);
        List<Long> perm = new ArrayList<>();
        for (int i = 0; i < r; i++) perm.add((long) i);
        Collections.swap(perm, r - 1, r - 2);
        Value t = add(b, Ops.PERMUTE, Attrs.of("perm", perm), null, a);
        return sub % 2 == 0 ? add(b, Ops.MATMUL, Attrs.EMPTY, hint, a, t) : add(b, Ops.MATMUL, Attrs.EMPTY, hint, t, a);
    }

    /**
     * A running sum over one axis of {@code a}: the carry starts as the sum over that axis, each step
     * adds the slice, and the per-step output is carry * slice; sometimes {@code captured} is passed
     * in unused, to exercise captured operands.
     */
    private static List<Value> scan(GraphBuilder b, int sub, int bits, String hint, Value a, Value captured) {
        int r = a.type().rank();
        if (r == 0) throw new ShapeException("scan needs an axis");
        long axis = bits % r;
        boolean capture = sub % 2 == 1, positional = sub / 2 % 2 == 1, reverse = sub / 4 % 2 == 1;
        Value init = add(b, Ops.SUM, Attrs.of("axes", List.of(axis), "keepdims", false), null, a);
        GraphBuilder body = new GraphBuilder("body");
        Value c = body.input("c", init.type(), Value.Role.INPUT);
        Value x = body.input("x_t", init.type(), Value.Role.INPUT);
        if (capture) body.input("w", captured.type(), Value.Role.INPUT);
        Value next = add(body, Ops.ADD, Attrs.EMPTY, "c2", c, x);
        Value y = add(body, Ops.MUL, Attrs.EMPTY, null, next, x);
        body.output(positional ? "0" : "c", Graph.Output.Role.OUTPUT, next).output(positional ? "1" : "y", Graph.Output.Role.OUTPUT, y);
        List<Value> operands = capture ? List.of(init, a, captured) : List.of(init, a);
        Attrs attrs = Attrs.of("num_carries", 1L, "num_xs", 1L, "axis", axis, "reverse", reverse);
        return b.op(Ops.SCAN, attrs, List.of(body.build()), operands, Arrays.asList(hint, null));
    }

    /**
     * Operand {@code i}: half the time one of the three newest values, so steps build chains (a
     * fusion group, a value used by its own reduction) more often than unrelated dead branches.
     */
    private static Value pick(List<Value> values, int i) {
        int n = values.size();
        return i % 2 == 0 ? values.get(n - 1 - i / 2 % Math.min(n, 3)) : values.get(i / 2 % n);
    }

    private static Value castTo(GraphBuilder b, List<Value> values, Value v, DType d) {
        if (v.type().dtype() == d) return v;
        Value c = add(b, Ops.CAST, Attrs.of("dtype", d), null, v);
        values.add(c);
        return c;
    }

    private static Value add(GraphBuilder b, OpDef op, Attrs attrs, String hint, Value... operands) {
        return b.op(op, attrs, List.of(), List.of(operands), Collections.singletonList(hint)).get(0);
    }
}
