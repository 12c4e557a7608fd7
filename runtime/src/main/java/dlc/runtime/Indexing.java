package dlc.runtime;

import dlc.numerics.Indices;

/**
 * Indexed movement: gather and its adjoint scatter_add, over an (outer, n, inner) view of the
 * indexed operand (n the size of the indexed axis). Indices arrive as {@code double[]} (integer
 * dtypes are stored as doubles); a negative index counts from the end (NumPy, ONNX), and one still
 * outside {@code [0, n)} after that fails. The reference interpreter ({@code dlc.ir.ops.MovementIndexOps})
 * resolves indices with {@link Indices#resolve} too.
 */
public final class Indexing {
    private Indexing() {}

    /**
     * gather: {@code y[o, j, i] = x[o, idx[j], i]} for j below m (the number of indices), written
     * in order; rows of {@code inner} elements are array copies, single elements plain loads (a
     * class pick from logits).
     */
    public static void gather(float[] x, int xOff, int outer, int n, int inner, double[] idx, int idxOff, int m, float[] y, int yOff) {
        int[] k = resolveAll("gather", idx, idxOff, m, n);
        int p = yOff;
        for (int o = 0; o < outer; o++) {
            int row = xOff + o * n * inner;
            if (inner == 1) for (int j = 0; j < m; j++) y[p++] = x[row + k[j]];
            else for (int j = 0; j < m; j++, p += inner) System.arraycopy(x, row + k[j] * inner, y, p, inner);
        }
    }

    public static void gather(double[] x, int xOff, int outer, int n, int inner, double[] idx, int idxOff, int m, double[] y, int yOff) {
        int[] k = resolveAll("gather", idx, idxOff, m, n);
        int p = yOff;
        for (int o = 0; o < outer; o++) {
            int row = xOff + o * n * inner;
            if (inner == 1) for (int j = 0; j < m; j++) y[p++] = x[row + k[j]];
            else for (int j = 0; j < m; j++, p += inner) System.arraycopy(x, row + k[j] * inner, y, p, inner);
        }
    }

    /** Every index resolved once, before anything is written, so the copy loops need no checks. */
    private static int[] resolveAll(String op, double[] idx, int idxOff, int m, int n) {
        int[] k = new int[m];
        for (int j = 0; j < m; j++) k[j] = Indices.resolve(op, idx[idxOff + j], n);
        return k;
    }

    /**
     * scatter_add: {@code y = base}, then {@code y[o, idx[j], i] += u[o, j, i]}; repeated indices
     * accumulate, in the interpreter's order (j, then o, then i). y never aliases base.
     */
    public static void scatterAdd(float[] base, int bOff, int outer, int n, int inner, double[] idx, int idxOff, int m,
                                  float[] u, int uOff, float[] y, int yOff) {
        System.arraycopy(base, bOff, y, yOff, outer * n * inner);
        for (int j = 0; j < m; j++) {
            int k = Indices.resolve("scatter_add", idx[idxOff + j], n);
            for (int o = 0; o < outer; o++) {
                int dst = yOff + (o * n + k) * inner, src = uOff + (o * m + j) * inner;
                for (int i = 0; i < inner; i++) y[dst + i] += u[src + i];
            }
        }
    }

    public static void scatterAdd(double[] base, int bOff, int outer, int n, int inner, double[] idx, int idxOff, int m,
                                  double[] u, int uOff, double[] y, int yOff) {
        System.arraycopy(base, bOff, y, yOff, outer * n * inner);
        for (int j = 0; j < m; j++) {
            int k = Indices.resolve("scatter_add", idx[idxOff + j], n);
            for (int o = 0; o < outer; o++) {
                int dst = yOff + (o * n + k) * inner, src = uOff + (o * m + j) * inner;
                for (int i = 0; i < inner; i++) y[dst + i] += u[src + i];
            }
        }
    }
}
