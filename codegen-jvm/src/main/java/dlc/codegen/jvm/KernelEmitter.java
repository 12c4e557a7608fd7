package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Shape;
import dlc.ir.Value;
import org.objectweb.asm.MethodVisitor;

/**
 * What a kernel call's code ({@link Lowering.KernelCode}) may use to emit the call of one node's
 * runtime kernel into the generated method that runs the node. Every push leaves exactly one value
 * on the operand stack.
 *
 * <p>Storage (see {@code dlc.runtime.CompiledGraph}): an f32 value lives in a {@code float[]},
 * every other dtype in a {@code double[]}, dense and row-major from {@link #offset} on.
 */
public interface KernelEmitter {
    /** The method being written; emit plain instructions with it (e.g. {@code mv().visitInsn(ICONST_1)}). */
    MethodVisitor mv();

    /** Pushes the array that holds {@code v} ({@code float[]} when f32, else {@code double[]}). */
    void array(Value v);

    /** Pushes {@code v}'s first element index in its array (an int). */
    void offset(Value v);

    /** Pushes a dim's value under the current binding (an int). */
    void dim(Dim d);

    /** Pushes an {@code int[]} with the values of {@code s}'s dims under the current binding (filled at bind, never allocated per run). */
    void shape(Shape s);

    /** Pushes a constant int (any size). */
    void pushInt(int v);

    /** Pushes a constant long. */
    void pushLong(long v);

    /** Pushes a constant double. */
    void pushDouble(double v);

    /** Pushes a constant {@code int[]} (a static field of the generated class; do not write to it). */
    void ints(int[] values);

    /** Pushes a constant {@code double[]} (a static field of the generated class; do not write to it). */
    void doubles(double[] values);

    /**
     * Pushes a scratch array of {@code numel} elements ({@code float[]} for f32, else
     * {@code double[]}), sized at bind and private to the node being emitted; {@code slot}
     * distinguishes several scratch arrays of one node (0, 1, ...). Its contents are undefined on entry.
     */
    void scratch(DType dtype, Dim numel, int slot);

    /**
     * When {@code v} is a transposed view (the result of a permute swapping the last two axes that
     * was not copied because only matmuls read it), the value whose storage holds it: {@code v}'s
     * matrices are that value's, transposed. Null for an ordinary value.
     */
    default Value transposedSource(Value v) { return null; }

    /**
     * Whether {@code v} is a weight input compiled narrow ({@code JvmCompiler.compile} with weight
     * formats): its storage is a {@code dlc.runtime.NarrowMatrix}, which only the matmul kernel reads.
     */
    default boolean isNarrow(Value v) { return false; }

    /** Pushes the {@code dlc.runtime.NarrowMatrix} of a narrow weight input ({@link #isNarrow}). */
    default void narrow(Value v) { throw new UnsupportedOperationException(v + " is not a narrow weight"); }

    /** Emits INVOKESTATIC of a runtime kernel, e.g. {@code invoke(Conv.class, "conv2d", "(...)V")}. */
    void invoke(Class<?> owner, String method, String descriptor);

    /** The JVM array descriptor of a value's storage: {@code "[F"} for f32, else {@code "[D"}. */
    static String arrayDesc(Value v) { return isFloat(v.type().dtype()) ? "[F" : "[D"; }

    /** Whether a dtype is stored as float (f32) rather than double. */
    static boolean isFloat(DType t) { return t == DType.F32; }
}
