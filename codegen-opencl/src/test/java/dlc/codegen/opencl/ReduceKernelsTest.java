package dlc.codegen.opencl;

import dlc.runtime.Reduce;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dlc.codegen.opencl.ArenaImage.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * reduce.cl against a float64 reference computed here from the definition (each element's
 * output cell found from its full index, not through the merged axes the kernel walks), and
 * argmax/argmin against the JVM backend's float kernel (dlc.runtime.Reduce.argReduce) exactly.
 *
 * <p>Tolerance: max and min are exact, so they must equal the reference bit for bit (NaN where
 * the reference has one). A float32 sum of n terms in any order (here per-work-item runs and a
 * tree) is within (n - 1) u sum|x_i| of the exact sum to first order (Higham 4.2), u = 2^-24;
 * the test allows (n + 1) u sum|x_i|, and one more rounding u |mean| for the mean's division.
 */
class ReduceKernelsTest {
    private static final double U = 0x1p-24;
    private static final float UNWRITTEN = -12345f;

    private record Case(int[] shape, int... axes) {
        boolean[] mask() {
            boolean[] m = new boolean[shape.length];
            for (int a : axes) m[a] = true;
            return m;
        }

        @Override public String toString() { return Arrays.toString(shape) + " over " + Arrays.toString(axes); }
    }

    private static final Case[] CASES = {
            new Case(new int[]{5, 7}, 1), new Case(new int[]{5, 7}, 0), new Case(new int[]{5, 7}, 0, 1), new Case(new int[]{5, 7}),
            new Case(new int[]{2, 3, 4, 5}, 1, 3), new Case(new int[]{2, 3, 4, 5}, 0, 2), new Case(new int[]{2, 3, 4, 5}, 0, 1, 2, 3),
            new Case(new int[]{1, 300, 1}, 1),            // more inputs per output than a work-group, dims of 1 dropped
            new Case(new int[]{3, 1, 4}, 1),              // a reduced axis of 1: a copy
            new Case(new int[]{4, 0, 3}, 1),              // nothing to reduce: 0, NaN, -inf, +inf
            new Case(new int[]{3, 1000}, 1), new Case(new int[]{1000, 3}, 0),
            new Case(new int[]{2, 3, 2, 3, 2, 3, 2, 3}, 1, 3, 5, 7), // 4 kept and 4 reduced axes, the most the kernel walks
            new Case(new int[]{7}, 0), new Case(new int[]{}),
    };

    @Test void everyReductionMatchesTheDefinition() {
        ClExecutor ex = OpenClTestSupport.executor();
        ReduceKernels red = new ReduceKernels(ex);
        int seed = 0;
        for (Case c : CASES)
            for (boolean nan : new boolean[]{false, true}) {
                Random rnd = new Random(++seed);
                int n = ConvKernelsTest.count(c.shape);
                float[] x = gaussian(rnd, n);
                if (nan) for (int i = 0; i < n; i += 11) x[i] = Float.NaN;
                boolean[] mask = c.mask();
                int cells = 1;
                for (int a = 0; a < c.shape.length; a++) if (!mask[a]) cells *= c.shape[a];
                ArenaImage img = new ArenaImage();
                int xAt = img.add(x);
                int[] at = new int[4];
                for (int f = 0; f < 4; f++) at[f] = img.output(cells, UNWRITTEN);
                float[] after = img.run(ex, a -> {
                    for (ReduceKernels.Fn fn : ReduceKernels.Fn.values()) red.reduce(fn, a, xAt, c.shape, mask, at[fn.ordinal()]);
                });
                double[][] ref = reference(x, c.shape, mask, cells);
                String what = c + (nan ? " with NaNs" : "");
                for (ReduceKernels.Fn fn : ReduceKernels.Fn.values()) {
                    float[] got = slice(after, at[fn.ordinal()], cells);
                    for (int j = 0; j < cells; j++) {
                        double r = ref[fn.ordinal()][j];
                        String where = fn + " " + what + ": cell " + j + " = " + got[j] + ", expected " + r;
                        if (Double.isNaN(r) || fn == ReduceKernels.Fn.MAX || fn == ReduceKernels.Fn.MIN) {
                            assertEquals((float) r, got[j], 0f, where);
                            continue;
                        }
                        double tol = (ref[5][j] + 1) * U * ref[4][j] / (fn == ReduceKernels.Fn.MEAN ? Math.max(1, ref[5][j]) : 1)
                                + (fn == ReduceKernels.Fn.MEAN ? U * Math.abs(r) : 0) + Double.MIN_NORMAL;
                        assertTrue(Math.abs(got[j] - r) <= tol * 1.0001, where + " within " + tol);
                    }
                }
            }
    }

    /** [sum, mean, max, min, sum|x|, count] per output cell, in double, from each element's full index. */
    private static double[][] reference(float[] x, int[] shape, boolean[] mask, int cells) {
        double[][] r = new double[6][cells];
        Arrays.fill(r[2], Double.NEGATIVE_INFINITY);
        Arrays.fill(r[3], Double.POSITIVE_INFINITY);
        int[] idx = new int[shape.length];
        for (int e = 0; e < x.length; e++) {
            int rem = e;
            for (int a = shape.length - 1; a >= 0; a--) { idx[a] = rem % shape[a]; rem /= shape[a]; }
            int cell = 0;
            for (int a = 0; a < shape.length; a++) if (!mask[a]) cell = cell * shape[a] + idx[a];
            double v = x[e];
            r[0][cell] += v;
            r[2][cell] = v > r[2][cell] || Double.isNaN(v) ? v : r[2][cell];
            r[3][cell] = v < r[3][cell] || Double.isNaN(v) ? v : r[3][cell];
            r[4][cell] += Math.abs(v);
            r[5][cell]++;
        }
        for (int j = 0; j < cells; j++) r[1][j] = r[0][j] / r[5][j];
        return r;
    }

    @Test void argmaxAndArgminPickTheFirstExtremeInEveryIndexType() {
        ClExecutor ex = OpenClTestSupport.executor();
        ReduceKernels red = new ReduceKernels(ex);
        int[][] views = {{3, 7, 4}, {1, 1000, 1}, {5, 1, 2}, {2, 300, 3}, {1, 2, 1}};
        int seed = 50;
        for (IndexType type : IndexType.values())
            for (int[] v : views)
                for (boolean nan : new boolean[]{false, true}) {
                    if (type == IndexType.F64 && !ex.device().fp64()) continue;
                    Random rnd = new Random(++seed);
                    int n = v[0] * v[1] * v[2], cells = v[0] * v[2], words = type.bytes / Float.BYTES;
                    float[] x = new float[n];
                    for (int i = 0; i < n; i++) x[i] = nan && rnd.nextInt(40) == 0 ? Float.NaN : rnd.nextInt(7) - 3; // ties everywhere
                    ArenaImage img = new ArenaImage();
                    int xAt = img.add(x), maxAt = img.output(cells * words, UNWRITTEN, words), minAt = img.output(cells * words, UNWRITTEN, words);
                    float[] after = img.run(ex, a -> {
                        red.argReduce(true, a, xAt, v[0], v[1], v[2], maxAt / words, type);
                        red.argReduce(false, a, xAt, v[0], v[1], v[2], minAt / words, type);
                    });
                    for (boolean max : new boolean[]{true, false}) {
                        double[] expected = new double[cells];
                        Reduce.argReduce(max, x, 0, v[0], v[1], v[2], expected, 0);
                        int base = max ? maxAt : minAt;
                        for (int j = 0; j < cells; j++) {
                            double got = switch (type) {
                                case INT32 -> Float.floatToRawIntBits(after[base + j]);
                                case F32 -> after[base + j];
                                case INT64 -> longAt(after, base + 2 * j);
                                case F64 -> Double.longBitsToDouble(longAt(after, base + 2 * j));
                            };
                            assertEquals(expected[j], got, 0.0, (max ? "argmax " : "argmin ") + type + " " + Arrays.toString(v)
                                    + (nan ? " with NaNs" : "") + " cell " + j);
                        }
                    }
                }
    }

    @Test void mergesAxesAndRefusesWhatTheKernelCannotWalk() {
        ReduceKernels.Merged m = ReduceKernels.merge(new int[]{2, 1, 3, 4, 1, 5}, new boolean[]{false, true, false, true, true, true});
        assertArrayEquals(new int[]{6}, m.keptDims());   // 2 and 3 are adjacent once the 1 between them is dropped
        assertArrayEquals(new int[]{20}, m.keptStrides());
        assertArrayEquals(new int[]{20}, m.redDims());   // 4, 1, 5 fold into one reduced axis
        assertArrayEquals(new int[]{1}, m.redStrides());
        assertEquals(6, m.outputs());
        assertEquals(20, m.count());
        String msg = assertThrows(IllegalArgumentException.class, () -> ReduceKernels.merge(new int[]{2, 3, 2, 3, 2, 3, 2, 3, 2, 3},
                new boolean[]{false, true, false, true, false, true, false, true, false, true})).getMessage();
        assertTrue(msg.contains("alternates kept and reduced axes more than 4 times"), msg);
        ClExecutor ex = OpenClTestSupport.executor();
        try (DeviceArena arena = ex.arena("small", ArenaLayout.packed(java.util.Map.of("all", 64L * Float.BYTES)))) {
            String empty = assertThrows(IllegalArgumentException.class,
                    () -> new ReduceKernels(ex).argReduce(true, arena, 0, 2, 0, 3, 0, IndexType.INT64)).getMessage();
            assertEquals("argmax along an axis of size 0", empty);
        }
    }
}
