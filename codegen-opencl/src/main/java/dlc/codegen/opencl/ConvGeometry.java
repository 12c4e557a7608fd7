package dlc.codegen.opencl;

/**
 * The window attributes of a 2-D convolution, as the IR's conv2d and conv_transpose2d carry them:
 * strides, paddings {@code [top, bottom, left, right]}, dilations and groups. {@link #of(int[])}
 * reads the JVM runtime's geometry array ({@code dlc.runtime.Conv.SH} ... {@code GROUPS}).
 */
public record ConvGeometry(int sh, int sw, int top, int bottom, int left, int right, int dh, int dw, int groups) {
    public ConvGeometry {
        if (sh < 1 || sw < 1 || dh < 1 || dw < 1 || groups < 1)
            throw new IllegalArgumentException("convolution strides, dilations and groups must be >= 1: " + this);
        if (top < 0 || bottom < 0 || left < 0 || right < 0)
            throw new IllegalArgumentException("convolution paddings must be >= 0: " + this);
    }

    /** From {@code [sH, sW, top, bottom, left, right, dH, dW, groups]}. */
    public static ConvGeometry of(int[] geo) {
        if (geo.length != 9) throw new IllegalArgumentException("a convolution geometry has 9 values, got " + java.util.Arrays.toString(geo));
        return new ConvGeometry(geo[0], geo[1], geo[2], geo[3], geo[4], geo[5], geo[6], geo[7], geo[8]);
    }

    /** Stride 1, no padding, no dilation, one group. */
    public static ConvGeometry plain() { return new ConvGeometry(1, 1, 0, 0, 0, 0, 1, 1, 1); }

    /** conv2d's output height for input height {@code h} and kernel height {@code kh}. */
    public int outH(int h, int kh) { return Math.floorDiv(h + top + bottom - dh * (kh - 1) - 1, sh) + 1; }

    public int outW(int w, int kw) { return Math.floorDiv(w + left + right - dw * (kw - 1) - 1, sw) + 1; }

    /** conv_transpose2d's output height without output padding (it may add less than max(sH, dH)). */
    public int transposedH(int h, int kh) { return (h - 1) * sh - top - bottom + dh * (kh - 1) + 1; }

    public int transposedW(int w, int kw) { return (w - 1) * sw - left - right + dw * (kw - 1) + 1; }
}
