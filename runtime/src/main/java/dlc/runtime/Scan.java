package dlc.runtime;

/**
 * Runs a scan node: its body is a {@link CompiledGraph} of its own, called once per step. The
 * generated code of the enclosing graph creates one Scan per scan node, sizes it at bind, and per
 * run stores the operand and result arrays into {@link #operands} and {@link #results} and calls
 * {@link #run()}.
 *
 * <p>Operands: carries, xs (scanned over {@code axis}), captured values. Results: final carries,
 * then ys stacked over {@code axis}. Carries are double-buffered in arrays of this object (a body
 * output buffer is overwritten by the next step, so it cannot be fed back as an input directly);
 * each step's x slice is copied into a step buffer, each y copied into its stacked result. Nothing
 * is allocated per run. The captured operands are registered as loop invariants for the run
 * ({@link InvariantPacks}), so a GEMM in the body packs them once rather than at every step.
 */
public final class Scan {
    public final Object[] operands, results;
    private final CompiledGraph body;
    private final int carries, xs, ys;
    private final boolean reverse;
    private final int[] bodySymbolIndex;
    private long[] bodySymbols;
    private int length;
    private Object[] carryBuf, carryNext, stepIn;
    private int[] carryNumel;
    /** Per x and y: elements before the axis (outer), after it (inner). */
    private int[] xOuter, xInner, yOuter, yInner;

    /**
     * @param parentSymbols the enclosing graph's symbol names; the body's symbols must be among them
     */
    public Scan(CompiledGraph body, String[] parentSymbols, int carries, int xs, int captured, int ys, boolean reverse) {
        this.body = body;
        this.carries = carries;
        this.xs = xs;
        this.ys = ys;
        this.reverse = reverse;
        this.operands = new Object[carries + xs + captured];
        this.results = new Object[carries + ys];
        var names = body.signature().symbols();
        bodySymbolIndex = new int[names.size()];
        for (int i = 0; i < bodySymbolIndex.length; i++) {
            bodySymbolIndex[i] = java.util.Arrays.asList(parentSymbols).indexOf(names.get(i));
            if (bodySymbolIndex[i] < 0) throw new IllegalArgumentException("scan body dimension " + names.get(i) + " is not bound by the enclosing graph");
        }
    }

    /**
     * Sizes the buffers for a binding: {@code length} steps; {@code xShapes}/{@code yShapes} are the
     * full (stacked) shapes of the xs and ys, {@code xAxes}/{@code yAxes} their scanned axes;
     * {@code carryNumel} and {@code carryFloat} describe the carries.
     */
    public void bind(long[] parentSymbols, int length, int[][] xShapes, int[] xAxes, int[][] yShapes, int[] yAxes,
                     int[] carryNumel, boolean[] carryFloat, boolean[] xFloat) {
        this.length = length;
        this.carryNumel = carryNumel.clone();
        bodySymbols = new long[bodySymbolIndex.length];
        for (int i = 0; i < bodySymbols.length; i++) bodySymbols[i] = parentSymbols[bodySymbolIndex[i]];
        carryBuf = new Object[carries];
        carryNext = new Object[carries];
        for (int i = 0; i < carries; i++) {
            carryBuf[i] = carryFloat[i] ? new float[carryNumel[i]] : new double[carryNumel[i]];
            carryNext[i] = carryFloat[i] ? new float[carryNumel[i]] : new double[carryNumel[i]];
        }
        stepIn = new Object[operands.length];
        xOuter = new int[xs];
        xInner = new int[xs];
        for (int i = 0; i < xs; i++) {
            xOuter[i] = prod(xShapes[i], 0, xAxes[i]);
            xInner[i] = prod(xShapes[i], xAxes[i] + 1, xShapes[i].length);
            int n = xOuter[i] * xInner[i];
            stepIn[carries + i] = xFloat[i] ? new float[n] : new double[n];
        }
        yOuter = new int[ys];
        yInner = new int[ys];
        for (int i = 0; i < ys; i++) {
            yOuter[i] = prod(yShapes[i], 0, yAxes[i]);
            yInner[i] = prod(yShapes[i], yAxes[i] + 1, yShapes[i].length);
        }
    }

    private static int prod(int[] s, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) p *= s[i];
        return Math.toIntExact(p);
    }

    public void run() {
        for (int i = 0; i < carries; i++) System.arraycopy(operands[i], 0, carryBuf[i], 0, carryNumel[i]);
        for (int i = 0; i < carries; i++) stepIn[i] = carryBuf[i];
        for (int i = carries + xs; i < operands.length; i++) stepIn[i] = operands[i];
        // the captured operands are the same arrays, unchanged, at every step: a GEMM packs them once per run
        InvariantPacks.begin(operands, carries + xs, operands.length);
        try {
            steps();
        } finally {
            InvariantPacks.end();
        }
        for (int i = 0; i < carries; i++) System.arraycopy(carryBuf[i], 0, results[i], 0, carryNumel[i]);
    }

    private void steps() {
        for (int s = 0; s < length; s++) {
            int t = reverse ? length - 1 - s : s;
            for (int i = 0; i < xs; i++) slice(operands[carries + i], stepIn[carries + i], xOuter[i], xInner[i], t);
            Object[] out = body.runUnchecked(stepIn, bodySymbols);
            // a body output may be one of its input arrays (a y that is the old carry, swapped carries):
            // read every output before any carry buffer is overwritten
            for (int i = 0; i < ys; i++) stack(out[carries + i], results[carries + i], yOuter[i], yInner[i], t);
            for (int i = 0; i < carries; i++) System.arraycopy(out[i], 0, carryNext[i], 0, carryNumel[i]);
            Object[] swap = carryBuf;
            carryBuf = carryNext;
            carryNext = swap;
            for (int i = 0; i < carries; i++) stepIn[i] = carryBuf[i];
        }
    }

    /** to[o, :] = from[o, t, :] */
    private void slice(Object from, Object to, int outer, int inner, int t) {
        for (int o = 0; o < outer; o++) System.arraycopy(from, (o * length + t) * inner, to, o * inner, inner);
    }

    /** to[o, t, :] = from[o, :] */
    private void stack(Object from, Object to, int outer, int inner, int t) {
        for (int o = 0; o < outer; o++) System.arraycopy(from, o * inner, to, (o * length + t) * inner, inner);
    }
}
