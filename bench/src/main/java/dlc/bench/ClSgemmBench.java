package dlc.bench;

import dlc.codegen.opencl.ArenaLayout;
import dlc.codegen.opencl.ClExecutor;
import dlc.codegen.opencl.DeviceArena;
import dlc.codegen.opencl.Sgemm;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The OpenCL backend's SGEMM kernel ({@link Sgemm}, sgemm.cl) on square row-major matrices, in TFLOPS.
 *
 * <pre>java -cp ... dlc.bench.ClSgemmBench [N [LAUNCHES [ROUNDS]]]   (default 4096 10 7; -Dbench.device=SPEC)</pre>
 *
 * A, B uniform in [-1, 1) are uploaded once; C = A * B is enqueued LAUNCHES times back to back per
 * round (an in-order queue, no wait between them, as a compiled graph runs), then the host waits
 * ({@code clFinish}); a round's time over LAUNCHES is one product. Two unmeasured rounds first
 * (program build, clocks). Prints each round and one line
 * {@code sgemm N TFLOPS_MEDIAN TFLOPS_BEST} (2 N^3 flops per product). Then 64 elements of C are
 * checked against float64 dot products within Higham's bound for a float32 sum of N products,
 * {@code (N + 3) * 2^-24 * sum |a_ik b_kj|}, which holds for every correct kernel; a wrong index is
 * off by O(1). A failed check prints {@code ! FAIL} and exits 1: a fast wrong kernel is no result.
 */
public final class ClSgemmBench {
    private ClSgemmBench() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int launches = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        ClExecutor cl = OpenClExecutor.device();
        long bytes = (long) n * n * Float.BYTES;
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("A", bytes);
        sizes.put("B", bytes);
        sizes.put("C", bytes);
        DeviceArena arena = cl.arena("sgemm " + n, ArenaLayout.packed(sizes));
        float[] a = random(n, 1), b = random(n, 2);
        cl.upload(arena, arena.slice("A"), a);
        cl.upload(arena, arena.slice("B"), b);
        long offA = arena.slice("A").elementOffset(Float.BYTES), offB = arena.slice("B").elementOffset(Float.BYTES),
                offC = arena.slice("C").elementOffset(Float.BYTES);
        Sgemm sgemm = new Sgemm(cl);
        double flops = 2.0 * n * n * n;
        double[] tflops = new double[rounds];
        for (int r = -2; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < launches; i++) sgemm.run(false, false, n, n, n, 1f, arena, offA, n, offB, n, 0f, offC, n);
            cl.finish();
            double sec = (System.nanoTime() - t0) / 1e9 / launches;
            if (r < 0) continue;
            tflops[r] = flops / sec / 1e12;
            System.out.printf(Locale.ROOT, "# sgemm %d round %d: %.3f ms per product, %.3f TFLOPS%n", n, r, sec * 1e3, tflops[r]);
        }
        double[] sorted = tflops.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "sgemm %d %.3f %.3f   (TFLOPS f32: median, best of %d rounds of %d products; %s)%n",
                n, sorted[rounds / 2], sorted[rounds - 1], rounds, launches, cl.device().describe());
        boolean ok = check(cl, arena, a, b, n);
        System.exit(ok ? 0 : 1);
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] m = new float[n * n];
        for (int i = 0; i < m.length; i++) m[i] = r.nextFloat() * 2 - 1;
        return m;
    }

    private static boolean check(ClExecutor cl, DeviceArena arena, float[] a, float[] b, int n) {
        float[] c = new float[n * n];
        cl.download(arena, arena.slice("C"), c);
        Random r = new Random(3);
        double worst = 0;
        for (int s = 0; s < 64; s++) {
            int i = r.nextInt(n), j = r.nextInt(n);
            double ref = 0, abs = 0;
            for (int k = 0; k < n; k++) {
                double p = (double) a[i * n + k] * b[k * n + j];
                ref += p;
                abs += Math.abs(p);
            }
            double bound = (n + 3) * Math.scalb(1.0, -24) * abs;
            double err = Math.abs(c[i * n + j] - ref);
            if (!(err <= bound)) {
                System.out.printf(Locale.ROOT, "! FAIL sgemm %d: C[%d,%d] = %s, float64 reference %s (bound %.3g)%n", n, i, j, c[i * n + j], ref, bound);
                return false;
            }
            worst = Math.max(worst, err / bound);
        }
        System.out.printf(Locale.ROOT, "! ok sgemm %d: 64 elements of C within Higham's bound (worst at %.3f of it)%n", n, worst);
        return true;
    }
}
