package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;
import dlc.numerics.Ints;

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

    /** The cotangent of x for y = f(x) and result cotangent g; null when the derivative is zero everywhere. */
    @FunctionalInterface
    interface UnaryVjp {
        Value apply(VjpContext c, Value x, Value y, Value g);
    }

    /** The unreduced cotangents {ga, gb} (in the broadcast result's shape) of y = f(a, b). */
    @FunctionalInterface
    interface BinaryVjp {
        Value[] apply(VjpContext c, Value a, Value b, Value y, Value g);
    }

    /** x -> f(x), same type. {@code floatOnly} rejects integer and bool operands. */
    static final class Unary extends OpDef {
        private final DoubleUnaryOperator f;
        private final boolean floatOnly;
        private final UnaryVjp vjp;

        Unary(String name, boolean floatOnly, DoubleUnaryOperator f, UnaryVjp vjp) {
            super(name, Kind.ELEMENTWISE);
            this.f = f;
            this.floatOnly = floatOnly;
            this.vjp = vjp;
        }

        @Override public List<Value> vjp(VjpContext c) {
            if (!c.input(0).type().dtype().isFloating()) return noGradient(c);
            return java.util.Collections.singletonList(vjp.apply(c, c.input(0), c.output(0), c.cotangent(0)));
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
            DType dt = in[0].dtype();
            boolean wraps = dt.isInteger() && (name().equals("neg") || name().equals("abs"));
            for (int i = 0; i < x.length; i++)
                y[i] = !wraps ? f.applyAsDouble(x[i]) : name().equals("neg") ? Ints.neg(x[i], dt.intKind()) : Ints.abs(x[i], dt.intKind());
            return new Tensor[]{new Tensor(dt, in[0].shape(), y)};
        }

        /** The scalar function, for tests and constant folding. */
        public double apply(double x) { return f.applyAsDouble(x); }
    }

    /** Broadcasting binary op. Result dtype: the operands' (arithmetic) or bool (comparison, logic). */
    static final class Binary extends OpDef {
        enum Family { ARITH, COMPARE, LOGIC }

        private final DoubleBinaryOperator f;
        private final Family family;
        private final BinaryVjp vjp;

        Binary(String name, Family family, DoubleBinaryOperator f, BinaryVjp vjp) {
            super(name, Kind.ELEMENTWISE);
            this.f = f;
            this.family = family;
            this.vjp = vjp;
        }

        @Override public List<Value> vjp(VjpContext c) {
            if (family != Family.ARITH || !c.input(0).type().dtype().isFloating()) return noGradient(c);
            Value a = c.input(0), b = c.input(1);
            Value[] g = vjp.apply(c, a, b, c.output(0), c.cotangent(0));
            return java.util.Arrays.asList(g[0] == null ? null : c.sumToShape(g[0], a.type().shape()),
                    g[1] == null ? null : c.sumToShape(g[1], b.type().shape())); // null: zero everywhere
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
            DType dt = in[0].dtype();
            boolean integer = family == Family.ARITH && dt.isInteger();
            int kind = integer ? dt.intKind() : 0;
            for (int i = 0; i < y.length; i++)
                y[i] = integer ? integer(a[ia[i]], b[ib[i]], kind) : f.applyAsDouble(a[ia[i]], b[ib[i]]);
            return new Tensor[]{new Tensor(family == Family.ARITH ? dt : DType.BOOL, out, y)};
        }

        /** Integer arithmetic wraps as two's complement; div and mod floor (see {@link Ints}). */
        private double integer(double a, double b, int kind) {
            return switch (name()) {
                case "add" -> Ints.add(a, b, kind);
                case "sub" -> Ints.sub(a, b, kind);
                case "mul" -> Ints.mul(a, b, kind);
                case "div" -> Ints.div(a, b, kind);
                case "mod" -> Ints.mod(a, b, kind);
                case "trunc_div" -> Ints.truncDiv(a, b, kind);
                case "trunc_mod" -> Ints.truncMod(a, b, kind);
                case "pow" -> Ints.pow(a, b, kind);
                default -> f.applyAsDouble(a, b); // maximum, minimum: no overflow
            };
        }

        public double apply(double a, double b) { return f.applyAsDouble(a, b); }
    }

    /** where(c, a, b): a where c is true, else b; all three broadcast together. */
    static final class Where extends OpDef {
        Where() { super("where", Kind.ELEMENTWISE); }

        /** The cotangent is routed by the condition; the condition itself gets none. */
        @Override public List<Value> vjp(VjpContext c) {
            if (!c.input(1).type().dtype().isFloating()) return noGradient(c);
            Value g = c.cotangent(0), zero = c.zerosLike(g);
            return java.util.Arrays.asList(null,
                    c.sumToShape(c.op("where", c.input(0), g, zero), c.input(1).type().shape()),
                    c.sumToShape(c.op("where", c.input(0), zero, g), c.input(2).type().shape()));
        }

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

        /** Between floating types the cotangent is cast back; through integers and bools none flows. */
        @Override public List<Value> vjp(VjpContext c) {
            DType from = c.input(0).type().dtype(), to = c.output(0).type().dtype();
            if (!from.isFloating() || !to.isFloating()) return noGradient(c);
            return List.of(from == to ? c.cotangent(0) : c.op("cast", Attrs.of("dtype", from), c.cotangent(0)));
        }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            return List.of(in.get(0).withDType(attrs.getDType("dtype")));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            DType to = attrs.getDType("dtype");
            boolean fromInteger = !in[0].dtype().isFloating();
            double[] x = in[0].data(), y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = convert(x[i], fromInteger, to);
            return new Tensor[]{new Tensor(to, in[0].shape(), y)};
        }
    }

    /**
     * One value cast to {@code to}: to bool x != 0; to an integer dtype {@link Ints#cast} (integers
     * wrap, floats truncate toward zero and saturate); to f16 and f32 rounded to nearest even in
     * that format ({@link dlc.numerics.Half}). {@code fromInteger}: the source is an integer or bool.
     */
    public static double convert(double v, boolean fromInteger, DType to) {
        return switch (to) {
            case BOOL -> v != 0 ? 1 : 0;
            case I8, U8, I32, I64 -> Ints.cast(v, fromInteger, to.intKind());
            case F16 -> dlc.numerics.Half.round(v);
            case F32 -> (float) v;
            case F64 -> v;
        };
    }

    private static double truncDiv(double a, double b) {
        double q = a / b;
        return q < 0 ? Math.ceil(q) : Math.floor(q);
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    // --- gradient helpers: each VJP below is written with primitive ops so it can be differentiated again
    private static Value one(VjpContext c, Value like) { return c.scalar(1, like.type().dtype()); }

    private static Value mul(VjpContext c, Value a, Value b) { return c.op("mul", a, b); }

    private static Value[] both(Value ga, Value gb) { return new Value[]{ga, gb}; }

    static final List<OpDef> ALL = List.of(
            new Unary("neg", false, x -> -x, (c, x, y, g) -> c.op("neg", g)),
            // abs'(0) = sign(0) = 0 (MODELS.md 4.5)
            new Unary("abs", false, Math::abs, (c, x, y, g) -> mul(c, g, c.op("sign", x))),
            new Unary("sign", false, Math::signum, (c, x, y, g) -> null),
            new Unary("exp", true, Math::exp, (c, x, y, g) -> mul(c, g, y)),
            new Unary("log", true, Math::log, (c, x, y, g) -> c.op("div", g, x)),
            new Unary("log1p", true, Math::log1p, (c, x, y, g) -> c.op("div", g, c.op("add", x, one(c, x)))),
            new Unary("expm1", true, Math::expm1, (c, x, y, g) -> mul(c, g, c.op("add", y, one(c, y)))),
            new Unary("sqrt", true, Math::sqrt, (c, x, y, g) -> c.op("div", mul(c, g, c.scalar(0.5, x.type().dtype())), y)),
            new Unary("rsqrt", true, x -> 1 / Math.sqrt(x),
                    (c, x, y, g) -> mul(c, g, mul(c, c.scalar(-0.5, x.type().dtype()), mul(c, y, mul(c, y, y))))),
            new Unary("tanh", true, Math::tanh, (c, x, y, g) -> mul(c, g, c.op("sub", one(c, y), mul(c, y, y)))),
            new Unary("sigmoid", true, ElementwiseOps::sigmoid, (c, x, y, g) -> mul(c, g, mul(c, y, c.op("sub", one(c, y), y)))),
            new Unary("erf", true, dlc.numerics.SpecialFunctions::erf, (c, x, y, g) -> mul(c, g,
                    mul(c, c.scalar(2 / Math.sqrt(Math.PI), x.type().dtype()), c.op("exp", c.op("neg", mul(c, x, x)))))),
            new Unary("sin", true, Math::sin, (c, x, y, g) -> mul(c, g, c.op("cos", x))),
            new Unary("cos", true, Math::cos, (c, x, y, g) -> c.op("neg", mul(c, g, c.op("sin", x)))),
            // relu'(0) = 0 (MODELS.md 4.5)
            new Unary("relu", false, x -> x > 0 ? x : 0,
                    (c, x, y, g) -> c.op("where", c.op("gt", x, c.scalar(0, x.type().dtype())), g, c.zerosLike(g))),
            new Unary("floor", true, Math::floor, (c, x, y, g) -> null),
            new Unary("not", false, x -> x != 0 ? 0 : 1, (c, x, y, g) -> null),
            new Binary("add", Binary.Family.ARITH, Double::sum, (c, a, b, y, g) -> both(g, g)),
            new Binary("sub", Binary.Family.ARITH, (a, b) -> a - b, (c, a, b, y, g) -> both(g, c.op("neg", g))),
            new Binary("mul", Binary.Family.ARITH, (a, b) -> a * b, (c, a, b, y, g) -> both(mul(c, g, b), mul(c, g, a))),
            new Binary("div", Binary.Family.ARITH, (a, b) -> a / b,
                    (c, a, b, y, g) -> both(c.op("div", g, b), c.op("neg", c.op("div", mul(c, g, y), b)))),
            new Binary("mod", Binary.Family.ARITH, (a, b) -> a - Math.floor(a / b) * b,
                    (c, a, b, y, g) -> both(g, c.op("neg", mul(c, g, c.op("floor", c.op("div", a, b)))))),
            // C/ONNX division: the quotient truncated toward zero (floats: trunc(a / b)), and the
            // remainder with the dividend's sign (floats: C fmod, which Java's % is)
            new Binary("trunc_div", Binary.Family.ARITH, ElementwiseOps::truncDiv, (c, a, b, y, g) -> both(null, null)), // piecewise constant
            new Binary("trunc_mod", Binary.Family.ARITH, (a, b) -> a % b,
                    (c, a, b, y, g) -> both(g, c.op("neg", mul(c, g, c.op("trunc_div", a, b))))),
            // d/db a^b = a^b log a, taken as 0 where a <= 0 (log is evaluated on a safe operand so no NaN leaks)
            new Binary("pow", Binary.Family.ARITH, Math::pow, (c, a, b, y, g) -> {
                Value zero = c.scalar(0, a.type().dtype());
                Value pos = c.op("gt", a, zero);
                Value safeA = c.op("where", pos, a, c.fill(1, a));
                Value ga = mul(c, g, mul(c, b, c.op("pow", a, c.op("sub", b, one(c, b)))));
                Value gb = mul(c, g, c.op("where", pos, mul(c, y, c.op("log", safeA)), c.zerosLike(y)));
                return both(ga, gb);
            }),
            // ties go to the first operand (MODELS.md 4.5), which matters only for gradients
            new Binary("maximum", Binary.Family.ARITH, (a, b) -> a >= b ? a : b, (c, a, b, y, g) -> {
                Value first = c.op("ge", a, b), zero = c.zerosLike(g);
                return both(c.op("where", first, g, zero), c.op("where", first, zero, g));
            }),
            new Binary("minimum", Binary.Family.ARITH, (a, b) -> a <= b ? a : b, (c, a, b, y, g) -> {
                Value first = c.op("le", a, b), zero = c.zerosLike(g);
                return both(c.op("where", first, g, zero), c.op("where", first, zero, g));
            }),
            new Binary("lt", Binary.Family.COMPARE, (a, b) -> a < b ? 1 : 0, null),
            new Binary("le", Binary.Family.COMPARE, (a, b) -> a <= b ? 1 : 0, null),
            new Binary("gt", Binary.Family.COMPARE, (a, b) -> a > b ? 1 : 0, null),
            new Binary("ge", Binary.Family.COMPARE, (a, b) -> a >= b ? 1 : 0, null),
            new Binary("eq", Binary.Family.COMPARE, (a, b) -> a == b ? 1 : 0, null),
            new Binary("ne", Binary.Family.COMPARE, (a, b) -> a != b ? 1 : 0, null),
            new Binary("and", Binary.Family.LOGIC, (a, b) -> a != 0 && b != 0 ? 1 : 0, null),
            new Binary("or", Binary.Family.LOGIC, (a, b) -> a != 0 || b != 0 ? 1 : 0, null),
            new Where(),
            new Cast());
}
