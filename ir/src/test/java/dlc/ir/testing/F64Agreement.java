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
 * An output that is zero in exact arithmetic (a gradient whose terms cancel) holds rounding
 * residue in one evaluation order and none in another: its own largest magnitude is that residue,
 * so an absolute floor of {@value #RTOL} times the largest finite magnitude of ALL outputs applies
 * too (a fresh seed drew a second-order gradient of 1.8e-15 in the interpreter and exactly 0 on
 * the JVM, the other outputs being of order 1).
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
        double all = 0;
        for (Tensor t : ref.values()) for (double x : t.data()) if (Double.isFinite(x)) all = Math.max(all, Math.abs(x));
        for (String k : ref.keySet()) {
            double[] a = ref.get(k).data(), b = got.get(k).data();
            assertArrayEquals(ref.get(k).shape(), got.get(k).shape(), k);
            double scale = 0;
            for (double x : a) if (Double.isFinite(x)) scale = Math.max(scale, Math.abs(x));
            for (int i = 0; i < a.length; i++) {
                boolean ok = Double.isNaN(a[i]) ? Double.isNaN(b[i])
                        : Double.isInfinite(a[i]) ? a[i] == b[i]
                        : Math.abs(a[i] - b[i]) <= RTOL * Math.max(Math.abs(a[i]) + scale, all);
                if (!ok) fail(k + "[" + i + "]: reference " + a[i] + ", " + backend + " " + b[i] + context.get());
            }
        }
    }
}
