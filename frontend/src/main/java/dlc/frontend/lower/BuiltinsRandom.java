package dlc.frontend.lower;

import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Random builtins: uniform, normal, bernoulli. Each call site draws from its own counter-based
 * stream: the graph's key ({@code rng} input, or the key carried through a scan) folded with a
 * salt hashed from the site's call path, so a seed gives the same numbers whatever else changes
 * in evaluation order.
 */
final class BuiltinsRandom {
    private BuiltinsRandom() {}

    static List<Builtin> all() {
        return List.of(
                Builtin.of("uniform", "shape, low=0.0, high=1.0, dtype=f32", a -> new TensorV(a.in.emit(a.span, Ops.RANDOM_UNIFORM,
                        Attrs.of("shape", a.shape("shape"), "dtype", floating(a), "low", a.number("low"), "high", a.number("high")),
                        siteKey(a.in, a.span)))),
                Builtin.of("normal", "shape, mean=0.0, std=1.0, dtype=f32", a -> new TensorV(a.in.emit(a.span, Ops.RANDOM_NORMAL,
                        Attrs.of("shape", a.shape("shape"), "dtype", floating(a), "mean", a.number("mean"), "std", a.number("std")),
                        siteKey(a.in, a.span)))),
                Builtin.of("bernoulli", "p, shape=none", BuiltinsRandom::bernoulli));
    }

    private static DType floating(Args a) {
        DType d = a.dtype("dtype");
        if (!d.isFloating()) throw a.error("dtype", a.fn.name() + " draws floating-point numbers, not " + d);
        return d;
    }

    /** 0/1 in p's dtype, 1 with probability p: uniform(shape) < p. */
    private static Val bernoulli(Args a) {
        Val p = a.get("p");
        Shape shape;
        DType dt;
        if (p instanceof TensorV t) {
            shape = a.given("shape") ? a.shape("shape") : t.v().type().shape();
            dt = t.v().type().dtype();
            if (!dt.isFloating()) throw a.error("p", "bernoulli's p must be a floating-point tensor or number, got " + t.v().type());
        } else {
            if (!a.given("shape")) throw a.error("p", "bernoulli of a number needs a shape", "bernoulli(0.5, shape=[B, 10])");
            a.number("p");
            shape = a.shape("shape");
            dt = DType.F32;
        }
        Value u = a.in.emit(a.span, Ops.RANDOM_UNIFORM, Attrs.of("shape", shape, "dtype", dt, "low", 0.0, "high", 1.0), siteKey(a.in, a.span));
        Value pt = a.in.tensorOf(a.spanOf("p"), p, dt);
        return new TensorV(Tensors.cast(a.in, a.span, a.in.emit(a.span, Ops.LT, u, pt), dt));
    }

    /** The key for a new random call site in the current frame. */
    static Value siteKey(Interp in, Span span) {
        GraphCtx g = in.graph(span);
        long salt = salt(in.frame.nextSite());
        return in.emit(span, Ops.RNG_FOLD, Attrs.of("salt", salt), g.key());
    }

    /** FNV-1a 64 of the site text: stable across runs, JVMs and backends. */
    static long salt(String site) {
        long h = 0xcbf29ce484222325L;
        for (byte b : site.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
