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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link KernelEmitter} that runs what a lowering emits instead of writing bytecode: pushes go
 * onto a Java list and {@link #invoke} calls the kernel by reflection, after checking that the
 * pushed values fit the descriptor. It tests a lowering's argument order, attribute encoding and
 * scratch sizes without the class emitter. Only ACONST_NULL is accepted through {@link #mv}.
 */
final class ImmediateEmitter implements KernelEmitter {
    private final Map<Value, Object> arrays = new IdentityHashMap<>();
    private final Map<Value, Integer> offsets = new IdentityHashMap<>();
    private final Map<String, Long> dims;
    private final List<Object> stack = new ArrayList<>();
    int calls;

    ImmediateEmitter(Map<String, Long> dims) { this.dims = dims; }

    /** Floats of the last scratch of slot 0 the lowering asked for (tests compare it with the runtime's needs). */
    int scratch0 = -1;

    /** Gives {@code v} its storage: {@code array} (float[] or double[]) from {@code offset}. */
    void bind(Value v, Object array, int offset) {
        arrays.put(v, array);
        offsets.put(v, offset);
    }

    @Override public MethodVisitor mv() {
        return new MethodVisitor(Opcodes.ASM9) {
            @Override public void visitInsn(int opcode) {
                if (opcode != Opcodes.ACONST_NULL) throw new UnsupportedOperationException("ImmediateEmitter runs only ACONST_NULL, got opcode " + opcode);
                stack.add(null);
            }
        };
    }

    @Override public void array(Value v) {
        Object a = arrays.get(v);
        if (a == null) throw new IllegalStateException("no storage bound for " + v);
        if ((a instanceof float[]) != KernelEmitter.isFloat(v.type().dtype()))
            throw new IllegalStateException(v + " is bound to the wrong kind of array");
        stack.add(a);
    }

    @Override public void offset(Value v) { stack.add(offsets.get(v)); }

    @Override public void dim(Dim d) { stack.add(Math.toIntExact(d.eval(dims))); }

    @Override public void shape(Shape s) { stack.add(s.eval(dims)); }

    @Override public void pushInt(int v) { stack.add(v); }

    @Override public void pushLong(long v) { stack.add(v); }

    @Override public void pushDouble(double v) { stack.add(v); }

    @Override public void ints(int[] values) { stack.add(values.clone()); }

    @Override public void doubles(double[] values) { stack.add(values.clone()); }

    /** Scratch starts as NaN garbage: a kernel must not read what it did not write. */
    @Override public void scratch(DType dtype, Dim numel, int slot) {
        int n = Math.toIntExact(numel.eval(dims));
        if (slot == 0) scratch0 = n;
        if (KernelEmitter.isFloat(dtype)) {
            float[] a = new float[n];
            Arrays.fill(a, Float.NaN);
            stack.add(a);
        } else {
            double[] a = new double[n];
            Arrays.fill(a, Double.NaN);
            stack.add(a);
        }
    }

    @Override public void invoke(Class<?> owner, String method, String descriptor) {
        Method m = Arrays.stream(owner.getMethods())
                .filter(c -> c.getName().equals(method) && Type.getMethodDescriptor(c).equals(descriptor))
                .findFirst().orElseThrow(() -> new IllegalStateException("no " + owner.getName() + "." + method + descriptor));
        Class<?>[] params = m.getParameterTypes();
        if (stack.size() != params.length)
            throw new IllegalStateException(method + descriptor + " takes " + params.length + " arguments, " + stack.size() + " were pushed");
        Object[] args = stack.toArray();
        for (int i = 0; i < params.length; i++) {
            if (params[i] == boolean.class && args[i] instanceof Integer b) args[i] = b != 0;
            boolean fits = params[i].isPrimitive()
                    ? args[i] != null && (params[i] == int.class ? args[i] instanceof Integer : params[i] == boolean.class ? args[i] instanceof Boolean
                    : params[i] == long.class ? args[i] instanceof Long : args[i] instanceof Double)
                    : args[i] == null || params[i].isInstance(args[i]);
            if (!fits) throw new IllegalStateException(method + descriptor + " argument " + i + " should be " + params[i].getSimpleName() + ", got " + args[i]);
        }
        stack.clear();
        calls++;
        try {
            m.invoke(null, args);
        } catch (InvocationTargetException ex) {
            if (ex.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(ex.getCause());
        } catch (IllegalAccessException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
