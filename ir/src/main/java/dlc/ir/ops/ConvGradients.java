package dlc.ir.ops;

import dlc.ir.*;

import java.util.ArrayList;
import java.util.List;

import static dlc.ir.ops.ConvAttrs.*;

/**
 * The gradient rules of {@code conv2d} and {@code conv_transpose2d}, written with the two
 * convolutions and movement ops only, so that they can be differentiated again. Both weight
 * gradients are one correlation: a conv2d whose batch is the kernel's channel axis, whose input
 * channels are the original batch, and whose stride and dilation are swapped
 * ({@link #correlation}).
 */
final class ConvGradients {
    private ConvGradients() {}

    /** The window attributes of a convolution node. */
    record Geometry(long[] stride, long[] padding, long[] dilation, long groups) {
        static Geometry of(OpDef op, Attrs a) {
            return new Geometry(ConvAttrs.stride(op, a, new long[]{1, 1}), ConvAttrs.padding(op, a), ConvAttrs.dilation(op, a), ConvAttrs.groups(op, a));
        }

        Attrs attrs() { return ConvAttrs.of(stride, padding, dilation, groups); }
    }

    /**
     * conv2d(x [N, C, H, W], w [O, C/g, kH, kW]) -> y: {@code gx = conv_transpose2d(gy, w)} with the
     * same geometry and the output padding that restores H and W (the rows no window reached get 0);
     * {@code gw = correlation(x, gy)}.
     */
    static List<Value> conv2d(OpDef op, VjpContext c) {
        Value x = c.input(0), w = c.input(1), gy = c.cotangent(0);
        if (!x.type().dtype().isFloating()) return java.util.Arrays.asList(null, null);
        Geometry geo = Geometry.of(op, c.attrs());
        Shape xs = x.type().shape(), ws = w.type().shape();
        long[] s = geo.stride, p = geo.padding, d = geo.dilation;
        long[] outPad = {
                restoringPadding(op, xs.dim(2), ws.dim(2), s[0], p[TOP] + p[BOTTOM], d[0], "height"),
                restoringPadding(op, xs.dim(3), ws.dim(3), s[1], p[LEFT] + p[RIGHT], d[1], "width")};
        Value gx = c.op(Ops.CONV_TRANSPOSE2D, geo.attrs().with("output_padding", outPad), gy, w);
        Value gw = correlation(c, x, gy, geo, ws);
        return List.of(gx, gw);
    }

    /**
     * conv_transpose2d(x [N, C, H, W], w [C, O/g, kH, kW]) -> y: {@code gx = conv2d(gy, w)} with the
     * same geometry (cut to H, W where a large output padding let it run past them);
     * {@code gw = correlation(gy, x)}.
     */
    static List<Value> convTranspose2d(OpDef op, VjpContext c) {
        Value x = c.input(0), w = c.input(1), gy = c.cotangent(0);
        if (!x.type().dtype().isFloating()) return java.util.Arrays.asList(null, null);
        Geometry geo = Geometry.of(op, c.attrs());
        Value gx = cropTo(c, c.op(Ops.CONV2D, geo.attrs(), gy, w), x.type().shape());
        Value gw = correlation(c, gy, x, geo, w.type().shape());
        return List.of(gx, gw);
    }

    /**
     * The kernel gradient {@code k[q*Ka + a, b, u, v] = sum_{n,i,j} wide[n, q*Kb + b, P] * narrow[n, q*Ka + a, i, j]}
     * with {@code P = (i*s - top + u*d, j*s - left + v*d)} (zero outside {@code wide}), the shared form
     * of both weight gradients: conv2d's (wide = x, narrow = gy) and conv_transpose2d's (wide = gy,
     * narrow = x). It is conv2d(wide arranged as [Kb, g*N, ...], narrow arranged as [Ka*g, N, ...])
     * with groups g, stride and dilation swapped; the result [Kb, Ka*g, kH', kW'] has
     * {@code kH' >= kH} (extra rows come from positions past the last window) and is cut to the
     * kernel, then its first two axes swapped.
     */
    private static Value correlation(VjpContext c, Value wide, Value narrow, Geometry geo, Shape kernel) {
        Value input = groupsToBatch(c, wide, geo.groups, kernel.dim(1));
        Value weight = swapFirstAxes(c, narrow);
        Value k = c.op(Ops.CONV2D, ConvAttrs.of(geo.dilation, geo.padding, geo.stride, geo.groups), input, weight);
        Shape ks = k.type().shape();
        k = cropTo(c, k, Shape.of(ks.dim(0), ks.dim(1), kernel.dim(2), kernel.dim(3)));
        return swapFirstAxes(c, k);
    }

    /**
     * x [N, g*K, H, W] as [K, g*N, H, W], channel q*N + n holding x[n, q*K + k]. K is the kernel's
     * second dim (channels per group), which stays exact when x's channel count is symbolic.
     */
    private static Value groupsToBatch(VjpContext c, Value x, long g, Dim k) {
        if (g == 1) return swapFirstAxes(c, x);
        Shape s = x.type().shape();
        Dim n = s.dim(0);
        Value split = c.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(n, Dim.of(g), k, s.dim(2), s.dim(3))), x);
        Value moved = c.op(Ops.PERMUTE, Attrs.of("perm", new long[]{2, 1, 0, 3, 4}), split);
        return c.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(k, n.times(g), s.dim(2), s.dim(3))), moved);
    }

    private static Value swapFirstAxes(VjpContext c, Value x) {
        return c.op(Ops.PERMUTE, Attrs.of("perm", new long[]{1, 0, 2, 3}), x);
    }

    /** The leading {@code target} part of x (a no-op when the shapes already agree). */
    static Value cropTo(VjpContext c, Value x, Shape target) {
        if (x.type().shape().equals(target)) return x;
        List<Dim> starts = new ArrayList<>();
        long[] steps = new long[target.rank()];
        for (int i = 0; i < target.rank(); i++) {
            starts.add(Dim.of(0));
            steps[i] = 1;
        }
        return c.op(Ops.SLICE, Attrs.of("starts", new Shape(starts), "stops", target, "steps", steps), x);
    }
}
