package dlc.runtime;

/**
 * The {@code matmul} op on dense row-major tensors, what generated code calls: numpy semantics
 * with the operands' shapes given rank-1-promoted ({@code a} is {@code [..., M, K]}, {@code b} is
 * {@code [..., K, N]}, a vector operand already read as a row {@code [1, K]} or column
 * {@code [K, 1]}), leading batch dims broadcast (a dim 1 repeats), the result dense
 * {@code [batch..., M, N]}. Shapes are the int arrays the generated class fills at bind, so a call
 * allocates nothing.
 *
 * <p>f32 goes to {@link Gemm} (one call when b has no batch and a is not broadcast: the batch folds
 * into M, a dense layer over a sequence); every other dtype is stored as double and takes the
 * plain loop in {@link #f64}, summing in the interpreter's order (exact for integers below 2^53).
 */
public final class BatchedMatmul {
    private BatchedMatmul() {}

    /**
     * {@code y = a @ b}, then the epilogue ({@code biasKind}, {@code act} as in {@link Gemm}) on
     * each M x N matrix, the bias being N (column) or M (row) contiguous floats at {@code biasOff}.
     */
    public static void f32(float[] a, int aOff, int[] aShape, float[] b, int bOff, int[] bShape, float[] y, int yOff,
                           float[] bias, int biasOff, int biasKind, int act) {
        f32(a, aOff, aShape, false, b, bOff, bShape, false, y, yOff, bias, biasOff, biasKind, act);
    }

    /**
     * As above with operands stored transposed: {@code aShape}/{@code bShape} are the logical
     * shapes, and when {@code transA} each matrix of {@code a} is stored as its transpose
     * ([..., K, M] in memory), likewise {@code b} ([..., N, K]) when {@code transB}. This is how a
     * permute that swaps the last two axes feeds a matmul without being copied.
     */
    public static void f32(float[] a, int aOff, int[] aShape, boolean transA, float[] b, int bOff, int[] bShape, boolean transB,
                           float[] y, int yOff, float[] bias, int biasOff, int biasKind, int act) {
        int ra = aShape.length, rb = bShape.length;
        int m = aShape[ra - 2], k = aShape[ra - 1], n = bShape[rb - 1];
        checkInner(aShape, bShape);
        int batch = batchCount(aShape, bShape);
        int lda = transA ? m : k, ldb = transB ? k : n;
        if (!transA && batchOf(bShape) == 1 && batchOf(aShape) == batch) {
            // every product shares B: one GEMM over all batch rows
            Gemm.matmul(false, transB, batch * m, n, k, a, aOff, lda, b, bOff, ldb, y, yOff, n, false, bias, biasOff, biasKind, act);
            return;
        }
        for (int p = 0; p < batch; p++)
            Gemm.matmul(transA, transB, m, n, k, a, aOff + sourceIndex(p, aShape, aShape, bShape) * m * k, lda,
                    b, bOff + sourceIndex(p, bShape, aShape, bShape) * k * n, ldb, y, yOff + p * m * n, n, false,
                    bias, biasOff, biasKind, act);
    }

    /** {@code y = a @ b} on double storage (f64, i32, i64): i-k-j loops, k ascending as the interpreter sums. */
    public static void f64(double[] a, int aOff, int[] aShape, double[] b, int bOff, int[] bShape, double[] y, int yOff) {
        int ra = aShape.length, rb = bShape.length;
        int m = aShape[ra - 2], k = aShape[ra - 1], n = bShape[rb - 1];
        checkInner(aShape, bShape);
        int batch = batchCount(aShape, bShape);
        for (int p = 0; p < batch; p++) {
            int offA = aOff + sourceIndex(p, aShape, aShape, bShape) * m * k;
            int offB = bOff + sourceIndex(p, bShape, aShape, bShape) * k * n, offY = yOff + p * m * n;
            java.util.Arrays.fill(y, offY, offY + m * n, 0.0);
            for (int i = 0; i < m; i++)
                for (int kk = 0; kk < k; kk++) {
                    double av = a[offA + i * k + kk];
                    int bi = offB + kk * n, yi = offY + i * n;
                    for (int j = 0; j < n; j++) y[yi + j] += av * b[bi + j];
                }
        }
    }

    private static void checkInner(int[] aShape, int[] bShape) {
        if (aShape.length < 2 || bShape.length < 2)
            throw new IllegalArgumentException("matmul: operand shapes must be rank-1-promoted to rank >= 2, got "
                    + java.util.Arrays.toString(aShape) + " @ " + java.util.Arrays.toString(bShape));
        if (aShape[aShape.length - 1] != bShape[bShape.length - 2])
            throw new IllegalArgumentException("matmul inner dims differ at run time: " + java.util.Arrays.toString(aShape)
                    + " @ " + java.util.Arrays.toString(bShape));
    }

    /** The product of a shape's batch dims (all but the last two). */
    private static int batchOf(int[] s) {
        int p = 1;
        for (int i = 0; i < s.length - 2; i++) p *= s[i];
        return p;
    }

    /** The number of matrices in the result: the product of the broadcast batch dims (checked). */
    private static int batchCount(int[] aShape, int[] bShape) {
        int na = aShape.length - 2, nb = bShape.length - 2, n = Math.max(na, nb), count = 1;
        for (int ax = 0; ax < n; ax++) count *= outDim(ax, n, aShape, bShape);
        return count;
    }

    /** Output batch dim {@code ax} of {@code n}: the operands' dims aligned from the right, a 1 repeating. */
    private static int outDim(int ax, int n, int[] aShape, int[] bShape) {
        int da = dimAligned(aShape, ax, n), db = dimAligned(bShape, ax, n);
        if (da != db && da != 1 && db != 1)
            throw new IllegalArgumentException("matmul batch dims do not broadcast at run time: "
                    + java.util.Arrays.toString(aShape) + " @ " + java.util.Arrays.toString(bShape));
        return da == 1 ? db : da;
    }

    private static int dimAligned(int[] s, int ax, int n) {
        int i = ax - (n - (s.length - 2));
        return i < 0 ? 1 : s[i];
    }

    /** The index of the matrix of {@code s} (one operand) that output matrix {@code p} reads. */
    private static int sourceIndex(int p, int[] s, int[] aShape, int[] bShape) {
        int n = Math.max(aShape.length, bShape.length) - 2, idx = 0, stride = 1;
        for (int ax = n - 1; ax >= 0; ax--) {
            int od = outDim(ax, n, aShape, bShape), coord = p % od;
            p /= od;
            int sd = dimAligned(s, ax, n);
            if (sd != 1) idx += coord * stride;
            stride *= sd;
        }
        return idx;
    }
}
