package dlc.codegen.opencl;

/**
 * The window of a 2-D pool as the IR's pooling ops carry it: kernel, stride and padding
 * {@code [top, bottom, left, right]}, each padding below the kernel (so every window holds a real
 * element). {@link #of(int[])} reads the JVM runtime's window array ({@code dlc.runtime.Pool.KH} ...).
 */
public record PoolWindow(int kh, int kw, int sh, int sw, int top, int bottom, int left, int right) {
    public PoolWindow {
        if (kh < 1 || kw < 1 || sh < 1 || sw < 1) throw new IllegalArgumentException("pool kernel and stride must be >= 1: " + this);
        if (top < 0 || bottom < 0 || left < 0 || right < 0 || top >= kh || bottom >= kh || left >= kw || right >= kw)
            throw new IllegalArgumentException("pool paddings must be >= 0 and smaller than the kernel: " + this);
    }

    /** From {@code [kH, kW, sH, sW, top, bottom, left, right]}. */
    public static PoolWindow of(int[] win) {
        if (win.length != 8) throw new IllegalArgumentException("a pool window has 8 values, got " + java.util.Arrays.toString(win));
        return new PoolWindow(win[0], win[1], win[2], win[3], win[4], win[5], win[6], win[7]);
    }

    public int outH(int h) { return Math.floorDiv(h + top + bottom - kh, sh) + 1; }

    public int outW(int w) { return Math.floorDiv(w + left + right - kw, sw) + 1; }
}
