package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Shape;
import dlc.ir.Value;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A test-only {@link KernelEmitter} that runs a lowering's instructions without the class emitter:
 * it wraps them in {@code static void run(Object[] arrays, int[][] shapes)}, each value's storage
 * being {@code arrays[i]} at offset 0 and each shape a concrete {@code int[]} evaluated up front.
 * Proves that what a lowering emits verifies and calls the runtime with the right arguments.
 */
final class DirectKernelEmitter implements KernelEmitter {
    private final ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
    private final MethodVisitor mv;
    private final Map<String, Long> env;
    private final Map<Value, Integer> slots = new IdentityHashMap<>();
    private final List<int[]> shapes = new ArrayList<>();

    DirectKernelEmitter(Map<String, Long> env) {
        this.env = env;
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, "dlc/gen/Direct", null, "java/lang/Object", null);
        mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "run", "([Ljava/lang/Object;[[I)V", null, null);
        mv.visitCode();
    }

    /** The index in {@code arrays} that holds {@code v}'s storage. */
    int slot(Value v) { return slots.computeIfAbsent(v, x -> slots.size()); }

    @Override public MethodVisitor mv() { return mv; }

    @Override public void array(Value v) {
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        pushInt(slot(v));
        mv.visitInsn(Opcodes.AALOAD);
        mv.visitTypeInsn(Opcodes.CHECKCAST, KernelEmitter.arrayDesc(v));
    }

    @Override public void offset(Value v) { pushInt(0); }

    @Override public void dim(Dim d) { pushInt((int) d.eval(env)); }

    @Override public void shape(Shape s) {
        shapes.add(s.eval(env));
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        pushInt(shapes.size() - 1);
        mv.visitInsn(Opcodes.AALOAD);
    }

    @Override public void pushInt(int v) { mv.visitLdcInsn(v); }

    @Override public void pushLong(long v) { mv.visitLdcInsn(v); }

    @Override public void pushDouble(double v) { mv.visitLdcInsn(v); }

    @Override public void ints(int[] values) { shape(Shape.of(java.util.Arrays.stream(values).asLongStream().toArray())); }

    @Override public void doubles(double[] values) { throw new UnsupportedOperationException("not needed by the matmul lowering"); }

    @Override public void scratch(DType dtype, Dim numel, int slot) { throw new UnsupportedOperationException("not needed by the matmul lowering"); }

    @Override public void invoke(Class<?> owner, String method, String descriptor) {
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, Type.getInternalName(owner), method, descriptor, false);
    }

    /** Finishes the method, defines the class and runs it on {@code arrays} (indexed by {@link #slot}). */
    void run(Object[] arrays) throws Exception {
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        byte[] bytes = cw.toByteArray();
        Class<?> c = new CompiledClasses.GeneratedClassLoader(Map.of("dlc.gen.Direct", bytes)).loadClass("dlc.gen.Direct");
        Method run = c.getMethod("run", Object[].class, int[][].class);
        run.invoke(null, arrays, shapes.toArray(new int[0][]));
    }
}
