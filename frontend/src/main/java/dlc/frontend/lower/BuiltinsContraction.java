package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.List;

/**
 * Contraction and window builtins: matmul, conv2d, conv_transpose2d, max_pool2d, avg_pool2d.
 * Padding is an int, a pair (ph, pw), a 4-tuple (top, bottom, left, right), "valid" or "same"
 * (stride 1: total d*(k-1), the smaller half first).
 */
final class BuiltinsContraction {
    private BuiltinsContraction() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.of(Ops.MATMUL, "a, b", a -> new TensorV(a.in.emit(a.span, Ops.MATMUL, a.tensor("a"), a.tensor("b")))),
                Builtin.of(Ops.CONV2D, "x, w, stride=1, padding=0, dilation=1, groups=1", a -> {
                    Value x = a.tensor("x"), w = a.tensor("w");
                    long[] stride = positive(a, "stride"), dil = positive(a, "dilation");
                    long[] pad = padding(a, "padding", w, 2, stride, dil);
                    return new TensorV(a.in.emit(a.span, Ops.CONV2D, Attrs.of("stride", stride, "padding", pad, "dilation", dil,
                            "groups", groups(a)), x, w));
                }),
                Builtin.of(Ops.CONV_TRANSPOSE2D, "x, w, stride=1, padding=0, output_padding=0, dilation=1, groups=1", a -> {
                    Value x = a.tensor("x"), w = a.tensor("w");
                    long[] stride = positive(a, "stride"), dil = positive(a, "dilation");
                    if ("same".equals(a.get("padding") instanceof StrV s ? s.v() : null))
                        throw a.error("padding", "conv_transpose2d does not take padding \"same\"", "give the padding as numbers");
                    long[] pad = padding(a, "padding", w, 2, stride, dil);
                    long[] out = a.pair("output_padding");
                    return new TensorV(a.in.emit(a.span, Ops.CONV_TRANSPOSE2D, Attrs.of("stride", stride, "padding", pad,
                            "output_padding", out, "dilation", dil, "groups", groups(a)), x, w));
                }),
                Builtin.of(Ops.MAX_POOL2D, "x, kernel, stride=none, padding=0", a -> pool(a, Ops.MAX_POOL2D, Attrs.EMPTY)),
                Builtin.of(Ops.AVG_POOL2D, "x, kernel, stride=none, padding=0, count_include_pad=true",
                        a -> pool(a, Ops.AVG_POOL2D, Attrs.of("count_include_pad", a.bool("count_include_pad")))));
    }

    private static long groups(Args a) {
        long g = a.integer("groups");
        if (g < 1) throw a.error("groups", "groups must be at least 1, got " + g);
        return g;
    }

    private static long[] positive(Args a, String name) {
        long[] p = a.pair(name);
        if (p[0] < 1 || p[1] < 1) throw a.error(name, name + " must be positive, got " + Vals.show(a.get(name)));
        return p;
    }

    private static Val pool(Args a, OpDef op, Attrs extra) {
        Value x = a.tensor("x");
        long[] kernel = positive(a, "kernel");
        long[] stride = a.given("stride") ? positive(a, "stride") : kernel;
        long[] pad = padding(a, "padding", kernel, stride, new long[]{1, 1});
        Attrs attrs = extra.with("kernel", kernel).with("stride", stride).with("padding", pad);
        return new TensorV(a.in.emit(a.span, op, attrs, x));
    }

    /** Padding of a conv whose kernel sizes are the last two dims of w. */
    private static long[] padding(Args a, String name, Value w, int spatial, long[] stride, long[] dil) {
        Val p = a.get(name);
        long[] kernel = null;
        if (p instanceof StrV s && s.v().equals("same")) {
            Shape ws = w.type().shape();
            if (ws.rank() != 4) throw a.error("w", "a conv2d weight must be [O, I/g, kH, kW], got " + w.type());
            if (!ws.dim(2).isConst() || !ws.dim(3).isConst())
                throw a.error(name, "padding \"same\" needs a kernel of known size, got " + w.type());
            kernel = new long[]{ws.dim(2).value(), ws.dim(3).value()};
        }
        return padding(a, name, kernel, stride, dil);
    }

    /** [top, bottom, left, right] from an int, a pair, a 4-tuple, "valid" or "same". */
    private static long[] padding(Args a, String name, long[] kernel, long[] stride, long[] dil) {
        Val p = a.get(name);
        long[] out;
        if (p instanceof StrV s) {
            switch (s.v()) {
                case "valid": return new long[4];
                case "same":
                    if (stride[0] != 1 || stride[1] != 1)
                        throw a.error(name, "padding \"same\" needs stride 1, got stride " + stride[0] + "x" + stride[1],
                                "give the padding as numbers");
                    out = new long[4];
                    for (int i = 0; i < 2; i++) {
                        long total = dil[i] * (kernel[i] - 1);
                        out[2 * i] = total / 2;
                        out[2 * i + 1] = total - total / 2;
                    }
                    return out;
                default:
                    throw a.error(name, "unknown padding \"" + s.v() + "\"", "padding is an int, (ph, pw), (top, bottom, left, right), \"same\" or \"valid\"");
            }
        }
        if (p instanceof IntV k) out = new long[]{k.v(), k.v(), k.v(), k.v()};
        else if (p instanceof SeqV s && s.items().stream().allMatch(x -> x instanceof IntV) && (s.items().size() == 2 || s.items().size() == 4)) {
            long[] v = s.items().stream().mapToLong(x -> ((IntV) x).v()).toArray();
            out = v.length == 2 ? new long[]{v[0], v[0], v[1], v[1]} : v;
        } else
            throw a.error(name, "padding must be an int, (ph, pw), (top, bottom, left, right), \"same\" or \"valid\", got " + Vals.show(p));
        for (long x : out) if (x < 0) throw a.error(name, "padding must not be negative, got " + Vals.show(p));
        return out;
    }
}
