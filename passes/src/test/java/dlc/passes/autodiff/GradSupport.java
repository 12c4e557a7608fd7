package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;

import java.util.*;

/** Helpers for the contraction, convolution, pool, scan and random gradient suites. */
final class GradSupport {
    private GradSupport() {}

    /**
     * Autodiff with every op's own rule, except that {@code permute} and {@code reshape} fall back
     * to the textbook rules below while their own rule is missing (movement VJPs are another
     * branch's work). Second-order checks differentiate matmul's and conv's rules, which are made of
     * these ops (and {@code slice} with unit steps, which the conv rules use to crop); once the real
     * rules exist the fallback is never used.
     */
    static Autodiff autodiff() { return new Autodiff(GradSupport::ruleOf); }

    /** Autodiff whose rule for {@code opName} is replaced by a deliberately wrong one. */
    static Autodiff planted(String opName, Autodiff.Rule wrong) {
        return new Autodiff(op -> op.name().equals(opName) ? wrong : ruleOf(op));
    }

    static Autodiff.Rule ruleOf(OpDef op) {
        return ctx -> {
            try {
                return op.vjp(ctx);
            } catch (IllegalStateException e) {
                if (e.getMessage() == null || !e.getMessage().contains("has no gradient rule")) throw e;
                return switch (op.name()) {
                    case "permute" -> {
                        long[] perm = ctx.attrs().getLongs("perm");
                        long[] inverse = new long[perm.length];
                        for (int i = 0; i < perm.length; i++) inverse[(int) perm[i]] = i;
                        yield List.of(ctx.op("permute", Attrs.of("perm", inverse), ctx.cotangent(0)));
                    }
                    case "reshape" -> List.of(ctx.op("reshape", Attrs.of("shape", ctx.input(0).type().shape()), ctx.cotangent(0)));
                    case "slice" -> List.of(unslice(ctx));
                    default -> throw e;
                };
            }
        };
    }

    /** Unit-step slice of concrete bounds: the cotangent padded back with zeros. */
    private static Value unslice(VjpContext ctx) {
        Shape in = ctx.input(0).type().shape(), starts = ctx.attrs().getShape("starts"), stops = ctx.attrs().getShape("stops");
        long[] steps = ctx.attrs().getLongs("steps"), low = new long[in.rank()], high = new long[in.rank()];
        for (int a = 0; a < in.rank(); a++) {
            if (steps[a] != 1) throw new IllegalStateException("test fallback handles unit-step slices only");
            low[a] = starts.dim(a).value();
            high[a] = in.dim(a).minus(stops.dim(a)).value();
        }
        return ctx.op("pad", Attrs.of("low", low, "high", high), ctx.cotangent(0));
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
