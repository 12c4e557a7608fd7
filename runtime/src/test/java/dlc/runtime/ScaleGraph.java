package dlc.runtime;

/** A hand-written compiled graph for tests: y[b, j] = x[b, j] * w[j] + k, with k a preset i64 "key" input. */
final class ScaleGraph extends CompiledGraph {
    static final String SIGNATURE = """
            sym|B
            in|x|f32|B,2|INPUT
            in|w|f32|2|PARAM
            in|k|i64||INPUT
            out|y|f32|B,2|OUTPUT
            out|total|f64||OUTPUT
            """;

    private float[] y = new float[0];
    private final double[] total = new double[1];
    /** Calls of bind, to test that the binding is cached. */
    int binds;
    /** A batch above this makes bind fail half-way (after the dims, before the buffers), as running out of memory would. */
    long failAbove = Long.MAX_VALUE;

    ScaleGraph() { super(SIGNATURE); }

    @Override public CompiledGraph copy() { return new ScaleGraph(); }

    @Override protected void bind(long[] symbols) {
        binds++;
        d = new int[]{(int) symbols[0]};
        if (symbols[0] > failAbove) throw new OutOfMemoryError("test: buffers for B = " + symbols[0]);
        y = ensure(y, d[0] * 2);
    }

    @Override protected void execute(Object[] in, Object[] out) {
        float[] x = (float[]) in[0], w = (float[]) in[1];
        double k = ((double[]) in[2])[0];
        double s = 0;
        for (int b = 0; b < d[0]; b++)
            for (int j = 0; j < 2; j++) {
                y[b * 2 + j] = x[b * 2 + j] * w[j] + (float) k;
                s += y[b * 2 + j];
            }
        total[0] = s;
        out[0] = y;
        out[1] = total;
    }
}
