package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.List;

/** Ops without operands that produce a tensor from attributes alone: constant and iota. */
final class MovementSourceOps {
    private MovementSourceOps() {}

    /**
     * constant() {dtype, shape, values}: a tensor of a concrete shape holding {@code values} in
     * row-major order, or filled with the single value when there is one. Values must be valid for
     * the dtype (integral for integers, 0 or 1 for bool).
     */
    static final class Constant extends OpDef {
        Constant() { super("constant", Kind.INJECTIVE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 0);
            DType dtype = Checks.dtypeAttr(this, attrs, "dtype");
            Shape shape = Checks.shapeAttr(this, attrs, "shape");
            if (!shape.isConcrete())
                throw new ShapeException("constant needs a concrete shape, got " + shape, "use broadcast_to for a symbolic shape");
            Checks.nonNegativeDims(this, shape, "shape");
            Object v = attrs.get("values");
            if (!(v instanceof List<?> l) || !l.stream().allMatch(x -> x instanceof Number))
                throw new ShapeException("constant needs a number-list attribute 'values', got " + (v == null ? "none" : Attrs.format(v)));
            long numel = shape.numel().value();
            double[] values = attrs.getDoubles("values");
            if (values.length != 1 && values.length != numel)
                throw new ShapeException("constant of shape " + shape + " needs 1 or " + numel + " values, got " + values.length);
            for (double x : values)
                if (dtype == DType.BOOL ? x != 0 && x != 1 : !dtype.isFloating() && x != Math.rint(x))
                    throw new ShapeException("constant value " + Attrs.formatDouble(x) + " is not a " + dtype + " value");
            return List.of(new TensorType(dtype, shape));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int[] shape = ctx.resolve(attrs.getShape("shape"));
            double[] values = attrs.getDoubles("values"), y = new double[(int) Tensor.numel(shape)];
            for (int i = 0; i < y.length; i++) y[i] = values.length == 1 ? values[0] : values[i];
            return new Tensor[]{new Tensor(attrs.getDType("dtype"), shape, y)};
        }

        /** No operands, so nothing to differentiate. */
        @Override public List<Value> vjp(VjpContext c) { return noGradient(c); }
    }

    /** iota() {dtype, shape, axis}: each element is its index along {@code axis}; the shape may be symbolic. */
    static final class Iota extends OpDef {
        Iota() { super("iota", Kind.INJECTIVE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 0);
            DType dtype = Checks.dtypeAttr(this, attrs, "dtype");
            if (dtype == DType.BOOL) throw new ShapeException("iota needs a numeric dtype, got bool");
            Shape shape = Checks.shapeAttr(this, attrs, "shape");
            Checks.nonNegativeDims(this, shape, "shape");
            TensorType out = new TensorType(dtype, shape);
            Checks.axis(this, out, Checks.longAttr(this, attrs, "axis"));
            return List.of(out);
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int[] shape = ctx.resolve(attrs.getShape("shape"));
            int axis = (int) attrs.getLong("axis");
            double[] y = new double[(int) Tensor.numel(shape)];
            MovementIndexing.forEach(shape, (c, flat) -> y[flat] = c[axis]);
            return new Tensor[]{new Tensor(attrs.getDType("dtype"), shape, y)};
        }

        /** No operands, so nothing to differentiate. */
        @Override public List<Value> vjp(VjpContext c) { return noGradient(c); }
    }
}
