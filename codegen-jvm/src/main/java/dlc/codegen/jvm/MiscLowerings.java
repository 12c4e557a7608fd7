package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Node;
import dlc.ir.Shape;
import dlc.ir.Value;
import dlc.numerics.Rng;
import dlc.runtime.Reduce;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lowerings of: argmax, argmin, rng_fold, random_uniform, random_normal, and standalone
 * sum/mean/max/min for reductions the loop-nest emitter does not inline. Semantics:
 * {@code dlc.ir.ops.ReduceOps} and {@code dlc.ir.ops.RandomOps}.
 */
final class MiscLowerings {
    private MiscLowerings() {}

    static void register(Map<String, Lowering> byOp) {
        byOp.put("argmax", (n, e) -> argReduce(n, e, true));
        byOp.put("argmin", (n, e) -> argReduce(n, e, false));
        byOp.put("rng_fold", MiscLowerings::rngFold);
        byOp.put("random_uniform", (n, e) -> draw(n, e, false));
        byOp.put("random_normal", (n, e) -> draw(n, e, true));
        byOp.put("sum", (n, e) -> reduce(n, e, Reduce.SUM));
        byOp.put("mean", (n, e) -> reduce(n, e, Reduce.MEAN));
        byOp.put("max", (n, e) -> reduce(n, e, Reduce.MAX));
        byOp.put("min", (n, e) -> reduce(n, e, Reduce.MIN));
    }

    static void argReduce(Node n, KernelEmitter e, boolean max) {
        Value x = n.input(0), y = n.output();
        KernelArgs.bool(e, max);
        KernelArgs.at(e, x);
        KernelArgs.axisView(e, x.type().shape(), (int) n.attrs().getLong("axis"));
        KernelArgs.at(e, y);
        e.invoke(Reduce.class, "argReduce", "(Z" + KernelEmitter.arrayDesc(x) + "IIII[DI)V");
    }

    static void rngFold(Node n, KernelEmitter e) {
        KernelArgs.at(e, n.input(0));
        e.pushLong(n.attrs().getLong("salt"));
        KernelArgs.at(e, n.output());
        e.invoke(Rng.class, "fold", "([DIJ[DI)V");
    }

    static void draw(Node n, KernelEmitter e, boolean normal) {
        Value y = n.output();
        KernelArgs.at(e, n.input(0));
        e.pushDouble(n.attrs().getDouble(normal ? "mean" : "low", 0));
        e.pushDouble(n.attrs().getDouble(normal ? "std" : "high", 1));
        KernelArgs.at(e, y);
        KernelArgs.dim(e, y.type().shape().numel());
        e.invoke(Rng.class, normal ? "normal" : "uniform", "([DIDD" + KernelEmitter.arrayDesc(y) + "II)V");
    }

    /**
     * The operand's axes with literal 1s dropped and neighbours of one kind (reduced or kept)
     * merged: {@code dims} to walk, {@code outStrides} of each (0 when reduced), {@code count}
     * elements per result cell, {@code cells} result cells.
     */
    record ReducePlan(List<Dim> dims, List<Dim> outStrides, Dim count, Dim cells) {
        static ReducePlan of(Shape x, long[] axes) {
            boolean[] reduced = new boolean[x.rank()];
            for (long a : axes) reduced[(int) a] = true;
            List<Dim> dims = new ArrayList<>();
            List<Boolean> kinds = new ArrayList<>();
            Dim count = Dim.of(1), cells = Dim.of(1);
            for (int a = 0; a < x.rank(); a++) {
                Dim d = x.dim(a);
                if (reduced[a]) count = count.times(d); else cells = cells.times(d);
                if (d.equals(Dim.of(1))) continue;
                int last = dims.size() - 1;
                if (last >= 0 && kinds.get(last) == reduced[a]) dims.set(last, dims.get(last).times(d));
                else { dims.add(d); kinds.add(reduced[a]); }
            }
            Dim[] os = new Dim[dims.size()];
            Dim s = Dim.of(1);
            for (int i = dims.size() - 1; i >= 0; i--) {
                os[i] = kinds.get(i) ? Dim.of(0) : s;
                if (!kinds.get(i)) s = s.times(dims.get(i));
            }
            return new ReducePlan(dims, List.of(os), count, cells);
        }
    }

    /**
     * {@code Reduce.reduce(fn, identity, emptyFails, x, xOff, dims, outStrides, count, [acc,] y, yOff, cells)};
     * an f32 result accumulates in a double scratch of one element per cell.
     */
    static void reduce(Node n, KernelEmitter e, int fn) {
        Value x = n.input(0), y = n.output();
        DType dt = x.type().dtype();
        ReducePlan p = ReducePlan.of(x.type().shape(), n.attrs().getLongs("axes"));
        double identity = switch (fn) {
            case Reduce.MAX -> dt == DType.BOOL ? 0 : Double.NEGATIVE_INFINITY;
            case Reduce.MIN -> dt == DType.BOOL ? 1 : Double.POSITIVE_INFINITY;
            default -> 0;
        };
        e.pushInt(fn);
        e.pushDouble(identity);
        KernelArgs.bool(e, (fn == Reduce.MAX || fn == Reduce.MIN) && dt.isInteger());
        KernelArgs.at(e, x);
        KernelArgs.ints(e, p.dims());
        KernelArgs.ints(e, p.outStrides());
        KernelArgs.dim(e, p.count());
        boolean f32 = KernelEmitter.isFloat(dt);
        if (f32) e.scratch(DType.F64, p.cells(), 0);
        KernelArgs.at(e, y);
        KernelArgs.dim(e, p.cells());
        e.invoke(Reduce.class, "reduce", f32 ? "(IDZ[FI[I[II[D[FII)V" : "(IDZ[DI[I[II[DII)V");
        if (fn == Reduce.SUM && dt.isInteger()) { // an integer sum wraps to its dtype, as the interpreter's
            KernelArgs.at(e, y);
            KernelArgs.dim(e, p.cells());
            e.pushInt(dt.intKind());
            e.invoke(dlc.numerics.Ints.class, "wrapAll", "([DIII)V");
        }
    }
}
