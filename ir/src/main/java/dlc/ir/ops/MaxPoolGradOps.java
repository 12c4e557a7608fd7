package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.Arrays;
import java.util.List;

import static dlc.ir.ops.ConvAttrs.*;

/**
 * The two ops that max pooling's gradients are made of, each the other's VJP in its second
 * operand. Both take the pooled input {@code x [N, C, H, W]} and the attributes of
 * {@code max_pool2d} ({@code kernel}, {@code stride}, {@code padding}), and route values through the
 * FIRST maximum (row-major) of each window of x (docs/models.md 4.5; a NaN counts as a maximum, as in
 * the forward pool):
 * <ul>
 *   <li>{@code max_pool2d_scatter(x, g [N, C, H_out, W_out]) -> [N, C, H, W]}: each window adds its
 *       g to x's position of that maximum (overlapping windows accumulate). The VJP of max_pool2d.</li>
 *   <li>{@code max_pool2d_gather(x, h [N, C, H, W]) -> [N, C, H_out, W_out]}: each window reads h
 *       at x's position of that maximum. The VJP of the scatter in g.</li>
 * </ul>
 * Where the maximum sits is piecewise constant in x, so neither passes a gradient to x.
 */
final class MaxPoolGradOps {
    private MaxPoolGradOps() {}

    /**
     * For each window of x (in output order), the flat index into x of its first maximum. Every
     * window holds a real element since each padding is smaller than the kernel.
     */
    static int[] firstArgmax(Tensor x, PoolOps.Window win) {
        int nc = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
        int ho = win.outSize(h, 0), wo = win.outSize(w, 1);
        int kh = (int) win.k()[0], kw = (int) win.k()[1];
        double[] xd = x.data();
        int[] at = new int[nc * ho * wo];
        int yi = 0;
        for (int plane = 0; plane < nc; plane++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++, yi++) {
                    int h0 = i * (int) win.s()[0] - (int) win.p()[TOP], w0 = j * (int) win.s()[1] - (int) win.p()[LEFT];
                    int h1 = Math.min(h0 + kh, h), w1 = Math.min(w0 + kw, w);
                    int best = -1;
                    double acc = Double.NEGATIVE_INFINITY;
                    for (int a = Math.max(h0, 0); a < h1; a++)
                        for (int b = Math.max(w0, 0); b < w1; b++) {
                            int idx = (plane * h + a) * w + b;
                            double v = xd[idx];
                            // strict > keeps the first maximum; the first NaN wins and stays
                            if (best < 0 || (!Double.isNaN(acc) && (v > acc || Double.isNaN(v)))) {
                                best = idx;
                                acc = v;
                            }
                        }
                    at[yi] = best;
                }
        return at;
    }

    /** Shared operand checks: x is a floating NCHW tensor and the second operand has x's dtype. */
    private static PoolOps.Window check(OpDef op, List<TensorType> in, Attrs attrs, String secondRole) {
        Checks.arity(op, in, 2);
        TensorType x = in.get(0), v = in.get(1);
        Checks.rank(op, x, 4, "an input [N, C, H, W]");
        Checks.floating(op, x);
        if (v.dtype() != x.dtype())
            throw new ShapeException(op.name() + " " + secondRole + " " + v + " differs in dtype from the input " + x);
        return PoolOps.Window.of(op, attrs);
    }

    static final class Scatter extends OpDef {
        Scatter() { super("max_pool2d_scatter", Kind.OPAQUE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            PoolOps.Window win = check(this, in, attrs, "cotangent");
            TensorType x = in.get(0), pooled = win.pooled(this, x, attrs);
            if (!in.get(1).shape().equals(pooled.shape()))
                throw new ShapeException("max_pool2d_scatter cotangent " + in.get(1) + " does not have the pooled shape " + pooled.shape()
                        + " of the input " + x, "the cotangent is shaped like max_pool2d's result");
            return List.of(x);
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            PoolOps.Window win = PoolOps.Window.of(this, attrs);
            int[] at = firstArgmax(in[0], win);
            if (in[1].size() != at.length)
                throw new IllegalArgumentException("max_pool2d_scatter cotangent of shape " + Arrays.toString(in[1].shape())
                        + " does not match the pooled shape of " + Arrays.toString(in[0].shape()));
            double[] g = in[1].data(), y = new double[in[0].size()];
            for (int k = 0; k < at.length; k++) y[at[k]] += g[k];
            return new Tensor[]{new Tensor(in[0].dtype(), in[0].shape(), y)};
        }

        /** Linear in g: its VJP reads the cotangent back at the same maxima. */
        @Override public List<Value> vjp(VjpContext c) {
            return java.util.Arrays.asList(null, c.op(Ops.MAX_POOL2D_GATHER, c.attrs(), c.input(0), c.cotangent(0)));
        }
    }

    static final class Gather extends OpDef {
        Gather() { super("max_pool2d_gather", Kind.OPAQUE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            PoolOps.Window win = check(this, in, attrs, "source");
            TensorType x = in.get(0);
            if (!in.get(1).shape().equals(x.shape()))
                throw new ShapeException("max_pool2d_gather source " + in.get(1) + " is not shaped like the input " + x);
            return List.of(win.pooled(this, x, attrs));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            PoolOps.Window win = PoolOps.Window.of(this, attrs);
            if (!Arrays.equals(in[0].shape(), in[1].shape()))
                throw new IllegalArgumentException("max_pool2d_gather source of shape " + Arrays.toString(in[1].shape())
                        + " differs from the input's " + Arrays.toString(in[0].shape()));
            int[] at = firstArgmax(in[0], win);
            double[] h = in[1].data(), y = new double[at.length];
            for (int k = 0; k < at.length; k++) y[k] = h[at[k]];
            int[] s = in[0].shape();
            return new Tensor[]{new Tensor(in[0].dtype(), new int[]{s[0], s[1], win.outSize(s[2], 0), win.outSize(s[3], 1)}, y)};
        }

        /** Linear in h: its VJP scatters the cotangent to the same maxima. */
        @Override public List<Value> vjp(VjpContext c) {
            return java.util.Arrays.asList(null, c.op(Ops.MAX_POOL2D_SCATTER, c.attrs(), c.input(0), c.cotangent(0)));
        }
    }
}
