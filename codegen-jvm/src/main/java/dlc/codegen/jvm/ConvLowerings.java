package dlc.codegen.jvm;

import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Node;
import dlc.ir.Shape;
import dlc.ir.Value;
import dlc.runtime.Conv;
import dlc.runtime.Gemm;
import dlc.runtime.Pool;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.util.Arrays;

/**
 * Lowerings of: conv2d, conv_transpose2d, max_pool2d, avg_pool2d, max_pool2d_scatter,
 * max_pool2d_gather. Each is one call of a {@link Conv} or {@link Pool} kernel; shapes are pushed
 * with {@link KernelEmitter#shape} (symbolic dims are evaluated at bind), window attributes as a
 * constant int array, and the im2col/col2im scratch comes from {@link KernelEmitter#scratch},
 * sized from the same dims the kernels check ({@code Conv.conv2dColSize} and friends).
 */
final class ConvLowerings {
    private ConvLowerings() {}

    static void conv2d(Node node, KernelEmitter e) { emitConv2d(node, e, null, Gemm.ACT_NONE, node.output()); }

    static void maxPool2d(Node node, KernelEmitter e) { emitPool(node, e, "maxPool2d"); }

    static void avgPool2d(Node node, KernelEmitter e) { emitPool(node, e, "avgPool2d"); }

    static void maxPool2dScatter(Node node, KernelEmitter e) { emitPoolGradient(node, e, "maxPool2dScatter"); }

    static void maxPool2dGather(Node node, KernelEmitter e) { emitPoolGradient(node, e, "maxPool2dGather"); }

    /** A conv bias ([O, 1, 1] or [1, O, 1, 1] against [N, O, H, W]) added per output channel, in the GEMM's epilogue. */
    static final Lowering.Epilogue EPILOGUE = new Lowering.Epilogue() {
        @Override public int biasKind(Value anchorOut, Value b) {
            if (!KernelEmitter.isFloat(b.type().dtype())) return Gemm.BIAS_NONE;
            Shape s = b.type().shape(), out = anchorOut.type().shape();
            int r = s.rank();
            if (r == 0) return Gemm.BIAS_NONE;
            if (r == 3 && s.dim(0).equals(out.dim(1)) && s.dim(1).equals(Dim.of(1)) && s.dim(2).equals(Dim.of(1))) return Gemm.BIAS_ROW;
            if (r == 4 && s.dim(0).equals(Dim.of(1)) && s.dim(1).equals(out.dim(1)) && s.dim(2).equals(Dim.of(1)) && s.dim(3).equals(Dim.of(1))) return Gemm.BIAS_ROW;
            return Gemm.BIAS_NONE;
        }

        @Override public void emit(Node anchor, KernelEmitter e, Value bias, int biasKind, int act, Value result) {
            emitConv2d(anchor, e, bias, act, result);
        }
    };

    /**
     * Emits conv2d {@code conv} writing {@code result}, with {@code result[n, o, ...] = act(conv + bias[o])}
     * when {@code biasOrNull} is given (its storage holds the O channel biases contiguously, e.g. a
     * [O] or [1, O, 1, 1] value) and {@code act} a {@code Gemm.ACT_*}: the fusion emitter's way to
     * run a conv's bias add and activation in the GEMM epilogue. {@code result} may be the fused
     * group's output rather than {@code conv.output()}; it must have conv's shape and dtype.
     */
    static void emitConv2d(Node conv, KernelEmitter e, Value biasOrNull, int act, Value result) {
        emitConv2d(conv, e, biasOrNull, act, result, false);
    }

    /**
     * The conv half of a conv + 2x2 max pool pair ({@link ConvPoolFusion}): {@link #emitConv2d} as
     * {@code Conv.conv2dMaxPool2}, which leaves the pooled planes at the front of {@code result}
     * where it can pool in the conv's registers; {@link #emitMaxPoolAfterConv} is the pool's half.
     */
    static void emitConv2dMaxPool(Node conv, KernelEmitter e, Value biasOrNull, int act, Value result) {
        if (!KernelEmitter.isFloat(conv.input(0).type().dtype()) || act == Gemm.ACT_NONE)
            throw new IllegalStateException("conv2d + max pool fuses an f32 conv with an activation only: " + result);
        emitConv2d(conv, e, biasOrNull, act, result, true);
    }

    /**
     * The pool half: {@code Conv.maxPool2AfterConv(xs, ws, geo, act, c, cOff, cs, y, yOff, ys)} with
     * the conv node's shapes and geometry, c the conv group's result and y the pool's.
     */
    static void emitMaxPoolAfterConv(Node conv, int act, Node pool, KernelEmitter e) {
        Value c = pool.input(0), y = pool.output();
        e.shape(conv.input(0).type().shape());
        e.shape(conv.input(1).type().shape());
        e.ints(convGeometry(conv.attrs()));
        e.pushInt(act);
        e.array(c);
        e.offset(c);
        e.shape(c.type().shape());
        e.array(y);
        e.offset(y);
        e.shape(y.type().shape());
        e.invoke(Conv.class, "maxPool2AfterConv", descriptor(Conv.class, "maxPool2AfterConv", INTS, INTS, INTS, I, F, I, INTS, F, I, INTS));
    }

    private static void emitConv2d(Node conv, KernelEmitter e, Value biasOrNull, int act, Value result, boolean pooled) {
        Value x = conv.input(0), w = conv.input(1);
        Shape xs = x.type().shape(), ws = w.type().shape(), ys = result.type().shape();
        int[] geo = convGeometry(conv.attrs());
        boolean epilogue = biasOrNull != null || act != Gemm.ACT_NONE;
        boolean f32 = KernelEmitter.isFloat(x.type().dtype());
        if (!f32 && epilogue)
            throw new IllegalStateException("conv2d's bias/activation epilogue runs on f32 only, not " + x.type().dtype()
                    + "; leave the add/activation of an f64 conv unfused");
        if (result.type().dtype() != x.type().dtype() || !ys.equals(conv.output().type().shape()))
            throw new IllegalStateException("conv2d result " + result + " is not shaped like " + conv.output());
        operands(e, x, xs, w, ws, result, ys);
        e.ints(geo);
        if (!f32) {
            e.invoke(Conv.class, "conv2d", descriptor(Conv.class, "conv2d", convParams(D)));
            return;
        }
        // im2col scratch: one [C/g*kH*kW, Ho*Wo] matrix per image for the stacked GEMM, else per thread
        // (Conv.conv2dColSize), or one input channel's [N*Ho*Wo, kH*kW] when the stacked conv runs by
        // input channel (Conv.conv2dByInputChannel); the stacked GEMM's output [O/g, N*Ho*Wo] (at most y's size)
        Dim perImage = ws.dim(1).times(ws.dim(2)).times(ws.dim(3)).times(ys.dim(2)).times(ys.dim(3));
        boolean planeKnown = ys.dim(2).isConst() && ys.dim(3).isConst();
        boolean stacked = !planeKnown || Conv.conv2dStacked((int) ys.dim(2).value(), (int) ys.dim(3).value());
        Dim colSize = perImage.times(stacked ? xs.dim(0) : slices(xs.dim(0)));
        if (planeKnown && stacked && ws.dim(2).isConst() && ws.dim(3).isConst()
                && Conv.conv2dByInputChannel(ws.dim(2).value(), ws.dim(3).value(), geo[Conv.GROUPS], epilogue))
            // a weight gradient: one input channel's columns of every image when summed one input channel
            // at a time, plus the padded operands of Conv's direct weight-gradient kernel (Conv.conv2dWeightGradientColSize)
            colSize = xs.dim(0).times(ys.dim(2)).times(ys.dim(3)).times(ws.dim(2)).times(ws.dim(3))
                    .plus(weightGradientScratch(xs, ws, geo));
        e.scratch(DType.F32, colSize, 0);
        if (stacked) e.scratch(DType.F32, ys.numel(), 1);
        else e.mv().visitInsn(Opcodes.ACONST_NULL);
        if (!epilogue) {
            e.invoke(Conv.class, "conv2d", descriptor(Conv.class, "conv2d", convParams(F, F, F)));
            return;
        }
        if (biasOrNull != null) {
            if (!KernelEmitter.isFloat(biasOrNull.type().dtype()))
                throw new IllegalStateException("conv2d bias " + biasOrNull + " is not f32");
            Dim channels = ws.dim(0), given = biasOrNull.type().shape().numel();
            if (channels.isConst() && given.isConst() && channels.value() != given.value())
                throw new IllegalStateException("conv2d bias " + biasOrNull + " does not hold one value per output channel (" + channels + ")");
            e.array(biasOrNull);
            e.offset(biasOrNull);
        } else {
            e.mv().visitInsn(Opcodes.ACONST_NULL);
            e.pushInt(0);
        }
        e.pushInt(act);
        String kernel = pooled ? "conv2dMaxPool2" : "conv2d";
        e.invoke(Conv.class, kernel, descriptor(Conv.class, kernel, convParams(F, F, F, F, I, I)));
    }

    static void emitConvTranspose2d(Node node, KernelEmitter e) {
        Value x = node.input(0), w = node.input(1), y = node.output();
        Shape xs = x.type().shape(), ws = w.type().shape();
        operands(e, x, xs, w, ws, y, y.type().shape());
        e.ints(convGeometry(node.attrs()));
        if (!KernelEmitter.isFloat(x.type().dtype())) {
            e.invoke(Conv.class, "convTranspose2d", descriptor(Conv.class, "convTranspose2d", convParams(D)));
            return;
        }
        // col2im scratch: one [O/g*kH*kW, H*W] matrix per thread; and the direct stride-1 path's flipped
        // weights and at least one padded image [C, Ho + dH*(kH-1), Wo + dW*(kW-1)] (Conv.convTranspose2dColSize)
        Dim perImage = ws.dim(1).times(ws.dim(2)).times(ws.dim(3)).times(xs.dim(2)).times(xs.dim(3));
        int[] geo = convGeometry(node.attrs());
        Shape ys = y.type().shape();
        Dim padded = xs.dim(1).times(ys.dim(2).plus(ws.dim(2).minus(1).times(geo[Conv.DH])))
                .times(ys.dim(3).plus(ws.dim(3).minus(1).times(geo[Conv.DW]))).plus(17 * 64);
        e.scratch(DType.F32, perImage.times(slices(xs.dim(0))).plus(ws.numel()).plus(padded), 0);
        e.invoke(Conv.class, "convTranspose2d", descriptor(Conv.class, "convTranspose2d", convParams(F, F)));
    }

    /**
     * The padded operands of the direct weight-gradient kernel (runtime ConvBackwardWeights.scratchBound,
     * on symbolic dims): B*K*Hp*Wp + Wp + 64 + O*K*(KH*Wp + 64) with Hp = H + top + bottom, Wp = W + left + right.
     */
    private static Dim weightGradientScratch(Shape xs, Shape ws, int[] geo) {
        Dim hp = xs.dim(2).plus(geo[Conv.TOP] + geo[Conv.BOTTOM]), wp = xs.dim(3).plus(geo[Conv.LEFT] + geo[Conv.RIGHT]);
        return xs.dim(0).times(xs.dim(1)).times(hp).times(wp).plus(wp).plus(64)
                .plus(ws.dim(0).times(ws.dim(1)).times(ws.dim(2).times(wp).plus(64)));
    }

    /** Scratch slices for a batch of {@code n}: min(n, Conv.MAX_SLICES) when n is known, else MAX_SLICES (the kernel uses what it gets). */
    private static Dim slices(Dim n) {
        return n.isConst() ? Dim.of(Math.min(n.value(), Conv.MAX_SLICES)) : Dim.of(Conv.MAX_SLICES);
    }

    /** x, its shape; w, its shape; y, its shape: the leading arguments of every conv kernel. */
    private static void operands(KernelEmitter e, Value x, Shape xs, Value w, Shape ws, Value y, Shape ys) {
        e.array(x);
        e.offset(x);
        e.shape(xs);
        e.array(w);
        e.offset(w);
        e.shape(ws);
        e.array(y);
        e.offset(y);
        e.shape(ys);
    }

    private static void emitPool(Node node, KernelEmitter e, String kernel) {
        Value x = node.input(0), y = node.output();
        Class<?> arr = arrayClass(x);
        e.array(x);
        e.offset(x);
        e.shape(x.type().shape());
        e.array(y);
        e.offset(y);
        e.shape(y.type().shape());
        e.ints(window(node.attrs()));
        if (kernel.equals("avgPool2d")) {
            e.pushInt(node.attrs().getBool("count_include_pad", true) ? 1 : 0);
            e.invoke(Pool.class, kernel, descriptor(Pool.class, kernel, arr, I, INTS, arr, I, INTS, INTS, boolean.class));
        } else e.invoke(Pool.class, kernel, descriptor(Pool.class, kernel, arr, I, INTS, arr, I, INTS, INTS));
    }

    /**
     * max_pool2d_scatter(x, g) -> [shape of x] and max_pool2d_gather(x, src) -> [pooled shape]:
     * both kernels take (x, its shape, second operand, result, the pooled shape, window).
     */
    private static void emitPoolGradient(Node node, KernelEmitter e, String kernel) {
        Value x = node.input(0), second = node.input(1), y = node.output();
        Class<?> arr = arrayClass(x);
        if (arrayClass(second) != arr || arrayClass(y) != arr)
            throw new IllegalStateException(node.op().name() + " operands differ in storage: " + x + ", " + second + ", " + y);
        Shape pooled = kernel.equals("maxPool2dScatter") ? second.type().shape() : y.type().shape();
        e.array(x);
        e.offset(x);
        e.shape(x.type().shape());
        e.array(second);
        e.offset(second);
        e.array(y);
        e.offset(y);
        e.shape(pooled);
        e.ints(window(node.attrs()));
        e.invoke(Pool.class, kernel, descriptor(Pool.class, kernel, arr, I, INTS, arr, I, arr, I, INTS, INTS));
    }

    /** {@code [sH, sW, top, bottom, left, right, dH, dW, groups]}, the layout {@link Conv} reads. */
    static int[] convGeometry(Attrs a) {
        long[] s = a.getLongs("stride", new long[]{1, 1}), p = a.getLongs("padding", new long[4]);
        long[] d = a.getLongs("dilation", new long[]{1, 1});
        long g = a.getLong("groups", 1);
        return ints(s[0], s[1], p[0], p[1], p[2], p[3], d[0], d[1], g);
    }

    /** {@code [kH, kW, sH, sW, top, bottom, left, right]}, the layout {@link Pool} reads; the stride defaults to the kernel. */
    static int[] window(Attrs a) {
        long[] k = a.getLongs("kernel"), s = a.getLongs("stride", k), p = a.getLongs("padding", new long[4]);
        return ints(k[0], k[1], s[0], s[1], p[0], p[1], p[2], p[3]);
    }

    /** Kernel sizes, strides and paddings as the kernels' ints; one past an int (a stride of 2^63 - 1) is the user's, not a bug. */
    private static int[] ints(long... v) {
        for (long x : v)
            if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE)
                throw new dlc.ir.ShapeException("a convolution or pooling size, stride or padding of " + x + " is beyond what the JVM backend's kernels take (an int)",
                        "use sizes, strides and paddings below 2^31");
        return Arrays.stream(v).mapToInt(x -> (int) x).toArray();
    }

    private static Class<?> arrayClass(Value v) {
        return KernelEmitter.isFloat(v.type().dtype()) ? float[].class : double[].class;
    }

    private static final Class<?> I = int.class, INTS = int[].class, F = float[].class, D = double[].class;

    /** The descriptor of the public static kernel {@code owner.name(params)}, read from the class so a signature change fails here, loudly. */
    static String descriptor(Class<?> owner, String name, Class<?>... params) {
        try {
            return Type.getMethodDescriptor(owner.getMethod(name, params));
        } catch (NoSuchMethodException ex) {
            throw new IllegalStateException("the runtime has no " + owner.getSimpleName() + "." + name + Arrays.toString(params), ex);
        }
    }

    /** (x, xOff, xs, w, wOff, ws, y, yOff, ys, geo) then {@code more}: a conv kernel's parameters. */
    private static Class<?>[] convParams(Class<?> arr, Class<?>... more) {
        Class<?>[] head = {arr, I, INTS, arr, I, INTS, arr, I, INTS, INTS};
        Class<?>[] all = Arrays.copyOf(head, head.length + more.length);
        System.arraycopy(more, 0, all, head.length, more.length);
        return all;
    }
}
