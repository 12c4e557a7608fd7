package dlc.codegen.opencl;

import dlc.ir.Node;

import java.util.List;

/**
 * How the OpenCL backend lowers one op: an entry of the {@link ClLoweringTable}. The kinds are the
 * JVM backend's, each read by one part of the graph compiler ({@link Visitor}):
 * <ul>
 *   <li>{@link Inline}: an OpenCL C expression evaluated in registers at each point of a generated
 *       kernel ({@link GroupKernels}); elementwise and broadcast ops;</li>
 *   <li>{@link Reduction}: a generated kernel accumulating over the reduced axes, its operand's
 *       expression evaluated inline at each point;</li>
 *   <li>{@link Alias}: no code, the result is its operand's memory (reshape, stop_gradient);</li>
 *   <li>{@link KernelCall}: a kernel on materialized buffers (a library kernel such as the GEMM,
 *       or a generated index-mapping kernel such as permute), or a loud "not supported yet";</li>
 *   <li>{@link Region}: an op that holds a graph (a fusion group; a scan, {@link ClScan}).</li>
 * </ul>
 */
public sealed interface ClLowering {
    <R> R accept(Node n, Visitor<R> v);

    /** Fails, naming the op and where it is, when this entry cannot lower {@code n} (checked when the graph compiles). */
    default void check(Node n) { }

    interface Visitor<R> {
        R inline(Node n, Inline how);

        R reduction(Node n, Reduction how);

        R alias(Node n, Alias how);

        R kernel(Node n, KernelCall how);

        R region(Node n, Region how);
    }

    /**
     * The OpenCL C expression of one op at one point: {@code operands} are expressions of the
     * node's operands in their register types ({@link ClTypes#register}); the result is an
     * expression of the result's register type.
     */
    @FunctionalInterface
    interface Expression {
        String emit(Node n, List<String> operands);
    }

    /** What the graph compiler offers a kernel call: generated kernels, buffer homes, the launch list. */
    interface KernelContext {
        /** A new generated kernel (its source joins the graph's one program); launched when its step runs. */
        KernelWriter kernel(String what);

        /** Adds a step to the graph's launch list. */
        void step(ClStep step);

        /** The value whose memory holds {@code v} (itself at top level; inside a group the outer value or a temporary). */
        dlc.ir.Value home(dlc.ir.Value v);
    }

    /** The lowering of one node run as a kernel: adds its steps (and generated kernels) to the context. */
    @FunctionalInterface
    interface KernelCode {
        void lower(Node n, KernelContext cx);
    }

    /**
     * Inline OpenCL C; {@code unsupported}, when not null, says for which nodes the expression
     * does not exist yet (checked at compile time, see {@link #check}).
     */
    record Inline(Expression code, java.util.function.Function<Node, String> unsupported) implements ClLowering {
        Inline(Expression code) { this(code, n -> null); }

        @Override public <R> R accept(Node n, Visitor<R> v) { return v.inline(n, this); }

        @Override public void check(Node n) {
            String why = unsupported.apply(n);
            if (why != null) throw ClLoweringTable.notYet(n, why);
        }
    }

    /** How a reduction kernel combines its accumulator with the next element. */
    enum Combine { ADD, MAX, MIN }

    /** A reduction over the {@code axes} attribute; {@code divideByCount} for a mean. */
    record Reduction(Combine combine, boolean divideByCount) implements ClLowering {
        @Override public <R> R accept(Node n, Visitor<R> v) { return v.reduction(n, this); }
    }

    /**
     * The result is its operand's memory. {@code inNest}: a generated kernel reads the operand
     * straight through (stop_gradient); otherwise the group keeps the operand in memory and
     * shares it (reshape).
     */
    record Alias(boolean inNest) implements ClLowering {
        @Override public <R> R accept(Node n, Visitor<R> v) { return v.alias(n, this); }
    }

    /** A kernel on materialized buffers; {@code code} may refuse a node at compile time with a clear message. */
    record KernelCall(KernelCode code, java.util.function.Function<Node, String> unsupported) implements ClLowering {
        KernelCall(KernelCode code) { this(code, n -> null); }

        @Override public <R> R accept(Node n, Visitor<R> v) { return v.kernel(n, this); }

        @Override public void check(Node n) {
            String why = unsupported.apply(n);
            if (why != null) throw ClLoweringTable.notYet(n, why);
        }
    }

    /** An op holding a graph; {@code supported} false for one the backend cannot run yet (none now). */
    record Region(boolean supported) implements ClLowering {
        @Override public <R> R accept(Node n, Visitor<R> v) { return v.region(n, this); }

        @Override public void check(Node n) {
            if (!supported) throw ClLoweringTable.notYet(n, null);
        }
    }

    /** Two explicit lowerings of one op, chosen per node: {@code when} ({@code why} says when) picks {@code ifTrue}. */
    record ByNode(String why, java.util.function.Predicate<Node> when, ClLowering ifTrue, ClLowering ifFalse) implements ClLowering {
        ClLowering pick(Node n) { return when.test(n) ? ifTrue : ifFalse; }

        @Override public <R> R accept(Node n, Visitor<R> v) { return pick(n).accept(n, v); }

        @Override public void check(Node n) { pick(n).check(n); }
    }
}
