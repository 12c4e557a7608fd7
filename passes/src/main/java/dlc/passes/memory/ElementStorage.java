package dlc.passes.memory;

import dlc.ir.DType;

/**
 * How a backend stores tensor elements: the bytes of one element of each dtype, and the storage
 * kind it lives in. Values of different kinds never share a slot (the JVM keeps f32 in
 * {@code float[]} and every other dtype in {@code double[]}); a byte arena has one kind.
 */
public interface ElementStorage {
    /** The storage kind of {@code d}'s elements, e.g. "float" or "double"; slots hold one kind. */
    String kind(DType d);

    /** Bytes of one element of {@code d} in this storage. */
    long elementBytes(DType d);

    /** Native sizes in one byte arena (f32 4 bytes, f16 2, i64 8, bool 1; see {@link ByteSizes}): what a device arena holds. */
    ElementStorage NATIVE = new ElementStorage() {
        @Override public String kind(DType d) { return "bytes"; }

        @Override public long elementBytes(DType d) { return ByteSizes.elementBytes(d); }

        @Override public String toString() { return "native"; }
    };
}
