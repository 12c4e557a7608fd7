package dlc.codegen.opencl;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static dlc.codegen.opencl.ArenaImage.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * softmax.cl against softmax and log-softmax computed in double here, on rows long and short,
 * strided (inner > 1), with large values (exp would overflow without the max subtracted), -inf
 * entries (masked positions), a NaN row and a row of -inf, and in place.
 *
 * <p>Tolerance, from the float32 steps: d = x - max is rounded (|d| u), OpenCL's exp and log are
 * within 3 ulp (6u relative), the row sum of n terms adds (n - 1) u relative (Higham), the
 * division u. With R the row's largest |d| over finite entries, softmax must be within
 * (2R + n + 16) u relative of double, and log-softmax within
 * (|d| + R + n + 8 + 6|log s| + |y|) u absolute. Softmax values below float's normal range are
 * subnormal, which OpenCL may flush to zero (denormals are optional for float), so they also pass
 * within Float.MIN_NORMAL. Bounds for any input; an indexing error is O(1).
 */
class SoftmaxKernelsTest {
    private static final double U = 0x1p-24;

    @Test void softmaxAndLogSoftmaxMatchDouble() {
        ClExecutor ex = OpenClTestSupport.executor();
        SoftmaxKernels sm = new SoftmaxKernels(ex);
        int[][] views = {{4, 10, 1}, {1, 1000, 1}, {3, 1, 5}, {2, 37, 3}, {5, 300, 2}, {2, 3, 1}};
        int seed = 0;
        for (int[] v : views)
            for (float scale : new float[]{1f, 40f})
                for (boolean log : new boolean[]{false, true}) {
                    Random rnd = new Random(++seed);
                    int count = v[0] * v[1] * v[2];
                    float[] x = gaussian(rnd, count);
                    for (int i = 0; i < count; i++) x[i] *= scale;
                    if (v[1] > 3) for (int i = 0; i < count; i += 7) x[i] = Float.NEGATIVE_INFINITY; // masked, never a whole row
                    ArenaImage img = new ArenaImage();
                    int xAt = img.add(x), yAt = img.output(count);
                    float[] after = img.run(ex, a -> sm.softmax(log, a, xAt, v[0], v[1], v[2], yAt));
                    check((log ? "log_softmax " : "softmax ") + java.util.Arrays.toString(v) + " scale " + scale, log, x, v,
                            slice(after, yAt, count));
                }
    }

    @Test void nanAndAllMaskedRowsAreNaNAndInPlaceWorks() {
        ClExecutor ex = OpenClTestSupport.executor();
        SoftmaxKernels sm = new SoftmaxKernels(ex);
        float ninf = Float.NEGATIVE_INFINITY;
        float[] x = {1, Float.NaN, 2, ninf, ninf, ninf, 0, 0, ln(3)};
        ArenaImage img = new ArenaImage();
        int xAt = img.output(x.length);
        float[] image = img.values();
        System.arraycopy(x, 0, image, xAt, x.length);
        // the rows: a NaN row, a row of -inf, and [0, 0, ln 3] whose softmax is [1/5, 1/5, 3/5]
        float[] after = new float[image.length];
        try (DeviceArena arena = ex.arena("inplace", ArenaLayout.packed(java.util.Map.of("all", (long) image.length * Float.BYTES)))) {
            ex.upload(arena, arena.slice("all"), image);
            sm.softmax(false, arena, xAt, 3, 3, 1, xAt);
            ex.download(arena, arena.slice("all"), after);
        }
        for (int k = 0; k < 6; k++) assertTrue(Float.isNaN(after[xAt + k]), "row " + k / 3 + " element " + k % 3 + " = " + after[xAt + k]);
        double[] third = {0.2, 0.2, 0.6};
        for (int k = 0; k < 3; k++) assertEquals(third[k], after[xAt + 6 + k], 8 * U, "in place, element " + k);
    }

    private static float ln(double v) { return (float) Math.log(v); }

    private static void check(String what, boolean log, float[] x, int[] v, float[] got) {
        int n = v[1], inner = v[2];
        for (int o = 0; o < v[0]; o++)
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) m = Math.max(m, x[base + k * inner]);
                double s = 0, r = 0;
                for (int k = 0; k < n; k++) {
                    double d = x[base + k * inner] - m;
                    s += Math.exp(d);
                    if (!Double.isInfinite(d)) r = Math.max(r, Math.abs(d));
                }
                for (int k = 0; k < n; k++) {
                    int at = base + k * inner;
                    double d = x[at] - m, y = log ? d - Math.log(s) : Math.exp(d) / s;
                    String where = what + ": row (" + o + ", " + i + ") element " + k + " = " + got[at] + ", expected " + y;
                    if (Double.isInfinite(y) || y == 0) {
                        assertEquals((float) y, got[at], 0f, where);
                        continue;
                    }
                    double tol = log ? (Math.abs(d) + r + n + 8 + 6 * Math.abs(Math.log(s)) + Math.abs(y)) * U
                            : (2 * r + n + 16) * U * Math.abs(y) + Float.MIN_NORMAL;
                    assertTrue(Math.abs(got[at] - y) <= tol, where + " within " + tol);
                }
            }
    }
}
