package dlc.codegen.jvm;

import dlc.ir.Node;
import dlc.ir.Value;
import dlc.runtime.Gemm;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.List;
import java.util.function.Predicate;

/**
 * How the JVM backend lowers one op: an entry of the {@link LoweringTable}. There are five kinds,
 * and each has one emitter that visits it ({@link Visitor}):
 * <ul>
 *   <li>{@link Inline}: scalar code evaluated at each point of a loop nest ({@link NestEmitter},
 *       the code from {@link ElementwiseCode}); elementwise and broadcast ops;</li>
 *   <li>{@link Reduction}: a loop nest over the operand accumulating into the result
 *       ({@link NestEmitter});</li>
 *   <li>{@link Alias}: no code, the result is its operand's buffer (reshape, stop_gradient);</li>
 *   <li>{@link KernelCall}: a call of a runtime kernel on materialized buffers
 *       ({@link KernelCode} through a {@link KernelEmitter}); matmul, convolution, movement, ...;</li>
 *   <li>{@link Region}: an op that holds a graph (scan: a nested class; fusion: a group of loop
 *       nests and kernel calls, {@link GroupEmitter}).</li>
 * </ul>
 * An op whose lowering depends on its operands' types is a {@link ByNode} entry, which picks one
 * of two explicit entries per node (f32 exp: a vector-math kernel call; f64 exp: inline code).
 */
public sealed interface Lowering {
    /** The concrete lowering of node {@code n} (this entry unless it chooses per node), visited. */
    <R> R accept(Node n, Visitor<R> v);

    /** The scalar code a loop nest evaluates for this op, or null when a nest cannot evaluate it. */
    default InlineCode inlineCode() { return null; }

    /** The activation code ({@code Gemm.ACT_*}) when this op can run in a matmul/conv epilogue. */
    default int epilogueActivation() { return Gemm.ACT_NONE; }

    /** Whether the op can fail on integer values (division by zero, negative power): named in the error. */
    default boolean failsOnIntegers() { return false; }

    /** One emitter per lowering kind. */
    interface Visitor<R> {
        R inline(Node n, Inline how);

        R reduction(Node n, Reduction how);

        R alias(Node n, Alias how);

        R kernel(Node n, KernelCall how);

        R region(Node n, Region how);
    }

    /**
     * The bytecode of one op at one point of a loop nest: operands are in JVM locals
     * ({@code float} for f32 values, {@code double} for every other dtype), the result is left on
     * the stack in its own storage type (see {@link ElementwiseCode}).
     */
    @FunctionalInterface
    interface InlineCode {
        void emit(MethodVisitor mv, Node n, List<Integer> locals);
    }

    /**
     * The call of a runtime kernel for one node. Every operand and result of the node is
     * materialized (has an array and an offset); the code reads operands and writes all results,
     * which never alias its operands. Implementations are stateless.
     */
    @FunctionalInterface
    interface KernelCode {
        void emit(Node node, KernelEmitter e);
    }

    /** The code of a node that holds a graph, emitted into the node's method. */
    @FunctionalInterface
    interface RegionCode {
        void emit(ClassEmitter ce, MethodVisitor mv, Node n);
    }

    /**
     * A kernel that can apply a bias add and an activation to its output in its own output loop
     * (TVM's output fusion): matmul and conv2d on the GEMM.
     */
    interface Epilogue {
        /** The {@code Gemm.BIAS_*} kind of bias {@code b} added to the anchor's result, or BIAS_NONE when it cannot be fused. */
        int biasKind(Value anchorOut, Value b);

        /** Emits {@code result = act(anchor + bias)} ({@code bias} may be null). */
        void emit(Node anchor, KernelEmitter e, Value bias, int biasKind, int act, Value result);
    }

    /**
     * Inline scalar code; {@code activation} is its {@code Gemm.ACT_*} code when a matmul/conv
     * epilogue can apply it, {@code failsOnIntegers} whether it can fail on integer operands.
     */
    record Inline(InlineCode code, int activation, boolean fails) implements Lowering {
        @Override public <R> R accept(Node n, Visitor<R> v) { return v.inline(n, this); }

        @Override public InlineCode inlineCode() { return code; }

        @Override public int epilogueActivation() { return activation; }

        @Override public boolean failsOnIntegers() { return fails; }
    }

    /** How a reduction nest combines its double accumulator with the next element. */
    enum Accumulate {
        ADD, MAX, MIN;

        /** The accumulator's start (bool max/min over nothing: false/true, as {@code ReduceOps}). */
        double identity(boolean bool) {
            return switch (this) {
                case MAX -> bool ? 0.0 : Double.NEGATIVE_INFINITY;
                case MIN -> bool ? 1.0 : Double.POSITIVE_INFINITY;
                case ADD -> 0.0;
            };
        }

        /** Combines the two doubles on the stack into one. */
        void emit(MethodVisitor mv) {
            switch (this) {
                case ADD -> mv.visitInsn(Opcodes.DADD);
                case MAX -> mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "max", "(DD)D", false);
                case MIN -> mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "min", "(DD)D", false);
            }
        }
    }

    /**
     * A reduction over the {@code axes} attribute into a double accumulator;
     * {@code divideByCount} for a mean, {@code wrapsIntegers} for a sum whose integer result
     * wraps to its dtype as the interpreter's does.
     */
    record Reduction(Accumulate accumulate, boolean divideByCount, boolean wrapsIntegers) implements Lowering {
        @Override public <R> R accept(Node n, Visitor<R> v) { return v.reduction(n, this); }
    }

    /**
     * The result is its operand's buffer. {@code inNest}: how a loop nest inside a fusion group
     * evaluates it when the shapes agree (stop_gradient: the operand itself), or null when the
     * group keeps the operand in a buffer and shares it (reshape).
     */
    record Alias(InlineCode inNest) implements Lowering {
        @Override public <R> R accept(Node n, Visitor<R> v) { return v.alias(n, this); }

        @Override public InlineCode inlineCode() { return inNest; }
    }

    /** A runtime kernel call; {@code epilogue} non-null when the kernel can fuse a bias add and activation. */
    record KernelCall(KernelCode code, Epilogue epilogue) implements Lowering {
        KernelCall(KernelCode code) { this(code, null); }

        @Override public <R> R accept(Node n, Visitor<R> v) { return v.kernel(n, this); }
    }

    /** An op holding a graph, emitted by its own emitter. */
    record Region(RegionCode code) implements Lowering {
        @Override public <R> R accept(Node n, Visitor<R> v) { return v.region(n, this); }
    }

    /**
     * Two explicit lowerings of one op, chosen per node: {@code when} holds for {@code ifTrue}
     * ({@code why} says when, for the docs and messages). Its inline code, activation and failure
     * facts are those of whichever branch has them (a fusion group may evaluate an f32 tanh fused
     * into an epilogue, say).
     */
    record ByNode(String why, Predicate<Node> when, Lowering ifTrue, Lowering ifFalse) implements Lowering {
        Lowering pick(Node n) { return when.test(n) ? ifTrue : ifFalse; }

        @Override public <R> R accept(Node n, Visitor<R> v) { return pick(n).accept(n, v); }

        @Override public InlineCode inlineCode() {
            return ifTrue.inlineCode() != null ? ifTrue.inlineCode() : ifFalse.inlineCode();
        }

        @Override public int epilogueActivation() {
            return ifTrue.epilogueActivation() != Gemm.ACT_NONE ? ifTrue.epilogueActivation() : ifFalse.epilogueActivation();
        }

        @Override public boolean failsOnIntegers() { return ifTrue.failsOnIntegers() || ifFalse.failsOnIntegers(); }
    }
}
