package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise ops: unary math, binary arithmetic with numpy broadcasting, comparisons and logic
 * (results are bool), {@code where} and {@code cast}. Operands of a binary op share one dtype; the
 * frontend inserts casts and gives literals the dtype of the tensor they meet.
 */
public final class ElementwiseOps {
    private ElementwiseOps() {}

    /** x -> f(x), same type. {@code floatOnly} rejects integer and bool operands. */
    static final class Unary extends OpDef {
        private final DoubleUnaryOperator f;
        private final boolean floatOnly;

        Unary(String name, boolean floatOnly, DoubleUnaryOperator f) {
            super(name, Kind.ELEMENTWISE);
            this.f = f;
            this.floatOnly = floatOnly;
        }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            if (name().equals("not")) Checks.dtype(this, in.get(0), DType.BOOL);
            else if (floatOnly) Checks.floating(this, in.get(0));
            else if (in.get(0).dtype() == DType.BOOL) throw new ShapeException(name() + " needs a numeric operand, got " + in.get(0));
            return List.of(in.get(0));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            double[] x = in[0].data(), y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = f.applyAsDouble(x[i]);
            return new Tensor[]{new Tensor(in[0].dtype(), in[0].shape(), y)};
        }

        /** The scalar function, for tests and constant folding. */
        public double apply(double x) { return f.applyAsDouble(x); }
    }

    /** Broadcasting binary op. Result dtype: the operands' (arithmetic) or bool (comparison, logic). */
    static final class Binary extends OpDef {
        enum Family { ARITH, COMPARE, LOGIC }

        private final DoubleBinaryOperator f;
        private final Family family;

        Binary(String name, Family family, DoubleBinaryOperator f) {
            super(name, Kind.ELEMENTWISE);
            this.f = f;
            this.family = family;
        }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 2);
            TensorType a = in.get(0), b = in.get(1);
            if (a.dtype() != b.dtype())
                throw new ShapeException(name() + " operands have different dtypes: " + a + " and " + b, "cast one operand, e.g. cast(x, f32)");
            if (family == Family.LOGIC) Checks.dtype(this, a, DType.BOOL);
            else if (a.dtype() == DType.BOOL && family == Family.ARITH)
                throw new ShapeException(name() + " needs numeric operands, got " + a, "cast the mask first, e.g. cast(m, f32)");
            Shape s = Broadcasting.shape(a.shape(), b.shape());
            return List.of(new TensorType(family == Family.ARITH ? a.dtype() : DType.BOOL, s));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int[] out = Broadcasting.shape(in[0].shape(), in[1].shape());
            int[] ia = Broadcasting.sourceIndex(in[0].shape(), out), ib = Broadcasting.sourceIndex(in[1].shape(), out);
            double[] a = in[0].data(), b = in[1].data(), y = new double[ia.length];
            boolean intDiv = in[0].dtype().isInteger() && (name().equals("div") || name().equals("mod"));
            for (int i = 0; i < y.length; i++)
                y[i] = intDiv ? integerDivision(a[ia[i]], b[ib[i]]) : f.applyAsDouble(a[ia[i]], b[ib[i]]);
            return new Tensor[]{new Tensor(family == Family.ARITH ? in[0].dtype() : DType.BOOL, out, y)};
        }

        private double integerDivision(double a, double b) {
            if (b == 0) throw new ArithmeticException("integer " + name() + " by zero");
            long x = (long) a, y = (long) b;
            return name().equals("div") ? Math.floorDiv(x, y) : Math.floorMod(x, y);
        }

        public double apply(double a, double b) { return f.applyAsDouble(a, b); }
    }

    /** where(c, a, b): a where c is true, else b; all three broadcast together. */
    static final class Where extends OpDef {
        Where() { super("where", Kind.ELEMENTWISE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 3);
            Checks.dtype(this, in.get(0), DType.BOOL);
            if (in.get(1).dtype() != in.get(2).dtype())
                throw new ShapeException("where branches have different dtypes: " + in.get(1) + " and " + in.get(2));
            Shape s = Broadcasting.shape(Broadcasting.shape(in.get(0).shape(), in.get(1).shape()), in.get(2).shape());
            return List.of(new TensorType(in.get(1).dtype(), s));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int[] out = Broadcasting.shape(Broadcasting.shape(in[0].shape(), in[1].shape()), in[2].shape());
            int[] ic = Broadcasting.sourceIndex(in[0].shape(), out), ia = Broadcasting.sourceIndex(in[1].shape(), out),
                    ib = Broadcasting.sourceIndex(in[2].shape(), out);
            double[] c = in[0].data(), a = in[1].data(), b = in[2].data(), y = new double[ic.length];
            for (int i = 0; i < y.length; i++) y[i] = c[ic[i]] != 0 ? a[ia[i]] : b[ib[i]];
            return new Tensor[]{new Tensor(in[1].dtype(), out, y)};
        }
    }

    /** cast(x) {dtype}: float to int truncates toward zero; anything to bool is x != 0. */
    static final class Cast extends OpDef {
        Cast() { super("cast", Kind.ELEMENTWISE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            return List.of(in.get(0).withDType(attrs.getDType("dtype")));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            DType to = attrs.getDType("dtype");
            double[] x = in[0].data(), y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = convert(x[i], to);
            return new Tensor[]{new Tensor(to, in[0].shape(), y)};
        }

        static double convert(double v, DType to) {
            return switch (to) {
                case BOOL -> v != 0 ? 1 : 0;
                case I32 -> (int) v;
                case I64 -> (long) v;
                case F32, F16 -> (float) v;
                case F64 -> v;
            };
        }
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    static final List<OpDef> ALL = List.of(
            new Unary("neg", false, x -> -x),
            new Unary("abs", false, Math::abs),
            new Unary("sign", false, Math::signum),
            new Unary("exp", true, Math::exp),
            new Unary("log", true, Math::log),
            new Unary("log1p", true, Math::log1p),
            new Unary("expm1", true, Math::expm1),
            new Unary("sqrt", true, Math::sqrt),
            new Unary("rsqrt", true, x -> 1 / Math.sqrt(x)),
            new Unary("tanh", true, Math::tanh),
            new Unary("sigmoid", true, ElementwiseOps::sigmoid),
            new Unary("erf", true, SpecialFunctions::erf),
            new Unary("sin", true, Math::sin),
            new Unary("cos", true, Math::cos),
            new Unary("relu", false, x -> x > 0 ? x : 0),
            new Unary("floor", true, Math::floor),
            new Unary("not", false, x -> x != 0 ? 0 : 1),
            new Binary("add", Binary.Family.ARITH, Double::sum),
            new Binary("sub", Binary.Family.ARITH, (a, b) -> a - b),
            new Binary("mul", Binary.Family.ARITH, (a, b) -> a * b),
            new Binary("div", Binary.Family.ARITH, (a, b) -> a / b),
            new Binary("mod", Binary.Family.ARITH, (a, b) -> a - Math.floor(a / b) * b),
            new Binary("pow", Binary.Family.ARITH, Math::pow),
            // ties go to the first operand (MODELS.md 4.5), which matters only for gradients
            new Binary("maximum", Binary.Family.ARITH, (a, b) -> a >= b ? a : b),
            new Binary("minimum", Binary.Family.ARITH, (a, b) -> a <= b ? a : b),
            new Binary("lt", Binary.Family.COMPARE, (a, b) -> a < b ? 1 : 0),
            new Binary("le", Binary.Family.COMPARE, (a, b) -> a <= b ? 1 : 0),
            new Binary("gt", Binary.Family.COMPARE, (a, b) -> a > b ? 1 : 0),
            new Binary("ge", Binary.Family.COMPARE, (a, b) -> a >= b ? 1 : 0),
            new Binary("eq", Binary.Family.COMPARE, (a, b) -> a == b ? 1 : 0),
            new Binary("ne", Binary.Family.COMPARE, (a, b) -> a != b ? 1 : 0),
            new Binary("and", Binary.Family.LOGIC, (a, b) -> a != 0 && b != 0 ? 1 : 0),
            new Binary("or", Binary.Family.LOGIC, (a, b) -> a != 0 || b != 0 ? 1 : 0),
            new Where(),
            new Cast());
}
