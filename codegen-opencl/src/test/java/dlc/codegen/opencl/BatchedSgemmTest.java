package dlc.codegen.opencl;

import dlc.runtime.BatchedMatmul;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static dlc.codegen.opencl.ArenaImage.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Batched matmul (sgemm.cl built with BATCHED) against dlc.runtime.BatchedMatmul.f64, the JVM
 * backend's double loop with numpy's broadcasting, on the logical (untransposed) operands.
 * Tolerance as in SgemmTest: a float32 dot product of length K is within gamma_K sum|a b|
 * (Higham), so each element must be within (K + 1) u times the same product of |a| and |b|.
 */
class BatchedSgemmTest {
    private static final double U = 0x1p-24;

    private record Case(int[] a, int[] b) {
        @Override public String toString() { return Arrays.toString(a) + " @ " + Arrays.toString(b); }
    }

    private static final Case[] CASES = {
            new Case(new int[]{3, 5, 7}, new int[]{3, 7, 4}),                 // one batch dim
            new Case(new int[]{2, 1, 4, 6}, new int[]{1, 3, 6, 5}),           // both operands broadcast
            new Case(new int[]{4, 3, 2}, new int[]{2, 6}),                    // b without batch: folds into M
            new Case(new int[]{9, 2}, new int[]{5, 2, 70}),                   // a without batch, wider than a tile
            new Case(new int[]{2, 3, 1, 33}, new int[]{2, 3, 33, 1}),         // M = N = 1, two dims that merge
            new Case(new int[]{2, 1, 65, 17}, new int[]{1, 4, 17, 66}),       // two broadcast levels, tiles cut
            new Case(new int[]{0, 3, 4}, new int[]{0, 4, 2}),                 // no products
            new Case(new int[]{2, 3, 0}, new int[]{2, 0, 5}),                 // K = 0: zeros
    };

    @Test void everyTransposeAndBroadcastMatchesTheJvmInDouble() { products(new BatchedSgemm(OpenClTestSupport.executor())); }

    @Test void theSmallerTilingsOtherDevicesGetAgreeToo() {
        for (int t = 1; t < Sgemm.TILINGS.length; t++) products(new BatchedSgemm(OpenClTestSupport.executor(), Sgemm.TILINGS[t]));
    }

    private static void products(BatchedSgemm mm) {
        ClExecutor ex = OpenClTestSupport.executor();
        int seed = 0;
        for (Case c : CASES)
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 2) != 0, tb = (t & 1) != 0;
                Random rnd = new Random(++seed);
                float[] a = gaussian(rnd, ConvKernelsTest.count(c.a)), b = gaussian(rnd, ConvKernelsTest.count(c.b));
                int[] ys = outShape(c.a, c.b);
                int ny = ConvKernelsTest.count(ys);
                ArenaImage img = new ArenaImage();
                int aAt = img.add(ta ? transposed(a, c.a) : a), bAt = img.add(tb ? transposed(b, c.b) : b), yAt = img.output(ny);
                float[] after = img.run(ex, arena -> mm.run(c.a, ta, c.b, tb, arena, aAt, bAt, yAt));
                double[] ref = new double[ny], mag = new double[ny];
                BatchedMatmul.f64(toDouble(a), 0, c.a, toDouble(b), 0, c.b, ref, 0);
                BatchedMatmul.f64(abs(toDouble(a)), 0, c.a, abs(toDouble(b)), 0, c.b, mag, 0);
                ConvKernelsTest.check(c + " transA=" + ta + " transB=" + tb, slice(after, yAt, ny), ref, mag, c.a[c.a.length - 1]);
            }
    }

    /**
     * Operands placed on 16 bytes: each is staged with float4 reads exactly when its leading
     * dimension and batch strides are multiples of 4 floats too (VEC_A / VEC_B in the program
     * that ran, so the float4 path cannot pass by not being taken), else one float at a time;
     * results against BatchedMatmul.f64 as above. The same operands one float past 16 bytes are
     * always scalar. {vecA, vecB} per transpose combination NN, NT, TN, TT.
     */
    @Test void float4StagingWhereEveryProductsRowsStartOn16Bytes() {
        BatchedSgemm mm = new BatchedSgemm(OpenClTestSupport.executor());
        check(mm, new Case(new int[]{2, 3, 6, 8}, new int[]{1, 3, 8, 20}), 1,    // a 6x8 (stride 48), b 8x20 (stride 160, broadcast)
                new boolean[][]{{true, true}, {true, true}, {false, true}, {false, true}});  // a stored 8x6: rows of 6 floats
        check(mm, new Case(new int[]{4, 37, 12}, new int[]{12, 44}), 2,          // b without batch: the batch folds into M = 148
                new boolean[][]{{true, true}, {true, true}, {false, true}, {false, true}}); // a stored 12x37 per product
        check(mm, new Case(new int[]{3, 5, 7}, new int[]{3, 7, 4}), 3,           // lda 7, strides 35: a never; b 7x4 (ldb 4, stride 28)
                new boolean[][]{{false, true}, {false, false}, {false, true}, {false, false}}); // b stored 4x7: ldb 7
        check(mm, new Case(new int[]{2, 65, 16}, new int[]{2, 16, 66}), 4,       // tiles cut: M 65, N 66 (b's rows 66 floats)
                new boolean[][]{{true, false}, {true, true}, {false, false}, {false, true}}); // a stored 16x65; b stored 66x16
    }

    private static void check(BatchedSgemm mm, Case c, int seed, boolean[][] expected) {
        ClExecutor ex = OpenClTestSupport.executor();
        for (int shift = 0; shift < 2; shift++)
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 2) != 0, tb = (t & 1) != 0;
                Random rnd = new Random(seed * 10 + t);
                float[] a = gaussian(rnd, ConvKernelsTest.count(c.a)), b = gaussian(rnd, ConvKernelsTest.count(c.b));
                int[] ys = outShape(c.a, c.b);
                int ny = ConvKernelsTest.count(ys);
                ArenaImage img = new ArenaImage();
                int aAt = img.add(ta ? transposed(a, c.a) : a, 4, shift), bAt = img.add(tb ? transposed(b, c.b) : b, 4, shift);
                int yAt = img.output(ny);
                float[] after = img.run(ex, arena -> mm.run(c.a, ta, c.b, tb, arena, aAt, bAt, yAt));
                String what = c + " transA=" + ta + " transB=" + tb + " shift=" + shift;
                double[] ref = new double[ny], mag = new double[ny];
                BatchedMatmul.f64(toDouble(a), 0, c.a, toDouble(b), 0, c.b, ref, 0);
                BatchedMatmul.f64(abs(toDouble(a)), 0, c.a, abs(toDouble(b)), 0, c.b, mag, 0);
                ConvKernelsTest.check(what, slice(after, yAt, ny), ref, mag, c.a[c.a.length - 1]);
                Map<String, String> d = mm.lastSource().defines();
                assertEquals(expected[t][0] && shift == 0 ? "1" : "0", d.get("VEC_A"), what + ": VEC_A of " + d);
                assertEquals(expected[t][1] && shift == 0 ? "1" : "0", d.get("VEC_B"), what + ": VEC_B of " + d);
            }
    }

    @Test void mergesBatchDimsAndRefusesThreeSeparateLevels() {
        BatchedSgemm.Batch b = BatchedSgemm.batch(new int[]{2, 3, 4, 5, 6}, new int[]{2, 3, 4, 6, 7}, 30, 42);
        assertEquals(new BatchedSgemm.Batch(24, 24, 0, 30, 0, 42), b); // three dims stepping alike: one level
        BatchedSgemm.Batch broadcast = BatchedSgemm.batch(new int[]{2, 1, 5, 6}, new int[]{1, 3, 6, 7}, 30, 42);
        assertEquals(new BatchedSgemm.Batch(6, 3, 30, 0, 0, 42), broadcast);
        String msg = assertThrows(IllegalArgumentException.class,
                () -> BatchedSgemm.batch(new int[]{2, 1, 2, 5, 6}, new int[]{1, 3, 1, 6, 7}, 30, 42)).getMessage();
        assertTrue(msg.endsWith("broadcasts in more than two separate groups of batch dims; the OpenCL kernel walks two"), msg);
        String shapes = assertThrows(IllegalArgumentException.class,
                () -> BatchedSgemm.batch(new int[]{2, 5, 6}, new int[]{3, 6, 7}, 30, 42)).getMessage();
        assertEquals("matmul batch dims do not broadcast: [2, 5, 6] @ [3, 6, 7]", shapes);
    }

    /** The numpy result shape of a @ b. */
    private static int[] outShape(int[] a, int[] b) {
        int nb = Math.max(a.length, b.length) - 2;
        int[] y = new int[nb + 2];
        for (int ax = 0; ax < nb; ax++) {
            int ia = ax - (nb - (a.length - 2)), ib = ax - (nb - (b.length - 2));
            int da = ia < 0 ? 1 : a[ia], db = ib < 0 ? 1 : b[ib];
            y[ax] = da == 1 ? db : da;
        }
        y[nb] = a[a.length - 2];
        y[nb + 1] = b[b.length - 1];
        return y;
    }

    /** Each matrix of x (logical shape s) stored transposed. */
    private static float[] transposed(float[] x, int[] s) {
        int r = s[s.length - 2], c = s[s.length - 1], mats = r * c == 0 ? 0 : x.length / (r * c);
        float[] t = new float[x.length];
        for (int p = 0; p < mats; p++)
            for (int i = 0; i < r; i++)
                for (int j = 0; j < c; j++) t[p * r * c + j * r + i] = x[p * r * c + i * c + j];
        return t;
    }
}
