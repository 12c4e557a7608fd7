package dlc.codegen.jvm;

import dlc.ir.*;
import dlc.ir.ops.ScanRows;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.List;

/**
 * A scan node: its body becomes a class of its own (a nested {@code CompiledGraph}), driven by a
 * {@code dlc.runtime.Scan} created and sized at bind. Per run the node stores its operand and result
 * arrays into the Scan and calls it. A body that computes each batch row on its own
 * ({@link ScanRows}) gets its batch symbol passed on, so the Scan may run the rows in parts.
 */
final class ScanEmitter implements Opcodes {
    private static final String SCAN = BindTable.RT + "Scan";

    private ScanEmitter() {}

    static void emit(ClassEmitter ce, MethodVisitor mv, Node n) {
        Graph body = n.regions().get(0);
        String bodyClass = ce.nested(body).replace('.', '/');
        String field = "scan" + ce.freshId();
        ce.addField(field, "L" + SCAN + ";");
        Attrs a = n.attrs();
        int carries = Math.toIntExact(a.getLong("num_carries")), xs = Math.toIntExact(a.getLong("num_xs"));
        int captured = n.inputs().size() - carries - xs, ys = n.outputs().size() - carries;
        long axis = a.has("axis") ? a.getLong("axis") : 0;
        boolean reverse = a.has("reverse") && (Boolean) a.get("reverse");
        List<Value> in = n.inputs(), out = n.outputs();
        Dim length = a.has("length") ? Dim.of(a.getLong("length")) : in.get(carries).type().shape().dim(norm(axis, in.get(carries).type().rank()));
        String f = field;
        // a body that computes each batch row on its own runs its rows in parts on several threads
        String rowSymbol = ScanRows.batchSymbol(n).orElse(null);
        ce.onBind(b -> {
            Label ready = new Label();
            b.visitVarInsn(ALOAD, 0);
            b.visitFieldInsn(GETFIELD, ce.owner(), f, "L" + SCAN + ";");
            b.visitJumpInsn(IFNONNULL, ready);
            b.visitVarInsn(ALOAD, 0);
            b.visitTypeInsn(NEW, SCAN);
            b.visitInsn(DUP);
            b.visitTypeInsn(NEW, bodyClass);
            b.visitInsn(DUP);
            b.visitMethodInsn(INVOKESPECIAL, bodyClass, "<init>", "()V", false);
            b.visitFieldInsn(GETSTATIC, ce.owner(), "SYMBOLS", "[Ljava/lang/String;");
            for (int v : new int[]{carries, xs, captured, ys}) BindTable.pushInt(b, v);
            b.visitInsn(reverse ? ICONST_1 : ICONST_0);
            if (rowSymbol == null) {
                b.visitInsn(ACONST_NULL);
                b.visitInsn(ACONST_NULL);
            } else {
                b.visitLdcInsn(rowSymbol);
                booleans(b, in.subList(carries + xs, in.size()), v -> ScanRows.hasRows(v, rowSymbol));
            }
            b.visitMethodInsn(INVOKESPECIAL, SCAN, "<init>", "(L" + BindTable.BASE + ";[Ljava/lang/String;IIIIZLjava/lang/String;[Z)V", false);
            b.visitFieldInsn(PUTFIELD, ce.owner(), f, "L" + SCAN + ";");
            b.visitLabel(ready);
            // scan.bind(symbols, length, xShapes, xAxes, yShapes, yAxes, carryNumel, carryFloat, xFloat, capturedNumel)
            b.visitVarInsn(ALOAD, 0);
            b.visitFieldInsn(GETFIELD, ce.owner(), f, "L" + SCAN + ";");
            b.visitVarInsn(ALOAD, 1);
            ce.bind.dim(b, length);
            List<Value> xv = in.subList(carries, carries + xs), yv = out.subList(carries, out.size());
            shapes(ce, b, xv);
            axes(b, xv, axis);
            shapes(ce, b, yv);
            axes(b, yv, axis);
            numels(ce, b, in.subList(0, carries));
            booleans(b, in.subList(0, carries), ScanEmitter::isFloat);
            booleans(b, xv, ScanEmitter::isFloat);
            numels(ce, b, in.subList(carries + xs, in.size()));
            b.visitMethodInsn(INVOKEVIRTUAL, SCAN, "bind", "([JI[[I[I[[I[I[I[Z[Z[I)V", false);
        });
        for (int i = 0; i < in.size(); i++) store(ce, mv, field, "operands", i, in.get(i));
        for (int i = 0; i < out.size(); i++) store(ce, mv, field, "results", i, out.get(i));
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, ce.owner(), field, "L" + SCAN + ";");
        mv.visitMethodInsn(INVOKEVIRTUAL, SCAN, "run", "()V", false);
    }

    private static int norm(long axis, int rank) { return (int) (axis < 0 ? axis + rank : axis); }

    private static void store(ClassEmitter ce, MethodVisitor mv, String field, String array, int i, Value v) {
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, ce.owner(), field, "L" + SCAN + ";");
        mv.visitFieldInsn(GETFIELD, SCAN, array, "[Ljava/lang/Object;");
        BindTable.pushInt(mv, i);
        ce.array(mv, v);
        mv.visitInsn(AASTORE);
    }

    private static void shapes(ClassEmitter ce, MethodVisitor b, List<Value> vs) {
        BindTable.pushInt(b, vs.size());
        b.visitTypeInsn(ANEWARRAY, "[I");
        for (int i = 0; i < vs.size(); i++) {
            b.visitInsn(DUP);
            BindTable.pushInt(b, i);
            ce.bind.shape(b, vs.get(i).type().shape());
            b.visitInsn(AASTORE);
        }
    }

    private static void axes(MethodVisitor b, List<Value> vs, long axis) {
        BindTable.pushInt(b, vs.size());
        b.visitIntInsn(NEWARRAY, T_INT);
        for (int i = 0; i < vs.size(); i++) {
            b.visitInsn(DUP);
            BindTable.pushInt(b, i);
            BindTable.pushInt(b, norm(axis, vs.get(i).type().rank()));
            b.visitInsn(IASTORE);
        }
    }

    /** Pushes a new int[] holding each value's element count under the binding. */
    private static void numels(ClassEmitter ce, MethodVisitor b, List<Value> vs) {
        BindTable.pushInt(b, vs.size());
        b.visitIntInsn(NEWARRAY, T_INT);
        for (int i = 0; i < vs.size(); i++) {
            b.visitInsn(DUP);
            BindTable.pushInt(b, i);
            ce.bind.dim(b, vs.get(i).type().shape().numel());
            b.visitInsn(IASTORE);
        }
    }

    private static boolean isFloat(Value v) { return KernelEmitter.isFloat(v.type().dtype()); }

    /** Pushes a new boolean[] holding {@code test} of each value. */
    private static void booleans(MethodVisitor b, List<Value> vs, java.util.function.Predicate<Value> test) {
        BindTable.pushInt(b, vs.size());
        b.visitIntInsn(NEWARRAY, T_BOOLEAN);
        for (int i = 0; i < vs.size(); i++) {
            b.visitInsn(DUP);
            BindTable.pushInt(b, i);
            b.visitInsn(test.test(vs.get(i)) ? ICONST_1 : ICONST_0);
            b.visitInsn(BASTORE);
        }
    }
}
