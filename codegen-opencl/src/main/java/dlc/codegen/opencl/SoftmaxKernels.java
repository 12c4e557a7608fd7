package dlc.codegen.opencl;

import java.util.HashMap;
import java.util.Map;

/**
 * Runs softmax.cl: softmax or log-softmax along the middle axis of an (outer, n, inner) view of a
 * dense float32 tensor, one work-group per row, enqueued without waiting; {@code y} may be
 * {@code x} (in place). The row reduction the fused kernels of softmax-like graphs (max, exp-sum,
 * normalize) lower to.
 */
public final class SoftmaxKernels {
    private final ClExecutor executor;
    private final Map<String, ClKernel> kernels = new HashMap<>();

    public SoftmaxKernels(ClExecutor executor) { this.executor = executor; }

    /** y = softmax(x) (or log-softmax when {@code log}) along n. */
    public void softmax(boolean log, DeviceArena arena, long xOff, int outer, int n, int inner, long yOff) {
        String op = log ? "log_softmax" : "softmax";
        int count = ArenaChecks.elements(op, "input", outer, n, inner);
        ArenaChecks.inside(op, "input", xOff, count, Float.BYTES, arena);
        ArenaChecks.inside(op, "output", yOff, count, Float.BYTES, arena);
        if (count == 0) return;
        int wg = n <= 4 ? 1 : n <= 1024 ? 32 : 256;
        while (wg > executor.device().maxWorkGroupSize()) wg /= 2;
        ClKernel k;
        while (true) {
            String key = log + "/" + wg;
            k = kernels.get(key);
            if (k == null) {
                k = executor.program(ProgramSource.resource("softmax.cl", Map.of("LOG", log ? "1" : "0", "WG", "" + wg))).kernel("softmax");
                kernels.put(key, k);
            }
            if (wg == 1 || TiledPrograms.workGroupSize(executor, k) >= wg) break;
            wg /= 2;
        }
        long rows = (long) outer * inner;
        k.arg(0, arena).arg(1, xOff).arg(2, arena).arg(3, yOff).arg(4, n).arg(5, inner).arg(6, (int) rows);
        if (wg == 1) executor.launch(k, new long[]{(rows + 63) / 64 * 64}, null); // one work-item per row, groups the driver sizes
        else executor.launch(k, new long[]{rows * wg}, new long[]{wg});
    }
}
