package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.List;

import static dlc.ir.ops.ConvAttrs.*;

/**
 * 2-D convolution (cross-correlation, docs/models.md 2.2) and its transpose, NCHW. Attributes:
 * {@code stride [sH, sW]} (default 1), {@code padding [top, bottom, left, right]} (default 0),
 * {@code dilation [dH, dW]} (default 1), {@code groups} (default 1); the transpose also takes
 * {@code output_padding [oh, ow]} (default 0). Neither adds a bias: that is a separate {@code add}.
 */
final class ConvOps {
    private ConvOps() {}

    /**
     * conv2d(x [N, C, H, W], w [O, C/g, kH, kW]) -> [N, O, H_out, W_out], with output channel o
     * in group q = o / (O/g) reading input channels q*C/g .. (q+1)*C/g - 1:
     * {@code y[n,o,i,j] = sum_{c,u,v} w[o,c,u,v] * xpad[n, q*C/g + c, i*sH + u*dH, j*sW + v*dW]},
     * {@code H_out = (H + top + bottom - dH*(kH-1) - 1) floorDiv sH + 1}.
     */
    static final class Conv2d extends OpDef {
        Conv2d() { super("conv2d", Kind.OUT_FUSABLE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            operands(this, in, "[C_out, C_in/groups, kH, kW]");
            TensorType x = in.get(0), w = in.get(1);
            long[] s = stride(this, attrs, new long[]{1, 1}), p = padding(this, attrs), d = dilation(this, attrs);
            long g = groups(this, attrs);
            Dim c = x.shape().dim(1), o = w.shape().dim(0);
            if (differ(c, w.shape().dim(1).times(g)))
                throw new ShapeException("conv2d input " + x + " has " + c + " channels but weight " + w + " with groups=" + g
                        + " reads " + w.shape().dim(1).times(g), "the weight layout is [C_out, C_in/groups, kH, kW]");
            if (o.isConst() && o.value() % g != 0)
                throw new ShapeException("conv2d weight " + w + " has " + o + " output channels, not a multiple of groups=" + g);
            Dim h = outSize(x.shape().dim(2), w.shape().dim(2), s[0], p[TOP], p[BOTTOM], d[0]);
            Dim wd = outSize(x.shape().dim(3), w.shape().dim(3), s[1], p[LEFT], p[RIGHT], d[1]);
            String why = "the padded input must be at least as large as the dilated kernel " + w.shape();
            return List.of(new TensorType(x.dtype(), Shape.of(x.shape().dim(0), o,
                    nonEmpty(this, h, "height", x, why), nonEmpty(this, wd, "width", x, why))));
        }

        /** {@code (conv_transpose2d(gy, w), correlation(x, gy))}, see {@link ConvGradients#conv2d}. */
        @Override public List<Value> vjp(VjpContext c) { return ConvGradients.conv2d(this, c); }

        static Dim outSize(Dim in, Dim k, long s, long lo, long hi, long d) {
            // Dim arithmetic throughout: exact, where lo + hi in long would wrap (a padding of 2^63 - 1)
            return in.plus(Dim.of(lo)).plus(Dim.of(hi)).minus(k.minus(1).times(d)).minus(1).floorDiv(Dim.of(s)).plus(1);
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            Tensor x = in[0], w = in[1];
            long[] s = stride(this, attrs, new long[]{1, 1}), p = padding(this, attrs), d = dilation(this, attrs);
            int g = (int) groups(this, attrs);
            int n = x.dim(0), c = x.dim(1), h = x.dim(2), wi = x.dim(3);
            int o = w.dim(0), cg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
            if (cg * g != c || o % g != 0)
                throw new IllegalArgumentException("conv2d channels do not match at run time: input " + c + ", weight [" + o + ", " + cg + "], groups " + g);
            int ho = Math.floorDiv(h + (int) (p[TOP] + p[BOTTOM]) - (int) d[0] * (kh - 1) - 1, (int) s[0]) + 1;
            int wo = Math.floorDiv(wi + (int) (p[LEFT] + p[RIGHT]) - (int) d[1] * (kw - 1) - 1, (int) s[1]) + 1;
            int og = o / g;
            double[] xd = x.data(), wdat = w.data(), y = new double[n * o * ho * wo];
            int yi = 0;
            for (int b = 0; b < n; b++)
                for (int oc = 0; oc < o; oc++) {
                    int cBase = (oc / og) * cg;
                    for (int i = 0; i < ho; i++)
                        for (int j = 0; j < wo; j++, yi++) {
                            double acc = 0;
                            for (int ci = 0; ci < cg; ci++)
                                for (int u = 0; u < kh; u++) {
                                    int ih = i * (int) s[0] - (int) p[TOP] + u * (int) d[0];
                                    if (ih < 0 || ih >= h) continue;
                                    for (int v = 0; v < kw; v++) {
                                        int iw = j * (int) s[1] - (int) p[LEFT] + v * (int) d[1];
                                        if (iw < 0 || iw >= wi) continue;
                                        acc += wdat[((oc * cg + ci) * kh + u) * kw + v] * xd[((b * c + cBase + ci) * h + ih) * wi + iw];
                                    }
                                }
                            y[yi] = acc;
                        }
                }
            return new Tensor[]{new Tensor(x.dtype(), new int[]{n, o, ho, wo}, y)};
        }
    }

    /**
     * conv_transpose2d(x [N, C, H, W], w [C, O/g, kH, kW]) -> [N, O, H_out, W_out], the input-VJP
     * of conv2d with the same stride, padding, dilation and groups. Direct form: input channel c
     * in group q = c / (C/g) scatters
     * {@code y[n, q*O/g + o, i*sH - top + u*dH, j*sW - left + v*dW] += x[n,c,i,j] * w[c,o,u,v]},
     * dropping targets outside the output;
     * {@code H_out = (H-1)*sH - top - bottom + dH*(kH-1) + output_padding_h + 1}. The output padding
     * (extra rows at the bottom/right that only padding would reach) picks among the input sizes
     * that a strided conv2d maps to the same output size, so it must be below the stride or the
     * dilation.
     */
    static final class ConvTranspose2d extends OpDef {
        ConvTranspose2d() { super("conv_transpose2d", Kind.OUT_FUSABLE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            operands(this, in, "[C_in, C_out/groups, kH, kW]");
            TensorType x = in.get(0), w = in.get(1);
            long[] s = stride(this, attrs, new long[]{1, 1}), p = padding(this, attrs), d = dilation(this, attrs);
            long[] op = outputPadding(attrs, s, d);
            long g = groups(this, attrs);
            Dim c = x.shape().dim(1);
            if (differ(c, w.shape().dim(0)))
                throw new ShapeException("conv_transpose2d input " + x + " has " + c + " channels but weight " + w + " takes " + w.shape().dim(0),
                        "the weight layout is [C_in, C_out/groups, kH, kW]");
            if (c.isConst() && c.value() % g != 0)
                throw new ShapeException("conv_transpose2d input " + x + " has " + c + " channels, not a multiple of groups=" + g);
            Dim h = outSize(x.shape().dim(2), w.shape().dim(2), s[0], p[TOP], p[BOTTOM], d[0], op[0]);
            Dim wd = outSize(x.shape().dim(3), w.shape().dim(3), s[1], p[LEFT], p[RIGHT], d[1], op[1]);
            String why = "the padding removes more rows or columns than the transposed convolution produces";
            return List.of(new TensorType(x.dtype(), Shape.of(x.shape().dim(0), w.shape().dim(1).times(g),
                    nonEmpty(this, h, "height", x, why), nonEmpty(this, wd, "width", x, why))));
        }

        /** {@code (conv2d(gy, w), correlation(gy, x))}, see {@link ConvGradients#convTranspose2d}. */
        @Override public List<Value> vjp(VjpContext c) { return ConvGradients.convTranspose2d(this, c); }

        private long[] outputPadding(Attrs attrs, long[] s, long[] d) {
            long[] op = longs(this, attrs, "output_padding", 2, 0, new long[2]);
            for (int a = 0; a < 2; a++)
                if (op[a] >= Math.max(s[a], d[a]))
                    throw new ShapeException("conv_transpose2d output_padding " + Attrs.format(attrs.get("output_padding"))
                            + " must be smaller than the stride or the dilation on each axis",
                            "output padding only chooses among input sizes a strided conv2d maps to the same size");
            return op;
        }

        static Dim outSize(Dim in, Dim k, long s, long lo, long hi, long d, long extra) {
            return in.minus(1).times(s).minus(Dim.of(lo)).minus(Dim.of(hi)).plus(k.minus(1).times(d)).plus(Dim.of(extra)).plus(1);
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            Tensor x = in[0], w = in[1];
            long[] s = stride(this, attrs, new long[]{1, 1}), p = padding(this, attrs), d = dilation(this, attrs);
            long[] op = outputPadding(attrs, s, d);
            int g = (int) groups(this, attrs);
            int n = x.dim(0), c = x.dim(1), h = x.dim(2), wi = x.dim(3);
            int og = w.dim(1), kh = w.dim(2), kw = w.dim(3), o = og * g;
            if (w.dim(0) != c || c % g != 0)
                throw new IllegalArgumentException("conv_transpose2d channels do not match at run time: input " + c + ", weight [" + w.dim(0) + ", " + og + "], groups " + g);
            int ho = (h - 1) * (int) s[0] - (int) (p[TOP] + p[BOTTOM]) + (int) d[0] * (kh - 1) + (int) op[0] + 1;
            int wo = (wi - 1) * (int) s[1] - (int) (p[LEFT] + p[RIGHT]) + (int) d[1] * (kw - 1) + (int) op[1] + 1;
            int cg = c / g;
            double[] xd = x.data(), wdat = w.data(), y = new double[n * o * ho * wo];
            for (int b = 0; b < n; b++)
                for (int ci = 0; ci < c; ci++) {
                    int oBase = (ci / cg) * og;
                    for (int i = 0; i < h; i++)
                        for (int j = 0; j < wi; j++) {
                            double xv = xd[((b * c + ci) * h + i) * wi + j];
                            for (int oc = 0; oc < og; oc++)
                                for (int u = 0; u < kh; u++) {
                                    int oh = i * (int) s[0] - (int) p[TOP] + u * (int) d[0];
                                    if (oh < 0 || oh >= ho) continue;
                                    for (int v = 0; v < kw; v++) {
                                        int ow = j * (int) s[1] - (int) p[LEFT] + v * (int) d[1];
                                        if (ow < 0 || ow >= wo) continue;
                                        y[((b * o + oBase + oc) * ho + oh) * wo + ow] += xv * wdat[((ci * og + oc) * kh + u) * kw + v];
                                    }
                                }
                        }
                }
            return new Tensor[]{new Tensor(x.dtype(), new int[]{n, o, ho, wo}, y)};
        }
    }
}
