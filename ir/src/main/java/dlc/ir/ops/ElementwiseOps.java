package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;
import dlc.numerics.Ints;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import static dlc.ir.OpTrait.*;

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

    /** The integer form of a unary op, wrapping as two's complement in the dtype {@code kind} ({@link Ints}). */
    @FunctionalInterface
    interface IntUnary {
        double apply(double x, int kind);
    }

    /** The integer form of a binary op ({@link Ints}). */
    @FunctionalInterface
    interface IntBinary {
        double apply(double a, double b, int kind);
    }

    /**
     * x -> f(x), same type. Traits: {@link OpTrait#UNARY} (numbers) or {@link OpTrait#LOGIC}
     * (bool), {@link OpTrait#FLOAT_ONLY} rejects integer and bool operands. {@code ints}, when
     * given, is the integer form where f would not wrap (neg and abs of the most negative value).
     */
    static final class Unary extends OpDef {
        private final DoubleUnaryOperator f;
        private final IntUnary ints;
        private final UnaryVjp vjp;

        Unary(String name, Set<OpTrait> traits, DoubleUnaryOperator f, IntUnary ints, UnaryVjp vjp) {
            super(name, Kind.ELEMENTWISE, traits);
            this.f = f;
            this.ints = ints;
            this.vjp = vjp;
        }

        Unary(String name, Set<OpTrait> traits, DoubleUnaryOperator f, UnaryVjp vjp) { this(name, traits, f, null, vjp); }

        @Override public List<Value> vjp(VjpContext c) {
            if (!c.input(0).type().dtype().isFloating()) return noGradient(c);
            return java.util.Collections.singletonList(vjp.apply(c, c.input(0), c.output(0), c.cotangent(0)));
        }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            if (is(LOGIC)) Checks.dtype(this, in.get(0), DType.BOOL);
            else if (is(FLOAT_ONLY)) Checks.floating(this, in.get(0));
            else if (in.get(0).dtype() == DType.BOOL) throw new ShapeException(name() + " needs a numeric operand, got " + in.get(0));
            return List.of(in.get(0));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            double[] x = in[0].data(), y = new double[x.length];
            DType dt = in[0].dtype();
            boolean wraps = dt.isInteger() && ints != null;
            for (int i = 0; i < x.length; i++)
                y[i] = wraps ? ints.apply(x[i], dt.intKind()) : f.applyAsDouble(x[i]);
            return new Tensor[]{new Tensor(dt, in[0].shape(), y)};
        }

        /** The scalar function, for tests and constant folding. */
        public double apply(double x) { return f.applyAsDouble(x); }
    }

    /**
     * Broadcasting binary op. Result dtype: the operands' (arithmetic) or bool (comparison, logic).
     * {@code ints} is the integer arithmetic, which wraps as two's complement and floors div and mod
     * ({@link Ints}); null where f cannot overflow (maximum, minimum). {@code identity} and
     * {@code absorbing} (null: none) are the elements {@link OpDef#identity} and
     * {@link OpDef#absorbing} describe.
     */
    static final class Binary extends OpDef {
        enum Family { ARITH, COMPARE, LOGIC }

        private final DoubleBinaryOperator f;
        private final IntBinary ints;
        private final Family family;
        private final BinaryVjp vjp;
        private final Double identity, absorbing;

        Binary(String name, Family family, Set<OpTrait> traits, Double identity, Double absorbing,
               DoubleBinaryOperator f, IntBinary ints, BinaryVjp vjp) {
            super(name, Kind.ELEMENTWISE, with(traits, family == Family.ARITH ? ARITHMETIC : family == Family.COMPARE ? COMPARISON : LOGIC));
            this.f = f;
            this.ints = ints;
            this.family = family;
            this.vjp = vjp;
            this.identity = identity;
            this.absorbing = absorbing;
        }

        Binary(String name, Family family, Set<OpTrait> traits, DoubleBinaryOperator f, IntBinary ints, BinaryVjp vjp) {
            this(name, family, traits, null, null, f, ints, vjp);
        }

        @Override public java.util.OptionalDouble identity() {
            return identity == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(identity);
        }

        @Override public java.util.OptionalDouble absorbing() {
            return absorbing == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(absorbing);
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
            return ints != null ? ints.apply(a, b, kind) : f.applyAsDouble(a, b); // maximum, minimum: no overflow
        }

        public double apply(double a, double b) { return f.applyAsDouble(a, b); }
    }

    /** where(c, a, b): a where c is true, else b; all three broadcast together. */
    static final class Where extends OpDef {
        Where() { super("where", Kind.ELEMENTWISE, Set.of(SELECT)); }

        /** The cotangent is routed by the condition; the condition itself gets none. */
        @Override public List<Value> vjp(VjpContext c) {
            if (!c.input(1).type().dtype().isFloating()) return noGradient(c);
            Value g = c.cotangent(0), zero = c.zerosLike(g);
            return java.util.Arrays.asList(null,
                    c.sumToShape(c.op(Ops.WHERE, c.input(0), g, zero), c.input(1).type().shape()),
                    c.sumToShape(c.op(Ops.WHERE, c.input(0), zero, g), c.input(2).type().shape()));
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
        Cast() { super("cast", Kind.ELEMENTWISE, Set.of(CAST)); }

        /** Between floating types the cotangent is cast back; through integers and bools none flows. */
        @Override public List<Value> vjp(VjpContext c) {
            DType from = c.input(0).type().dtype(), to = c.output(0).type().dtype();
            if (!from.isFloating() || !to.isFloating()) return noGradient(c);
            return List.of(from == to ? c.cotangent(0) : c.op(Ops.CAST, Attrs.of("dtype", from), c.cotangent(0)));
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

    static double truncDiv(double a, double b) {
        double q = a / b;
        return q < 0 ? Math.ceil(q) : Math.floor(q);
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    // --- gradient helpers: each VJP below is written with primitive ops so it can be differentiated again
    static Value one(VjpContext c, Value like) { return c.scalar(1, like.type().dtype()); }

    static Value mul(VjpContext c, Value a, Value b) { return c.op(Ops.MUL, a, b); }

    static Value[] both(Value ga, Value gb) { return new Value[]{ga, gb}; }

    private static Set<OpTrait> with(Set<OpTrait> traits, OpTrait more) {
        EnumSet<OpTrait> s = EnumSet.of(more);
        s.addAll(traits);
        return s;
    }

    // trait sets of the unary ops: math on any number, math on floats only, and their piecewise-constant kin
    static final Set<OpTrait> ANY = Set.of(UNARY), FLOAT = Set.of(UNARY, FLOAT_ONLY),
            ANY_STEP = Set.of(UNARY, PIECEWISE_CONSTANT), FLOAT_STEP = Set.of(UNARY, FLOAT_ONLY, PIECEWISE_CONSTANT);
    // binary: commutative and associative (add, mul, and, or), associative only (maximum, minimum:
    // with a NaN operand the result depends on the order), commutative only (eq, ne), neither
    static final Set<OpTrait> ASSOC_COMM = Set.of(COMMUTATIVE, ASSOCIATIVE), ASSOC_ONLY = Set.of(ASSOCIATIVE),
            COMM_ONLY = Set.of(COMMUTATIVE), NO_LAWS = Set.of();
}
