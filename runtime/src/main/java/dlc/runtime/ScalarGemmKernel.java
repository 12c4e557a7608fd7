package dlc.runtime;

/**
 * The micro-kernel in plain Java (no {@code jdk.incubator.vector}): a 4x4 tile kept in 16 locals,
 * which C2 keeps in registers; used when the vector module is absent (plain {@code java -jar}).
 */
final class ScalarGemmKernel extends GemmKernel {
    ScalarGemmKernel() { super(4, 4); }

    @Override String name() { return "scalar-4x4"; }

    @Override void tile(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++, ai += 4, bi += 4) {
            float b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
            float a0 = ap[ai], a1 = ap[ai + 1], a2 = ap[ai + 2], a3 = ap[ai + 3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        store(c, ci, add, c00, c01, c02, c03);
        store(c, ci + ldc, add, c10, c11, c12, c13);
        store(c, ci + 2 * ldc, add, c20, c21, c22, c23);
        store(c, ci + 3 * ldc, add, c30, c31, c32, c33);
    }

    private static void store(float[] c, int i, boolean add, float v0, float v1, float v2, float v3) {
        if (add) {
            c[i] += v0; c[i + 1] += v1; c[i + 2] += v2; c[i + 3] += v3;
        } else {
            c[i] = v0; c[i + 1] = v1; c[i + 2] = v2; c[i + 3] = v3;
        }
    }
}
