package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.List;

import static dlc.ir.ops.ConvAttrs.*;

/**
 * 2-D pooling over the last two axes of an NCHW tensor, per channel (MODELS.md 2.2). Attributes:
 * {@code kernel [kH, kW]} (required), {@code stride [sH, sW]} (default: the kernel),
 * {@code padding [top, bottom, left, right]} (default 0; each side smaller than the kernel, so
 * every window holds at least one real element). {@code H_out = (H + top + bottom - kH) floorDiv sH + 1}.
 */
final class PoolOps {
    private PoolOps() {}

    /** The window geometry of one pooling node, read from its attributes. */
    private record Window(long[] k, long[] s, long[] p) {
        static Window of(OpDef op, Attrs attrs) {
            long[] k = longs(op, attrs, "kernel", 2, 1, null);
            long[] s = stride(op, attrs, k), p = padding(op, attrs);
            for (int side = 0; side < 4; side++)
                if (p[side] >= k[side / 2])
                    throw new ShapeException(op.name() + " padding " + Attrs.format(attrs.get("padding")) + " must be smaller than the kernel "
                            + Attrs.format(attrs.get("kernel")) + " on each side", "a window made only of padding has no value to pool");
            return new Window(k, s, p);
        }

        Dim outSize(Dim in, int axis) {
            return in.plus(p[2 * axis] + p[2 * axis + 1] - k[axis]).floorDiv(Dim.of(s[axis])).plus(1);
        }

        int outSize(int in, int axis) {
            return (int) Math.floorDiv(in + p[2 * axis] + p[2 * axis + 1] - k[axis], s[axis]) + 1;
        }
    }

    /** max_pool2d or avg_pool2d: shared shape rule and window walk, the reduction differs. */
    static final class Pool2d extends OpDef {
        private final boolean average;

        Pool2d(String name, boolean average) {
            super(name, Kind.REDUCE);
            this.average = average;
        }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            TensorType x = in.get(0);
            Checks.rank(this, x, 4, "an input [N, C, H, W]");
            if (average) Checks.floating(this, x);
            else if (x.dtype() == DType.BOOL) throw new ShapeException(name() + " needs a numeric operand, got " + x);
            Window win = Window.of(this, attrs);
            String why = "the padded input must be at least as large as the kernel " + Attrs.format(attrs.get("kernel"));
            Dim h = nonEmpty(this, win.outSize(x.shape().dim(2), 0), "height", x, why);
            Dim w = nonEmpty(this, win.outSize(x.shape().dim(3), 1), "width", x, why);
            if (attrs.has("count_include_pad") && !(attrs.get("count_include_pad") instanceof Boolean))
                throw new ShapeException(name() + " attribute count_include_pad must be a boolean, got " + Attrs.format(attrs.get("count_include_pad")));
            return List.of(x.withShape(Shape.of(x.shape().dim(0), x.shape().dim(1), h, w)));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            Tensor x = in[0];
            Window win = Window.of(this, attrs);
            boolean includePad = attrs.getBool("count_include_pad", true);
            int nc = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
            int ho = win.outSize(h, 0), wo = win.outSize(w, 1);
            int kh = (int) win.k[0], kw = (int) win.k[1];
            double[] xd = x.data(), y = new double[nc * ho * wo];
            int yi = 0;
            for (int plane = 0; plane < nc; plane++)
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++, yi++) {
                        int h0 = i * (int) win.s[0] - (int) win.p[TOP], w0 = j * (int) win.s[1] - (int) win.p[LEFT];
                        int h1 = Math.min(h0 + kh, h), w1 = Math.min(w0 + kw, w);
                        h0 = Math.max(h0, 0);
                        w0 = Math.max(w0, 0);
                        int real = (h1 - h0) * (w1 - w0);
                        double acc = average ? 0 : Double.NEGATIVE_INFINITY;
                        for (int a = h0; a < h1; a++)
                            for (int b = w0; b < w1; b++) {
                                double v = xd[(plane * h + a) * w + b];
                                // NaN propagates through max, as it does through sum
                                acc = average ? acc + v : (v > acc || Double.isNaN(v) ? v : acc);
                            }
                        // max: padding is -inf and never wins, since every window holds a real element
                        y[yi] = average ? acc / (includePad ? kh * kw : real) : acc;
                    }
            return new Tensor[]{new Tensor(x.dtype(), new int[]{x.dim(0), x.dim(1), ho, wo}, y)};
        }
    }
}
