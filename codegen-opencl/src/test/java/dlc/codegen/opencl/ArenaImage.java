package dlc.codegen.opencl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A test's tensors packed into one arena at odd element offsets, with sentinel floats between
 * and around them: a kernel that writes outside its output, or reads an offset wrongly, shows up
 * as a changed sentinel or a wrong value. Outputs are reserved pre-filled with a given value
 * (NaN by default, so an element the kernel forgets to write fails every comparison).
 */
final class ArenaImage {
    static final float SENTINEL = 7777f;

    private final List<Float> image = new ArrayList<>();
    private final List<int[]> outputs = new ArrayList<>(); // {offset, length}

    ArenaImage() { gap(); }

    /** Places {@code values}; returns their element offset. */
    int add(float[] values) {
        int at = image.size();
        for (float v : values) image.add(v);
        gap();
        return at;
    }

    /** Places {@code values} at an offset that is {@code shift} more than a multiple of {@code align} floats (to give a kernel 16-byte aligned rows, or not); returns it. */
    int add(float[] values, int align, int shift) {
        while (image.size() % align != shift) image.add(SENTINEL);
        return add(values);
    }

    /** Reserves {@code n} output elements filled with {@code fill}; returns their offset. */
    int output(int n, float fill) {
        int at = image.size();
        for (int i = 0; i < n; i++) image.add(fill);
        outputs.add(new int[]{at, n});
        gap();
        return at;
    }

    int output(int n) { return output(n, Float.NaN); }

    /** Reserves {@code n} output floats starting on a multiple of {@code align} floats (for 8-byte elements). */
    int output(int n, float fill, int align) {
        while (image.size() % align != 0) image.add(SENTINEL);
        return output(n, fill);
    }

    /** The 8-byte little-endian element at float offset {@code at} (even). */
    static long longAt(float[] a, int at) {
        return ((long) Float.floatToRawIntBits(a[at + 1]) << 32) | (Float.floatToRawIntBits(a[at]) & 0xffffffffL);
    }

    /** 3 to 5 sentinels, so offsets are not all aligned the same way */
    private void gap() {
        int n = 3 + image.size() % 3;
        for (int i = 0; i < n; i++) image.add(SENTINEL);
    }

    float[] values() {
        float[] out = new float[image.size()];
        for (int i = 0; i < out.length; i++) out[i] = image.get(i);
        return out;
    }

    /** Uploads the image, enqueues the kernels, reads the whole arena back and checks that nothing outside the outputs changed. */
    float[] run(ClExecutor ex, Consumer<DeviceArena> kernels) { return run(ex, values(), kernels); }

    /** As {@link #run(ClExecutor, Consumer)} from {@code before}, this image's values with some raw bits written in (indices). */
    float[] run(ClExecutor ex, float[] before, Consumer<DeviceArena> kernels) {
        float[] after = new float[before.length];
        try (DeviceArena arena = ex.arena("test", ArenaLayout.packed(Map.of("all", (long) before.length * Float.BYTES)))) {
            ArenaLayout.Slice all = arena.slice("all");
            ex.upload(arena, all, before);
            kernels.accept(arena);
            ex.download(arena, all, after);
        }
        boolean[] written = new boolean[before.length];
        for (int[] o : outputs) Arrays.fill(written, o[0], o[0] + o[1], true);
        for (int i = 0; i < before.length; i++)
            if (!written[i]) assertEquals(before[i], after[i], 0f, "element " + i + " outside the outputs was changed");
        return after;
    }

    static float[] slice(float[] a, int off, int n) { return Arrays.copyOfRange(a, off, off + n); }

    static float[] gaussian(java.util.Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    static double[] abs(double[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = Math.abs(a[i]);
        return d;
    }
}
