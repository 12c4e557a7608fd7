package dlc.codegen.jvm;

import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.GraphBuilder;
import dlc.ir.OpDef;
import dlc.ir.Shape;
import dlc.ir.TensorType;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random single-op cases for every op the movement and misc lowerings handle: operand types with
 * symbolic dims (B bound to 2..5, T to 0..4) and literal ones (0..4), so empty tensors occur
 * with literal and with symbolic sizes; valid attributes; operand values (indices in range,
 * valid keys, a NaN now and then).
 */
final class LoweringCases {
    private LoweringCases() {}

    static final List<OpDef> OPS = List.of(Ops.PERMUTE, Ops.BROADCAST_TO, Ops.SLICE, Ops.REVERSE, Ops.PAD, Ops.CONCAT, Ops.GATHER,
            Ops.SCATTER_ADD, Ops.CONSTANT, Ops.IOTA, Ops.ARGMAX, Ops.ARGMIN, Ops.SUM, Ops.MEAN, Ops.MAX, Ops.MIN,
            Ops.RNG_FOLD, Ops.RANDOM_UNIFORM, Ops.RANDOM_NORMAL);

    /** One op applied to graph inputs x0, x1, ... under a binding of B and T. */
    record Case(OpDef op, Attrs attrs, List<TensorType> types, Map<String, Long> env, Tensor[] inputs) {
        /** A graph of the one node, its result output "y". */
        Graph graph() { return graph(false); }

        /**
         * With {@code anchor}, a last, unused input {@code anchor: f32[B, T]} binds the symbols
         * for a compiled graph whose operands do not mention them all (iota, random draws).
         */
        Graph graph(boolean anchor) {
            GraphBuilder b = new GraphBuilder("case_" + op);
            Value[] in = new Value[types.size()];
            for (int i = 0; i < in.length; i++) in[i] = b.input("x" + i, types.get(i), Value.Role.INPUT);
            if (anchor) b.input("anchor", new TensorType(DType.F32, Shape.of(B, T)), Value.Role.INPUT);
            b.output("y", Graph.Output.Role.OUTPUT, b.op(op, attrs, in));
            return b.build();
        }

        /** The operands by input name, plus the anchor's zeros. */
        Map<String, Tensor> namedInputs() {
            Map<String, Tensor> m = new java.util.LinkedHashMap<>();
            for (int i = 0; i < inputs.length; i++) m.put("x" + i, inputs[i]);
            m.put("anchor", Tensor.zeros(DType.F32, env.get("B").intValue(), env.get("T").intValue()));
            return m;
        }

        @Override public String toString() { return op.name() + attrs + " on " + types + " with " + env; }
    }

    private static final Dim B = Dim.sym("B"), T = Dim.sym("T");

    /** A dim; {@code nonEmpty} ones are B or a literal from 1 (T may be bound to 0). */
    private static Dim dim(Random r, boolean nonEmpty) {
        int k = r.nextInt(5);
        if (k == 0) return B;
        if (k == 1 && !nonEmpty) return T;
        return Dim.of(nonEmpty ? 1 + r.nextInt(4) : r.nextInt(5));
    }

    private static Shape shape(Random r, int rank, boolean nonEmpty) {
        List<Dim> d = new ArrayList<>();
        for (int i = 0; i < rank; i++) d.add(dim(r, nonEmpty));
        return new Shape(d);
    }

    private static DType anyDType(Random r) { return List.of(DType.F32, DType.F64, DType.I32, DType.I64, DType.BOOL).get(r.nextInt(5)); }

    private static DType floatDType(Random r) { return r.nextBoolean() ? DType.F32 : DType.F64; }

    private static final class Builder {
        final Random r;
        final Map<String, Long> env;
        final List<TensorType> types = new ArrayList<>();
        final List<Tensor> inputs = new ArrayList<>();

        Builder(Random r) {
            this.r = r;
            this.env = Map.of("B", 2L + r.nextInt(4), "T", (long) r.nextInt(5));
        }

        int[] eval(Shape s) { return s.eval(env); }

        void input(DType dt, Shape s, boolean nans) {
            int[] sh = eval(s);
            double[] d = new double[(int) Tensor.numel(sh)];
            for (int i = 0; i < d.length; i++)
                d[i] = dt == DType.BOOL ? r.nextInt(2) : dt.isFloating() ? (float) r.nextGaussian() : r.nextInt(21) - 10;
            if (nans && dt.isFloating() && d.length > 0 && r.nextInt(4) == 0) d[r.nextInt(d.length)] = Double.NaN;
            add(dt, s, d);
        }

        void indices(Shape s, int n) {
            int[] sh = eval(s);
            double[] d = new double[(int) Tensor.numel(sh)];
            for (int i = 0; i < d.length; i++) d[i] = r.nextInt(n);
            add(r.nextBoolean() ? DType.I32 : DType.I64, s, d);
        }

        void add(DType dt, Shape s, double[] d) {
            types.add(new TensorType(dt, s));
            inputs.add(new Tensor(dt, eval(s), d));
        }

        Case build(OpDef op, Attrs attrs) { return new Case(op, attrs, types, env, inputs.toArray(new Tensor[0])); }
    }

    static Case random(OpDef op, Random r) {
        Builder b = new Builder(r);
        if (op == Ops.PERMUTE) {
            int rank = r.nextInt(5);
            List<Long> perm = new ArrayList<>();
            for (long i = 0; i < rank; i++) perm.add(i);
            Collections.shuffle(perm, r);
            b.input(anyDType(r), shape(r, rank, false), false);
            return b.build(op, Attrs.of("perm", perm));
        }
        if (op == Ops.BROADCAST_TO) {
            Shape to = shape(r, r.nextInt(5), false);
            int rank = r.nextInt(to.rank() + 1), off = to.rank() - rank;
            List<Dim> from = new ArrayList<>();
            for (int i = 0; i < rank; i++) from.add(r.nextBoolean() ? Dim.of(1) : to.dim(off + i));
            b.input(anyDType(r), new Shape(from), false);
            return b.build(op, Attrs.of("shape", to));
        }
        if (op == Ops.SLICE) {
            Shape s = shape(r, r.nextInt(4), false);
            List<Dim> starts = new ArrayList<>(), stops = new ArrayList<>();
            List<Long> steps = new ArrayList<>();
            for (Dim d : s.dims()) {
                if (d.isConst()) {
                    int n = (int) d.value(), start = r.nextInt(n + 1);
                    starts.add(Dim.of(start));
                    stops.add(Dim.of(start + r.nextInt(n - start + 1)));
                } else if (d.equals(T)) { // T may be 0
                    Dim[][] windows = {{Dim.of(0), d}, {d, d}, {Dim.of(0), Dim.of(0)}};
                    Dim[] w = windows[r.nextInt(windows.length)];
                    starts.add(w[0]);
                    stops.add(w[1]);
                } else { // B is at least 2
                    Dim[][] windows = {{Dim.of(0), d}, {Dim.of(1), d}, {Dim.of(0), d.minus(1)}, {Dim.of(1), d.minus(1)}, {d.minus(1), d}};
                    Dim[] w = windows[r.nextInt(windows.length)];
                    starts.add(w[0]);
                    stops.add(w[1]);
                }
                steps.add(1L + r.nextInt(3));
            }
            b.input(anyDType(r), s, false);
            return b.build(op, Attrs.of("starts", new Shape(starts), "stops", new Shape(stops), "steps", steps));
        }
        if (op == Ops.REVERSE) {
            int rank = r.nextInt(4);
            List<Long> axes = new ArrayList<>();
            for (long a = 0; a < rank; a++) if (r.nextBoolean()) axes.add(a);
            b.input(anyDType(r), shape(r, rank, false), false);
            return b.build(op, Attrs.of("axes", axes));
        }
        if (op == Ops.PAD) {
            int rank = r.nextInt(4);
            long[] low = new long[rank], high = new long[rank];
            for (int a = 0; a < rank; a++) { low[a] = r.nextInt(3); high[a] = r.nextInt(3); }
            DType dt = anyDType(r);
            double value = dt == DType.BOOL ? r.nextInt(2) : dt.isFloating() && r.nextBoolean() ? Double.NEGATIVE_INFINITY : r.nextInt(5) - 2;
            b.input(dt, shape(r, rank, false), false);
            return b.build(op, Attrs.of("low", low, "high", high, "value", value));
        }
        if (op == Ops.CONCAT) {
            int rank = 1 + r.nextInt(3), axis = r.nextInt(rank), k = 1 + r.nextInt(3);
            Shape s = shape(r, rank, false);
            DType dt = anyDType(r);
            for (int i = 0; i < k; i++) {
                List<Dim> d = new ArrayList<>(s.dims());
                d.set(axis, dim(r, false));
                b.input(dt, new Shape(d), false);
            }
            return b.build(op, Attrs.of("axis", (long) axis));
        }
        if (op == Ops.GATHER || op == Ops.SCATTER_ADD) {
            int rank = 1 + r.nextInt(3), axis = r.nextInt(rank);
            List<Dim> xd = new ArrayList<>(shape(r, rank, false).dims());
            xd.set(axis, dim(r, true));
            Shape xs = new Shape(xd), is = shape(r, r.nextInt(3), false);
            DType dt = op == Ops.GATHER ? anyDType(r) : List.of(DType.F32, DType.F64, DType.I32, DType.I64).get(r.nextInt(4));
            b.input(dt, xs, false);
            b.indices(is, (int) xs.dim(axis).eval(b.env));
            if (op == Ops.SCATTER_ADD) {
                List<Dim> ud = new ArrayList<>(xd.subList(0, axis));
                ud.addAll(is.dims());
                ud.addAll(xd.subList(axis + 1, rank));
                b.input(dt, new Shape(ud), false);
            }
            return b.build(op, Attrs.of("axis", (long) axis));
        }
        if (op == Ops.CONSTANT) {
            long[] s = new long[r.nextInt(3)];
            int n = 1;
            for (int i = 0; i < s.length; i++) { s[i] = r.nextInt(4); n *= (int) s[i]; }
            DType dt = anyDType(r);
            double[] values = new double[r.nextBoolean() ? 1 : n];
            for (int i = 0; i < values.length; i++) values[i] = dt == DType.BOOL ? r.nextInt(2) : r.nextInt(9) - 4;
            return b.build(op, Attrs.of("dtype", dt, "shape", Shape.of(s), "values", values));
        }
        if (op == Ops.IOTA) {
            int rank = 1 + r.nextInt(3);
            DType dt = List.of(DType.F32, DType.F64, DType.I32, DType.I64).get(r.nextInt(4));
            return b.build(op, Attrs.of("dtype", dt, "shape", shape(r, rank, false), "axis", (long) r.nextInt(rank)));
        }
        if (op == Ops.ARGMAX || op == Ops.ARGMIN) {
            int rank = 1 + r.nextInt(3), axis = r.nextInt(rank);
            List<Dim> d = new ArrayList<>(shape(r, rank, false).dims());
            d.set(axis, dim(r, true));
            b.input(r.nextBoolean() ? DType.F32 : DType.I64, new Shape(d), true);
            // few distinct values, so ties (first one wins) are common
            double[] v = b.inputs.get(0).data();
            for (int i = 0; i < v.length; i++) v[i] = Math.floor(v[i] / 4);
            return b.build(op, Attrs.of("axis", (long) axis, "keepdims", r.nextBoolean()));
        }
        if (op == Ops.SUM || op == Ops.MEAN || op == Ops.MAX || op == Ops.MIN) {
            int rank = r.nextInt(5);
            List<Long> axes = new ArrayList<>();
            for (long a = 0; a < rank; a++) if (r.nextBoolean()) axes.add(a);
            DType dt = op == Ops.MEAN ? floatDType(r)
                    : op == Ops.SUM ? List.of(DType.F32, DType.F64, DType.I64).get(r.nextInt(3)) : anyDType(r);
            List<Dim> d = new ArrayList<>();
            // integer max/min have no identity: their reduced axes are never empty
            for (int a = 0; a < rank; a++) d.add(dim(r, dt.isInteger() && axes.contains((long) a)));
            b.input(dt, new Shape(d), true);
            return b.build(op, Attrs.of("axes", axes, "keepdims", r.nextBoolean()));
        }
        if (op == Ops.RNG_FOLD || op == Ops.RANDOM_UNIFORM || op == Ops.RANDOM_NORMAL) {
            b.add(DType.I64, Shape.SCALAR, new double[]{r.nextLong() & ((1L << 52) - 1)});
            if (op == Ops.RNG_FOLD) return b.build(op, Attrs.of("salt", r.nextLong()));
            double lo = r.nextInt(5) - 2, hi = lo + r.nextInt(4);
            Shape s = shape(r, r.nextInt(3), false);
            return op == Ops.RANDOM_UNIFORM
                    ? b.build(op, Attrs.of("shape", s, "dtype", floatDType(r), "low", lo, "high", hi))
                    : b.build(op, Attrs.of("shape", s, "dtype", floatDType(r), "mean", lo, "std", hi - lo));
        }
        throw new IllegalArgumentException("no random cases for " + op);
    }
}
