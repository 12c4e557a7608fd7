package dlc.codegen.jvm;

import dlc.ir.*;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Emits the steps of a {@link GroupPlan} into one method: loop nests ({@link NestEmitter}), kernel
 * calls ({@link Lowering.KernelCall} entries of the {@link LoweringTable}), epilogues and copies.
 */
final class GroupEmitter implements Opcodes {
    private GroupEmitter() {}

    /** Whether a lone top-level node runs as a loop nest (elementwise, broadcast_to, sum/mean/max/min). */
    static boolean isInline(Node n) {
        if (!n.regions().isEmpty()) return false;
        GroupPlan.Role r = GroupPlan.role(n);
        return r == GroupPlan.Role.INLINE || r == GroupPlan.Role.REDUCE;
    }

    static void emit(ClassEmitter ce, MethodVisitor mv, Node node) {
        GroupPlan plan = ce.storage.group(node);
        for (GroupPlan.Step s : plan.steps) {
            if (s instanceof GroupPlan.Nest nest) {
                // nests may split over threads by outer index (a reduction into partial accumulators)
                ce.parallelNest(mv, plan, nest);
            }
            else if (s instanceof GroupPlan.Lowered l) ce.lower(l.node(), mv);
            else if (s instanceof GroupPlan.Epilogue ep) {
                KernelEmitter e = ce.kernelEmitter(mv);
                Node pool = ce.fusedPool(node);
                if (pool != null) ConvLowerings.emitConv2dMaxPool(ep.anchor(), e, ep.bias(), ep.act(), ep.result());
                else LoweringTable.epilogue(ep.anchor()).emit(ep.anchor(), e, ep.bias(), ep.biasKind(), ep.act(), ep.result());
            }
            else if (s instanceof GroupPlan.Copy c) copy(ce, mv, c.from(), c.to());
        }
    }

    private static void copy(ClassEmitter ce, MethodVisitor mv, Value from, Value to) {
        ce.array(mv, from);
        mv.visitInsn(ICONST_0);
        ce.array(mv, to);
        mv.visitInsn(ICONST_0);
        ce.bind.dim(mv, from.type().shape().numel());
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "arraycopy", "(Ljava/lang/Object;ILjava/lang/Object;II)V", false);
    }
}
