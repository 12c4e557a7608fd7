package dlc.codegen.opencl;

/**
 * Argument checks shared by the kernel launchers: a kernel cannot report an index outside its
 * buffer, so every tensor a launcher passes is checked against the arena first, and sizes that
 * the kernels index with 32-bit ints are checked to fit.
 */
final class ArenaChecks {
    private ArenaChecks() {}

    /** {@code count} elements of {@code elementBytes} from element offset {@code off} must lie inside the arena. */
    static void inside(String op, String tensor, long off, long count, int elementBytes, DeviceArena arena) {
        if (off < 0) throw new IllegalArgumentException(op + ": negative offset of " + tensor + ": " + off);
        if (count < 0) throw new IllegalArgumentException(op + ": negative size of " + tensor + ": " + count);
        long elements = arena.layout().totalBytes() / elementBytes;
        if (count > 0 && off + count > elements)
            throw new IllegalArgumentException(op + ": " + tensor + " (" + count + " elements at offset " + off + ") reaches element "
                    + (off + count) + ", past the end of arena " + arena.name() + " (" + elements + " elements of " + elementBytes + " bytes)");
    }

    /** The product of {@code dims}, which kernels index with ints: it must stay below 2^31. */
    static int elements(String op, String tensor, int... dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException(op + ": " + tensor + " has a negative dimension " + java.util.Arrays.toString(dims));
            n *= d;
            if (n > Integer.MAX_VALUE)
                throw new IllegalArgumentException(op + ": " + tensor + " " + java.util.Arrays.toString(dims) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    static void rank(String op, String tensor, int[] shape, int rank) {
        if (shape.length != rank)
            throw new IllegalArgumentException(op + ": " + tensor + " must have rank " + rank + ", got " + java.util.Arrays.toString(shape));
    }
}
