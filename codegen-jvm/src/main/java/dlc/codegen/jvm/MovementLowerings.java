package dlc.codegen.jvm;

import dlc.ir.Attrs;
import dlc.ir.Dim;
import dlc.ir.Node;
import dlc.ir.Shape;
import dlc.ir.Value;
import dlc.runtime.Indexing;
import dlc.runtime.Movement;

import java.util.ArrayList;
import java.util.List;

/**
 * Kernel calls of: permute, slice, concat, pad, reverse, gather, scatter_add, constant (one that
 * is not a splat), iota; broadcast_to is read broadcast inside loop nests ({@link LoweringTable}).
 * Semantics: {@code dlc.ir.ops.MovementOps}. Every pure rearrangement is one {@link StridedCopy} (pad and concat: one per operand into the result);
 * the indexed ops and sources call {@link Indexing} and {@link Movement}.
 */
final class MovementLowerings {
    private MovementLowerings() {}

    private static Shape shape(Value v) { return v.type().shape(); }

    private static String desc(Value v) { return KernelEmitter.arrayDesc(v); }

    /** Result axis i walks operand axis perm[i]. */
    static void permute(Node n, KernelEmitter e) {
        Value x = n.input(0), y = n.output();
        long[] perm = n.attrs().getLongs("perm");
        List<Dim> st = KernelArgs.denseStrides(shape(x)), src = new ArrayList<>();
        for (long p : perm) src.add(st.get((int) p));
        new StridedCopy(shape(y).dims(), src, Dim.of(0), KernelArgs.denseStrides(shape(y)), Dim.of(0)).emit(e, x, y);
    }

    /** Reads from sum start[a]*stride[a] with strides stride[a]*step[a]; starts may be symbolic. */
    static void slice(Node n, KernelEmitter e) {
        Value x = n.input(0), y = n.output();
        Shape starts = n.attrs().getShape("starts");
        long[] steps = n.attrs().getLongs("steps");
        List<Dim> st = KernelArgs.denseStrides(shape(x)), src = new ArrayList<>();
        Dim base = Dim.of(0);
        for (int a = 0; a < st.size(); a++) {
            src.add(st.get(a).times(steps[a]));
            base = base.plus(starts.dim(a).times(st.get(a)));
        }
        new StridedCopy(shape(y).dims(), src, base, KernelArgs.denseStrides(shape(y)), Dim.of(0)).emit(e, x, y);
    }

    /** The flipped axes are read backwards (the kernel starts them at their last element). */
    static void reverse(Node n, KernelEmitter e) {
        Value x = n.input(0), y = n.output();
        Shape xs = shape(x);
        List<Dim> st = KernelArgs.denseStrides(xs);
        List<Boolean> flips = new ArrayList<>(java.util.Collections.nCopies(xs.rank(), false));
        for (long axis : n.attrs().getLongs("axes")) flips.set((int) axis, true);
        new StridedCopy(xs.dims(), st, flips, Dim.of(0), st, Dim.of(0)).emit(e, x, y);
    }

    /** The border value everywhere, then the operand into the window that starts at low. */
    static void pad(Node n, KernelEmitter e) {
        Value x = n.input(0), y = n.output();
        long[] low = n.attrs().getLongs("low");
        List<Dim> ost = KernelArgs.denseStrides(shape(y));
        KernelArgs.at(e, y);
        KernelArgs.dim(e, shape(y).numel());
        e.pushDouble(n.attrs().getDouble("value", 0));
        e.invoke(Movement.class, "fill", "(" + desc(y) + "IID)V");
        Dim base = Dim.of(0);
        for (int a = 0; a < low.length; a++) base = base.plus(ost.get(a).times(low[a]));
        new StridedCopy(shape(x).dims(), KernelArgs.denseStrides(shape(x)), Dim.of(0), ost, base).emit(e, x, y);
    }

    /** Each operand copied into the result at its running offset along the axis. */
    static void concat(Node n, KernelEmitter e) {
        Value y = n.output();
        int axis = (int) n.attrs().getLong("axis");
        List<Dim> ost = KernelArgs.denseStrides(shape(y));
        Dim at = Dim.of(0);
        for (Value x : n.inputs()) {
            new StridedCopy(shape(x).dims(), KernelArgs.denseStrides(shape(x)), Dim.of(0), ost, at.times(ost.get(axis))).emit(e, x, y);
            at = at.plus(shape(x).dim(axis));
        }
    }

    static void gather(Node n, KernelEmitter e) {
        Value x = n.input(0), idx = n.input(1), y = n.output();
        String a = desc(x);
        KernelArgs.at(e, x);
        KernelArgs.axisView(e, shape(x), (int) n.attrs().getLong("axis"));
        KernelArgs.at(e, idx);
        KernelArgs.dim(e, shape(idx).numel());
        KernelArgs.at(e, y);
        e.invoke(Indexing.class, "gather", "(" + a + "IIII[DII" + a + "I)V");
    }

    static void scatterAdd(Node n, KernelEmitter e) {
        Value base = n.input(0), idx = n.input(1), upd = n.input(2), y = n.output();
        String a = desc(base);
        KernelArgs.at(e, base);
        KernelArgs.axisView(e, shape(base), (int) n.attrs().getLong("axis"));
        KernelArgs.at(e, idx);
        KernelArgs.dim(e, shape(idx).numel());
        KernelArgs.at(e, upd);
        KernelArgs.at(e, y);
        e.invoke(Indexing.class, "scatterAdd", "(" + a + "IIII[DII" + a + "I" + a + "I)V");
    }

    static void constant(Node n, KernelEmitter e) {
        Value y = n.output();
        Attrs at = n.attrs();
        e.doubles(at.getDoubles("values"));
        KernelArgs.at(e, y);
        KernelArgs.dim(e, shape(y).numel());
        e.invoke(Movement.class, "constant", "([D" + desc(y) + "II)V");
    }

    static void iota(Node n, KernelEmitter e) {
        Value y = n.output();
        KernelArgs.at(e, y);
        KernelArgs.axisView(e, shape(y), (int) n.attrs().getLong("axis"));
        e.invoke(Movement.class, "iota", "(" + desc(y) + "IIII)V");
    }
}
