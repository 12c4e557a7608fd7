package dlc.frontend.lower;

import dlc.frontend.ast.Span;
import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.ArrayList;
import java.util.List;

/** Small IR-building helpers shared by the builtins. */
final class Tensors {
    private Tensors() {}

    /** A tensor of the given type filled with value: one constant, broadcast when the shape is symbolic. */
    static Value fill(Interp in, Span span, DType dtype, Shape shape, double value) {
        if (shape.isConcrete()) return in.constant(span, dtype, shape, List.of(value));
        Value s = in.constant(span, dtype, Shape.SCALAR, List.of(value));
        return in.emit(span, Ops.BROADCAST_TO, Attrs.of("shape", shape), s);
    }

    static Value reshape(Interp in, Span span, Value x, Shape shape) {
        if (x.type().shape().equals(shape)) return x;
        return in.emit(span, Ops.RESHAPE, Attrs.of("shape", shape), x);
    }

    /** x with a new axis of size 1 at axis (already normalized against rank + 1). */
    static Value unsqueeze(Interp in, Span span, Value x, int axis) {
        List<Dim> dims = new ArrayList<>(x.type().shape().dims());
        dims.add(axis, Dim.of(1));
        return reshape(in, span, x, new Shape(dims));
    }

    static Value cast(Interp in, Span span, Value x, DType to) {
        if (x.type().dtype() == to) return x;
        return in.emit(span, Ops.CAST, Attrs.of("dtype", to), x);
    }

    /** The identity permutation of rank r with axes a and b swapped. */
    static List<Long> swap(int r, int a, int b) {
        List<Long> perm = new ArrayList<>();
        for (long i = 0; i < r; i++) perm.add(i);
        perm.set(a, (long) b);
        perm.set(b, (long) a);
        return perm;
    }
}
