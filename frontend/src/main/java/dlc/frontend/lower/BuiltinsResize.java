package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.Attrs;
import dlc.ir.Dim;
import dlc.ir.Shape;
import dlc.ir.Value;
import dlc.ir.ops.Ops;

import java.util.List;

/**
 * {@code resize(x, size, mode="nearest")} and {@code upsample(x, scale, mode="nearest")} on NCHW
 * tensors: both are the IR op {@code resize} (semantics in {@code dlc.ir.ops.ResizeOps}); upsample
 * multiplies the height and width by an int (or a pair of ints).
 */
final class BuiltinsResize {
    private BuiltinsResize() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.of(Ops.RESIZE, "x, size, mode=\"nearest\"", a -> {
                    Value x = image(a);
                    return resize(a, x, size(a));
                }),
                Builtin.of("upsample", "x, scale, mode=\"nearest\"", a -> {
                    Value x = image(a);
                    long[] s = a.pair("scale");
                    if (s[0] < 1 || s[1] < 1) throw a.error("scale", "upsample's scale must be positive ints, got " + Vals.show(a.get("scale")));
                    Shape xs = x.type().shape();
                    return resize(a, x, new long[]{known(a, xs.dim(2)) * s[0], known(a, xs.dim(3)) * s[1]});
                }));
    }

    private static Value image(Args a) {
        Value x = a.tensor("x");
        if (x.type().rank() != 4)
            throw a.error("x", a.fn.name() + " takes an image batch [N, C, H, W], got " + x.type(),
                    "for a single image, add the batch axis: unsqueeze(x, 0)");
        return x;
    }

    private static long known(Args a, Dim d) {
        if (!d.isConst()) throw a.error("x", a.fn.name() + " needs the height and width known at compile time, got " + a.tensor("x").type());
        return d.value();
    }

    /** size: an int (square) or a pair of ints [H_out, W_out]. */
    private static long[] size(Args a) {
        Val v = a.get("size");
        long[] s;
        if (v instanceof SeqV seq && seq.items().size() == 2 && seq.items().get(0) instanceof IntV h && seq.items().get(1) instanceof IntV w)
            s = new long[]{h.v(), w.v()};
        else if (v instanceof IntV i) s = new long[]{i.v(), i.v()};
        else throw a.error("size", "resize's size must be an int or a pair of ints (H_out, W_out), got " + Vals.kind(v),
                    v instanceof DimV || (v instanceof SeqV sq && sq.items().stream().anyMatch(x -> x instanceof DimV))
                            ? "the output size must be known at compile time" : null);
        if (s[0] < 1 || s[1] < 1) throw a.error("size", "resize's size must be positive, got " + Vals.show(v));
        return s;
    }

    private static Val resize(Args a, Value x, long[] size) {
        String mode = a.str("mode");
        if (!mode.equals("nearest") && !mode.equals("bilinear"))
            throw a.error("mode", a.fn.name() + "'s mode must be \"nearest\" or \"bilinear\", got \"" + mode + "\"", Names.didYouMean(mode, List.of("nearest", "bilinear")));
        return new TensorV(a.in.emit(a.span, Ops.RESIZE, Attrs.of("size", size, "mode", mode), x));
    }
}
