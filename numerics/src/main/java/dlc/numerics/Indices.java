package dlc.numerics;

/**
 * Where an index points on an axis: a negative index counts from the end (NumPy, ONNX), one still
 * outside {@code [0, n)} after that fails. The one definition that the reference interpreter
 * ({@code dlc.ir.ops.MovementIndexOps}) and the runtime's gather and scatter_add kernels
 * ({@code dlc.runtime.Indexing}) both call, so they accept and refuse the same indices.
 */
public final class Indices {
    private Indices() {}

    /**
     * The position that index {@code v} names on an axis of size {@code n}: {@code v} itself in
     * {@code [0, n)}, {@code n + v} in {@code [-n, 0)}; anything else is an IllegalArgumentException
     * naming the index and the axis size.
     */
    public static int resolve(String op, double v, int n) {
        if (v >= 0 && v < n) return (int) v;
        if (v < 0 && v >= -n) return (int) (n + v);
        throw new IllegalArgumentException(op + " index " + (long) v + " is out of range for an axis of size " + n
                + " (valid: " + -n + " to " + (n - 1) + ")");
    }
}
