package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Node;
import dlc.runtime.VecMath;

/**
 * f32 exp, log, log1p, expm1, tanh, sigmoid, sin and cos run as {@link VecMath} calls over their
 * operand's buffer instead of inside a loop nest (their {@link LoweringTable} entries choose per
 * node): the vector math library is several times faster than a scalar call per element, which
 * outweighs the extra pass over memory; everything around them still fuses.
 */
final class TranscendentalLowerings {
    private TranscendentalLowerings() {}

    /** When a unary op of the VecMath family runs through it: an f32 operand and result of one type. */
    static final String WHEN = "f32 operand and result of one type";

    /** Whether unary node {@code n} qualifies for {@link VecMath} ({@link #WHEN}). */
    static boolean applies(Node n) {
        return n.inputs().size() == 1 && n.output().type().dtype() == DType.F32 && n.input(0).type().equals(n.output().type());
    }

    /** The kernel call of {@code VecMath.apply} with op code {@code code} ({@code VecMath.EXP}, ...). */
    static Lowering.KernelCode call(int code) { return new Call(code); }

    /**
     * Whether node {@code n} is lowered to a VecMath call: the one kernel of an operand and a
     * result of one type that loads each chunk of its operand before storing that chunk of its
     * result, so it may write over its operand (other such kernels, reverse or a square permute,
     * read elements they have already overwritten).
     */
    static boolean isCall(Node n) {
        Lowering l = LoweringTable.of(n);
        if (l instanceof Lowering.ByNode b) l = b.pick(n);
        return l instanceof Lowering.KernelCall k && k.code() instanceof Call;
    }

    /** {@code VecMath.apply(code, x, xo, y, yo, n)} over node {@code n}'s operand and result. */
    private record Call(int code) implements Lowering.KernelCode {
        @Override public void emit(Node n, KernelEmitter e) {
            if (!applies(n)) throw new IllegalStateException("VecMath lowers f32 unary ops only, got " + n);
            e.pushInt(code);
            e.array(n.input(0));
            e.offset(n.input(0));
            e.array(n.output());
            e.offset(n.output());
            e.dim(n.output().type().shape().numel());
            e.invoke(VecMath.class, "apply", "(I[FI[FII)V");
        }
    }
}
