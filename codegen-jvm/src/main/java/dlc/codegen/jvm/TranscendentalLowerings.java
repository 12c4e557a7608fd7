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
    static Lowering.KernelCode call(int code) {
        return (n, e) -> {
            if (!applies(n)) throw new IllegalStateException("VecMath lowers f32 unary ops only, got " + n);
            e.pushInt(code);
            e.array(n.input(0));
            e.offset(n.input(0));
            e.array(n.output());
            e.offset(n.output());
            e.dim(n.output().type().shape().numel());
            e.invoke(VecMath.class, "apply", "(I[FI[FII)V");
        };
    }
}
