package dlc.ir.testing;

import dlc.ir.eval.Tensor;

import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The check every backend's random-graph properties share for graphs retyped to f64 (every f32
 * made f64), where the backend and the interpreter both compute in double and any difference is a
 * code generation bug, not float32 rounding: each element within {@value #RTOL} relative to itself
 * plus its output's largest finite magnitude (summation orders and a device's double built-ins,
 * within a few ulp, may differ), NaN exactly where the reference has NaN, infinities equal.
 */
public final class F64Agreement {
    public static final double RTOL = 1e-9;

    private F64Agreement() {}

    /**
     * Fails on the first element of {@code got} that disagrees with {@code ref} (every output of
     * {@code ref}), naming {@code backend}; the message ends with {@code context} (the graph, the
     * generated source), built only on failure.
     */
    public static void check(Map<String, Tensor> ref, Map<String, Tensor> got, String backend, Supplier<String> context) {
        for (String k : ref.keySet()) {
            double[] a = ref.get(k).data(), b = got.get(k).data();
            assertArrayEquals(ref.get(k).shape(), got.get(k).shape(), k);
            double scale = 0;
            for (double x : a) if (Double.isFinite(x)) scale = Math.max(scale, Math.abs(x));
            for (int i = 0; i < a.length; i++) {
                boolean ok = Double.isNaN(a[i]) ? Double.isNaN(b[i])
                        : Double.isInfinite(a[i]) ? a[i] == b[i]
                        : Math.abs(a[i] - b[i]) <= RTOL * (Math.abs(a[i]) + scale);
                if (!ok) fail(k + "[" + i + "]: reference " + a[i] + ", " + backend + " " + b[i] + context.get());
            }
        }
    }
}
