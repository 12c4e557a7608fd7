package dlc.passes.memory;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.OpTrait;
import dlc.ir.OpDef.Kind;
import dlc.ir.Value;
import dlc.ir.ops.Ops;

import java.util.*;

/**
 * What a backend tells the {@link MemoryPlanner} about the nodes it runs: which results are views
 * of an operand's memory, which values a node stores besides its results (a fusion group's
 * internal buffers), and which results may be written over an operand (in place) or over the
 * input they update (donation). The planner makes every decision that depends on lifetimes and
 * the graph; the backend answers only for what its code reads and writes.
 */
public interface Materialization {
    /** How elements are stored (bytes per element, storage kinds). */
    ElementStorage storage();

    /** Whether {@code n}'s single result is a view of its first operand's memory (no storage, no code). */
    boolean isView(Node n);

    /**
     * Values {@code n} stores besides its results while it runs (a group's intermediate buffers,
     * such as a reduction's result inside a fusion group); each is live only at {@code n}.
     */
    default List<Value> temporaries(Node n) { return List.of(); }

    /**
     * Whether {@code n}'s code may write {@code result} into the memory of {@code operand}, an
     * operand of {@code n} of the same shape and storage kind that no one reads after {@code n}:
     * true only when every element of the operand is read before (or where) the same element of
     * the result is written.
     */
    boolean mayWriteInPlace(Node n, Value result, Value operand);

    /**
     * Whether {@code n}'s code may write the UPDATE output {@code update} into the memory of the
     * graph input {@code input} it updates (same type, read by nothing after {@code n};
     * {@code readByNode}: {@code n} itself reads it).
     */
    boolean mayDonate(Node n, Value update, Value input, boolean readByNode);

    /**
     * The backend-neutral answers, with native element sizes: reshape and stop_gradient are
     * views; an elementwise node (or a fusion group of elementwise and broadcast ops) may write
     * in place over an operand; an update may take over its input when the input dies before the
     * update's node, or at it when the node reads it element by element.
     */
    static Materialization standard() {
        return new Materialization() {
            @Override public ElementStorage storage() { return ElementStorage.NATIVE; }

            @Override public boolean isView(Node n) { return n.op().is(OpTrait.ALIAS); }

            @Override public boolean mayWriteInPlace(Node n, Value result, Value operand) { return elementwise(n); }

            @Override public boolean mayDonate(Node n, Value update, Value input, boolean readByNode) {
                return !readByNode || alignedReader(n, input);
            }
        };
    }

    /** Whether every result element of {@code n} depends only on the same element of each same-shaped operand. */
    static boolean elementwise(Node n) {
        if (n.regions().isEmpty()) return n.op().kind() == Kind.ELEMENTWISE;
        if (n.op() != Ops.FUSION) return false;
        return n.regions().get(0).nodes().stream().allMatch(m -> m.regions().isEmpty()
                && (m.op().kind() == Kind.ELEMENTWISE || m.op().kind() == Kind.BROADCAST
                    || m.op().kind() == Kind.INJECTIVE && m.inputs().isEmpty()));
    }

    /**
     * Whether node {@code n} reads {@code operand} element by element, so that a result of the
     * operand's shape may be written over it: a plain elementwise op, or a fusion group in which
     * every op that depends on the operand (directly or through other ops) is elementwise with a
     * result of the operand's shape. A matmul epilogue qualifies when the operand enters only the
     * epilogue (Adam's m, v and parameter after the weight gradient's matmul); a transpose,
     * broadcast or reduction of anything computed from the operand does not.
     */
    static boolean alignedReader(Node n, Value operand) {
        if (n.regions().isEmpty()) return n.op().kind() == Kind.ELEMENTWISE;
        if (n.op() != Ops.FUSION) return false;
        Graph body = n.regions().get(0);
        Set<Value> tainted = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int k = 0; k < n.inputs().size(); k++) if (n.input(k) == operand) tainted.add(body.inputs().get(k));
        for (Node m : body.nodes()) {
            if (m.inputs().stream().noneMatch(tainted::contains)) continue;
            if (!m.regions().isEmpty() || m.op().kind() != Kind.ELEMENTWISE) return false;
            for (Value out : m.outputs()) {
                if (!out.type().shape().equals(operand.type().shape())) return false;
                tainted.add(out);
            }
        }
        return true;
    }
}
