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
 *
 * <p>Rows in parts: when the compiler proved that the body computes each row of a batch symbol on
 * its own ({@code dlc.ir.ops.ScanRows}: an LSTM's batch), the scan runs on several threads as
 * independent parts, each over a range of the rows for all its steps, with a body instance of its
 * own bound to that many rows (and its own copy of those rows of a captured operand that has the
 * rows first, such as an attention decoder's encoder outputs, refreshed at every run). One
 * parallel region per run replaces one per GEMM and nest per
 * step (an LSTM step's 32-row GEMM split by columns exchanged the gates between cores at every
 * step). Every element is computed as in the whole: a part's GEMM rows sum in the same order, and
 * its nests never reduce over the rows. Parts have at least {@link #MIN_PART_ROWS} rows.
 */
public final class Scan {
    /** The fewest rows a part runs: below, a GEMM of so few rows takes another kernel (and a part's work is small anyway). */
    static final int MIN_PART_ROWS = 8;

    public final Object[] operands, results;
    private final CompiledGraph body;
    private final int carries, xs, ys;
    /** Per captured operand: whether it holds the batch rows first (each part then reads its own rows). */
    private final boolean[] capturedRows;
    private final boolean reverse;
    private final int[] bodySymbolIndex;
    /** The body symbol that counts the batch rows, or -1 when the rows cannot run in parts. */
    private final int rowSymbol;
    private long[] bodySymbols;
    private int length;
    /** The batch rows (1 when the scan does not split: the whole is then one row). */
    private int rows = 1;
    private int[] carryNumel, capturedNumel;
    private boolean[] carryFloat, xFloat;
    /** Per x and y: elements before the axis (outer), after it (inner). */
    private int[] xOuter, xInner, yOuter, yInner;
    /** The whole scan as one part, and the parts it last ran in (rebuilt when the count changes). */
    private Part whole;
    private Part[] split = new Part[0];
    private final Parallel.Task splitTask = (p, n) -> split[p].run();

    /**
     * @param parentSymbols the enclosing graph's symbol names; the body's symbols must be among them
     * @param rowSymbol the body symbol whose rows the body computes independently, or null
     * @param capturedRows per captured operand, whether it has those rows first (null: none has)
     */
    public Scan(CompiledGraph body, String[] parentSymbols, int carries, int xs, int captured, int ys, boolean reverse,
                String rowSymbol, boolean[] capturedRows) {
        this.body = body;
        this.carries = carries;
        this.xs = xs;
        this.ys = ys;
        this.reverse = reverse;
        this.capturedRows = capturedRows == null ? new boolean[captured] : capturedRows.clone();
        if (this.capturedRows.length != captured) throw new IllegalArgumentException("capturedRows has " + this.capturedRows.length + " entries for " + captured + " captured operands");
        this.operands = new Object[carries + xs + captured];
        this.results = new Object[carries + ys];
        var names = body.signature().symbols();
        bodySymbolIndex = new int[names.size()];
        for (int i = 0; i < bodySymbolIndex.length; i++) {
            bodySymbolIndex[i] = java.util.Arrays.asList(parentSymbols).indexOf(names.get(i));
            if (bodySymbolIndex[i] < 0) throw new IllegalArgumentException("scan body dimension " + names.get(i) + " is not bound by the enclosing graph");
        }
        this.rowSymbol = rowSymbol == null ? -1 : names.indexOf(rowSymbol);
        if (rowSymbol != null && this.rowSymbol < 0) throw new IllegalArgumentException("scan row symbol " + rowSymbol + " is not a body dimension");
    }

    /**
     * Sizes the buffers for a binding: {@code length} steps; {@code xShapes}/{@code yShapes} are the
     * full (stacked) shapes of the xs and ys, {@code xAxes}/{@code yAxes} their scanned axes;
     * {@code carryNumel} and {@code carryFloat} describe the carries, {@code capturedNumel} the
     * captured operands' sizes (read for those with rows).
     */
    public void bind(long[] parentSymbols, int length, int[][] xShapes, int[] xAxes, int[][] yShapes, int[] yAxes,
                     int[] carryNumel, boolean[] carryFloat, boolean[] xFloat, int[] capturedNumel) {
        this.length = length;
        this.carryNumel = carryNumel.clone();
        this.capturedNumel = capturedNumel.clone();
        this.carryFloat = carryFloat.clone();
        this.xFloat = xFloat.clone();
        bodySymbols = new long[bodySymbolIndex.length];
        for (int i = 0; i < bodySymbols.length; i++) bodySymbols[i] = parentSymbols[bodySymbolIndex[i]];
        // no row symbol, or an empty batch (nothing to split, and its sizes are 0 per row too): the whole as one row
        long b = rowSymbol < 0 ? 1 : bodySymbols[rowSymbol];
        rows = b < 1 ? 1 : Math.toIntExact(b);
        xOuter = new int[xs];
        xInner = new int[xs];
        for (int i = 0; i < xs; i++) {
            xOuter[i] = prod(xShapes[i], 0, xAxes[i]);
            xInner[i] = prod(xShapes[i], xAxes[i] + 1, xShapes[i].length);
        }
        yOuter = new int[ys];
        yInner = new int[ys];
        for (int i = 0; i < ys; i++) {
            yOuter[i] = prod(yShapes[i], 0, yAxes[i]);
            yInner[i] = prod(yShapes[i], yAxes[i] + 1, yShapes[i].length);
        }
        whole = new Part(body, 0, rows);
        split = new Part[0];
    }

    private static Object array(boolean f, int n) { return f ? new float[n] : new double[n]; }

    private static int prod(int[] s, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) p *= s[i];
        return Math.toIntExact(p);
    }

    /** Scan runs that went in parts, over every Scan of this JVM (tests and benchmarks). */
    private static final java.util.concurrent.atomic.AtomicLong PART_RUNS = new java.util.concurrent.atomic.AtomicLong();

    /** How many scan runs so far ran their rows in parts. */
    public static long partRuns() { return PART_RUNS.get(); }

    public void run() {
        // threads(), not configuredThreads(): while backing off (the other core busy), the whole
        // batch in one body beats the parts in turn on one core (two 16-row GEMMs per step, not one of 32)
        int parts = rowSymbol < 0 ? 1 : Math.min(Parallel.threads(), rows / MIN_PART_ROWS);
        if (parts <= 1) {
            whole.run();
            return;
        }
        PART_RUNS.incrementAndGet();
        if (split.length != parts) {
            Part[] ps = new Part[parts];
            for (int p = 0; p < parts; p++) ps[p] = new Part(body.copy(), (int) ((long) rows * p / parts), (int) ((long) rows * (p + 1) / parts));
            split = ps;
        }
        Parallel.run(parts, splitTask);
    }

    /** Rows [r0, r1) of every step with a body instance bound to that many rows, and buffers of its own. */
    private final class Part {
        private final CompiledGraph body;
        private final int r0, r1;
        /** Fewer rows than the whole: bound to its own row count, reading its own rows of captured operands that have rows. */
        private final boolean part;
        private final long[] symbols;
        private Object[] carryBuf, carryNext;
        private final Object[] stepIn;

        Part(CompiledGraph body, int r0, int r1) {
            this.body = body;
            this.r0 = r0;
            this.r1 = r1;
            part = r1 - r0 < rows;
            symbols = bodySymbols.clone();
            if (part) symbols[rowSymbol] = r1 - r0; // the whole keeps the binding's own count (0 for an empty batch)
            carryBuf = new Object[carries];
            carryNext = new Object[carries];
            for (int i = 0; i < carries; i++) {
                carryBuf[i] = array(carryFloat[i], share(carryNumel[i]));
                carryNext[i] = array(carryFloat[i], share(carryNumel[i]));
            }
            stepIn = new Object[operands.length];
            for (int i = 0; i < xs; i++) stepIn[carries + i] = array(xFloat[i], share(xOuter[i]) * xInner[i]);
            ownCaptures = new Object[capturedRows.length];
        }

        /** This part's copies of the captured operands with rows (null where the operand is shared, or the part is the whole). */
        private final Object[] ownCaptures;

        /** Captured operand {@code c} as this part reads it: its own rows of one with rows, else the operand itself. */
        private Object captured(int c) {
            Object op = operands[carries + xs + c];
            if (!capturedRows[c] || !part) return op;
            int n = share(capturedNumel[c]);
            Object own = ownCaptures[c];
            if (own == null) ownCaptures[c] = own = array(op instanceof float[], n); // a part lives for one binding: its size never changes
            System.arraycopy(op, start(capturedNumel[c]), own, 0, n);
            return own;
        }

        /** This part's share of {@code n} elements (or outer indices) that are the rows times a size per row. */
        private int share(int n) { return n / rows * (r1 - r0); }

        private int start(int n) { return n / rows * r0; }

        void run() {
            for (int i = 0; i < carries; i++) System.arraycopy(operands[i], start(carryNumel[i]), carryBuf[i], 0, share(carryNumel[i]));
            for (int i = 0; i < carries; i++) stepIn[i] = carryBuf[i];
            for (int c = 0; c < capturedRows.length; c++) stepIn[carries + xs + c] = captured(c);
            // the captured operands are the same arrays, unchanged, at every step: a GEMM packs them once per run
            InvariantPacks.begin(stepIn, carries + xs, stepIn.length);
            try {
                steps();
            } finally {
                InvariantPacks.end();
            }
            for (int i = 0; i < carries; i++) System.arraycopy(carryBuf[i], 0, results[i], start(carryNumel[i]), share(carryNumel[i]));
        }

        private void steps() {
            for (int s = 0; s < length; s++) {
                int t = reverse ? length - 1 - s : s;
                for (int i = 0; i < xs; i++) slice(operands[carries + i], stepIn[carries + i], xOuter[i], xInner[i], t);
                Object[] out = body.runUnchecked(stepIn, symbols);
                // a body output may be one of its input arrays (a y that is the old carry, swapped carries):
                // read every output before any carry buffer is overwritten
                for (int i = 0; i < ys; i++) stack(out[carries + i], results[carries + i], yOuter[i], yInner[i], t);
                for (int i = 0; i < carries; i++) System.arraycopy(out[i], 0, carryNext[i], 0, share(carryNumel[i]));
                Object[] swap = carryBuf;
                carryBuf = carryNext;
                carryNext = swap;
                for (int i = 0; i < carries; i++) stepIn[i] = carryBuf[i];
            }
        }

        /** to[o, :] = from[o, t, :] for this part's outer indices o */
        private void slice(Object from, Object to, int outer, int inner, int t) {
            for (int o = start(outer), end = o + share(outer), d = 0; o < end; o++, d += inner)
                System.arraycopy(from, (o * length + t) * inner, to, d, inner);
        }

        /** to[o, t, :] = from[o, :] for this part's outer indices o */
        private void stack(Object from, Object to, int outer, int inner, int t) {
            for (int o = start(outer), end = o + share(outer), s = 0; o < end; o++, s += inner)
                System.arraycopy(from, s, to, (o * length + t) * inner, inner);
        }
    }
}
