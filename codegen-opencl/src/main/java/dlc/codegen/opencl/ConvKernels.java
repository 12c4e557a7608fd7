package dlc.codegen.opencl;

import dlc.ir.DType;

import java.util.HashMap;
import java.util.Map;

/**
 * Runs conv.cl: conv2d, conv_transpose2d (which is also conv2d's input gradient) and conv2d's
 * weight gradient, NCHW float32 tensors at element offsets in an arena, enqueued without
 * waiting. Each is an implicit GEMM per group on sgemm.cl's tiles (no im2col matrix, no host
 * loop over groups or images); one program per kind, built on first use.
 */
public final class ConvKernels {
    private static final int FORWARD = 0, TRANSPOSE = 1, WEIGHT_GRAD = 2;

    private final ClExecutor executor;
    private final Map<Variant, TiledPrograms.Pick> picks = new HashMap<>();

    /** What the forward kernel does as it stores a result: add a per-channel bias, apply an activation. */
    private record Epilogue(boolean bias, Activation act) {
        static final Epilogue NONE = new Epilogue(false, Activation.NONE);
    }

    /** One program: a kind and, for the forward kind, an epilogue; {@code store}: a generated store's prefix, or "". */
    private record Variant(int kind, Epilogue epilogue, String store, boolean f64) {
        Variant(int kind, Epilogue epilogue) { this(kind, epilogue, "", false); }
    }

    private final Sgemm.Tiling[] tilings;

    public ConvKernels(ClExecutor executor) { this(executor, Sgemm.TILINGS); }

    /** Tiled with the first of {@code tilings} that fits (tests name one, to run the tilings other devices get). */
    ConvKernels(ClExecutor executor, Sgemm.Tiling... tilings) {
        this.executor = executor;
        this.tilings = tilings;
    }

    /** conv2d(x [N, C, H, W], w [O, C/g, kH, kW]) -> y [N, O, Ho, Wo]. */
    public void conv2d(DeviceArena arena, long xOff, int[] xs, long wOff, int[] ws, long yOff, int[] ys, ConvGeometry geo) {
        conv2d(DType.F32, arena, xOff, xs, wOff, ws, yOff, ys, geo);
    }

    /**
     * As above on tensors of {@code dtype}: f32 as float; f64 and integers stored as double
     * (offsets in doubles) and summed in double (integer results not wrapped, as the interpreter's
     * convolutions). Needs cl_khr_fp64 for anything but f32.
     */
    public void conv2d(DType dtype, DeviceArena arena, long xOff, int[] xs, long wOff, int[] ws, long yOff, int[] ys, ConvGeometry geo) {
        String op = "conv2d";
        shapes(op, xs, ws, ys);
        int g = geo.groups();
        if (ws[1] * g != xs[1] || ws[0] % g != 0 || ys[0] != xs[0] || ys[1] != ws[0]
                || ys[2] != geo.outH(xs[2], ws[2]) || ys[3] != geo.outW(xs[3], ws[3]))
            throw mismatch(op, xs, ws, ys, geo);
        int k = ws[1] * ws[2] * ws[3];
        run(dtype, op, FORWARD, Epilogue.NONE, arena, xOff, xs, wOff, ws, yOff, ys, geo, ys[1], ys[2], ys[3],
                ws[0] / g, ys[0] * ys[2] * ys[3], k, Math.max(1, k), 0, 1, -1, null);
    }

    /**
     * conv2d with its epilogue: {@code y[n, o, ...] += bias[o]} from the O floats at {@code biasOff}
     * (none when negative), then {@code act}, applied as the kernel stores each result.
     */
    public void conv2d(DeviceArena arena, long xOff, int[] xs, long wOff, int[] ws, long yOff, int[] ys, ConvGeometry geo,
                       long biasOff, Activation act) {
        String op = "conv2d";
        shapes(op, xs, ws, ys);
        int g = geo.groups();
        if (ws[1] * g != xs[1] || ws[0] % g != 0 || ys[0] != xs[0] || ys[1] != ws[0]
                || ys[2] != geo.outH(xs[2], ws[2]) || ys[3] != geo.outW(xs[3], ws[3]))
            throw mismatch(op, xs, ws, ys, geo);
        if (biasOff >= 0) ArenaChecks.inside(op, "bias", biasOff, ws[0], Float.BYTES, arena);
        int og = ws[0] / g;
        Epilogue epilogue = new Epilogue(biasOff >= 0, act);
        int k = ws[1] * ws[2] * ws[3];
        run(DType.F32, op, FORWARD, epilogue, arena, xOff, xs, wOff, ws, yOff, ys, geo, ys[1], ys[2], ys[3],
                og, ys[0] * ys[2] * ys[3], k, Math.max(1, k), 0, 1, biasOff, null);
    }

    /**
     * conv2d ({@code transpose} false) or conv_transpose2d with a generated store: each result goes
     * to a fusion group's epilogue with its linear index in the dense y and its channel; y itself
     * is not written.
     */
    void withStore(boolean transpose, DeviceArena arena, long xOff, int[] xs, long wOff, int[] ws, int[] ys, ConvGeometry geo,
                   KernelWriter.StoreArgs store) {
        String op = transpose ? "conv_transpose2d" : "conv2d";
        shapes(op, xs, ws, ys);
        int g = geo.groups();
        if (transpose) {
            int ho = geo.transposedH(xs[2], ws[2]), wo = geo.transposedW(xs[3], ws[3]);
            if (ws[0] != xs[1] || xs[1] % g != 0 || ys[0] != xs[0] || ys[1] != ws[1] * g
                    || ys[2] < ho || ys[2] >= ho + Math.max(geo.sh(), geo.dh()) || ys[3] < wo || ys[3] >= wo + Math.max(geo.sw(), geo.dw()))
                throw mismatch(op, xs, ws, ys, geo);
            run(DType.F32, op, TRANSPOSE, Epilogue.NONE, arena, xOff, xs, wOff, ws, 0, ys, geo, ys[1], ys[2], ys[3],
                    ws[1], ys[0] * ceil(ys[2], geo.sh()) * ceil(ys[3], geo.sw()), 0, 1, 0, geo.sh() * geo.sw(), -1, store);
            return;
        }
        if (ws[1] * g != xs[1] || ws[0] % g != 0 || ys[0] != xs[0] || ys[1] != ws[0]
                || ys[2] != geo.outH(xs[2], ws[2]) || ys[3] != geo.outW(xs[3], ws[3]))
            throw mismatch(op, xs, ws, ys, geo);
        int k = ws[1] * ws[2] * ws[3];
        run(DType.F32, op, FORWARD, Epilogue.NONE, arena, xOff, xs, wOff, ws, 0, ys, geo, ys[1], ys[2], ys[3],
                ws[0] / g, ys[0] * ys[2] * ys[3], k, Math.max(1, k), 0, 1, -1, store);
    }

    /**
     * conv_transpose2d(x [N, C, H, W], w [C, O/g, kH, kW]) -> y [N, O, Ho, Wo]; Ho may exceed
     * {@link ConvGeometry#transposedH} by an output padding below max(sH, dH). With conv2d's
     * geometry, gy as x and conv2d's weight as w, this is conv2d's input gradient.
     */
    public void convTranspose2d(DeviceArena arena, long xOff, int[] xs, long wOff, int[] ws, long yOff, int[] ys, ConvGeometry geo) {
        convTranspose2d(DType.F32, arena, xOff, xs, wOff, ws, yOff, ys, geo);
    }

    /** As above on tensors of {@code dtype} (see {@link #conv2d(DType, DeviceArena, long, int[], long, int[], long, int[], ConvGeometry)}). */
    public void convTranspose2d(DType dtype, DeviceArena arena, long xOff, int[] xs, long wOff, int[] ws, long yOff, int[] ys, ConvGeometry geo) {
        String op = "conv_transpose2d";
        shapes(op, xs, ws, ys);
        int g = geo.groups(), ho = geo.transposedH(xs[2], ws[2]), wo = geo.transposedW(xs[3], ws[3]);
        if (ws[0] != xs[1] || xs[1] % g != 0 || ys[0] != xs[0] || ys[1] != ws[1] * g
                || ys[2] < ho || ys[2] >= ho + Math.max(geo.sh(), geo.dh()) || ys[3] < wo || ys[3] >= wo + Math.max(geo.sw(), geo.dw()))
            throw mismatch(op, xs, ws, ys, geo);
        run(dtype, op, TRANSPOSE, Epilogue.NONE, arena, xOff, xs, wOff, ws, yOff, ys, geo, ys[1], ys[2], ys[3],
                ws[1], ys[0] * ceil(ys[2], geo.sh()) * ceil(ys[3], geo.sw()), 0, 1, 0, geo.sh() * geo.sw(), -1, null);
    }

    /**
     * conv2d's weight gradient: x [N, C, H, W] and the output's cotangent gy [N, O, Ho, Wo] give
     * gw [O, C/g, kH, kW], each element summed over (n, i, j) in that order by one work-item, so
     * the result is the same run to run. Without scratch the whole sum runs in the few work-groups
     * gw's tiles make; see the overload with scratch for a device-wide split.
     */
    public void conv2dWeightGrad(DeviceArena arena, long xOff, int[] xs, long gyOff, int[] gys, long gwOff, int[] gws, ConvGeometry geo) {
        conv2dWeightGrad(arena, xOff, xs, gyOff, gys, gwOff, gws, geo, 0, 0);
    }

    /**
     * As above, with the sum over (n, i, j) cut into up to {@code scratchFloats / |gw|} slices
     * that run in parallel, each writing a partial gw into the scratch at {@code scratchOff}, then
     * added in slice order by one more kernel (deterministic: the same slices for the same shapes
     * and device). {@link #weightGradScratchFloats} is the scratch that gets the most slices.
     */
    public void conv2dWeightGrad(DeviceArena arena, long xOff, int[] xs, long gyOff, int[] gys, long gwOff, int[] gws, ConvGeometry geo,
                                 long scratchOff, long scratchFloats) {
        String op = "conv2d weight gradient";
        shapes(op, xs, gws, gys);
        int g = geo.groups();
        if (gws[1] * g != xs[1] || gws[0] % g != 0 || gys[0] != xs[0] || gys[1] != gws[0]
                || gys[2] != geo.outH(xs[2], gws[2]) || gys[3] != geo.outW(xs[3], gws[3]))
            throw mismatch(op, xs, gws, gys, geo);
        int m = gws[0] / g, n = gws[1] * gws[2] * gws[3], k = gys[0] * gys[2] * gys[3];
        int result = ArenaChecks.elements(op, "weight gradient", gws);
        int slices = result == 0 ? 1 : (int) Math.max(1, Math.min(slices(m, n, k, g), scratchFloats / result));
        int chunk = chunk(k, slices);
        slices = Math.max(1, (k + chunk - 1) / chunk);
        if (slices == 1) {
            run(DType.F32, op, WEIGHT_GRAD, Epilogue.NONE, arena, xOff, xs, gyOff, gys, gwOff, gws, geo, gys[1], gys[2], gys[3], m, n, k, Math.max(k, 1), 0, 1, -1, null);
            return;
        }
        ArenaChecks.inside(op, "scratch", scratchOff, (long) slices * result, Float.BYTES, arena);
        ArenaChecks.inside(op, "output", gwOff, result, Float.BYTES, arena);
        run(DType.F32, op, WEIGHT_GRAD, Epilogue.NONE, arena, xOff, xs, gyOff, gys, scratchOff, gws, geo, gys[1], gys[2], gys[3], m, n, k, chunk, result, slices, -1, null);
        ClKernel sum = executor.program(ProgramSource.resource("conv.cl", sumDefines())).kernel("conv_sum_splits");
        sum.arg(0, arena).arg(1, scratchOff).arg(2, arena).arg(3, gwOff).arg(4, result).arg(5, slices);
        executor.launch(sum, new long[]{(result + 63L) / 64 * 64}, null);
    }

    /** Floats of scratch with which {@link #conv2dWeightGrad} splits its sum the most on this device (0: it would not split). */
    public long weightGradScratchFloats(int[] xs, int[] gys, int[] gws, ConvGeometry geo) {
        int g = geo.groups(), m = gws[0] / g, n = gws[1] * gws[2] * gws[3], k = gys[0] * gys[2] * gys[3];
        int slices = slices(m, n, k, g);
        if (slices > 1) slices = (k + chunk(k, slices) - 1) / chunk(k, slices);
        return slices <= 1 ? 0 : (long) slices * ArenaChecks.elements("conv2d weight gradient", "weight gradient", gws);
    }

    /** Slices of at least MIN_CHUNK of K each, enough to give the device about 4 work-groups per compute unit. */
    private int slices(int m, int n, int k, int groups) {
        Sgemm.Tiling t = weightGradPick().tiling();
        long tiles = TiledPrograms.ceilDiv(m, t.tsm()) * TiledPrograms.ceilDiv(n, t.tsn()) * groups;
        long wanted = TiledPrograms.ceilDiv(4L * executor.device().computeUnits(), Math.max(1, tiles));
        return (int) Math.max(1, Math.min(wanted, Math.min(MAX_SLICES, k / MIN_CHUNK)));
    }

    /** A slice's share of K, rounded up to whole TSK steps. */
    private int chunk(int k, int slices) {
        int tsk = weightGradPick().tiling().tsk();
        long c = TiledPrograms.ceilDiv(Math.max(k, 1), slices);
        return (int) (TiledPrograms.ceilDiv(c, tsk) * tsk);
    }

    /** Split K only where a slice still sums this many terms, and into at most MAX_SLICES. */
    private static final int MIN_CHUNK = 256, MAX_SLICES = 64;

    private Map<String, String> sumDefines() {
        Map<String, String> d = new HashMap<>(TiledPrograms.defines(weightGradPick().tiling()));
        d.put("KIND", "" + WEIGHT_GRAD);
        return d;
    }

    private static int ceil(int a, int b) { return (a + b - 1) / b; }

    /**
     * Enqueues one kind: X, W, Y as conv.cl names them; (o, ho, wo) the channels and plane conv.cl
     * indexes; m x n the GEMM per group (for the transpose, the largest phase's), k its depth;
     * {@code slices} layers of work-groups per group: K slices (weight gradient) or phases (transpose).
     */
    private void run(DType dtype, String op, int kind, Epilogue epilogue, DeviceArena arena, long xOff, int[] xs, long wOff, int[] ws, long yOff, int[] ys,
                     ConvGeometry geo, int o, int ho, int wo, int m, int n, int k, int kChunk, long ySplit, int slices, long biasOff,
                     KernelWriter.StoreArgs store) {
        if (dtype == DType.BOOL) throw new IllegalArgumentException(op + ": no kernel for " + dtype + " tensors");
        boolean f64 = dtype != DType.F32;
        if (f64 && (store != null || epilogue != Epilogue.NONE))
            throw new IllegalArgumentException(op + ": a fused store or epilogue takes f32 results, not " + dtype);
        if (f64 && !executor.device().fp64())
            throw new OpenClException(op + " on " + dtype + " runs in double, but " + executor.device().describe()
                    + " has no double precision (cl_khr_fp64)");
        int bytes = ClTypes.bytes(dtype);
        ArenaChecks.inside(op, "input", xOff, ArenaChecks.elements(op, "input", xs), bytes, arena);
        String second = kind == WEIGHT_GRAD ? "cotangent" : "weight";
        ArenaChecks.inside(op, second, wOff, ArenaChecks.elements(op, second, ws), bytes, arena);
        if (ySplit == 0 && store == null) ArenaChecks.inside(op, "output", yOff, ArenaChecks.elements(op, "output", ys), bytes, arena);
        if ((long) m * n == 0) return;
        TiledPrograms.Pick pick = pick(new Variant(kind, epilogue, store == null ? "" : store.prefix(), f64), store);
        // k == 0 (no input channels) still runs: the kernel writes the zeros of an empty sum
        pick.kernel().arg(0, arena).arg(1, xOff).arg(2, arena).arg(3, wOff).arg(4, arena).arg(5, yOff)
                .arg(6, xs[0]).arg(7, xs[1]).arg(8, xs[2]).arg(9, xs[3]).arg(10, o).arg(11, ho).arg(12, wo)
                .arg(13, kind == WEIGHT_GRAD ? ys[2] : ws[2]).arg(14, kind == WEIGHT_GRAD ? ys[3] : ws[3])
                .arg(15, geo.sh()).arg(16, geo.sw()).arg(17, geo.top()).arg(18, geo.left()).arg(19, geo.dh()).arg(20, geo.dw())
                .arg(21, geo.groups()).arg(22, kChunk).arg(23, ySplit);
        if (epilogue.bias()) pick.kernel().arg(24, arena).arg(25, biasOff);
        if (store != null) store.set(pick.kernel(), 24, arena);
        pick.launch(executor, m, n, geo.groups() * slices);
    }

    private TiledPrograms.Pick pick(Variant v, KernelWriter.StoreArgs store) {
        return picks.computeIfAbsent(v, key -> TiledPrograms.pick(executor, "conv", t -> {
            Map<String, String> d = new HashMap<>(TiledPrograms.defines(t));
            d.put("KIND", "" + key.kind());
            if (key.f64()) d.put("F64", "1");
            if (key.epilogue().bias()) d.put("BIAS", "1");
            if (key.epilogue().act() != Activation.NONE) d.put("ACT", "" + key.epilogue().act().ordinal());
            return store == null ? ProgramSource.resource("conv.cl", d) : store.program("conv.cl", d);
        }, key.f64() ? Double.BYTES : Float.BYTES, tilings));
    }

    private TiledPrograms.Pick weightGradPick() { return pick(new Variant(WEIGHT_GRAD, Epilogue.NONE), null); }

    private static void shapes(String op, int[] xs, int[] ws, int[] ys) {
        ArenaChecks.rank(op, "input", xs, 4);
        ArenaChecks.rank(op, "weight", ws, 4);
        ArenaChecks.rank(op, "output", ys, 4);
    }

    private static IllegalArgumentException mismatch(String op, int[] xs, int[] ws, int[] ys, ConvGeometry geo) {
        return new IllegalArgumentException(op + " shapes do not agree: input " + java.util.Arrays.toString(xs) + ", weight "
                + java.util.Arrays.toString(ws) + ", output " + java.util.Arrays.toString(ys) + ", " + geo);
    }
}
