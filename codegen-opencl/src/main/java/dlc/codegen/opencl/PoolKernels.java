package dlc.codegen.opencl;

import dlc.ir.DType;

import java.util.Map;

/**
 * Runs pool.cl: max_pool2d, avg_pool2d and their gradients (max_pool2d_scatter, its adjoint
 * max_pool2d_gather, and avg_pool2d's input gradient) on NCHW tensors (float32, or double for f64 and integers) at element offsets
 * in an arena, one work-item per output element, enqueued without waiting. {@code xs} is always
 * the pooled input's shape [N, C, H, W]; the pooled shape follows from the window.
 */
public final class PoolKernels {
    private static final long GROUP = 64;

    private final ClExecutor executor;

    public PoolKernels(ClExecutor executor) { this.executor = executor; }

    /** pool.cl's kernel {@code name} for tensors of {@code dtype}: float for f32, double (F64) for f64 and integers. */
    private ClKernel kernel(String name, DType dtype) {
        if (dtype == DType.BOOL) throw new IllegalArgumentException(name + ": no kernel for " + dtype + " tensors");
        if (dtype != DType.F32 && !executor.device().fp64())
            throw new OpenClException(name + " on " + dtype + " runs in double, but " + executor.device().describe()
                    + " has no double precision (cl_khr_fp64)");
        return executor.program(ProgramSource.resource("pool.cl", dtype == DType.F32 ? Map.of() : Map.of("F64", "1"))).kernel(name);
    }

    /** max_pool2d(x [N, C, H, W]) -> y [N, C, Ho, Wo]. */
    public void maxPool2d(DeviceArena arena, long xOff, int[] xs, long yOff, PoolWindow win) { maxPool2d(DType.F32, arena, xOff, xs, yOff, win); }

    /** As above on tensors of {@code dtype} (f64 and integers stored as double, offsets in doubles). */
    public void maxPool2d(DType dtype, DeviceArena arena, long xOff, int[] xs, long yOff, PoolWindow win) {
        ClKernel k = kernel("max_pool2d", dtype).arg(0, arena).arg(1, xOff).arg(2, arena).arg(3, yOff);
        launch("max_pool2d", k, 4, arena, xs, win, new long[]{xOff}, yOff, false, ClTypes.bytes(dtype));
    }

    /** avg_pool2d; the divisor is kH*kW, or the window's real elements when {@code !includePad}. */
    public void avgPool2d(DeviceArena arena, long xOff, int[] xs, long yOff, PoolWindow win, boolean includePad) {
        avgPool2d(DType.F32, arena, xOff, xs, yOff, win, includePad);
    }

    /** As above on tensors of {@code dtype}. */
    public void avgPool2d(DType dtype, DeviceArena arena, long xOff, int[] xs, long yOff, PoolWindow win, boolean includePad) {
        ClKernel k = kernel("avg_pool2d", dtype).arg(0, arena).arg(1, xOff).arg(2, arena).arg(3, yOff).arg(15, includePad ? 1 : 0);
        launch("avg_pool2d", k, 4, arena, xs, win, new long[]{xOff}, yOff, false, ClTypes.bytes(dtype));
    }

    /** max_pool2d_gather(x, src [N, C, H, W]) -> y [N, C, Ho, Wo]: src at each window's first maximum of x. */
    public void maxPool2dGather(DeviceArena arena, long xOff, long srcOff, int[] xs, long yOff, PoolWindow win) {
        maxPool2dGather(DType.F32, arena, xOff, srcOff, xs, yOff, win);
    }

    /** As above on tensors of {@code dtype}. */
    public void maxPool2dGather(DType dtype, DeviceArena arena, long xOff, long srcOff, int[] xs, long yOff, PoolWindow win) {
        ClKernel k = kernel("max_pool2d_gather", dtype).arg(0, arena).arg(1, xOff).arg(2, arena).arg(3, srcOff).arg(4, arena).arg(5, yOff);
        launch("max_pool2d_gather", k, 6, arena, xs, win, new long[]{xOff, srcOff}, yOff, false, ClTypes.bytes(dtype));
    }

    /** max_pool2d_scatter(x, g [N, C, Ho, Wo]) -> y [N, C, H, W], max_pool2d's input gradient. */
    public void maxPool2dScatter(DeviceArena arena, long xOff, int[] xs, long gOff, long yOff, PoolWindow win) {
        maxPool2dScatter(DType.F32, arena, xOff, xs, gOff, yOff, win);
    }

    /** As above on tensors of {@code dtype}. */
    public void maxPool2dScatter(DType dtype, DeviceArena arena, long xOff, int[] xs, long gOff, long yOff, PoolWindow win) {
        int bytes = ClTypes.bytes(dtype);
        checkPooled("max_pool2d_scatter", arena, xs, win, gOff, "cotangent", bytes);
        ClKernel k = kernel("max_pool2d_scatter", dtype).arg(0, arena).arg(1, xOff).arg(2, arena).arg(3, gOff).arg(4, arena).arg(5, yOff);
        launch("max_pool2d_scatter", k, 6, arena, xs, win, new long[]{xOff}, yOff, true, bytes);
    }

    /** avg_pool2d's input gradient: g [N, C, Ho, Wo] -> gx [N, C, H, W], each window spreading g / count. */
    public void avgPool2dGrad(DeviceArena arena, int[] xs, long gOff, long yOff, PoolWindow win, boolean includePad) {
        checkPooled("avg_pool2d gradient", arena, xs, win, gOff, "cotangent", Float.BYTES);
        ClKernel k = kernel("avg_pool2d_grad", DType.F32).arg(0, arena).arg(1, gOff).arg(2, arena).arg(3, yOff).arg(15, includePad ? 1 : 0);
        launch("avg_pool2d gradient", k, 4, arena, xs, win, new long[0], yOff, true, Float.BYTES);
    }

    private static void checkPooled(String op, DeviceArena arena, int[] xs, PoolWindow win, long off, String what, int bytes) {
        ArenaChecks.rank(op, "input", xs, 4);
        ArenaChecks.inside(op, what, off, ArenaChecks.elements(op, what, xs[0], xs[1], win.outH(xs[2]), win.outW(xs[3])), bytes, arena);
    }

    /**
     * Sets the window arguments from {@code first} on, checks the operands (x-shaped ones at
     * {@code inputs}) and the output (x-shaped when {@code toInput}, else pooled) and launches one
     * work-item per output element.
     */
    private void launch(String op, ClKernel k, int first, DeviceArena arena, int[] xs, PoolWindow win, long[] inputs, long yOff, boolean toInput,
                        int bytes) {
        ArenaChecks.rank(op, "input", xs, 4);
        int ho = win.outH(xs[2]), wo = win.outW(xs[3]);
        if (ho < 1 || wo < 1)
            throw new IllegalArgumentException(op + ": input " + java.util.Arrays.toString(xs) + " is smaller than the padded window " + win);
        int planes = ArenaChecks.elements(op, "input", xs[0], xs[1]);
        int inCount = ArenaChecks.elements(op, "input", xs), outCount = ArenaChecks.elements(op, "output", planes, ho, wo);
        for (long off : inputs) ArenaChecks.inside(op, "input", off, inCount, bytes, arena);
        int n = toInput ? inCount : outCount;
        ArenaChecks.inside(op, "output", yOff, n, bytes, arena);
        if (n == 0) return;
        k.arg(first, planes).arg(first + 1, xs[2]).arg(first + 2, xs[3]).arg(first + 3, ho).arg(first + 4, wo)
                .arg(first + 5, win.kh()).arg(first + 6, win.kw()).arg(first + 7, win.sh()).arg(first + 8, win.sw())
                .arg(first + 9, win.top()).arg(first + 10, win.left());
        executor.launch(k, new long[]{(n + GROUP - 1) / GROUP * GROUP}, null);
    }
}
