package dlc.bench;

import dlc.runtime.Conv;
import dlc.runtime.Pool;

import java.util.Arrays;
import java.util.Random;

/**
 * Milliseconds per call of the conv and pool kernels at the reference CNN's shapes, batch 64
 * (the peers' DjlBench: conv 3x3 pad 1 1->32 on 28x28, max pool 2, conv 3x3 pad 1 32->64,
 * max pool 2, dense 128, dense 10): forward, input gradient (conv_transpose2d) and weight gradient
 * (the conv2d that ConvGradients.correlation builds: batch = input channels, channels = batch,
 * kernel = the cotangent plane). The permutes around the weight gradient are not timed here.
 *
 * <pre>
 * mvn -o -q -pl bench -am -DskipTests package
 * java --add-modules jdk.incubator.vector -cp 'bench/target/classes:bench/target/lib/*' dlc.bench.ConvBench [batch] [reps] [conv|pool]
 * </pre>
 */
public final class ConvBench {
    private ConvBench() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 64, reps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String only = args.length > 2 ? args[2] : ""; // "conv" or "pool" to time one kind
        System.out.printf("conv/pool kernels, batch %d, median of %d after warm-up (ms of %s time)%n", n, reps,
                Boolean.getBoolean("bench.cpu") ? "thread CPU" : "wall");
        double total = 0;
        if (!only.equals("pool")) total += convLayer("conv1 3x3 1->32 28x28", n, 1, 32, 28, reps, false);
        if (!only.equals("conv")) total += poolLayer("pool1 2x2 32x28x28", n, 32, 28, reps);
        if (!only.equals("pool")) total += convLayer("conv2 3x3 32->64 14x14", n, 32, 64, 14, reps, true);
        if (!only.equals("conv")) total += poolLayer("pool2 2x2 64x14x14", n, 64, 14, reps);
        System.out.printf("total of a training step's conv/pool work: %.2f ms%n", total);
    }

    /** Times one 3x3 pad-1 conv layer; returns what a training step spends in it (input gradient only when needed). */
    private static double convLayer(String name, int n, int c, int o, int hw, int reps, boolean inputGrad) {
        Random r = new Random(1);
        int[] geo = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        int[] xs = {n, c, hw, hw}, ws = {o, c, 3, 3}, ys = {n, o, hw, hw};
        float[] x = rand(r, n * c * hw * hw), w = rand(r, o * c * 9), y = new float[n * o * hw * hw], gy = rand(r, y.length);
        float[] col = new float[(int) Conv.conv2dColSize(xs, ws, ys)];
        float[] out = Conv.conv2dStacked(hw, hw) ? new float[(int) Conv.conv2dOutSize(ys, 1)] : null;
        // the forward as the workloads run it: bias and relu in the conv's epilogue
        float[] bias = rand(r, o);
        double fwd = time(reps, () -> Conv.conv2d(x, 0, xs, w, 0, ws, y, 0, ys, geo, col, out, bias, 0, dlc.runtime.Gemm.ACT_RELU));

        float[] gx = new float[x.length], tcol = new float[(int) Conv.convTranspose2dColSize(ys, ws, xs, geo)];
        int[] tws = {o, c, 3, 3};
        double bwdX = time(reps, () -> Conv.convTranspose2d(gy, 0, ys, w, 0, tws, gx, 0, xs, geo, tcol));

        // weight gradient: conv2d(x as [C, N, H, W], gy as [O, N, H, W]) -> [C, O, 3, 3], stride and dilation swapped (both 1)
        int[] cxs = {c, n, hw, hw}, cws = {o, n, hw, hw}, cys = {c, o, 3, 3};
        float[] gw = new float[c * o * 9], ccol = new float[(int) Math.max(Conv.conv2dColSize(cxs, cws, cys),
                Conv.conv2dWeightGradientColSize(cxs, cws, cys, geo))]; // room for the direct kernel, as the lowering gives it
        float[] cout = Conv.conv2dStacked(3, 3) ? new float[(int) Conv.conv2dOutSize(cys, 1)] : null;
        double bwdW = time(reps, () -> Conv.conv2d(x, 0, cxs, gy, 0, cws, gw, 0, cys, geo, ccol, cout));

        double flops = 2.0 * n * o * c * 9 * hw * hw;
        System.out.printf("%-26s forward %7.2f  input-grad %7.2f  weight-grad %7.2f   (%.1f / %.1f / %.1f GFLOP/s)%n", name, fwd, bwdX, bwdW,
                flops / fwd / 1e6, flops / bwdX / 1e6, flops / bwdW / 1e6);
        return fwd + bwdW + (inputGrad ? bwdX : 0);
    }

    private static double poolLayer(String name, int n, int c, int hw, int reps) {
        Random r = new Random(2);
        int[] win = {2, 2, 2, 2, 0, 0, 0, 0};
        int[] xs = {n, c, hw, hw}, ys = {n, c, hw / 2, hw / 2};
        float[] x = rand(r, n * c * hw * hw), y = new float[n * c * hw * hw / 4], g = rand(r, y.length), gx = new float[x.length];
        // a pool reads a relu's output, as in the workloads: about half its elements are 0
        for (int i = 0; i < x.length; i++) x[i] = Math.max(x[i], 0f);
        double fwd = time(reps, () -> Pool.maxPool2d(x, 0, xs, y, 0, ys, win));
        double bwd = time(reps, () -> Pool.maxPool2dScatter(x, 0, xs, g, 0, gx, 0, ys, win));
        System.out.printf("%-26s forward %7.2f  input-grad %7.2f%n", name, fwd, bwd);
        return fwd + bwd;
    }

    private static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = 2 * r.nextFloat() - 1;
        return a;
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * Median milliseconds of {@code reps} runs after as many warm-up runs (at least 3): the calling
     * thread's CPU time with -Dbench.cpu=true (the kernels are single-threaded for now; it is far
     * steadier than wall time on a shared, loaded machine), else wall time.
     */
    private static double time(int reps, Runnable f) {
        boolean cpu = Boolean.getBoolean("bench.cpu");
        for (int i = 0; i < Math.max(3, reps); i++) f.run();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            f.run();
            ms[i] = ((cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[reps / 2];
    }
}
