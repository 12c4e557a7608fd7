package dlc.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvSmallK}'s loop with {@code jdk.incubator.vector}: four output channels at a time, one
 * vector of the plane each, the K products accumulated in registers (one load of the column row
 * feeds four fused multiply-adds), bias first and activation at the store. Referenced only when
 * {@link Gemm#vectorAvailable()} holds, so the runtime links without the module.
 */
final class VectorConvSmallK {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    private VectorConvSmallK() {}

    static void run(int og, int p, int k, float[] w, int wOff, float[] src, int srcOff,
                    float[] y, int yOff, float[] bias, int biasOff, int act) {
        int o = 0, vecEnd = p - p % VL;
        boolean relu = act == Gemm.ACT_RELU;
        for (; o + 4 <= og; o += 4) {
            int w0 = wOff + o * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k;
            float b0 = bias(bias, biasOff + o), b1 = bias(bias, biasOff + o + 1), b2 = bias(bias, biasOff + o + 2), b3 = bias(bias, biasOff + o + 3);
            int y0 = yOff + o * p, y1 = y0 + p, y2 = y1 + p, y3 = y2 + p;
            for (int j = 0; j < vecEnd; j += VL) {
                FloatVector a0 = FloatVector.broadcast(S, b0), a1 = FloatVector.broadcast(S, b1);
                FloatVector a2 = FloatVector.broadcast(S, b2), a3 = FloatVector.broadcast(S, b3);
                for (int t = 0, s = srcOff + j; t < k; t++, s += p) {
                    FloatVector v = FloatVector.fromArray(S, src, s);
                    a0 = v.fma(FloatVector.broadcast(S, w[w0 + t]), a0);
                    a1 = v.fma(FloatVector.broadcast(S, w[w1 + t]), a1);
                    a2 = v.fma(FloatVector.broadcast(S, w[w2 + t]), a2);
                    a3 = v.fma(FloatVector.broadcast(S, w[w3 + t]), a3);
                }
                store(a0, y, y0 + j, relu);
                store(a1, y, y1 + j, relu);
                store(a2, y, y2 + j, relu);
                store(a3, y, y3 + j, relu);
            }
            if (vecEnd < p) {
                tail(o, 4, p, k, vecEnd, w, wOff, src, srcOff, y, yOff, bias, biasOff);
            }
        }
        for (; o < og; o++) {
            int w0 = wOff + o * k, y0 = yOff + o * p;
            float b0 = bias(bias, biasOff + o);
            for (int j = 0; j < vecEnd; j += VL) {
                FloatVector a0 = FloatVector.broadcast(S, b0);
                for (int t = 0, s = srcOff + j; t < k; t++, s += p) a0 = FloatVector.fromArray(S, src, s).fma(FloatVector.broadcast(S, w[w0 + t]), a0);
                store(a0, y, y0 + j, relu);
            }
            if (vecEnd < p) tail(o, 1, p, k, vecEnd, w, wOff, src, srcOff, y, yOff, bias, biasOff);
        }
        if (act != Gemm.ACT_NONE) {
            // the scalar tails, and activations other than relu, as Gemm.activate
            for (o = 0; o < og; o++) {
                int y0 = yOff + o * p;
                for (int j = relu ? vecEnd : 0; j < p; j++) y[y0 + j] = Gemm.activate(y[y0 + j], act);
            }
        }
    }

    private static float bias(float[] bias, int i) { return bias == null ? 0f : bias[i]; }

    /** relu as in Gemm.activate: v > 0 ? v : 0 (NaN becomes 0). */
    private static void store(FloatVector a, float[] y, int i, boolean relu) {
        if (relu) a = FloatVector.zero(S).blend(a, a.compare(VectorOperators.GT, 0f));
        a.intoArray(y, i);
    }

    /** Columns [from, p) of channels [o, o + count), scalar, bias first and t in order (the activation comes after). */
    private static void tail(int o, int count, int p, int k, int from, float[] w, int wOff, float[] src, int srcOff,
                             float[] y, int yOff, float[] bias, int biasOff) {
        for (int c = o; c < o + count; c++)
            for (int j = from; j < p; j++) {
                float acc = bias(bias, biasOff + c);
                for (int t = 0; t < k; t++) acc = Math.fma(src[srcOff + t * p + j], w[wOff + c * k + t], acc);
                y[yOff + c * p + j] = acc;
            }
    }
}
