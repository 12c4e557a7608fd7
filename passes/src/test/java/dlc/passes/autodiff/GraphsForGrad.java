package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;

import java.util.*;
import java.util.function.Function;

/** Small graphs and random data for gradient tests. */
final class GraphsForGrad {
    private GraphsForGrad() {}

    static Value all(GraphBuilder b, OpDef op, Value x) {
        List<Long> axes = new ArrayList<>();
        for (long i = 0; i < x.type().rank(); i++) axes.add(i);
        return b.op(op, Attrs.of("axes", axes, "keepdims", false), x);
    }

    /**
     * A graph with f64 inputs of the given shapes plus a weight {@code u} shaped like the result,
     * computing {@code loss = sum(body(inputs) * u)}: a random linear functional of the result, so
     * the check sees every element of the Jacobian's action.
     */
    static Graph scalarized(Map<String, int[]> shapes, int[] outShape, Function<List<Value>, Value> body, GraphBuilder b) {
        List<Value> in = new ArrayList<>();
        shapes.forEach((n, s) -> in.add(b.input(n, new TensorType(DType.F64, Shape.of(toLongs(s))), Value.Role.INPUT)));
        Value y = body.apply(in);
        Value u = b.input("u", y.type(), Value.Role.INPUT);
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.MUL, y, u)));
        return b.build();
    }

    /** Copies {@code g} and appends {@code loss2 = sum(grad_output(w) * u2)}: a graph whose gradient is a second derivative. */
    static Graph gradientFunctional(Graph grad, String wrt, String weightName) {
        GraphBuilder b = new GraphBuilder(grad.name() + "_2");
        Map<Value, Value> map = new IdentityHashMap<>();
        for (Value v : grad.inputs()) map.put(v, b.input(v.name(), v.type(), v.role()));
        for (Node n : grad.nodes()) {
            List<Value> out = b.op(n.op(), n.attrs(), n.regions(), n.inputs().stream().map(map::get).toList());
            for (int i = 0; i < out.size(); i++) map.put(n.outputs().get(i), out.get(i));
        }
        Value g = grad.outputs().stream().filter(o -> o.role() == Graph.Output.Role.GRAD && o.name().equals(wrt))
                .findFirst().orElseThrow().value();
        Value u2 = b.input(weightName, g.type(), Value.Role.INPUT);
        b.output("loss2", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.MUL, map.get(g), u2)));
        return b.build();
    }

    static long[] toLongs(int[] s) { return Arrays.stream(s).mapToLong(x -> x).toArray(); }

    static int[] randomShape(Random r, int maxRank) {
        int[] s = new int[r.nextInt(maxRank + 1)];
        for (int i = 0; i < s.length; i++) s[i] = 1 + r.nextInt(3);
        return s;
    }

    /** A shape that broadcasts to {@code s}: some leading dims dropped, some dims set to 1. */
    static int[] broadcastable(Random r, int[] s) {
        int drop = r.nextInt(s.length + 1);
        int[] t = Arrays.copyOfRange(s, drop, s.length);
        for (int i = 0; i < t.length; i++) if (r.nextInt(3) == 0) t[i] = 1;
        return t;
    }

    static Tensor tensor(int[] shape, Random r, java.util.function.DoubleSupplier values) {
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = values.getAsDouble();
        return new Tensor(DType.F64, shape, d);
    }

    /**
     * Values that are pairwise at least 0.2 apart and at least 0.05 away from 0, in random order:
     * max/min reductions have no ties within any finite-difference step, and no value sits on a
     * kink at 0.
     */
    static Tensor distinct(int[] shape, Random r) {
        int n = (int) Tensor.numel(shape);
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < n; i++) v.add((i - n / 2) * 0.25 + 0.07 + 0.1 * r.nextDouble());
        Collections.shuffle(v, r);
        return new Tensor(DType.F64, shape, v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * The full Jacobian of a {@link #scalarized} graph's body with respect to input {@code wrt},
     * checked entry by entry: row j by reverse mode with {@code u = e_j}, column i by central
     * differences perturbing element i alone. Returns null when every entry agrees to
     * {@code |a - n| <= 1e-6 * max(1, |a| + |n|)}, else a message naming the first mismatch.
     */
    static String fullJacobianMismatch(Autodiff ad, Graph g, String wrt, Map<String, Tensor> inputs) {
        Graph grad = ad.gradients(g, "loss", List.of(wrt));
        Tensor x = inputs.get(wrt), u = inputs.get("u");
        for (int j = 0; j < u.size(); j++) {
            Map<String, Tensor> in = new HashMap<>(inputs);
            double[] e = new double[u.size()];
            e[j] = 1;
            in.put("u", new Tensor(u.dtype(), u.shape(), e));
            double[] row = GradCheck.gradients(grad, in).get(wrt).data();
            for (int i = 0; i < x.size(); i++) {
                double[] d = new double[x.size()];
                d[i] = 1;
                Map<String, Tensor> dir = Map.of(wrt, new Tensor(x.dtype(), x.shape(), d));
                double numeric = (GradCheck.lossAt(g, "loss", in, dir, GradCheck.H) - GradCheck.lossAt(g, "loss", in, dir, -GradCheck.H))
                        / (2 * GradCheck.H);
                if (!(Math.abs(row[i] - numeric) <= 1e-6 * Math.max(1, Math.abs(row[i]) + Math.abs(numeric))))
                    return "d out[" + j + "] / d " + wrt + "[" + i + "]: reverse mode " + row[i] + ", finite differences " + numeric;
            }
        }
        return null;
    }
}
