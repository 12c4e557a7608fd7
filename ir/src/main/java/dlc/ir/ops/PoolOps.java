package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.List;

import static dlc.ir.ops.ConvAttrs.*;

/**
 * 2-D pooling over the last two axes of an NCHW tensor, per channel (docs/models.md 2.2). Attributes:
 * {@code kernel [kH, kW]} (required), {@code stride [sH, sW]} (default: the kernel),
 * {@code padding [top, bottom, left, right]} (default 0; each side smaller than the kernel, so
 * every window holds at least one real element). {@code H_out = (H + top + bottom - kH) floorDiv sH + 1}.
 */
final class PoolOps {
    private PoolOps() {}

    /** The window geometry of one pooling node, read from its attributes. */
    record Window(long[] k, long[] s, long[] p) {
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

        /** The pooled type of an NCHW operand, failing when a window would be empty. */
        TensorType pooled(OpDef op, TensorType x, Attrs attrs) {
            String why = "the padded input must be at least as large as the kernel " + Attrs.format(attrs.get("kernel"));
            Dim h = nonEmpty(op, outSize(x.shape().dim(2), 0), "height", x, why);
            Dim w = nonEmpty(op, outSize(x.shape().dim(3), 1), "width", x, why);
            return x.withShape(Shape.of(x.shape().dim(0), x.shape().dim(1), h, w));
        }

        /** Only the window attributes, for the ops a gradient rule builds. */
        Attrs attrs() { return Attrs.of("kernel", k, "stride", s, "padding", p); }
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
            TensorType y = win.pooled(this, x, attrs);
            if (attrs.has("count_include_pad") && !(attrs.get("count_include_pad") instanceof Boolean))
                throw new ShapeException(name() + " attribute count_include_pad must be a boolean, got " + Attrs.format(attrs.get("count_include_pad")));
            return List.of(y);
        }

        /**
         * max: the cotangent goes to the FIRST maximum of each window (docs/models.md 4.5), through
         * {@code max_pool2d_scatter}. avg: each window spreads {@code g / count} over its elements,
         * a transposed convolution of the per-plane cotangent with a ones kernel, where count is the
         * kernel area or (count_include_pad = false) the number of real elements, itself a
         * convolution of ones.
         */
        @Override public List<Value> vjp(VjpContext c) {
            Value x = c.input(0), g = c.cotangent(0);
            if (!x.type().dtype().isFloating()) return noGradient(c);
            Window win = Window.of(this, c.attrs());
            if (!average) return List.of(c.op(Ops.MAX_POOL2D_SCATTER, win.attrs(), x, g));
            DType dt = x.type().dtype();
            Shape xs = x.type().shape(), gs = g.type().shape();
            long[] noDilation = {1, 1};
            Value ones = c.op(Ops.BROADCAST_TO, Attrs.of("shape", Shape.of(1, 1, win.k[0], win.k[1])), c.scalar(1, dt));
            Value spread;
            if (c.attrs().getBool("count_include_pad", true)) spread = c.op(Ops.MUL, g, c.scalar(1.0 / (win.k[0] * win.k[1]), dt));
            else {
                Value plane = c.op(Ops.BROADCAST_TO, Attrs.of("shape", Shape.of(Dim.of(1), Dim.of(1), xs.dim(2), xs.dim(3))), c.scalar(1, dt));
                Value count = c.op(Ops.CONV2D, ConvAttrs.of(win.s, win.p, noDilation, 1), plane, ones);
                spread = c.op(Ops.DIV, g, count);
            }
            Dim planes = xs.dim(0).times(xs.dim(1));
            Value flat = c.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(planes, Dim.of(1), gs.dim(2), gs.dim(3))), spread);
            long[] outPad = {
                    restoringPadding(this, xs.dim(2), Dim.of(win.k[0]), win.s[0], win.p[TOP] + win.p[BOTTOM], 1, "height"),
                    restoringPadding(this, xs.dim(3), Dim.of(win.k[1]), win.s[1], win.p[LEFT] + win.p[RIGHT], 1, "width")};
            Value gx = c.op(Ops.CONV_TRANSPOSE2D, ConvAttrs.of(win.s, win.p, noDilation, 1).with("output_padding", outPad), flat, ones);
            return List.of(c.op(Ops.RESHAPE, Attrs.of("shape", xs), gx));
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
