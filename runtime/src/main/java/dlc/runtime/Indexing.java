package dlc.runtime;

/**
 * Indexed movement: gather and its adjoint scatter_add, over an (outer, n, inner) view of the
 * indexed operand (n the size of the indexed axis). Indices arrive as {@code double[]} (i32 and
 * i64 are stored as doubles) and must be integers in {@code [0, n)}; negative ones do not wrap and
 * out-of-range ones fail, as in the reference interpreter ({@code dlc.ir.ops.MovementIndexOps}).
 */
public final class Indexing {
    private Indexing() {}

    /** The index as an int, or an IllegalArgumentException naming it and the axis size. */
    static int index(String op, double v, int n) {
        if (!(v >= 0 && v < n))
            throw new IllegalArgumentException(op + " index " + (long) v + " is out of range for an axis of size " + n);
        return (int) v;
    }

    /** Checks every index once, so the copy loops need not. */
    static void checkAll(String op, double[] idx, int idxOff, int m, int n) {
        for (int j = 0; j < m; j++) index(op, idx[idxOff + j], n);
    }

    /**
     * gather: {@code y[o, j, i] = x[o, idx[j], i]} for j below m (the number of indices), written
     * in order; rows of {@code inner} elements are array copies, single elements plain loads (a
     * class pick from logits).
     */
    public static void gather(float[] x, int xOff, int outer, int n, int inner, double[] idx, int idxOff, int m, float[] y, int yOff) {
        checkAll("gather", idx, idxOff, m, n);
        int p = yOff;
        for (int o = 0; o < outer; o++) {
            int row = xOff + o * n * inner;
            if (inner == 1) for (int j = 0; j < m; j++) y[p++] = x[row + (int) idx[idxOff + j]];
            else for (int j = 0; j < m; j++, p += inner) System.arraycopy(x, row + (int) idx[idxOff + j] * inner, y, p, inner);
        }
    }

    public static void gather(double[] x, int xOff, int outer, int n, int inner, double[] idx, int idxOff, int m, double[] y, int yOff) {
        checkAll("gather", idx, idxOff, m, n);
        int p = yOff;
        for (int o = 0; o < outer; o++) {
            int row = xOff + o * n * inner;
            if (inner == 1) for (int j = 0; j < m; j++) y[p++] = x[row + (int) idx[idxOff + j]];
            else for (int j = 0; j < m; j++, p += inner) System.arraycopy(x, row + (int) idx[idxOff + j] * inner, y, p, inner);
        }
    }

    /**
     * scatter_add: {@code y = base}, then {@code y[o, idx[j], i] += u[o, j, i]}; repeated indices
     * accumulate, in the interpreter's order (j, then o, then i). y never aliases base.
     */
    public static void scatterAdd(float[] base, int bOff, int outer, int n, int inner, double[] idx, int idxOff, int m,
                                  float[] u, int uOff, float[] y, int yOff) {
        System.arraycopy(base, bOff, y, yOff, outer * n * inner);
        for (int j = 0; j < m; j++) {
            int k = index("scatter_add", idx[idxOff + j], n);
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
            int k = index("scatter_add", idx[idxOff + j], n);
            for (int o = 0; o < outer; o++) {
                int dst = yOff + (o * n + k) * inner, src = uOff + (o * m + j) * inner;
                for (int i = 0; i < inner; i++) y[dst + i] += u[src + i];
            }
        }
    }
}
