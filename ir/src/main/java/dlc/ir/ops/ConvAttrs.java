package dlc.ir.ops;

import dlc.ir.*;

import java.util.List;

/**
 * Reading and checking the window attributes shared by the convolutions and the pools: 2-value
 * lists ({@code stride}, {@code dilation}, {@code kernel}, {@code output_padding}) as {@code [h, w]}
 * and the 4-value {@code padding} as {@code [top, bottom, left, right]}. Every mistake is a
 * {@link ShapeException} that names the op and the attribute.
 */
final class ConvAttrs {
    private ConvAttrs() {}

    /** Indices into the padding list. */
    static final int TOP = 0, BOTTOM = 1, LEFT = 2, RIGHT = 3;

    /** The integer list {@code key} of length {@code n}, each value >= {@code min}; {@code dflt} when absent (null: required). */
    static long[] longs(OpDef op, Attrs attrs, String key, int n, long min, long[] dflt) {
        if (!attrs.has(key)) {
            if (dflt == null)
                throw new ShapeException(op.name() + " needs attribute " + key + " (" + n + " integers)");
            return dflt.clone();
        }
        Object v = attrs.get(key);
        if (!(v instanceof List<?> l) || l.size() != n || !l.stream().allMatch(x -> x instanceof Long))
            throw new ShapeException(op.name() + " attribute " + key + " must be a list of " + n + " integers, got " + Attrs.format(v),
                    n == 4 ? "padding is [top, bottom, left, right]" : key + " is [height, width]");
        long[] out = ((List<?>) v).stream().mapToLong(x -> (Long) x).toArray();
        for (long x : out)
            if (x < min)
                throw new ShapeException(op.name() + " attribute " + key + " must hold values >= " + min + ", got " + Attrs.format(v));
        return out;
    }

    static long[] stride(OpDef op, Attrs attrs, long[] dflt) { return longs(op, attrs, "stride", 2, 1, dflt); }

    static long[] dilation(OpDef op, Attrs attrs) { return longs(op, attrs, "dilation", 2, 1, new long[]{1, 1}); }

    static long[] padding(OpDef op, Attrs attrs) { return longs(op, attrs, "padding", 4, 0, new long[4]); }

    static long groups(OpDef op, Attrs attrs) {
        Object v = attrs.has("groups") ? attrs.get("groups") : 1L;
        if (!(v instanceof Long g) || g < 1)
            throw new ShapeException(op.name() + " attribute groups must be an integer >= 1, got " + Attrs.format(v));
        return g;
    }

    /** The attributes of a convolution node (gradient rules build new ones). */
    static Attrs of(long[] stride, long[] padding, long[] dilation, long groups) {
        return Attrs.of("stride", stride, "padding", padding, "dilation", dilation, "groups", groups);
    }

    /**
     * The output padding that makes a transposed convolution restore an input of size {@code in}
     * from the output of a window walk ({@code kernel}, {@code stride}, both paddings summed in
     * {@code pads}, {@code dilation}): the rows past the last window start, i.e.
     * {@code (in + pads - dilation*(kernel-1) - 1) mod stride}. It must be a known integer, so a
     * symbolic input size is accepted only where the stride is 1 or the remainder cancels.
     */
    static long restoringPadding(OpDef op, Dim in, Dim kernel, long stride, long pads, long dilation, String axis) {
        Dim span = in.plus(pads).minus(kernel.minus(1).times(dilation)).minus(1);
        Dim rest = span.minus(span.floorDiv(Dim.of(stride)).times(stride));
        if (!rest.isConst())
            throw new ShapeException("the gradient of " + op.name() + " with stride " + stride + " needs to know the input " + axis + " " + in
                    + " modulo the stride, to size the transposed convolution that restores it",
                    "use stride 1 on that axis, or a concrete " + axis);
        return rest.value();
    }

    /** Fails when a computed spatial output size is known to be empty. */
    static Dim nonEmpty(OpDef op, Dim size, String axis, TensorType x, String why) {
        if (size.isConst() && size.value() < 1)
            throw new ShapeException(op.name() + " output " + axis + " would be " + size.value() + " for input " + x, why);
        return size;
    }

    /** True when {@code a} and {@code b} are known to differ (their difference is a nonzero constant). */
    static boolean differ(Dim a, Dim b) {
        Dim d = a.minus(b);
        return d.isConst() && d.value() != 0;
    }

    /** Common operand checks for the 2-D convolutions: two rank-4 operands of one numeric dtype. */
    static void operands(OpDef op, List<TensorType> in, String weightLayout) {
        Checks.arity(op, in, 2);
        TensorType x = in.get(0), w = in.get(1);
        Checks.rank(op, x, 4, "an input [N, C, H, W]");
        if (w.rank() != 4)
            throw new ShapeException(op.name() + " needs a weight of rank 4, got " + w, "the weight layout is " + weightLayout);
        if (x.dtype() != w.dtype())
            throw new ShapeException(op.name() + " operands have different dtypes: " + x + " and " + w, "cast one operand, e.g. cast(w, f32)");
        if (x.dtype() == DType.BOOL) throw new ShapeException(op.name() + " needs numeric operands, got " + x);
    }
}
