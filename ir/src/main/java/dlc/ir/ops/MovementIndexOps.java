package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Indexed movement: gather (index_select) and its adjoint scatter_add. Indices are of an integer
 * dtype and any rank; a negative index counts from the end of the axis (NumPy, ONNX), and one
 * outside {@code [-size, size)} is a run-time error ({@link dlc.numerics.Indices#resolve}, the
 * definition the JVM backend shares).
 */
final class MovementIndexOps {
    private MovementIndexOps() {}

    /** {@code x.shape[:axis] + idx.shape + x.shape[axis+1:]}. */
    static Shape indexedShape(Shape x, int axis, Shape idx) {
        List<Dim> out = new ArrayList<>(x.dims().subList(0, axis));
        out.addAll(idx.dims());
        out.addAll(x.dims().subList(axis + 1, x.rank()));
        return new Shape(out);
    }

    static void integerIndices(OpDef op, TensorType idx) {
        if (!idx.dtype().isInteger())
            throw new ShapeException(op.name() + " needs integer indices, got " + idx, "cast them, e.g. cast(idx, i32)");
    }

    /** The position index {@code v} names (negative: from the end), or an IllegalArgumentException naming it and the axis size. */
    static int checkedIndex(OpDef op, double v, int axis, int size) {
        return dlc.numerics.Indices.resolve(op.name(), v, size);
    }

    /** gather(x, idx) {axis}: {@code out[o, j, i] = x[o, idx[j], i]} with o, j, i the outer, index and inner positions. */
    static final class Gather extends OpDef {
        Gather() { super("gather", Kind.INJECTIVE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 2);
            TensorType x = in.get(0), idx = in.get(1);
            int axis = Checks.axis(this, x, Checks.longAttr(this, attrs, "axis"));
            integerIndices(this, idx);
            return List.of(x.withShape(indexedShape(x.shape(), axis, idx.shape())));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int axis = (int) attrs.getLong("axis");
            int[] s = in[0].shape();
            int outer = MovementIndexing.block(s, 0, axis), n = s[axis], inner = MovementIndexing.block(s, axis + 1, s.length);
            double[] x = in[0].data(), idx = in[1].data(), y = new double[outer * idx.length * inner];
            for (int j = 0; j < idx.length; j++) {
                int k = checkedIndex(this, idx[j], axis, n);
                for (int o = 0; o < outer; o++)
                    System.arraycopy(x, (o * n + k) * inner, y, (o * idx.length + j) * inner, inner);
            }
            int[] out = shape(s, axis, in[1].shape());
            return new Tensor[]{new Tensor(in[0].dtype(), out, y)};
        }

        /** x gets the cotangent scatter-added into zeros (repeated indices accumulate); the index gets none. */
        @Override public List<Value> vjp(VjpContext c) {
            Value x = c.input(0);
            if (!x.type().dtype().isFloating()) return noGradient(c);
            Value gx = c.op(Ops.SCATTER_ADD, Attrs.of("axis", c.attrs().getLong("axis")), c.zerosLike(x), c.input(1), c.cotangent(0));
            return java.util.Arrays.asList(gx, null);
        }
    }

    /**
     * scatter_add(base, idx, updates) {axis}: base with {@code updates[o, j, i]} added at
     * {@code [o, idx[j], i]}; repeated indices accumulate. The VJP of gather.
     */
    static final class ScatterAdd extends OpDef {
        ScatterAdd() { super("scatter_add", Kind.OPAQUE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 3);
            TensorType base = in.get(0), idx = in.get(1), upd = in.get(2);
            int axis = Checks.axis(this, base, Checks.longAttr(this, attrs, "axis"));
            integerIndices(this, idx);
            if (base.dtype() == DType.BOOL) throw new ShapeException("scatter_add needs a numeric base, got " + base);
            if (upd.dtype() != base.dtype())
                throw new ShapeException("scatter_add updates " + upd + " differ in dtype from the base " + base);
            Shape want = indexedShape(base.shape(), axis, idx.shape());
            if (!upd.shape().equals(want))
                throw new ShapeException("scatter_add updates have shape " + upd.shape() + ", but base " + base.shape()
                        + " indexed along axis " + axis + " by " + idx.shape() + " needs " + want);
            return List.of(base);
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int axis = (int) attrs.getLong("axis");
            int[] s = in[0].shape();
            int outer = MovementIndexing.block(s, 0, axis), n = s[axis], inner = MovementIndexing.block(s, axis + 1, s.length);
            double[] y = in[0].data().clone(), idx = in[1].data(), u = in[2].data();
            if (!Arrays.equals(in[2].shape(), shape(s, axis, in[1].shape())))
                throw new IllegalArgumentException("scatter_add updates of shape " + Arrays.toString(in[2].shape())
                        + " do not match base " + Arrays.toString(s) + " indexed by " + Arrays.toString(in[1].shape()));
            for (int j = 0; j < idx.length; j++) {
                int k = checkedIndex(this, idx[j], axis, n);
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++) y[(o * n + k) * inner + i] += u[(o * idx.length + j) * inner + i];
            }
            return new Tensor[]{new Tensor(in[0].dtype(), s, y)};
        }

        /**
         * The base gets the cotangent unchanged, the updates get it gathered at the same indices
         * (each update reads the cell it was added to); the index gets none.
         */
        @Override public List<Value> vjp(VjpContext c) {
            if (!c.input(0).type().dtype().isFloating()) return noGradient(c);
            Value g = c.cotangent(0);
            Value gu = c.op(Ops.GATHER, Attrs.of("axis", c.attrs().getLong("axis")), g, c.input(1));
            return java.util.Arrays.asList(g, null, gu);
        }
    }

    private static int[] shape(int[] x, int axis, int[] idx) {
        int[] out = new int[x.length - 1 + idx.length];
        System.arraycopy(x, 0, out, 0, axis);
        System.arraycopy(idx, 0, out, axis, idx.length);
        System.arraycopy(x, axis + 1, out, axis + idx.length, x.length - axis - 1);
        return out;
    }
}
