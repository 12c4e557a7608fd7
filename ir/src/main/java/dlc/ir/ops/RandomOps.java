package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;
import dlc.numerics.Rng;

import java.util.List;

/**
 * Random ops over explicit keys ({@code i64[]} scalars), drawing with {@link Rng} so every
 * backend gives the same numbers. They are OPAQUE: a draw is a pure function of (key, element
 * index), but fusion must not duplicate or reorder what it does not understand.
 * <ul>
 *   <li>{@code rng_fold(key) {salt: Long}}: a new key, {@link Rng#fold}.</li>
 *   <li>{@code random_uniform(key) {shape, dtype, low = 0.0, high = 1.0}}: element i (row-major)
 *       is {@code low + (high - low) * uniform(key, i)}.</li>
 *   <li>{@code random_normal(key) {shape, dtype, mean = 0.0, std = 1.0}}: element i is
 *       {@code mean + std * normal(key, i)}.</li>
 * </ul>
 * {@code shape} may be symbolic ({@code <B, 784>}); {@code dtype} is a floating type, f32 by default.
 */
final class RandomOps {
    private RandomOps() {}

    static void checkKey(OpDef op, List<TensorType> in) {
        Checks.arity(op, in, 1);
        TensorType k = in.get(0);
        if (k.dtype() != DType.I64 || k.rank() != 0)
            throw new ShapeException(op.name() + " needs a key of type i64[], got " + k, "keys come from a seed or from rng_fold");
    }

    static final class Fold extends OpDef {
        Fold() { super("rng_fold", Kind.OPAQUE, java.util.Set.of(dlc.ir.OpTrait.RANDOM)); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            checkKey(this, in);
            if (!(attrs.get("salt") instanceof Long))
                throw new ShapeException("rng_fold needs an integer attribute salt, got " + (attrs.has("salt") ? Attrs.format(attrs.get("salt")) : "none"));
            return List.of(in.get(0));
        }

        /** Keys are integers: nothing to differentiate. */
        @Override public List<Value> vjp(VjpContext c) { return noGradient(c); }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            long k = Rng.fold(Rng.key(in[0].item()), attrs.getLong("salt"));
            return new Tensor[]{Tensor.scalar(DType.I64, k)};
        }
    }

    /** random_uniform and random_normal: a tensor of the attribute shape from one stream. */
    static final class Draw extends OpDef {
        private final boolean normal;
        private final String locAttr, scaleAttr;

        Draw(String name, boolean normal) {
            super(name, Kind.OPAQUE, java.util.Set.of(dlc.ir.OpTrait.RANDOM));
            this.normal = normal;
            this.locAttr = normal ? "mean" : "low";
            this.scaleAttr = normal ? "std" : "high";
        }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            checkKey(this, in);
            if (!(attrs.get("shape") instanceof Shape s))
                throw new ShapeException(name() + " needs a shape attribute such as <B, 784>, got " + (attrs.has("shape") ? Attrs.format(attrs.get("shape")) : "none"));
            Object d = attrs.has("dtype") ? attrs.get("dtype") : DType.F32;
            if (!(d instanceof DType dt) || !dt.isFloating())
                throw new ShapeException(name() + " draws floating-point values, got dtype " + Attrs.format(d), "draw f32 and cast, or compare with a threshold for a mask");
            for (String a : List.of(locAttr, scaleAttr))
                if (attrs.has(a) && !(attrs.get(a) instanceof Number n && Double.isFinite(n.doubleValue())))
                    throw new ShapeException(name() + " attribute " + a + " must be a finite number, got " + Attrs.format(attrs.get(a)));
            if (normal && attrs.getDouble("std", 1) < 0)
                throw new ShapeException("random_normal std must be >= 0, got " + Attrs.format(attrs.get("std")));
            return List.of(new TensorType(dt, s));
        }

        /** A draw does not depend differentiably on anything (docs/models.md 4.5: random draws have zero gradient). */
        @Override public List<Value> vjp(VjpContext c) { return noGradient(c); }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            long key = Rng.key(in[0].item());
            int[] shape = ctx.resolve(attrs.getShape("shape"));
            double[] y = new double[(int) Tensor.numel(shape)];
            if (normal) {
                double mean = attrs.getDouble("mean", 0), std = attrs.getDouble("std", 1);
                for (int i = 0; i < y.length; i++) y[i] = mean + std * Rng.normal(key, i);
            } else {
                double low = attrs.getDouble("low", 0), high = attrs.getDouble("high", 1);
                for (int i = 0; i < y.length; i++) y[i] = low + (high - low) * Rng.uniform(key, i);
            }
            DType dt = attrs.has("dtype") ? attrs.getDType("dtype") : DType.F32;
            return new Tensor[]{new Tensor(dt, shape, y)};
        }
    }
}
