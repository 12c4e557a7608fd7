package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;

import java.util.*;
import java.util.function.Function;

/** Small graphs and random data for gradient tests. */
final class GraphsForGrad {
    private GraphsForGrad() {}

    static Value all(GraphBuilder b, String op, Value x) {
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
        b.output("loss", Graph.Output.Role.LOSS, all(b, "sum", b.op("mul", y, u)));
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
        b.output("loss2", Graph.Output.Role.LOSS, all(b, "sum", b.op("mul", map.get(g), u2)));
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

    /**
     * A directional derivative check that also admits the rounding noise of central differences:
     * it passes when {@code |a - n| <= RTOL (|a| + |n|)} as in {@link GradCheck}, or when
     * {@code |a - n| <= 1e-8 max(1, scale)} with {@code scale} the magnitude of the differenced
     * values ({@code |L|}). {@code (L(x + hv) - L(x - hv)) / 2h} carries a rounding error of about
     * {@code eps |L| / h ~ 2e-10 |L|} per rounding, and a small graph accumulates a few dozen, so
     * 1e-8 |L| bounds it; without the allowance a directional derivative that is small by chance
     * (1e-4 with |L| ~ 1) fails at relative error ~1e-6 on noise alone, while a wrong rule is off
     * by the size of the gradient itself.
     */
    record NoiseAware(double analytic, double numeric, double scale) {
        double relError() { return Math.abs(analytic - numeric) / Math.max(1e-8, Math.abs(analytic) + Math.abs(numeric)); }

        boolean ok() {
            if (Double.isNaN(analytic) || Double.isNaN(numeric)) return false;
            return relError() <= GradCheck.RTOL || Math.abs(analytic - numeric) <= 1e-8 * Math.max(1, scale);
        }

        @Override public String toString() {
            return "analytic " + analytic + " vs numeric " + numeric + " (rel err " + relError() + ", abs err "
                    + Math.abs(analytic - numeric) + ", noise allowance " + 1e-8 * Math.max(1, scale) + ")";
        }
    }

    /** {@link GradCheck#check} with the {@link NoiseAware} tolerance: d loss / d wrt along a random direction from {@code rnd}. */
    static NoiseAware check(Autodiff ad, Graph g, String loss, List<String> wrt, Map<String, Tensor> inputs, Random rnd) {
        Map<String, Tensor> grads = GradCheck.gradients(ad.gradients(g, loss, wrt), inputs);
        Map<String, Tensor> dir = new HashMap<>();
        double analytic = 0;
        for (String w : wrt) {
            Tensor x = inputs.get(w);
            double[] v = new double[x.size()];
            for (int i = 0; i < v.length; i++) v[i] = rnd.nextGaussian();
            dir.put(w, new Tensor(x.dtype(), x.shape(), v));
            double[] gw = grads.get(w).data();
            for (int i = 0; i < v.length; i++) analytic += gw[i] * v[i];
        }
        double plus = GradCheck.lossAt(g, loss, inputs, dir, GradCheck.H), minus = GradCheck.lossAt(g, loss, inputs, dir, -GradCheck.H);
        return new NoiseAware(analytic, (plus - minus) / (2 * GradCheck.H), Math.max(Math.abs(plus), Math.abs(minus)));
    }
}
