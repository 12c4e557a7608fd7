package dlc.passes.autodiff;

import dlc.ir.Graph;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;

import java.util.*;

/**
 * Float64 gradient checking by central differences along a random direction (the JAX way):
 * for inputs x, direction v and step h, compare {@code (L(x + h v) - L(x - h v)) / 2h} with
 * {@code <grad L(x), v>}. With h = 1e-6 in float64 the truncation error is O(h^2 |L'''|) ~ 1e-12
 * and the rounding error O(eps |L| / h) ~ 1e-10 relative to L, so a correct gradient agrees to
 * far better than {@link #RTOL}; a wrong rule is off by O(1).
 */
final class GradCheck {
    static final double H = 1e-6;
    /** Relative error bound |a - n| / max(1e-8, |a| + |n|), the docs/models.md 4.6 measure. */
    static final double RTOL = 1e-6;
    /**
     * Absolute allowance relative to the loss scale: central differences carry a rounding error of
     * about eps |L| / h ~ 1e-10 |L|, which dominates when the directional derivative itself is tiny
     * (~1e-5). A wrong rule is off by the size of the gradient, far above this.
     */
    static final double NOISE = 1e-8;

    private GradCheck() {}

    /** The result of one directional check; {@code scale} is the loss magnitude at the probe points. */
    record Result(double analytic, double numeric, double scale) {
        double relError() { return Math.abs(analytic - numeric) / Math.max(1e-8, Math.abs(analytic) + Math.abs(numeric)); }

        double allowance() { return NOISE * Math.max(1, scale); }

        /** Within RTOL relatively, or within the rounding noise of the differences; NaN never passes. */
        boolean ok() {
            if (Double.isNaN(analytic) || Double.isNaN(numeric)) return false;
            return relError() <= RTOL || Math.abs(analytic - numeric) <= allowance();
        }

        @Override public String toString() {
            return "analytic " + analytic + " vs numeric " + numeric + " (rel err " + relError() + ", abs err "
                    + Math.abs(analytic - numeric) + ", noise allowance " + allowance() + ")";
        }
    }

    /** Checks d loss / d wrt along a random direction drawn from {@code rnd}. */
    static Result check(Autodiff ad, Graph g, String loss, List<String> wrt, Map<String, Tensor> inputs, Random rnd) {
        Map<String, Tensor> grads = gradients(ad.gradients(g, loss, wrt), inputs);
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
        double plus = lossAt(g, loss, inputs, dir, H), minus = lossAt(g, loss, inputs, dir, -H);
        return new Result(analytic, (plus - minus) / (2 * H), Math.max(Math.abs(plus), Math.abs(minus)));
    }

    /** Runs a gradient graph and returns its GRAD outputs by the name of the input they belong to. */
    static Map<String, Tensor> gradients(Graph grad, Map<String, Tensor> inputs) {
        Tensor[] args = grad.inputs().stream().map(v -> Objects.requireNonNull(inputs.get(v.name()), v.name())).toArray(Tensor[]::new);
        Tensor[] out = Interpreter.run(grad, args, Map.of());
        Map<String, Tensor> res = new LinkedHashMap<>();
        for (int i = 0; i < out.length; i++)
            if (grad.outputs().get(i).role() == Graph.Output.Role.GRAD) res.put(grad.outputs().get(i).name(), out[i]);
        return res;
    }

    static double lossAt(Graph g, String loss, Map<String, Tensor> inputs, Map<String, Tensor> dir, double h) {
        Map<String, Tensor> shifted = new HashMap<>(inputs);
        dir.forEach((name, v) -> {
            Tensor x = inputs.get(name);
            double[] d = x.data().clone();
            for (int i = 0; i < d.length; i++) d[i] += h * v.data()[i];
            shifted.put(name, new Tensor(x.dtype(), x.shape(), d));
        });
        return Interpreter.run(g, shifted).get(loss).item();
    }
}
