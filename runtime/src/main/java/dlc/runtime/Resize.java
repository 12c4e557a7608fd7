package dlc.runtime;

/**
 * The {@code resize} kernels (nearest and bilinear resampling of NCHW planes; semantics in
 * {@code dlc.ir.ops.ResizeOps}): per output row and column, one source index (nearest) or two
 * source indices and the weight of the second (bilinear), computed once per call.
 */
public final class Resize {
    private Resize() {}

    /** Source taps of one axis of n inputs resampled to m outputs: i0, i1 and the weight of i1. */
    private record Taps(int[] i0, int[] i1, double[] l) {
        static Taps of(int n, int m, boolean bilinear) {
            int[] i0 = new int[m], i1 = new int[m];
            double[] l = new double[m];
            double scale = (double) n / m;
            for (int i = 0; i < m; i++) {
                if (!bilinear) {
                    i0[i] = i1[i] = Math.min((int) Math.floor(i * scale), n - 1);
                    continue;
                }
                double src = Math.max((i + 0.5) * scale - 0.5, 0);
                i0[i] = Math.min((int) Math.floor(src), n - 1);
                i1[i] = Math.min(i0[i] + 1, n - 1);
                l[i] = src - i0[i];
            }
            return new Taps(i0, i1, l);
        }
    }

    private static void check(int[] xs, int[] ys) {
        if (xs.length != 4 || ys.length != 4 || xs[0] != ys[0] || xs[1] != ys[1] || xs[2] < 1 || xs[3] < 1)
            throw new IllegalArgumentException("resize of shape " + java.util.Arrays.toString(xs) + " to " + java.util.Arrays.toString(ys));
    }

    public static void resize2d(float[] x, int xOff, int[] xs, float[] y, int yOff, int[] ys, boolean bilinear) {
        check(xs, ys);
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        Taps th = Taps.of(h, ho, bilinear), tw = Taps.of(w, wo, bilinear);
        int yi = yOff;
        for (int p = 0; p < planes; p++) {
            int xp = xOff + p * h * w;
            for (int i = 0; i < ho; i++) {
                int r0 = xp + th.i0[i] * w, r1 = xp + th.i1[i] * w;
                double lh = th.l[i];
                for (int j = 0; j < wo; j++, yi++) {
                    int c0 = tw.i0[j], c1 = tw.i1[j];
                    double lw = tw.l[j];
                    double top = x[r0 + c0] * (1 - lw) + x[r0 + c1] * lw;
                    double bottom = x[r1 + c0] * (1 - lw) + x[r1 + c1] * lw;
                    y[yi] = (float) (top * (1 - lh) + bottom * lh);
                }
            }
        }
    }

    public static void resize2d(double[] x, int xOff, int[] xs, double[] y, int yOff, int[] ys, boolean bilinear) {
        check(xs, ys);
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3], ho = ys[2], wo = ys[3];
        Taps th = Taps.of(h, ho, bilinear), tw = Taps.of(w, wo, bilinear);
        int yi = yOff;
        for (int p = 0; p < planes; p++) {
            int xp = xOff + p * h * w;
            for (int i = 0; i < ho; i++) {
                int r0 = xp + th.i0[i] * w, r1 = xp + th.i1[i] * w;
                double lh = th.l[i];
                for (int j = 0; j < wo; j++, yi++) {
                    int c0 = tw.i0[j], c1 = tw.i1[j];
                    double lw = tw.l[j];
                    double top = x[r0 + c0] * (1 - lw) + x[r0 + c1] * lw;
                    double bottom = x[r1 + c0] * (1 - lw) + x[r1 + c1] * lw;
                    y[yi] = top * (1 - lh) + bottom * lh;
                }
            }
        }
    }
}
