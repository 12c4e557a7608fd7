package dlc.runtime;

import java.util.Arrays;

/**
 * Reductions the loop-nest emitter does not inline: sum, mean, max, min over any axes, and
 * argmax/argmin along one axis, with the reference interpreter's semantics
 * ({@code dlc.ir.ops.ReduceOps}): NaN propagates through max/min, argmax/argmin return the first
 * extreme (or the first NaN), means over nothing are NaN.
 *
 * <p>CONTRACT of {@link #reduce}: the operand is walked in row-major order over {@code dims} (the
 * lowering merges adjacent axes of one kind and drops dims of 1, so these are few); element
 * {@code c} goes into output cell {@code sum c[a]*outStrides[a]}, where a reduced axis has stride
 * 0. Each cell therefore combines its elements in the interpreter's order, in double: the f64
 * result is bit-identical, the f32 result is that double sum rounded once.
 */
public final class Reduce {
    private Reduce() {}

    public static final int SUM = 0, MEAN = 1, MAX = 2, MIN = 3;

    /**
     * Reduces a float operand into {@code y} (outN cells), accumulating in {@code acc} (scratch of
     * outN doubles). {@code count} is the number of elements per cell (for mean);
     * {@code emptyFails} is set for max/min of integer dtypes, which have no identity.
     */
    public static void reduce(int fn, double identity, boolean emptyFails, float[] x, int xOff, int[] dims, int[] outStrides,
                              int count, double[] acc, float[] y, int yOff, int outN) {
        checkEmpty(fn, emptyFails, count, outN);
        Arrays.fill(acc, 0, outN, identity);
        if (count > 0) {
            if (dims.length == 0) acc[0] = combine(fn, acc[0], x[xOff]);
            else walk(fn, x, xOff, dims, outStrides, acc, 0, 0);
        }
        for (int j = 0; j < outN; j++) y[yOff + j] = (float) (fn == MEAN ? acc[j] / count : acc[j]);
    }

    /** Reduces a double operand (every non-f32 dtype) straight into {@code y}. */
    public static void reduce(int fn, double identity, boolean emptyFails, double[] x, int xOff, int[] dims, int[] outStrides,
                              int count, double[] y, int yOff, int outN) {
        checkEmpty(fn, emptyFails, count, outN);
        Arrays.fill(y, yOff, yOff + outN, identity);
        if (count > 0) {
            if (dims.length == 0) y[yOff] = combine(fn, y[yOff], x[xOff]);
            else walk(fn, x, xOff, dims, outStrides, y, yOff, 0);
        }
        if (fn == MEAN) for (int j = 0; j < outN; j++) y[yOff + j] /= count; // 0/0 = NaN for empty means
    }

    private static void checkEmpty(int fn, boolean emptyFails, int count, int outN) {
        if (emptyFails && count == 0 && outN > 0)
            throw new IllegalArgumentException((fn == MAX ? "max" : "min") + " over an empty axis of an integer tensor has no identity");
    }

    static double combine(int fn, double acc, double v) {
        return switch (fn) {
            case SUM, MEAN -> acc + v;
            // once acc is NaN neither comparison holds, so NaN sticks
            case MAX -> v > acc || Double.isNaN(v) ? v : acc;
            default -> v < acc || Double.isNaN(v) ? v : acc;
        };
    }

    /** Walks the operand from {@code xp} over dims[level..]; returns the position after it. */
    private static int walk(int fn, float[] x, int xp, int[] dims, int[] os, double[] acc, int ap, int level) {
        int n = dims[level], s = os[level];
        if (level < dims.length - 1) {
            for (int k = 0; k < n; k++) xp = walk(fn, x, xp, dims, os, acc, ap + k * s, level + 1);
            return xp;
        }
        if (s == 0) {
            double a = acc[ap];
            switch (fn) {
                case SUM, MEAN -> { for (int k = 0; k < n; k++) a += x[xp + k]; }
                default -> { for (int k = 0; k < n; k++) a = combine(fn, a, x[xp + k]); }
            }
            acc[ap] = a;
        } else if (fn == SUM || fn == MEAN) {
            for (int k = 0; k < n; k++) acc[ap + k * s] += x[xp + k];
        } else {
            for (int k = 0; k < n; k++) acc[ap + k * s] = combine(fn, acc[ap + k * s], x[xp + k]);
        }
        return xp + n;
    }

    private static int walk(int fn, double[] x, int xp, int[] dims, int[] os, double[] acc, int ap, int level) {
        int n = dims[level], s = os[level];
        if (level < dims.length - 1) {
            for (int k = 0; k < n; k++) xp = walk(fn, x, xp, dims, os, acc, ap + k * s, level + 1);
            return xp;
        }
        if (s == 0) {
            double a = acc[ap];
            switch (fn) {
                case SUM, MEAN -> { for (int k = 0; k < n; k++) a += x[xp + k]; }
                default -> { for (int k = 0; k < n; k++) a = combine(fn, a, x[xp + k]); }
            }
            acc[ap] = a;
        } else if (fn == SUM || fn == MEAN) {
            for (int k = 0; k < n; k++) acc[ap + k * s] += x[xp + k];
        } else {
            for (int k = 0; k < n; k++) acc[ap + k * s] = combine(fn, acc[ap + k * s], x[xp + k]);
        }
        return xp + n;
    }

    /**
     * argmax ({@code max}) or argmin over the middle axis of an (outer, n, inner) view, into i64
     * indices stored as doubles: the first extreme value, or the first NaN. Fails when n is 0.
     */
    public static void argReduce(boolean max, float[] x, int xOff, int outer, int n, int inner, double[] y, int yOff) {
        if (n == 0 && outer * inner > 0) throw new IllegalArgumentException((max ? "argmax" : "argmin") + " along an axis of size 0");
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++) {
                int base = xOff + o * n * inner + i, best = 0;
                float b = x[base];
                for (int k = 1; k < n && !Float.isNaN(b); k++) {
                    float v = x[base + k * inner];
                    // strict comparison keeps the first of equal values
                    if (Float.isNaN(v) || (max ? v > b : v < b)) { best = k; b = v; }
                }
                y[yOff + o * inner + i] = best;
            }
    }

    public static void argReduce(boolean max, double[] x, int xOff, int outer, int n, int inner, double[] y, int yOff) {
        if (n == 0 && outer * inner > 0) throw new IllegalArgumentException((max ? "argmax" : "argmin") + " along an axis of size 0");
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++) {
                int base = xOff + o * n * inner + i, best = 0;
                double b = x[base];
                for (int k = 1; k < n && !Double.isNaN(b); k++) {
                    double v = x[base + k * inner];
                    if (Double.isNaN(v) || (max ? v > b : v < b)) { best = k; b = v; }
                }
                y[yOff + o * inner + i] = best;
            }
    }
}
