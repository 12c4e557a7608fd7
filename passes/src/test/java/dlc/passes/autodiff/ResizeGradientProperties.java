package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import net.jqwik.api.*;

import java.util.*;

import static dlc.passes.autodiff.GraphsForGrad.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * resize's VJP (two constant matmuls): the full Jacobian entry by entry against central
 * differences, for random sizes up and down in both modes, and the second order through it.
 */
class ResizeGradientProperties {
    /** loss = sum(resize(x) * u) over random sizes; x [N, C, H, W]. */
    static Graph graph(int[] xs, long ho, long wo, String mode) {
        GraphBuilder b = new GraphBuilder("resize");
        Value x = b.input("x", GradSupport.f64(xs), Value.Role.INPUT);
        Value y = b.op(Ops.RESIZE, Attrs.of("size", new long[]{ho, wo}, "mode", mode), x);
        Value u = b.input("u", y.type(), Value.Role.INPUT);
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.MUL, y, u)));
        return b.build();
    }

    @Property(tries = 40)
    void resizeJacobianMatchesFiniteDifferences(@ForAll long seed, @ForAll boolean bilinear) {
        Random r = new Random(seed);
        int[] xs = {1 + r.nextInt(2), 1 + r.nextInt(2), 1 + r.nextInt(4), 1 + r.nextInt(4)};
        long ho = 1 + r.nextInt(6), wo = 1 + r.nextInt(6);
        Graph g = graph(xs, ho, wo, bilinear ? "bilinear" : "nearest");
        Map<String, Tensor> in = new HashMap<>();
        in.put("x", tensor(xs, r, r::nextGaussian));
        in.put("u", tensor(new int[]{xs[0], xs[1], (int) ho, (int) wo}, r, r::nextGaussian));
        assertNull(fullJacobianMismatch(GradSupport.autodiff(), g, "x", in));
    }

    /** loss2 = sum(d loss/dx * u2) with loss = sum(sin(resize(x)) * u): its gradient w.r.t. x and u by directional differences. */
    @Property(tries = 20)
    void resizeSecondOrderMatchesFiniteDifferences(@ForAll long seed, @ForAll boolean bilinear) {
        Random r = new Random(seed);
        int[] xs = {1, 2, 2 + r.nextInt(3), 2 + r.nextInt(3)};
        long ho = 1 + r.nextInt(6), wo = 1 + r.nextInt(6);
        GraphBuilder b = new GraphBuilder("resize2");
        Value x = b.input("x", GradSupport.f64(xs), Value.Role.INPUT);
        Value y = b.op(Ops.SIN, b.op(Ops.RESIZE, Attrs.of("size", new long[]{ho, wo}, "mode", bilinear ? "bilinear" : "nearest"), x));
        Value u = b.input("u", y.type(), Value.Role.INPUT);
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.MUL, y, u)));
        Graph g = b.build();
        Graph second = gradientFunctional(GradSupport.autodiff().gradients(g, "loss", List.of("x")), "x", "u2");
        Map<String, Tensor> in = new HashMap<>();
        in.put("x", tensor(xs, r, r::nextGaussian));
        in.put("u", tensor(new int[]{1, 2, (int) ho, (int) wo}, r, r::nextGaussian));
        in.put("u2", tensor(xs, r, r::nextGaussian));
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), second, "loss2", List.of("x", "u"), in, r);
        assertTrue(res.ok(), res.toString());
    }
}
