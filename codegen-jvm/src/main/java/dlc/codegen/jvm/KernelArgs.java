package dlc.codegen.jvm;

import dlc.ir.Dim;
import dlc.ir.Shape;
import dlc.ir.Value;

import java.util.ArrayList;
import java.util.List;

import static org.objectweb.asm.Opcodes.IADD;

/**
 * Argument pushing and dim arithmetic shared by the kernel lowerings: literal dims become
 * constants, symbolic ones come from the bind-time dim table, so no symbol value is ever baked in.
 */
final class KernelArgs {
    private KernelArgs() {}

    /** Pushes a dim as an int: a constant when literal, else its bound value. */
    static void dim(KernelEmitter e, Dim d) {
        if (d.isConst()) e.pushInt(Math.toIntExact(d.value()));
        else e.dim(d);
    }

    /** Pushes an {@code int[]} of dims: a constant array when all are literal, else one filled at bind. */
    static void ints(KernelEmitter e, List<Dim> dims) {
        if (dims.stream().allMatch(Dim::isConst)) e.ints(dims.stream().mapToInt(d -> Math.toIntExact(d.value())).toArray());
        else e.shape(new Shape(dims));
    }

    /** Pushes a value's array and its offset. */
    static void at(KernelEmitter e, Value v) {
        e.array(v);
        e.offset(v);
    }

    /** Pushes a value's array and its offset plus {@code extra} elements. */
    static void at(KernelEmitter e, Value v, Dim extra) {
        e.array(v);
        e.offset(v);
        if (!extra.equals(Dim.of(0))) {
            dim(e, extra);
            e.mv().visitInsn(IADD);
        }
    }

    /** Pushes a boolean (an int 0 or 1 on the JVM stack). */
    static void bool(KernelEmitter e, boolean b) { e.pushInt(b ? 1 : 0); }

    /** The row-major strides of a shape, as dims. */
    static List<Dim> denseStrides(Shape s) {
        Dim[] st = new Dim[s.rank()];
        Dim acc = Dim.of(1);
        for (int a = s.rank() - 1; a >= 0; a--) {
            st[a] = acc;
            acc = acc.times(s.dim(a));
        }
        return new ArrayList<>(List.of(st));
    }

    /** The product of {@code s.dim(from) .. s.dim(to - 1)}. */
    static Dim product(Shape s, int from, int to) {
        Dim p = Dim.of(1);
        for (int a = from; a < to; a++) p = p.times(s.dim(a));
        return p;
    }

    /** Pushes the (outer, n, inner) view of {@code s} around {@code axis}: three ints. */
    static void axisView(KernelEmitter e, Shape s, int axis) {
        dim(e, product(s, 0, axis));
        dim(e, s.dim(axis));
        dim(e, product(s, axis + 1, s.rank()));
    }
}
