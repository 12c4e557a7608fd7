package dlc.codegen.jvm;

import dlc.runtime.CompiledGraph;

/**
 * A compiled graph written by hand, standing in for a generated one in the packaging tests:
 * {@code probs[b, j] = x[b, j] * w[j] + c} (w a PARAM, c a STATE), {@code sum = sum(probs)}.
 * It refers to nothing but the runtime, as a generated class does, so it runs from a model jar.
 */
public final class HandWrittenGraph extends CompiledGraph {
    static final String SIGNATURE = """
            sym|B
            in|x|f32|B,3|INPUT
            in|dense.w|f32|3|PARAM
            in|c|f64||STATE
            out|probs|f32|B,3|OUTPUT
            out|run|f64||OUTPUT
            """;

    private float[] probs = new float[0];
    private final double[] sum = new double[1];

    public HandWrittenGraph() { super(SIGNATURE); }

    @Override public CompiledGraph copy() { return new HandWrittenGraph(); }

    @Override protected void bind(long[] symbols) {
        d = new int[]{(int) symbols[0]};
        probs = ensure(probs, d[0] * 3);
    }

    @Override protected void execute(Object[] in, Object[] out) {
        float[] x = (float[]) in[0], w = (float[]) in[1];
        double c = ((double[]) in[2])[0], s = 0;
        for (int i = 0; i < d[0] * 3; i++) {
            probs[i] = x[i] * w[i % 3] + (float) c;
            s += probs[i];
        }
        sum[0] = s;
        out[0] = probs;
        out[1] = sum;
    }
}
