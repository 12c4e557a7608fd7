package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;

import java.util.*;

/**
 * Helpers for the reduce and movement op tests: build a one-op graph with {@link GraphBuilder}
 * (so the shape rule runs) and run it with the {@link Interpreter} (so symbols bind from inputs,
 * the real path).
 */
final class ReduceMovementTestSupport {
    private ReduceMovementTestSupport() {}

    /** A type from dims given as numbers or dim text ("B", "B*T"). */
    static TensorType type(DType dtype, Object... dims) {
        List<Dim> ds = new ArrayList<>();
        for (Object d : dims) ds.add(d instanceof Number n ? Dim.of(n.longValue()) : Dim.parse((String) d));
        return new TensorType(dtype, new Shape(ds));
    }

    static TensorType f64(Object... dims) { return type(DType.F64, dims); }

    /** A shape attribute from numbers or dim text. */
    static Shape shape(Object... dims) { return type(DType.F64, dims).shape(); }

    static Tensor t(int[] shape, double... data) { return Tensor.of(shape, data); }

    static Tensor t(DType dtype, int[] shape, double... data) { return new Tensor(dtype, shape, data); }

    static int[] dims(int... d) { return d; }

    /** The result type of {@code op} on operands of the given types (runs the shape rule only). */
    static TensorType infer(OpDef op, Attrs attrs, TensorType... in) {
        List<TensorType> out = op.infer(List.of(in), attrs, List.of());
        if (out.size() != 1) throw new AssertionError(op + " gave " + out.size() + " results");
        return out.get(0);
    }

    /** Runs {@code op} on inputs whose declared types are their concrete shapes. */
    static Tensor run(OpDef op, Attrs attrs, Tensor... xs) {
        List<TensorType> types = new ArrayList<>();
        for (Tensor x : xs) types.add(concrete(x));
        return run(op, attrs, types, xs);
    }

    /** Runs {@code op} on inputs declared with {@code types} (possibly symbolic) and bound to {@code xs}. */
    static Tensor run(OpDef op, Attrs attrs, List<TensorType> types, Tensor... xs) {
        return run(op, attrs, types, List.of(), xs);
    }

    /**
     * Like {@link #run(String, Attrs, List, Tensor...)}, with extra inputs that the op does not use
     * but whose declared shapes bind symbols (for ops without operands such as iota).
     */
    static Tensor run(OpDef op, Attrs attrs, List<TensorType> types, List<Tensor> binders, Tensor... xs) {
        GraphBuilder b = new GraphBuilder("test_" + op);
        Map<String, Tensor> bound = new HashMap<>();
        Value[] operands = new Value[xs.length];
        for (int i = 0; i < xs.length; i++) {
            operands[i] = b.input("x" + i, types.get(i), Value.Role.INPUT);
            bound.put("x" + i, xs[i]);
        }
        for (int i = 0; i < binders.size(); i++) {
            b.input("bind" + i, types.get(xs.length + i), Value.Role.INPUT);
            bound.put("bind" + i, binders.get(i));
        }
        Value y = b.op(op, attrs, operands);
        b.output("y", Graph.Output.Role.OUTPUT, y);
        Tensor out = Interpreter.run(b.build(), bound).get("y");
        // the reference result must agree with the shape rule, symbols bound from the inputs
        Map<String, Long> env = new HashMap<>();
        for (int i = 0; i < types.size(); i++) {
            Tensor x = i < xs.length ? xs[i] : binders.get(i - xs.length);
            List<Dim> ds = types.get(i).shape().dims();
            for (int a = 0; a < ds.size(); a++)
                if (ds.get(a).symbols().size() == 1 && ds.get(a).equals(Dim.sym(ds.get(a).symbols().iterator().next())))
                    env.put(ds.get(a).symbols().iterator().next(), (long) x.dim(a));
        }
        if (!Arrays.equals(y.type().shape().eval(env), out.shape()) || y.type().dtype() != out.dtype())
            throw new AssertionError(op + ": inferred " + y.type() + " but eval gave " + out);
        return out;
    }

    static TensorType concrete(Tensor x) {
        long[] s = Arrays.stream(x.shape()).asLongStream().toArray();
        return TensorType.of(x.dtype(), s);
    }

    /** A tensor of the given shape with values drawn from {@code rnd} in [-2, 2). */
    static Tensor random(Random rnd, int... shape) {
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = rnd.nextDouble() * 4 - 2;
        return Tensor.of(shape, d);
    }

    static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += a.data()[i] * b.data()[i];
        return s;
    }
}
