package dlc.runtime;

/**
 * One multi-threaded {@link Conv} call: its arguments, and the range of images each part runs
 * (part t takes images [t*N/parts, (t+1)*N/parts) and, where it needs one, scratch slice t). One
 * instance per calling thread, reused, so a parallel call allocates nothing.
 */
final class ConvJob implements Parallel.Task {
    static final ThreadLocal<ConvJob> LOCAL = ThreadLocal.withInitial(ConvJob::new);

    /** What the parts run. */
    static final int CONV2D = 0, TRANSPOSE = 1, IM2COL_T = 2, CONV2D_POOL = 3;

    private int kind, xOff, wOff, yOff, biasOff, act, group;
    private float[] x, w, y, col, bias;
    private int[] xs, ws, ys, geo;

    void set(int kind, float[] x, int xOff, int[] xs, float[] w, int wOff, int[] ws, float[] y, int yOff, int[] ys,
             int[] geo, float[] col, float[] bias, int biasOff, int act, int group) {
        this.kind = kind;
        this.x = x;
        this.xOff = xOff;
        this.xs = xs;
        this.w = w;
        this.wOff = wOff;
        this.ws = ws;
        this.y = y;
        this.yOff = yOff;
        this.ys = ys;
        this.geo = geo;
        this.col = col;
        this.bias = bias;
        this.biasOff = biasOff;
        this.act = act;
        this.group = group;
    }

    /** Drops the array references so that a finished call keeps nothing alive. */
    void clear() {
        x = w = y = col = bias = null;
        xs = ws = ys = geo = null;
    }

    @Override public void run(int part, int parts) {
        int n = xs[0], b0 = (int) ((long) part * n / parts), b1 = (int) ((long) (part + 1) * n / parts);
        if (b0 >= b1) return;
        switch (kind) {
            case CONV2D -> {
                int slice = ws[1] * ws[2] * ws[3] * ys[2] * ys[3];
                Conv.conv2dImages(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col, part * slice, bias, biasOff, act, b0, b1);
            }
            case TRANSPOSE -> {
                int slice = ws[1] * ws[2] * ws[3] * xs[2] * xs[3];
                Conv.convTranspose2dImages(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col, part * slice, b0, b1);
            }
            case CONV2D_POOL -> {
                // ys is the pooled shape; the slice is the conv's im2col slice, as conv2d's
                int ho = xs[2] + geo[Conv.TOP] + geo[Conv.BOTTOM] - geo[Conv.DH] * (ws[2] - 1);
                int wo = xs[3] + geo[Conv.LEFT] + geo[Conv.RIGHT] - geo[Conv.DW] * (ws[3] - 1);
                int slice = ws[1] * ws[2] * ws[3] * ho * wo;
                Conv.conv2dPooledImages(x, xOff, xs, w, wOff, ws, y, yOff, ys, geo, col, part * slice, bias, biasOff, b0, b1);
            }
            case IM2COL_T -> Conv.im2colTImages(x, xOff, xs, ws, ys, geo, col, group, b0, b1);
            default -> throw new IllegalStateException("unknown conv job " + kind);
        }
    }
}
