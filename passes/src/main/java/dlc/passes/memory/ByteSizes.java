package dlc.passes.memory;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.TensorType;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Byte sizes of values under float32 execution (how the backends run): f32 and f64 take 4 bytes an
 * element, f16 2, i32 4, i64 8, bool 1. Symbolic dims are bound from a map such as {@code B=128}.
 */
public final class ByteSizes {
    private ByteSizes() {}

    /** Bytes of one element of {@code d} in float32 execution. */
    public static long elementBytes(DType d) {
        return switch (d) {
            case F16 -> 2;
            case F32, F64, I32 -> 4;
            case I64 -> 8;
            case BOOL, I8, U8 -> 1;
        };
    }

    /**
     * Bytes of a value of type {@code t}. Throws IllegalArgumentException naming the symbols that
     * {@code bindings} leaves unbound.
     */
    public static long of(TensorType t, Map<String, Long> bindings) { return of(t, bindings, ElementStorage.NATIVE); }

    /** Bytes of a value of type {@code t} in {@code storage}; unbound symbols as in {@link #of(TensorType, Map)}. */
    public static long of(TensorType t, Map<String, Long> bindings, ElementStorage storage) {
        Set<String> missing = new TreeSet<>(t.shape().symbols());
        missing.removeAll(bindings.keySet());
        if (!missing.isEmpty())
            throw new IllegalArgumentException("the size of " + t + " needs values for the dims " + missing + " (bind them, e.g. -D "
                    + missing.iterator().next() + "=128)");
        long n = 1;
        for (Dim d : t.shape().dims()) n = Math.multiplyExact(n, d.eval(bindings));
        return Math.multiplyExact(n, storage.elementBytes(t.dtype()));
    }
}
