package dlc.onnx;

import dlc.ir.eval.Tensor;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Float32 results against a float64 reference. Tolerance: |got - want| <= 1e-4 (1 + |want|).
 * Float32 rounds each operation by about 6e-8 relative; the examples' longest chains (a GEMM of a
 * few hundred terms, an eight-step recurrence) accumulate well under 1e-5, so 1e-4 leaves a margin
 * without hiding a wrong op, which is off by far more. NaN never passes.
 */
final class Agreement {
    private Agreement() {}

    static final double TOL = 1e-4;

    static void assertClose(Map<String, Tensor> want, Map<String, Tensor> got, String what) {
        assertEquals(want.keySet(), got.keySet(), what + ": output names");
        for (String name : want.keySet()) assertClose(want.get(name), got.get(name), what + " output " + name);
    }

    static void assertClose(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape " + Arrays.toString(got.shape()) + " vs " + Arrays.toString(want.shape()));
        double[] w = want.data(), g = got.data();
        for (int i = 0; i < w.length; i++) {
            boolean ok = Math.abs(g[i] - w[i]) <= TOL * (1 + Math.abs(w[i]));
            if (Double.isNaN(w[i]) || Double.isNaN(g[i])) ok = false;
            if (Double.isInfinite(w[i]) && g[i] == w[i]) ok = true;
            if (!ok) fail(what + ": element " + i + " is " + g[i] + ", the reference says " + w[i]);
        }
    }
}
