package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Shape;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.*;

/**
 * Everything a generated class computes once per binding of its shape symbols, collected while
 * its methods are written and emitted last as the {@code bind} method: the dim table {@code d},
 * symbolic shapes as {@code int[]} fields, constant arrays (static fields set in {@code <clinit>})
 * and the sizes of buffers (slots and kernel scratch arrays).
 */
final class BindTable implements Opcodes {
    static final String RT = "dlc/runtime/";
    /** The numeric definitions shared with the reference interpreter (dlc-numerics: Ints, Half, Rng), carried by model jars beside the runtime. */
    static final String NUM = "dlc/numerics/";
    static final String BASE = RT + "CompiledGraph";

    final String owner;
    final List<String> symbols;
    private final Map<Dim, Integer> dims = new LinkedHashMap<>();
    private final Map<Shape, Integer> shapes = new LinkedHashMap<>();
    private final List<Object> constants = new ArrayList<>();
    private final Map<String, Integer> constantIndex = new HashMap<>();
    /** Members of each float slot / double slot: the element counts whose maximum sizes it. */
    final List<List<Dim>> floatSlots = new ArrayList<>(), doubleSlots = new ArrayList<>();
    /** Kernel scratch: key "f3"/"d0" (storage + slot number) -> slot index in fs/ds. */
    private final Map<String, Integer> scratch = new HashMap<>();

    BindTable(String owner, List<String> symbols) {
        this.owner = owner;
        this.symbols = symbols;
    }

    /** Pushes the int value of {@code d}. */
    void dim(MethodVisitor mv, Dim d) {
        if (d.isConst()) {
            pushInt(mv, KernelArgs.constInt(d));
            return;
        }
        int k = dims.computeIfAbsent(d, x -> dims.size());
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, owner, "d", "[I");
        pushInt(mv, k);
        mv.visitInsn(IALOAD);
    }

    /** Pushes an int[] with the values of {@code s}. */
    void shape(MethodVisitor mv, Shape s) {
        if (s.isConcrete()) {
            int[] v = new int[s.rank()];
            for (int i = 0; i < v.length; i++) v[i] = KernelArgs.constInt(s.dim(i));
            constant(mv, v);
            return;
        }
        int k = shapes.computeIfAbsent(s, x -> shapes.size());
        for (Dim d : s.dims()) if (!d.isConst()) dims.computeIfAbsent(d, x -> dims.size());
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, owner, "sh", "[[I");
        pushInt(mv, k);
        mv.visitInsn(AALOAD);
    }

    /** Pushes a constant int[] or double[] (a static field). */
    void constant(MethodVisitor mv, Object array) {
        String key = array instanceof int[] a ? "I" + Arrays.toString(a) : "D" + Arrays.toString((double[]) array);
        int k = constantIndex.computeIfAbsent(key, x -> {
            constants.add(array);
            return constants.size() - 1;
        });
        mv.visitFieldInsn(GETSTATIC, owner, "c" + k, array instanceof int[] ? "[I" : "[D");
    }

    /** A new slot of the given storage; returns its index. */
    int newSlot(boolean isFloat) {
        List<List<Dim>> pool = isFloat ? floatSlots : doubleSlots;
        pool.add(new ArrayList<>());
        return pool.size() - 1;
    }

    /** The slot of kernel scratch array {@code slot} of a storage type, sized to at least {@code numel}. */
    int scratchSlot(DType t, Dim numel, int slot) {
        boolean f = KernelEmitter.isFloat(t);
        int k = scratch.computeIfAbsent((f ? "f" : "d") + slot, x -> newSlot(f));
        (f ? floatSlots : doubleSlots).get(k).add(numel);
        return k;
    }

    static void pushInt(MethodVisitor mv, int v) {
        if (v >= -1 && v <= 5) mv.visitInsn(ICONST_0 + v);
        else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) mv.visitIntInsn(BIPUSH, v);
        else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) mv.visitIntInsn(SIPUSH, v);
        else mv.visitLdcInsn(v);
    }

    /** Declares the static constant fields and writes {@code <clinit>} that fills them. */
    void emitConstants(org.objectweb.asm.ClassVisitor cv) {
        for (int k = 0; k < constants.size(); k++)
            cv.visitField(ACC_PRIVATE | ACC_STATIC | ACC_FINAL, "c" + k, constants.get(k) instanceof int[] ? "[I" : "[D", null, null).visitEnd();
        cv.visitField(ACC_PRIVATE | ACC_STATIC | ACC_FINAL, "SYMBOLS", "[Ljava/lang/String;", null, null).visitEnd();
        MethodVisitor mv = cv.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
        mv.visitCode();
        for (int k = 0; k < constants.size(); k++) {
            Object c = constants.get(k);
            int n = c instanceof int[] a ? a.length : ((double[]) c).length;
            pushInt(mv, n);
            mv.visitIntInsn(NEWARRAY, c instanceof int[] ? T_INT : T_DOUBLE);
            for (int i = 0; i < n; i++) {
                mv.visitInsn(DUP);
                pushInt(mv, i);
                if (c instanceof int[] a) {
                    pushInt(mv, a[i]);
                    mv.visitInsn(IASTORE);
                } else {
                    mv.visitLdcInsn(((double[]) c)[i]);
                    mv.visitInsn(DASTORE);
                }
            }
            mv.visitFieldInsn(PUTSTATIC, owner, "c" + k, c instanceof int[] ? "[I" : "[D");
        }
        pushInt(mv, symbols.size());
        mv.visitTypeInsn(ANEWARRAY, "java/lang/String");
        for (int i = 0; i < symbols.size(); i++) {
            mv.visitInsn(DUP);
            pushInt(mv, i);
            mv.visitLdcInsn(symbols.get(i));
            mv.visitInsn(AASTORE);
        }
        mv.visitFieldInsn(PUTSTATIC, owner, "SYMBOLS", "[Ljava/lang/String;");
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /**
     * Writes {@code bind(long[])}: the dim table, the symbolic shapes and every slot sized to the
     * largest of its members. {@code extra} appends more work (scan runners) after the buffers.
     */
    void emitBind(org.objectweb.asm.ClassVisitor cv, java.util.function.Consumer<MethodVisitor> extra) {
        cv.visitField(ACC_PRIVATE, "sh", "[[I", null, null).visitEnd();
        // register every dim the method will read before the dim table is written
        for (List<Dim> pool : List.of(floatSlots, doubleSlots).stream().flatMap(List::stream).toList())
            for (Dim d : pool) if (!d.isConst()) dims.computeIfAbsent(d, x -> dims.size());
        extra.accept(new MethodVisitor(ASM9) { });
        MethodVisitor mv = cv.visitMethod(ACC_PROTECTED, "bind", "([J)V", null, null);
        mv.visitCode();
        // d = new int[n]; d[k] = Dims.evalInt(text, SYMBOLS, symbols)
        mv.visitVarInsn(ALOAD, 0);
        pushInt(mv, dims.size());
        mv.visitIntInsn(NEWARRAY, T_INT);
        mv.visitFieldInsn(PUTFIELD, owner, "d", "[I");
        for (var e : dims.entrySet()) {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitFieldInsn(GETFIELD, owner, "d", "[I");
            pushInt(mv, e.getValue());
            mv.visitLdcInsn(e.getKey().toString());
            mv.visitFieldInsn(GETSTATIC, owner, "SYMBOLS", "[Ljava/lang/String;");
            mv.visitVarInsn(ALOAD, 1);
            mv.visitMethodInsn(INVOKESTATIC, RT + "Dims", "evalInt", "(Ljava/lang/String;[Ljava/lang/String;[J)I", false);
            mv.visitInsn(IASTORE);
        }
        mv.visitVarInsn(ALOAD, 0);
        pushInt(mv, shapes.size());
        mv.visitTypeInsn(ANEWARRAY, "[I");
        mv.visitFieldInsn(PUTFIELD, owner, "sh", "[[I");
        for (var e : shapes.entrySet()) {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitFieldInsn(GETFIELD, owner, "sh", "[[I");
            pushInt(mv, e.getValue());
            Shape s = e.getKey();
            pushInt(mv, s.rank());
            mv.visitIntInsn(NEWARRAY, T_INT);
            for (int i = 0; i < s.rank(); i++) {
                mv.visitInsn(DUP);
                pushInt(mv, i);
                dim(mv, s.dim(i));
                mv.visitInsn(IASTORE);
            }
            mv.visitInsn(AASTORE);
        }
        slots(mv, true);
        slots(mv, false);
        extra.accept(mv);
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private void slots(MethodVisitor mv, boolean isFloat) {
        List<List<Dim>> pool = isFloat ? floatSlots : doubleSlots;
        String field = isFloat ? "fs" : "ds", arr = isFloat ? "[F" : "[D", arrs = isFloat ? "[[F" : "[[D";
        // if (fs.length != n) fs = new float[n][];
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, owner, field, arrs);
        mv.visitInsn(ARRAYLENGTH);
        pushInt(mv, pool.size());
        org.objectweb.asm.Label same = new org.objectweb.asm.Label();
        mv.visitJumpInsn(IF_ICMPEQ, same);
        mv.visitVarInsn(ALOAD, 0);
        pushInt(mv, pool.size());
        mv.visitTypeInsn(ANEWARRAY, arr);
        mv.visitFieldInsn(PUTFIELD, owner, field, arrs);
        mv.visitLabel(same);
        for (int k = 0; k < pool.size(); k++) {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitFieldInsn(GETFIELD, owner, field, arrs);
            pushInt(mv, k);
            mv.visitInsn(DUP2);
            mv.visitInsn(AALOAD);
            List<Dim> members = pool.get(k);
            if (members.isEmpty()) pushInt(mv, 0);
            else {
                dim(mv, members.get(0));
                for (int i = 1; i < members.size(); i++) {
                    dim(mv, members.get(i));
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(II)I", false);
                }
            }
            mv.visitMethodInsn(INVOKESTATIC, BASE, "ensure", "(" + arr + "I)" + arr, false);
            mv.visitInsn(AASTORE);
        }
    }
}
