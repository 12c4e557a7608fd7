package dlc.ir.ops;

import dlc.ir.eval.Tensor;

/** Row-major index walking for the movement ops' reference semantics. */
final class MovementIndexing {
    private MovementIndexing() {}

    /** Receives one index of a shape: its coordinates (reused between calls, do not keep) and flat offset. */
    @FunctionalInterface
    interface Visitor {
        void visit(int[] coords, int flat);
    }

    /** Calls {@code v} for every index of {@code shape} in row-major order; nothing for an empty shape. */
    static void forEach(int[] shape, Visitor v) {
        int n = (int) Tensor.numel(shape);
        int[] c = new int[shape.length];
        for (int flat = 0; flat < n; flat++) {
            v.visit(c, flat);
            for (int a = shape.length - 1; a >= 0; a--) {
                if (++c[a] < shape[a]) break;
                c[a] = 0;
            }
        }
    }

    /** Product of {@code shape[from..to)}: the outer or inner block size around an axis. */
    static int block(int[] shape, int from, int to) {
        int n = 1;
        for (int a = from; a < to; a++) n *= shape[a];
        return n;
    }
}
