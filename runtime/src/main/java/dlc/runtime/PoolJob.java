package dlc.runtime;

/**
 * One multi-threaded {@link Pool} call: part t of T runs planes [t*P/T, (t+1)*P/T) of the
 * N*C planes as a call of its own (offsets moved to the first plane, shapes [1, planes, H, W]
 * in arrays kept per part). One instance per calling thread, reused, so a parallel call
 * allocates nothing once the thread count stops growing.
 */
final class PoolJob implements Parallel.Task {
    static final ThreadLocal<PoolJob> LOCAL = ThreadLocal.withInitial(PoolJob::new);

    static final int MAX = 0, AVG = 1, SCATTER = 2, GATHER = 3;

    /** Below this many input elements a pool runs on the caller: waking workers costs more (tests lower it). */
    static int parallelMinElements = 1 << 17;

    private int kind, xOff, sOff, yOff;
    private float[] x, second, y;
    private int[] xs, ps, win;
    private boolean includePad;
    /** Per part: its input shape and its pooled shape. */
    private int[][] partX = new int[0][], partP = new int[0][];

    /**
     * Runs the pool split over the threads and returns true, or returns false (having done
     * nothing) when the tensor is too small or there are fewer planes than threads. {@code second}
     * is the scatter's cotangent or the gather's source; {@code ps} the pooled shape.
     */
    static boolean split(int kind, float[] x, int xOff, int[] xs, float[] second, int sOff, float[] y, int yOff, int[] ps,
                         int[] win, boolean includePad) {
        int threads = Parallel.threads(), planes = xs[0] * xs[1];
        if (threads <= 1 || planes < threads || (long) planes * xs[2] * xs[3] < parallelMinElements) return false;
        PoolJob job = LOCAL.get();
        job.kind = kind;
        job.x = x;
        job.xOff = xOff;
        job.xs = xs;
        job.second = second;
        job.sOff = sOff;
        job.y = y;
        job.yOff = yOff;
        job.ps = ps;
        job.win = win;
        job.includePad = includePad;
        if (job.partX.length < threads) {
            job.partX = new int[threads][4];
            job.partP = new int[threads][4];
        }
        try {
            Parallel.run(threads, job);
        } finally {
            job.x = job.second = job.y = null;
            job.xs = job.ps = job.win = null;
        }
        return true;
    }

    @Override public void run(int part, int parts) {
        int planes = xs[0] * xs[1], p0 = (int) ((long) part * planes / parts), p1 = (int) ((long) (part + 1) * planes / parts);
        if (p0 >= p1) return;
        int[] px = partX[part], pp = partP[part];
        px[0] = pp[0] = 1;
        px[1] = pp[1] = p1 - p0;
        px[2] = xs[2];
        px[3] = xs[3];
        pp[2] = ps[2];
        pp[3] = ps[3];
        int in = p0 * xs[2] * xs[3], pooled = p0 * ps[2] * ps[3];
        switch (kind) {
            case MAX -> Pool.maxPool2dPlanes(x, xOff + in, px, y, yOff + pooled, pp, win);
            case AVG -> Pool.avgPool2dPlanes(x, xOff + in, px, y, yOff + pooled, pp, win, includePad);
            case SCATTER -> Pool.maxPool2dScatterPlanes(x, xOff + in, px, second, sOff + pooled, y, yOff + in, pp, win);
            case GATHER -> Pool.maxPool2dGatherPlanes(x, xOff + in, px, second, sOff + in, y, yOff + pooled, pp, win);
            default -> throw new IllegalStateException("unknown pool job " + kind);
        }
    }
}
