package dlc.codegen.opencl;

import java.util.Map;

/**
 * Runs rng.cl, the OpenCL port of {@code dlc.numerics.Rng}: the same key gives the same integers
 * bit for bit and the same floats as the JVM backend, element by element. The draws are computed
 * in double as on the JVM, so the device needs cl_khr_fp64; without it this is refused with a
 * message, since float arithmetic would draw different numbers.
 */
public final class RandomKernels {
    private final ClExecutor executor;

    public RandomKernels(ClExecutor executor) {
        this.executor = executor;
        ClDevice d = executor.device();
        if (!d.fp64())
            throw new OpenClException(d.describe() + " has no double precision (cl_khr_fp64); the random kernels compute in double "
                    + "to draw the same numbers as the JVM backend, so they cannot run there");
    }

    private ClKernel kernel(String name, String outType) {
        return executor.program(ProgramSource.resource("rng.cl", Map.of("OUT_T", outType))).kernel(name);
    }

    /** {@code out[outOff + i] = Rng.mix(key, first + i)} for i below n, as 64-bit integers. */
    public void bits(long key, long first, DeviceArena arena, long outOff, int n) {
        if (n == 0) return;
        executor.launch(kernel("rng_bits", "float").arg(0, key).arg(1, first).arg(2, arena).arg(3, outOff).arg(4, n),
                new long[]{n}, null);
    }

    /** rng_fold: the double at {@code outOff} becomes {@code Rng.fold(key at kOff, salt)} (NaN for an invalid key). */
    public void fold(DeviceArena arena, long kOff, long salt, long outOff) {
        executor.launch(kernel("rng_fold", "float").arg(0, arena).arg(1, kOff).arg(2, salt).arg(3, arena).arg(4, outOff),
                new long[]{1}, null);
    }

    /** random_uniform into n floats (or doubles when {@code f64}) at {@code yOff}, the key a double at {@code kOff}. */
    public void uniform(DeviceArena arena, long kOff, double low, double high, boolean f64, long yOff, int n) {
        draw("random_uniform", arena, kOff, low, high, f64, yOff, n);
    }

    /** random_normal into n floats (or doubles when {@code f64}) at {@code yOff}. */
    public void normal(DeviceArena arena, long kOff, double mean, double std, boolean f64, long yOff, int n) {
        draw("random_normal", arena, kOff, mean, std, f64, yOff, n);
    }

    private void draw(String name, DeviceArena arena, long kOff, double a, double b, boolean f64, long yOff, int n) {
        if (n == 0) return;
        ClKernel k = kernel(name, f64 ? "double" : "float")
                .arg(0, arena).arg(1, kOff).arg(2, a).arg(3, b).arg(4, arena).arg(5, yOff).arg(6, n);
        executor.launch(k, new long[]{n}, null);
    }
}
