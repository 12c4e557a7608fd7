package dlc.bench;

import dlc.runtime.Gemm;
import dlc.runtime.Parallel;

import java.util.Random;

/**
 * GFLOPS of {@link Gemm#matmul} on 512^3 and the MLP's shapes (forward, and the backward products
 * with a transposed operand), for 1 and N threads, vector and scalar micro-kernels.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/classes:bench/target/lib/* dlc.bench.GemmBench [seconds-per-case]</pre>
 *
 * Each case warms up (JIT), then repeats the multiply for the measuring time and reports the best
 * of 5 rounds (the least disturbed by other processes on the machine). Single-thread cases also
 * report GFLOPS per CPU second of the calling thread ("cpu"): on a shared machine wall time
 * counts the time slices other processes take, CPU time does not.
 */
public final class GemmBench {
    private GemmBench() {}

    /** One benchmarked product: C[m x n] = op(A) op(B) with the inner size k. */
    record Shape(String name, boolean transA, boolean transB, int m, int n, int k) {}

    static final Shape[] SHAPES = {
            new Shape("512^3", false, false, 512, 512, 512),
            new Shape("mlp fc1  X W1", false, false, 128, 256, 784),
            new Shape("mlp fc2  H W2", false, false, 128, 128, 256),
            new Shape("mlp dW1  X^T dY", true, false, 784, 256, 128),
            new Shape("mlp dX   dY W1^T", false, true, 128, 784, 256),
            new Shape("mlp dW2  H^T dY", true, false, 256, 128, 128),
            new Shape("batch-1  x W1", false, false, 1, 256, 784),
            new Shape("lstm dW  [X H]^T dG", false, false, 161, 512, 1600),
            new Shape("lstm dW  (as run)", true, false, 161, 512, 1600),
            new Shape("lstm step h W_h", false, false, 32, 512, 128),
    };

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 0.3;
        int maxThreads = Runtime.getRuntime().availableProcessors();
        System.out.println("kernel available: " + (Gemm.vectorAvailable() ? Gemm.kernelName() : "scalar only (no jdk.incubator.vector)")
                + ", cores: " + maxThreads);
        System.out.printf("%-18s %5s %5s %5s %9s %9s %9s %9s %9s %9s%n", "shape", "m", "n", "k",
                "vec 1T", "(cpu)", "vec " + maxThreads + "T", "scal 1T", "(cpu)", "scal " + maxThreads + "T");
        for (Shape s : SHAPES) {
            StringBuilder row = new StringBuilder(String.format("%-18s %5d %5d %5d", s.name, s.m, s.n, s.k));
            for (boolean scalar : new boolean[]{false, true})
                for (int threads : new int[]{1, maxThreads}) {
                    if (!scalar && !Gemm.vectorAvailable()) {
                        row.append(threads == 1 ? "         -         -" : "         -");
                        continue;
                    }
                    Gemm.forceScalarKernel(scalar);
                    Parallel.setThreads(threads);
                    double[] g = gflops(s, seconds);
                    row.append(String.format(" %9.1f", g[0]));
                    if (threads == 1) row.append(String.format(" %9.1f", g[1]));
                }
            System.out.println(row);
        }
        Gemm.forceScalarKernel(false);
        Parallel.setThreads(maxThreads);
    }

    /** Best-of-5 GFLOPS of one shape under the current kernel and thread settings: by wall time, by the caller's CPU time. */
    static double[] gflops(Shape s, double seconds) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Random r = new Random(1);
        float[] a = random(r, s.m * s.k), b = random(r, s.k * s.n), c = new float[s.m * s.n], bias = random(r, s.n);
        int lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n;
        double flops = 2.0 * s.m * s.n * s.k, best = 0, bestCpu = 0;
        // warm-up: enough calls for C2 to compile the kernels
        long until = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < until)
            Gemm.matmul(s.transA, s.transB, s.m, s.n, s.k, a, 0, lda, b, 0, ldb, c, 0, s.n, false, bias, 0, Gemm.BIAS_COL, Gemm.ACT_RELU);
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime(), t1, cpu0 = mx.getCurrentThreadCpuTime();
            int reps = 0;
            do {
                Gemm.matmul(s.transA, s.transB, s.m, s.n, s.k, a, 0, lda, b, 0, ldb, c, 0, s.n, false, bias, 0, Gemm.BIAS_COL, Gemm.ACT_RELU);
                reps++;
                t1 = System.nanoTime();
            } while (t1 - t0 < seconds * 1e9 / 5);
            best = Math.max(best, flops * reps / (t1 - t0));
            bestCpu = Math.max(bestCpu, flops * reps / (mx.getCurrentThreadCpuTime() - cpu0));
        }
        return new double[]{best, bestCpu};
    }

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() * 2 - 1;
        return x;
    }
}
