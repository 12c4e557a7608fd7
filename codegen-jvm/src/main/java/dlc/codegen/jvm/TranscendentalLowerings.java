package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Node;
import dlc.runtime.VecMath;

import java.util.Map;

/**
 * f32 exp, log, log1p, expm1, tanh, sigmoid, sin and cos run as {@link VecMath} calls over their
 * operand's buffer instead of inside a loop nest ({@link GroupPlan#role}): the vector math library
 * is several times faster than a scalar call per element, which outweighs the extra pass over
 * memory; everything around them still fuses.
 */
final class TranscendentalLowerings {
    private TranscendentalLowerings() {}

    /** Whether {@code n} runs through {@link VecMath}. */
    static boolean applies(Node n) {
        return n.inputs().size() == 1 && VecMath.NAMES.contains(n.op().name())
                && n.output().type().dtype() == DType.F32 && n.input(0).type().equals(n.output().type());
    }

    static void register(Map<String, Lowering> byOp) {
        for (String op : VecMath.NAMES) byOp.put(op, TranscendentalLowerings::emit);
    }

    private static void emit(Node n, KernelEmitter e) {
        if (!applies(n)) throw new IllegalStateException("VecMath lowers f32 unary ops only, got " + n);
        e.pushInt(VecMath.NAMES.indexOf(n.op().name()));
        e.array(n.input(0));
        e.offset(n.input(0));
        e.array(n.output());
        e.offset(n.output());
        e.dim(n.output().type().shape().numel());
        e.invoke(VecMath.class, "apply", "(I[FI[FII)V");
    }
}
