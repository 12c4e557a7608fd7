package dlc.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The peers' timing method (the peers' {@code peers/Harness.java}), mirrored
 * line for line so that ratios compare like with like: warm-up until both >= warmupIters
 * iterations and >= warmupSec seconds (capped at warmupMaxSec once 5 ran); then time each
 * iteration with System.nanoTime() until both >= minIters and >= minSec, stopping early at maxSec
 * once minItersHard were timed; report the median (and p10/p90, half-run medians). Same system
 * properties and defaults as the peers ({@code bench.warmupSec} etc.), so QUICK=1 means the same.
 */
final class Timing {
    static final int WARMUP_ITERS = Integer.getInteger("bench.warmupIters", 20);
    static final double WARMUP_SEC = dbl("bench.warmupSec", 3.0);
    static final double WARMUP_MAX_SEC = dbl("bench.warmupMaxSec", 10.0);
    static final int MIN_ITERS = Integer.getInteger("bench.minIters", 50);
    static final double MIN_SEC = dbl("bench.minSec", 5.0);
    static final double MAX_SEC = dbl("bench.maxSec", 10.0);
    static final int MIN_ITERS_HARD = Integer.getInteger("bench.minItersHard", 20);

    private Timing() {}

    private static double dbl(String k, double d) {
        String v = System.getProperty(k);
        return v == null ? d : Double.parseDouble(v);
    }

    /** One benchmark step. */
    interface Step {
        void run();
    }

    /** A measurement: per-iteration times in ms, in running order. */
    record Result(String workload, String metric, int threads, int warmupIters, double[] ms) {
        double median() { return median(ms); }

        double p10() { return sorted()[(int) Math.floor(0.1 * (ms.length - 1))]; }

        double p90() { return sorted()[(int) Math.ceil(0.9 * (ms.length - 1))]; }

        double mean() { return Arrays.stream(ms).average().orElse(Double.NaN); }

        private double[] sorted() {
            double[] s = ms.clone();
            Arrays.sort(s);
            return s;
        }

        static double median(double[] a) {
            if (a.length == 0) return Double.NaN;
            double[] s = a.clone();
            Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
        }

        /** The peers' canonical line: {@code peer workload metric threads median_ms}. */
        String line(String peer) {
            return String.format(Locale.ROOT, "%s %s %s %d %.4f", peer, workload, metric, threads, median());
        }

        /** The peers' detail line (without its "# " prefix). */
        String detail(String peer) {
            return String.format(Locale.ROOT,
                    "%s %s %s %d median_ms=%.4f steps_per_s=%.1f p10_ms=%.4f p90_ms=%.4f mean_ms=%.4f"
                            + " half1_median_ms=%.4f half2_median_ms=%.4f iters=%d warmup_iters=%d",
                    peer, workload, metric, threads, median(), 1000.0 / median(), p10(), p90(), mean(),
                    median(Arrays.copyOfRange(ms, 0, ms.length / 2)),
                    median(Arrays.copyOfRange(ms, ms.length / 2, ms.length)), ms.length, warmupIters);
        }
    }

    /**
     * {@code -Dbench.clock=cpu}: time each iteration by the calling thread's CPU time instead of the
     * wall clock. Only for one-thread A/B comparisons on a machine loaded by other processes: the
     * time the thread waits for a core is left out (cache and memory contention are not). Never
     * for figures compared with the peers, which are timed by the wall clock.
     */
    private static final boolean CPU_CLOCK = "cpu".equals(System.getProperty("bench.clock"));
    private static final java.lang.management.ThreadMXBean THREAD_BEAN = java.lang.management.ManagementFactory.getThreadMXBean();

    private static long now() { return CPU_CLOCK ? THREAD_BEAN.getCurrentThreadCpuTime() : System.nanoTime(); }

    static Result measure(String workload, String metric, int threads, Step step) {
        long t0 = System.nanoTime();
        int w = 0;
        while (true) {
            step.run();
            w++;
            double el = (System.nanoTime() - t0) / 1e9;
            if (w >= WARMUP_ITERS && el >= WARMUP_SEC) break;
            if (w >= 5 && el >= WARMUP_MAX_SEC) break; // very slow steps
        }
        List<Double> ms = new ArrayList<>();
        long m0 = System.nanoTime();
        while (true) {
            long a = now();
            step.run();
            long b = now();
            ms.add((b - a) / 1e6);
            double el = (System.nanoTime() - m0) / 1e9;
            int n = ms.size();
            if (n >= MIN_ITERS && el >= MIN_SEC) break;
            if (n >= MIN_ITERS_HARD && el >= MAX_SEC) break;
        }
        double[] arr = new double[ms.size()];
        for (int i = 0; i < arr.length; i++) arr[i] = ms.get(i);
        return new Result(workload, metric, threads, w, arr);
    }
}
