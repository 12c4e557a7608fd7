package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Shape;
import dlc.ir.Value;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A {@link KernelEmitter} that runs what a lowering emits instead of writing bytecode: pushes go
 * on an operand stack, {@code invoke} calls the runtime kernel by reflection (found by name and
 * exact descriptor, so a wrong descriptor fails), {@code mv()} executes the few instructions the
 * lowerings use. Dims are evaluated under a symbol binding. It tests the lowerings' argument
 * order, descriptors and dim arithmetic without the class emitter.
 */
final class FakeEmitter implements KernelEmitter {
    private final Map<String, Long> env;
    private final Map<Value, Object> arrays = new IdentityHashMap<>();
    private final Map<Value, Integer> offsets = new IdentityHashMap<>();
    private final Deque<Object> stack = new ArrayDeque<>();
    private final Map<Integer, Object> scratch = new java.util.HashMap<>();

    FakeEmitter(Map<String, Long> env) { this.env = env; }

    /** Places a value's storage (float[] or double[]) at an offset. */
    void bind(Value v, Object array, int offset) {
        arrays.put(v, array);
        offsets.put(v, offset);
    }

    /** Checks that the lowering left nothing behind. */
    void checkBalanced() {
        if (!stack.isEmpty()) throw new AssertionError("the lowering left " + stack.size() + " values on the stack: " + stack);
    }

    private final MethodVisitor mv = new MethodVisitor(Opcodes.ASM9) {
        @Override public void visitInsn(int opcode) {
            if (opcode == Opcodes.IADD) {
                int b = (Integer) stack.pop(), a = (Integer) stack.pop();
                stack.push(a + b);
            } else throw new UnsupportedOperationException("FakeEmitter does not run opcode " + opcode);
        }

        @Override public void visitIntInsn(int opcode, int operand) { throw new UnsupportedOperationException("opcode " + opcode); }

        @Override public void visitVarInsn(int opcode, int var) { throw new UnsupportedOperationException("opcode " + opcode); }

        @Override public void visitLdcInsn(Object value) { throw new UnsupportedOperationException("ldc " + value); }

        @Override public void visitFieldInsn(int opcode, String owner, String name, String d) { throw new UnsupportedOperationException("field " + name); }

        @Override public void visitMethodInsn(int opcode, String owner, String name, String d, boolean itf) { throw new UnsupportedOperationException("call " + name); }
    };

    @Override public MethodVisitor mv() { return mv; }

    @Override public void array(Value v) {
        Object a = arrays.get(v);
        if (a == null) throw new AssertionError("no storage bound for " + v);
        String want = KernelEmitter.arrayDesc(v);
        if (!(want.equals("[F") ? a instanceof float[] : a instanceof double[])) throw new AssertionError(v + " is not stored as " + want);
        stack.push(a);
    }

    @Override public void offset(Value v) { stack.push(offsets.get(v)); }

    @Override public void dim(Dim d) { stack.push(Math.toIntExact(d.eval(env))); }

    @Override public void shape(Shape s) {
        int[] a = new int[s.rank()];
        for (int i = 0; i < a.length; i++) a[i] = Math.toIntExact(s.dim(i).eval(env));
        stack.push(a);
    }

    @Override public void pushInt(int v) { stack.push(v); }

    @Override public void pushLong(long v) { stack.push(v); }

    @Override public void pushDouble(double v) { stack.push(v); }

    @Override public void ints(int[] values) { stack.push(values.clone()); }

    @Override public void doubles(double[] values) { stack.push(values.clone()); }

    @Override public void scratch(DType dtype, Dim numel, int slot) {
        int n = Math.toIntExact(numel.eval(env));
        Object a = KernelEmitter.isFloat(dtype) ? new float[n] : new double[n];
        // contents are undefined on entry: make stale data visible
        if (a instanceof float[] f) java.util.Arrays.fill(f, Float.NaN); else java.util.Arrays.fill((double[]) a, Double.NaN);
        if (scratch.put(slot, a) != null) throw new AssertionError("scratch slot " + slot + " pushed twice");
        stack.push(a);
    }

    @Override public void invoke(Class<?> owner, String method, String descriptor) {
        Method m = null;
        for (Method c : owner.getMethods())
            if (c.getName().equals(method) && Type.getMethodDescriptor(c).equals(descriptor)) m = c;
        if (m == null) throw new AssertionError("no method " + owner.getSimpleName() + "." + method + descriptor);
        Class<?>[] types = m.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = types.length - 1; i >= 0; i--) {
            Object v = stack.pop();
            if (types[i] == boolean.class) v = ((Integer) v) != 0;
            args[i] = v;
        }
        try {
            Object r = m.invoke(null, args);
            if (m.getReturnType() != void.class) stack.push(r);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new AssertionError(e.getCause());
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
