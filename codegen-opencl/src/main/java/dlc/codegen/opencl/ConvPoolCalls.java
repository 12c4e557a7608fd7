package dlc.codegen.opencl;

import dlc.ir.Attrs;
import dlc.ir.Node;
import dlc.ir.Value;

/**
 * Convolution and pooling nodes on conv.cl and pool.cl ({@link ConvKernels}, {@link PoolKernels}),
 * their geometry read from the node's attributes as the IR defines them (conv: stride, padding
 * [top, bottom, left, right], dilation, groups; pool: kernel, stride defaulting to the kernel,
 * padding). Float32 operands as float; f64 and integers stored as double, as the graph stores them. A fusion group's epilogue (bias, activation, residual ...) runs in
 * the kernel's store ({@link #convWithStore}); conv.cl's own BIAS/ACT epilogue is not used by the
 * graph compiler.
 */
final class ConvPoolCalls {
    private ConvPoolCalls() {}

    private static long[] longs(Attrs a, String key, long[] dflt) { return a.has(key) ? a.getLongs(key) : dflt; }

    private static ConvGeometry geometry(Node n) {
        Attrs a = n.attrs();
        long[] s = longs(a, "stride", new long[]{1, 1}), p = longs(a, "padding", new long[4]), d = longs(a, "dilation", new long[]{1, 1});
        long g = a.has("groups") ? a.getLong("groups") : 1;
        return new ConvGeometry((int) s[0], (int) s[1], (int) p[0], (int) p[1], (int) p[2], (int) p[3], (int) d[0], (int) d[1], (int) g);
    }

    private static PoolWindow window(Node n) {
        Attrs a = n.attrs();
        long[] k = a.getLongs("kernel"), s = longs(a, "stride", k), p = longs(a, "padding", new long[4]);
        return new PoolWindow((int) k[0], (int) k[1], (int) s[0], (int) s[1], (int) p[0], (int) p[1], (int) p[2], (int) p[3]);
    }

    static void conv2d(Node n, ClLowering.KernelContext cx) { conv(n, cx, false); }

    static void convTranspose2d(Node n, ClLowering.KernelContext cx) { conv(n, cx, true); }

    private static void conv(Node n, ClLowering.KernelContext cx, boolean transpose) {
        Value x = n.input(0), w = n.input(1), y = n.output();
        Value hx = cx.home(x), hw = cx.home(w), hy = cx.home(y);
        ConvGeometry geo = geometry(n);
        dlc.ir.DType dtype = x.type().dtype();
        cx.step(b -> {
            int[] xs = b.shape(x), ws = b.shape(w), ys = b.shape(y);
            long ox = b.offset(hx), ow = b.offset(hw), oy = b.offset(hy);
            return transpose ? () -> b.conv().convTranspose2d(dtype, b.arena(), ox, xs, ow, ws, oy, ys, geo)
                    : () -> b.conv().conv2d(dtype, b.arena(), ox, xs, ow, ws, oy, ys, geo);
        });
    }

    /** conv2d or conv_transpose2d with a fusion group's epilogue as its store: y is not written. */
    static void convWithStore(Node n, ClLowering.KernelContext cx, KernelWriter store, boolean transpose) {
        Value x = n.input(0), w = n.input(1), y = n.output();
        Value hx = cx.home(x), hw = cx.home(w);
        ConvGeometry geo = geometry(n);
        cx.step(b -> {
            int[] xs = b.shape(x), ws = b.shape(w), ys = b.shape(y);
            long ox = b.offset(hx), ow = b.offset(hw);
            KernelWriter.StoreArgs args = store.storeArgs(b);
            return () -> b.conv().withStore(transpose, b.arena(), ox, xs, ow, ws, ys, geo, args);
        });
    }

    static void maxPool2d(Node n, ClLowering.KernelContext cx) { pool(n, cx, false); }

    static void avgPool2d(Node n, ClLowering.KernelContext cx) { pool(n, cx, true); }

    private static void pool(Node n, ClLowering.KernelContext cx, boolean average) {
        Value x = n.input(0), y = n.output();
        Value hx = cx.home(x), hy = cx.home(y);
        PoolWindow win = window(n);
        dlc.ir.DType dtype = x.type().dtype();
        boolean includePad = n.attrs().getBool("count_include_pad", true);
        cx.step(b -> {
            int[] xs = b.shape(x);
            long ox = b.offset(hx), oy = b.offset(hy);
            return average ? () -> b.pool().avgPool2d(dtype, b.arena(), ox, xs, oy, win, includePad) : () -> b.pool().maxPool2d(dtype, b.arena(), ox, xs, oy, win);
        });
    }

    /** max_pool2d_scatter(x, g): g routed to each window's first maximum of x (max_pool2d's input gradient). */
    static void maxPool2dScatter(Node n, ClLowering.KernelContext cx) {
        Value x = n.input(0), g = n.input(1), y = n.output();
        Value hx = cx.home(x), hg = cx.home(g), hy = cx.home(y);
        PoolWindow win = window(n);
        dlc.ir.DType dtype = x.type().dtype();
        cx.step(b -> {
            int[] xs = b.shape(x);
            long ox = b.offset(hx), og = b.offset(hg), oy = b.offset(hy);
            return () -> b.pool().maxPool2dScatter(dtype, b.arena(), ox, xs, og, oy, win);
        });
    }

    /** max_pool2d_gather(x, src): src at each window's first maximum of x. */
    static void maxPool2dGather(Node n, ClLowering.KernelContext cx) {
        Value x = n.input(0), src = n.input(1), y = n.output();
        Value hx = cx.home(x), hs = cx.home(src), hy = cx.home(y);
        PoolWindow win = window(n);
        dlc.ir.DType dtype = x.type().dtype();
        cx.step(b -> {
            int[] xs = b.shape(x);
            long ox = b.offset(hx), os = b.offset(hs), oy = b.offset(hy);
            return () -> b.pool().maxPool2dGather(dtype, b.arena(), ox, os, xs, oy, win);
        });
    }
}
