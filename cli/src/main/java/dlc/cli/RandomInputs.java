package dlc.cli;

import dlc.ir.DType;
import dlc.ir.Sizes;
import dlc.ir.eval.Tensor;
import dlc.numerics.Rng;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded random values for inputs the user did not give, and the RNG keys of the graphs. Each
 * input draws from its own stream derived from the seed and its name, so adding or reordering
 * inputs does not change the values of the others.
 */
final class RandomInputs {
    private RandomInputs() {}

    /**
     * A tensor of {@code dtype} and {@code shape}: floats ~ N(0, 1), integers uniform in
     * {@code [0, intRange)} (wrapped into i8 or u8 when the range exceeds theirs), bools true with
     * probability 1/2.
     */
    static Tensor sample(DType dtype, int[] shape, long seed, String name, int intRange) {
        Random r = new Random(mix(seed, name));
        long n = Tensor.numel(shape);
        if (n > Sizes.MAX_ELEMENTS) // InputBinder.shapeOf checks this first, with the dims' names
            throw new UserError("input '" + name + "' " + Arrays.toString(shape) + " has " + n + " elements, more than a Java array holds (" + Sizes.MAX_ELEMENTS + ")");
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++)
            v[i] = dtype.isFloating() ? r.nextGaussian()
                    : dtype.isInteger() ? dlc.numerics.Ints.wrap(r.nextInt(intRange), dtype.intKind()) // i8/u8 wrap a range past theirs
                    : (r.nextBoolean() ? 1 : 0);
        return new Tensor(dtype, shape, v);
    }

    /**
     * The value of a graph's {@code rng} input for one run, derived from the seed and the graph's
     * name. It is kept in [0, {@link Rng#KEY_LIMIT}), the range random keys have (exact in the interpreter's float64 storage).
     */
    static Tensor key(long seed, String graphName) {
        return Tensor.scalar(DType.I64, Math.floorMod(mix(seed, graphName), Rng.KEY_LIMIT));
    }

    /** SplitMix64 over the seed and the bytes of a name: well-spread, deterministic streams. */
    static long mix(long seed, String name) {
        long h = seed;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) h = splitmix(h ^ (b & 0xff));
        return splitmix(h ^ name.length());
    }

    private static long splitmix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
