package dlc.runtime;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The 8-row vector tile against the 6-row one: the same bits for every shape (full tiles and edges
 * of both, several k slices, transposes, accumulate, an epilogue), since each element of C is summed
 * in the same order; and {@link Gemm#kernel(int)} takes it exactly where it pads fewer rows, on
 * 512-bit vectors only. (Its values against float64 are {@link GemmTest}'s properties, whose row
 * counts it serves there.)
 */
class VectorGemmKernel8Test {
    @Test void sameBitsAsTheSixRowTile() {
        GemmKernel six = new VectorGemmKernel(), eight = new VectorGemmKernel8();
        assertEquals(8, eight.mr);
        assertEquals(six.nr, eight.nr);
        int[][] shapes = {{8, 32, 128}, {32, 512, 128}, {32, 128, 512}, {9, 33, 7}, {17, 5, 300}, {40, 70, 520},
                {128, 64, 257}, {150, 31, 3}, {7, 16, 1}};
        Random r = new Random(13);
        for (int[] s : shapes)
            for (int variant = 0; variant < 8; variant++) {
                boolean tA = (variant & 1) != 0, tB = (variant & 2) != 0, acc = (variant & 4) != 0;
                int m = s[0], n = s[1], k = s[2];
                float[] a = GemmTest.random(r, m * k + 5), b = GemmTest.random(r, k * n + 7), c0 = GemmTest.random(r, m * n + 3);
                float[] bias = GemmTest.random(r, n);
                float[] c6 = c0.clone(), c8 = c0.clone();
                for (GemmKernel kernel : new GemmKernel[]{six, eight})
                    kernel.blocked(GemmScratch.get(), tA, tB, m, n, k, a, 5, tA ? m : k, b, 7, tB ? k : n,
                            kernel == six ? c6 : c8, 3, n, acc, bias, 0, Gemm.BIAS_COL, variant % 3 == 0 ? Gemm.ACT_RELU : Gemm.ACT_NONE);
                for (int i = 0; i < c6.length; i++)
                    if (Float.floatToRawIntBits(c6[i]) != Float.floatToRawIntBits(c8[i]))
                        fail("m=" + m + " n=" + n + " k=" + k + " transA=" + tA + " transB=" + tB + " accumulate=" + acc
                                + ": element " + i + " is " + c8[i] + " with 8 rows, " + c6[i] + " with 6");
            }
    }

    @Test void chosenWhereItPadsFewerRowsOnWideVectors() {
        assertTrue(Gemm.vectorAvailable(), "tests run with the vector module");
        boolean wide = Gemm.kernel().nr >= 32; // 512-bit vectors: 32 registers
        for (int m : new int[]{8, 16, 32, 40, 128, 512, 1600})
            assertEquals(wide ? 8 : 6, Gemm.kernel(m).mr, "m=" + m);
        for (int m : new int[]{6, 12, 24, 36, 48, 5, 11})
            assertEquals(6, Gemm.kernel(m).mr, "m=" + m + ": the 6-row tile pads no more rows");
        Gemm.forceScalarKernel(true);
        try {
            assertSame(Gemm.kernel(), Gemm.kernel(32), "the scalar kernel when it is forced");
        } finally {
            Gemm.forceScalarKernel(false);
        }
    }
}
