package dlc.codegen.jvm;

import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.GraphBuilder;
import dlc.ir.Node;
import dlc.ir.OpDef;
import dlc.ir.Shape;
import dlc.ir.TensorType;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.runtime.Gemm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Each conv/pool lowering, run through {@link ImmediateEmitter} on a node whose batch is the
 * symbol B, against the float64 reference op: argument order, attribute encoding (defaults
 * included), scratch sizes under a binding, and the f64 forms.
 */
class ConvLoweringsTest {
    private static final Dim B = Dim.sym("B");

    /** One node over random data, run by its lowering, and compared with the reference. */
    private static void check(String what, Random r, DType dt, OpDef op, Attrs attrs, int batch, long[][] shapes, Value biasOrNull, int act) {
        GraphBuilder gb = new GraphBuilder("t");
        Value[] in = new Value[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            Shape s = Shape.of(shapes[i]);
            // the first operand's batch is symbolic; a second NCHW operand of the pool gradients shares it
            if (i == 0 || (op == Ops.MAX_POOL2D_SCATTER || op == Ops.MAX_POOL2D_GATHER)) {
                Dim[] d = s.dims().toArray(Dim[]::new);
                d[0] = B;
                s = Shape.of(d);
            }
            in[i] = gb.input("in" + i, new TensorType(dt, s), i == 0 ? Value.Role.INPUT : Value.Role.PARAM);
        }
        Value y = gb.op(op, attrs, in);
        Node node = y.producer();
        Map<String, Long> env = Map.of("B", (long) batch);
        ImmediateEmitter em = new ImmediateEmitter(env);
        Tensor[] ref = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            int[] s = in[i].type().shape().eval(env);
            int off = r.nextInt(4), n = (int) Tensor.numel(s);
            double[] d = new double[n];
            for (int k = 0; k < n; k++) d[k] = dt == DType.F32 ? (double) (2 * r.nextFloat() - 1) : 2 * r.nextDouble() - 1;
            ref[i] = new Tensor(dt, s, d);
            em.bind(in[i], storage(dt, d, off), off);
        }
        int[] ys = y.type().shape().eval(env);
        int yOff = r.nextInt(4);
        Object out = storage(dt, new double[(int) Tensor.numel(ys)], yOff);
        em.bind(y, out, yOff);
        double[] bias = null;
        if (biasOrNull != null) {
            bias = new double[ys[1]];
            for (int k = 0; k < bias.length; k++) bias[k] = 2 * r.nextFloat() - 1;
            em.bind(biasOrNull, storage(dt, bias, 2), 2);
        }
        if (bias == null && act == Gemm.ACT_NONE) LoweringTable.kernel(node.op()).emit(node, em);
        else ConvLowerings.emitConv2d(node, em, biasOrNull, act, y);
        if (em.calls != 1) throw new AssertionError(what + ": expected one kernel call, got " + em.calls);
        lastScratch0 = em.scratch0;

        double[] want = op.eval(ref, attrs, List.of(), null)[0].data();
        // the sum of magnitudes each result is made of, for the float32 error bound
        Tensor[] absRef = new Tensor[ref.length];
        for (int i = 0; i < ref.length; i++) {
            double[] a = ref[i].data().clone();
            for (int k = 0; k < a.length; k++) a[k] = Math.abs(a[k]);
            absRef[i] = (op == Ops.MAX_POOL2D_SCATTER || op == Ops.MAX_POOL2D_GATHER) && i == 0 ? ref[0] : new Tensor(dt, ref[i].shape(), a);
        }
        double[] scale = op == Ops.MAX_POOL2D ? new double[want.length] : op.eval(absRef, attrs, List.of(), null)[0].data();
        int plane = ys.length == 4 ? ys[2] * ys[3] : 1;
        if (bias != null)
            for (int k = 0; k < want.length; k++) {
                double b = bias[k / plane % ys[1]];
                want[k] += b;
                scale[k] += Math.abs(b);
            }
        if (act == Gemm.ACT_RELU)
            for (int k = 0; k < want.length; k++) want[k] = Math.max(0, want[k]);
        int terms = terms(op, shapes);
        double u = dt == DType.F32 ? Math.scalb(1.0, -24) : Math.scalb(1.0, -53);
        for (int k = 0; k < want.length; k++) {
            double got = out instanceof float[] f ? f[yOff + k] : ((double[]) out)[yOff + k];
            // a float sum of `terms` products in any order: error <= terms * u * sum |products| (Higham 3.1)
            double err = Math.abs(got - want[k]), bound = (terms + 2) * u * scale[k] + Float.MIN_NORMAL;
            if (!(err <= bound))
                throw new AssertionError(what + " " + op + attrs + ": element " + k + " is " + got + ", float64 reference " + want[k] + " (bound " + bound + ")");
        }
    }

    /**
     * At least the products one result sums: conv2d C/g*kH*kW (the weight's [1..3]), the transpose
     * at most C*kH*kW, the pools at most the window area (kernels here are at most 3x3) or, for the
     * scatter, the overlapping windows.
     */
    private static int terms(OpDef op, long[][] shapes) {
        if (op == Ops.CONV2D) return (int) (shapes[1][1] * shapes[1][2] * shapes[1][3]);
        if (op == Ops.CONV_TRANSPOSE2D) return (int) (shapes[0][1] * shapes[1][2] * shapes[1][3]);
        return 9;
    }

    private static Object storage(DType dt, double[] d, int off) {
        if (dt == DType.F32) {
            float[] a = new float[off + d.length];
            for (int k = 0; k < d.length; k++) a[off + k] = (float) d[k];
            return a;
        }
        double[] a = new double[off + d.length];
        System.arraycopy(d, 0, a, off, d.length);
        return a;
    }

    private static Attrs convAttrs(Random r, int kh, int kw, long g, boolean defaults) {
        if (defaults && r.nextBoolean()) return g == 1 ? Attrs.EMPTY : Attrs.of("groups", g);
        return Attrs.of("stride", new long[]{1 + r.nextInt(2), 1 + r.nextInt(2)},
                "padding", new long[]{r.nextInt(2), r.nextInt(2), r.nextInt(2), r.nextInt(2)},
                "dilation", new long[]{1 + r.nextInt(2), 1 + r.nextInt(2)}, "groups", g);
    }

    /** The slot-0 scratch of the last {@link #check}, in floats. */
    private static int lastScratch0;

    /**
     * The lowerings give the gradient kernels without im2col (runtime ConvBackwardWeights,
     * ConvBackwardData) at least the scratch they need, on a symbolic dim: the reference CNN's second
     * layer's weight gradient (the autodiff's correlation conv2d, x and the cotangent with their
     * first axes swapped) and input gradient, run through the lowering against the reference, and
     * the scratch compared with the runtime's own sizes (Conv.conv2dWeightGradientColSize,
     * Conv.convTranspose2dColSize), which the kernels check before they run.
     */
    @Test
    void gradientKernelsGetTheirScratch() {
        Random r = new Random(23);
        Attrs pad1 = Attrs.of("padding", new long[]{1, 1, 1, 1});
        int[] geo = ConvLowerings.convGeometry(pad1);
        check("weight gradient", r, DType.F32, Ops.CONV2D, pad1, 32, new long[][]{{32, 5, 14, 14}, {64, 5, 14, 14}}, null, Gemm.ACT_NONE);
        long need = dlc.runtime.Conv.conv2dWeightGradientColSize(new int[]{32, 5, 14, 14}, new int[]{64, 5, 14, 14}, new int[]{32, 64, 3, 3}, geo);
        if (lastScratch0 < need) throw new AssertionError("weight gradient scratch " + lastScratch0 + " < " + need);
        check("input gradient", r, DType.F32, Ops.CONV_TRANSPOSE2D, pad1.with("output_padding", new long[]{0, 0}), 5,
                new long[][]{{5, 64, 14, 14}, {64, 32, 3, 3}}, null, Gemm.ACT_NONE);
        need = dlc.runtime.Conv.convTranspose2dColSize(new int[]{5, 64, 14, 14}, new int[]{64, 32, 3, 3}, new int[]{5, 32, 14, 14}, geo);
        if (lastScratch0 < need) throw new AssertionError("input gradient scratch " + lastScratch0 + " < " + need);
    }

    @Test
    void convolutions() {
        Random r = new Random(21);
        for (int t = 0; t < 80; t++) {
            DType dt = t % 4 == 3 ? DType.F64 : DType.F32;
            int g = 1 + r.nextInt(2), cg = 1 + r.nextInt(3), og = 1 + r.nextInt(3), kh = 1 + r.nextInt(3), kw = 1 + r.nextInt(3);
            int h = 6 + r.nextInt(10), w = 6 + r.nextInt(10), batch = 1 + r.nextInt(3);
            Attrs a = convAttrs(r, kh, kw, g, true);
            check("conv2d", r, dt, Ops.CONV2D, a, batch, new long[][]{{batch, g * cg, h, w}, {g * og, cg, kh, kw}}, null, Gemm.ACT_NONE);
            long[] s = a.getLongs("stride", new long[]{1, 1}), d = a.getLongs("dilation", new long[]{1, 1});
            Attrs ta = a.with("output_padding", new long[]{r.nextInt((int) Math.max(s[0], d[0])), r.nextInt((int) Math.max(s[1], d[1]))});
            check("conv_transpose2d", r, dt, Ops.CONV_TRANSPOSE2D, ta, batch, new long[][]{{batch, g * cg, h, w}, {g * cg, og, kh, kw}}, null, Gemm.ACT_NONE);
        }
    }

    @Test
    void conv2dWithBiasAndReluEpilogue() {
        Random r = new Random(22);
        for (int t = 0; t < 20; t++) {
            int o = 1 + r.nextInt(5), c = 1 + r.nextInt(3), batch = 1 + r.nextInt(3);
            Value bias = Value.graphInput("b", TensorType.of(DType.F32, 1, o, 1, 1), Value.Role.PARAM);
            check("conv2d + bias + relu", r, DType.F32, Ops.CONV2D, convAttrs(r, 3, 3, 1, false), batch,
                    new long[][]{{batch, c, 5 + r.nextInt(12), 5 + r.nextInt(12)}, {o, c, 3, 3}}, t % 2 == 0 ? bias : null, Gemm.ACT_RELU);
        }
    }

    @Test
    void f64EpilogueIsRefused() {
        GraphBuilder gb = new GraphBuilder("t");
        Value x = gb.input("x", TensorType.of(DType.F64, 1, 1, 4, 4), Value.Role.INPUT);
        Value w = gb.input("w", TensorType.of(DType.F64, 2, 1, 3, 3), Value.Role.PARAM);
        Value y = gb.op(Ops.CONV2D, x, w);
        try {
            ConvLowerings.emitConv2d(y.producer(), new ImmediateEmitter(Map.of()), null, Gemm.ACT_RELU, y);
            throw new AssertionError("an f64 epilogue was emitted");
        } catch (IllegalStateException expected) {
            if (!expected.getMessage().contains("f32 only")) throw expected;
        }
    }

    @Test
    void pools() {
        Random r = new Random(23);
        for (int t = 0; t < 80; t++) {
            DType dt = t % 4 == 3 ? DType.F64 : DType.F32;
            int kh = 1 + r.nextInt(3), kw = 1 + r.nextInt(3), batch = 1 + r.nextInt(3), c = 1 + r.nextInt(3);
            int h = 4 + r.nextInt(8), w = 4 + r.nextInt(8);
            Attrs a = r.nextBoolean() ? Attrs.of("kernel", new long[]{kh, kw})
                    : Attrs.of("kernel", new long[]{kh, kw}, "stride", new long[]{1 + r.nextInt(3), 1 + r.nextInt(3)},
                    "padding", new long[]{r.nextInt(kh), r.nextInt(kh), r.nextInt(kw), r.nextInt(kw)});
            long[] xs = {batch, c, h, w};
            check("max_pool2d", r, dt, Ops.MAX_POOL2D, a, batch, new long[][]{xs}, null, Gemm.ACT_NONE);
            check("avg_pool2d", r, dt, Ops.AVG_POOL2D, r.nextBoolean() ? a : a.with("count_include_pad", false), batch, new long[][]{xs}, null, Gemm.ACT_NONE);
            long[] k = a.getLongs("kernel"), s = a.getLongs("stride", k), p = a.getLongs("padding", new long[4]);
            long[] ys = {batch, c, Math.floorDiv(h + p[0] + p[1] - k[0], s[0]) + 1, Math.floorDiv(w + p[2] + p[3] - k[1], s[1]) + 1};
            check("max_pool2d_scatter", r, dt, Ops.MAX_POOL2D_SCATTER, a, batch, new long[][]{xs, ys}, null, Gemm.ACT_NONE);
            check("max_pool2d_gather", r, dt, Ops.MAX_POOL2D_GATHER, a, batch, new long[][]{xs, xs}, null, Gemm.ACT_NONE);
        }
    }
}
