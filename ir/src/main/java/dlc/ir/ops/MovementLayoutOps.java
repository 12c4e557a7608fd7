package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Movement ops that rearrange or repeat all elements: reshape, permute, broadcast_to. */
final class MovementLayoutOps {
    private MovementLayoutOps() {}

    /**
     * reshape(x) {shape}: the same elements in row-major order under a new shape. The element
     * counts must be provably equal; the frontend resolves a {@code -1} before building the IR.
     */
    static final class Reshape extends OpDef {
        Reshape() { super("reshape", Kind.INJECTIVE, java.util.Set.of(dlc.ir.OpTrait.ALIAS)); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            TensorType x = in.get(0);
            Shape to = Checks.shapeAttr(this, attrs, "shape");
            Checks.nonNegativeDims(this, to, "target shape");
            Dim from = x.shape().numel(), want = to.numel();
            if (!from.equals(want)) {
                if (from.isConst() && want.isConst())
                    throw new ShapeException("reshape cannot change the element count: " + x.shape() + " has " + from
                            + " elements, " + to + " has " + want);
                throw new ShapeException("reshape " + x.shape() + " to " + to + ": element counts " + from + " and " + want
                        + " are not provably equal", "write the target with the same symbols, e.g. [B*T, F] for [B, T, F]");
            }
            return List.of(x.withShape(to));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int[] to = ctx.resolve(attrs.getShape("shape"));
            if (Tensor.numel(to) != in[0].size())
                throw new IllegalArgumentException("reshape of " + Arrays.toString(in[0].shape()) + " to " + Arrays.toString(to)
                        + " changes the element count");
            return new Tensor[]{in[0].reshape(to)};
        }

        /** The cotangent reshaped back to the operand's shape. */
        @Override public List<Value> vjp(VjpContext c) {
            Value x = c.input(0);
            if (!x.type().dtype().isFloating()) return noGradient(c);
            return List.of(c.op(Ops.RESHAPE, Attrs.of("shape", x.type().shape()), c.cotangent(0)));
        }
    }

    /** permute(x) {perm}: result axis i is input axis perm[i]. */
    static final class Permute extends OpDef {
        Permute() { super("permute", Kind.INJECTIVE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            TensorType x = in.get(0);
            long[] perm = Checks.longsAttr(this, attrs, "perm");
            boolean[] seen = new boolean[x.rank()];
            boolean ok = perm.length == x.rank();
            for (int i = 0; ok && i < perm.length; i++) {
                ok = perm[i] >= 0 && perm[i] < x.rank() && !seen[(int) perm[i]];
                if (ok) seen[(int) perm[i]] = true;
            }
            if (!ok)
                throw new ShapeException("permute: " + Arrays.toString(perm) + " is not a permutation of the " + x.rank()
                        + " axes of " + x, "list every axis 0.." + (x.rank() - 1) + " exactly once");
            List<Dim> out = new ArrayList<>();
            for (long p : perm) out.add(x.shape().dim((int) p));
            return List.of(x.withShape(new Shape(out)));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            long[] perm = attrs.getLongs("perm");
            int[] s = in[0].shape(), st = Tensor.strides(s), out = new int[s.length], srcStride = new int[s.length];
            for (int i = 0; i < perm.length; i++) {
                out[i] = s[(int) perm[i]];
                srcStride[i] = st[(int) perm[i]];
            }
            double[] x = in[0].data(), y = new double[x.length];
            MovementIndexing.forEach(out, (c, flat) -> {
                int src = 0;
                for (int i = 0; i < c.length; i++) src += c[i] * srcStride[i];
                y[flat] = x[src];
            });
            return new Tensor[]{new Tensor(in[0].dtype(), out, y)};
        }

        /** The cotangent permuted by the inverse permutation: operand axis perm[i] is result axis i. */
        @Override public List<Value> vjp(VjpContext c) {
            if (!c.input(0).type().dtype().isFloating()) return noGradient(c);
            long[] perm = c.attrs().getLongs("perm");
            Long[] inverse = new Long[perm.length];
            for (int i = 0; i < perm.length; i++) inverse[(int) perm[i]] = (long) i;
            return List.of(c.op(Ops.PERMUTE, Attrs.of("perm", List.of(inverse)), c.cotangent(0)));
        }
    }

    /** broadcast_to(x) {shape}: numpy rules, input right-aligned, each input dim equal to the target's or a literal 1. */
    static final class BroadcastTo extends OpDef {
        BroadcastTo() { super("broadcast_to", Kind.BROADCAST); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            TensorType x = in.get(0);
            Shape to = Checks.shapeAttr(this, attrs, "shape");
            Checks.nonNegativeDims(this, to, "target shape");
            int off = to.rank() - x.rank();
            if (off < 0) throw new ShapeException("broadcast_to cannot lower the rank: " + x + " to " + to);
            for (int i = 0; i < x.rank(); i++) {
                Dim d = x.shape().dim(i);
                if (!d.equals(to.dim(off + i)) && !d.equals(Dim.of(1)))
                    throw new ShapeException("cannot broadcast " + x + " to " + to + ": dim " + i + " is " + d + " vs " + to.dim(off + i),
                            "each input dim, right-aligned, must equal the target dim or be 1");
            }
            return List.of(x.withShape(to));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int[] to = ctx.resolve(attrs.getShape("shape")), s = in[0].shape();
            int off = to.length - s.length;
            for (int i = 0; i < s.length; i++)
                if (s[i] != 1 && s[i] != to[off + i])
                    throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(s) + " to " + Arrays.toString(to));
            return new Tensor[]{Broadcasting.expand(in[0], to)};
        }

        /** The cotangent summed over the axes broadcasting added or stretched (docs/models.md 4.1). */
        @Override public List<Value> vjp(VjpContext c) {
            Value x = c.input(0);
            if (!x.type().dtype().isFloating()) return noGradient(c);
            return List.of(c.sumToShape(c.cotangent(0), x.type().shape()));
        }
    }
}
