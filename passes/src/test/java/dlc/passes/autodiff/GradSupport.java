package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;

import java.util.*;

/** Helpers for the contraction, convolution, pool, scan and random gradient suites. */
final class GradSupport {
    private GradSupport() {}

    static Autodiff autodiff() { return new Autodiff(); }

    /** Autodiff whose rule for {@code target} is replaced by a deliberately wrong one. */
    static Autodiff planted(OpDef target, Autodiff.Rule wrong) {
        return new Autodiff(op -> op == target ? wrong : op::vjp);
    }

    static int[] shapeOf(Value v) {
        return v.type().shape().dims().stream().mapToInt(d -> Math.toIntExact(d.value())).toArray();
    }

    static TensorType f64(int... shape) { return new TensorType(DType.F64, Shape.of(GraphsForGrad.toLongs(shape))); }

    /** A gaussian weight {@code u} shaped like the graph's input u (the random functional of the result). */
    static Tensor weightFor(Graph g, Random r) {
        return GraphsForGrad.tensor(shapeOf(g.input("u").orElseThrow()), r, r::nextGaussian);
    }

    /**
     * Values for a tensor of the given shape that are pairwise at least 0.05 apart (a shuffled
     * ladder plus a little jitter), so no max-pool window has a tie within the finite-difference step.
     */
    static Tensor distinct(int[] shape, Random r) {
        int n = (int) Tensor.numel(shape);
        List<Double> ladder = new ArrayList<>();
        for (int i = 0; i < n; i++) ladder.add(0.1 * i - 0.05 * n + 0.02 * r.nextDouble());
        Collections.shuffle(ladder, r);
        return new Tensor(DType.F64, shape, ladder.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The analytic gradient of {@code loss} for {@code wrt}, by name. */
    static Map<String, Tensor> grads(Autodiff ad, Graph g, String loss, List<String> wrt, Map<String, Tensor> inputs) {
        return GradCheck.gradients(ad.gradients(g, loss, wrt), inputs);
    }
}
