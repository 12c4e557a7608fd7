package dlc.codegen.opencl;

import dlc.ir.DType;
import dlc.ir.Value;

/**
 * How the OpenCL backend stores and computes each dtype, as the JVM backend does: f32 values as
 * {@code float}, every other dtype (f64, integers, bool) as {@code double} (integers exact below
 * 2^53, as in the reference interpreter), so a device without double precision (cl_khr_fp64) runs
 * f32 graphs only. f16 values are doubles too, as on the JVM: a cast to f16 rounds to half
 * precision ({@code dlc_f16}), the other ops compute on them in double, as the interpreter does.
 */
final class ClTypes {
    private ClTypes() {}

    /** The OpenCL C type a value is stored and computed in. */
    static String register(DType d) {
        return d == DType.F32 ? "float" : "double";
    }

    static String register(Value v) { return register(v.type().dtype()); }

    static boolean isFloat(Value v) { return v.type().dtype() == DType.F32; }

    /** Bytes of one stored element. */
    static int bytes(DType d) { return d == DType.F32 ? 4 : 8; }

    static int bytes(Value v) { return bytes(v.type().dtype()); }

    /** {@code c} as an OpenCL C literal of {@code type} ({@code float} or {@code double}). */
    static String literal(double c, String type) {
        boolean f = type.equals("float");
        if (Double.isNaN(c)) return f ? "NAN" : "((double)NAN)";
        if (Double.isInfinite(c)) return (c > 0 ? "" : "-") + (f ? "INFINITY" : "((double)INFINITY)");
        return f ? "(" + Float.toString((float) c) + "f)" : "(" + Double.toString(c) + ")";
    }

    /** The wrap-to-dtype helper of an integer dtype (defined in {@link GroupKernels#HELPERS}). */
    static String wrap(DType d) {
        return switch (d) {
            case I8 -> "dlc_i8";
            case U8 -> "dlc_u8";
            case I32 -> "dlc_i32";
            case I64 -> "dlc_i64";
            default -> throw new IllegalArgumentException("no integer wrap for " + d);
        };
    }
}
