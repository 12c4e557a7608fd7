package dlc.codegen.opencl;

/**
 * How integer indices are stored in the arena, for the kernels that read or write them (gather,
 * scatter_add, argmax/argmin): as 32- or 64-bit integers, or as floats or doubles (the JVM
 * backend stores every integer dtype as a double, exact below 2^53; a float is exact below 2^24).
 * {@code cType} is the OpenCL C type the kernels are specialized with.
 */
public enum IndexType {
    INT32("int", 4), INT64("long", 8), F32("float", 4), F64("double", 8);

    public final String cType;
    public final int bytes;

    IndexType(String cType, int bytes) {
        this.cType = cType;
        this.bytes = bytes;
    }

    /** The defines that specialize a kernel for this type under the name {@code define}. */
    java.util.Map<String, String> defines(String define, ClDevice device) {
        if (this == F64 && !device.fp64())
            throw new OpenClException(device.describe() + " has no double precision (cl_khr_fp64), so it cannot hold indices as doubles");
        return this == F64 ? java.util.Map.of(define, cType, "FP64", "1") : java.util.Map.of(define, cType);
    }
}
