package dlc.codegen.jvm;

import dlc.ir.Dim;
import dlc.ir.Shape;
import dlc.ir.ShapeException;
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
        if (d.isConst()) e.pushInt(constInt(d));
        else e.dim(d);
    }

    /**
     * A literal dim as a kernel's int argument. {@link dlc.ir.Sizes#check} ran on the graph before
     * it was compiled, so every tensor fits in an array; a dim (a stride, an offset) that still does
     * not fit an int is reported as a size no Java array holds, not as an overflow.
     */
    static int constInt(Dim d) {
        long v = d.value();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
            throw new ShapeException("a size of " + v + " is more than a Java array holds (" + dlc.ir.Sizes.MAX_ELEMENTS + " elements)",
                    "choose smaller sizes so every tensor fits in one Java array");
        return (int) v;
    }

    /** Pushes an {@code int[]} of dims: a constant array when all are literal, else one filled at bind. */
    static void ints(KernelEmitter e, List<Dim> dims) {
        if (dims.stream().allMatch(Dim::isConst)) e.ints(dims.stream().mapToInt(KernelArgs::constInt).toArray());
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
