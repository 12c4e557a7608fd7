package dlc.codegen.jvm;

import dlc.ir.Node;
import dlc.ir.Value;
import dlc.numerics.Rng;
import dlc.runtime.Reduce;

/**
 * Kernel calls of: argmax, argmin, rng_fold, random_uniform, random_normal (sum, mean, max and
 * min are loop nests, see {@link LoweringTable}). Semantics: {@code dlc.ir.ops.ReduceOps} and
 * {@code dlc.ir.ops.RandomOps}.
 */
final class MiscLowerings {
    private MiscLowerings() {}

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
}
