package dlc.passes.memory;

import dlc.ir.Graph;
import dlc.ir.Value;

import java.util.*;

/**
 * Where the values of one graph live, as planned by {@link MemoryPlanner} for one backend's
 * {@link Materialization}. The plan does not depend on the sizes of symbolic dims; {@link #layout}
 * evaluates it for a binding of them.
 *
 * <ul>
 *   <li>Graph inputs live in the caller's memory. An UPDATE output may be <em>donated</em> its
 *       input's memory (written over the input it replaces).</li>
 *   <li>A <em>view</em> (a reshape, or a backend's transpose read by matmuls) has no memory of its
 *       own: it is its operand's. {@link #root} follows views to the value that owns the memory.</li>
 *   <li>Every other value with memory is a member of one {@link Slot}: a buffer sized to its largest
 *       member, of one storage kind. Members' live intervals do not overlap, except a value written
 *       <em>in place</em> over an operand that dies at the value's node (they touch at that node).
 *       Graph outputs get slots of their own (pinned).</li>
 * </ul>
 *
 * <p>Positions: graph inputs are defined at -1, node i at i; a value is live from its definition
 * to its last use (through views), graph inputs and outputs to the end ({@code graph.nodes().size()}),
 * a donated input only to its last use; a node's temporaries only at the node.
 *
 * @param graph   the planned graph
 * @param storage how elements are stored (kinds and element sizes)
 * @param viewOf  view results: value -> the operand whose memory it is
 * @param slots   the buffers, in the order the planner made them
 * @param slotOf  each slot member -> its slot
 * @param live    each value with memory (inputs, slot members, donated updates) -> its live interval
 * @param inPlace values written over an operand that dies at their node: value -> that operand
 * @param donated UPDATE outputs written over the input they update: value -> that input
 */
public record MemoryPlan(Graph graph, ElementStorage storage, Map<Value, Value> viewOf, List<Slot> slots,
                         Map<Value, Slot> slotOf, Map<Value, Interval> live, Map<Value, Value> inPlace, Map<Value, Value> donated) {
    /** Positions {@code start..end}, both included. */
    public record Interval(int start, int end) {
        public boolean overlaps(Interval o) { return start <= o.end && o.start <= end; }
    }

    /**
     * One buffer: {@code index} among all slots, {@code kindIndex} among the slots of its storage
     * kind (the JVM's {@code fs[kindIndex]} / {@code ds[kindIndex]}); {@code pinned} slots hold a
     * graph output and nothing else.
     */
    public record Slot(int index, String kind, int kindIndex, boolean pinned, List<Value> members) { }

    /** Where a value's memory is: a graph input's (the caller's array), or a slot. */
    public sealed interface Home permits InInput, InSlot { }

    /** The memory of graph input number {@code index}. */
    public record InInput(int index) implements Home { }

    /** The memory of a slot. */
    public record InSlot(Slot slot) implements Home { }

    /** The value that owns {@code v}'s memory: {@code v} itself unless it is a view. */
    public Value root(Value v) {
        Value r = v;
        while (viewOf.containsKey(r)) r = viewOf.get(r);
        return r;
    }

    /** Where {@code v}'s memory is; IllegalArgumentException for a value the plan gave none (inside a group, say). */
    public Home home(Value v) {
        Value r = root(v);
        if (donated.containsKey(r)) r = donated.get(r);
        int input = indexOf(graph.inputs(), r);
        if (input >= 0) return new InInput(input);
        Slot s = slotOf.get(r);
        if (s == null) throw new IllegalArgumentException("the memory plan of " + graph.name() + " gives value " + v + " no memory");
        return new InSlot(s);
    }

    private static int indexOf(List<Value> values, Value v) {
        for (int i = 0; i < values.size(); i++) if (values.get(i) == v) return i;
        return -1;
    }

    /** The slots of one storage kind, in {@code kindIndex} order. */
    public List<Slot> slots(String kind) { return slots.stream().filter(s -> s.kind().equals(kind)).toList(); }

    /**
     * The plan under a binding of the symbolic dims, its slots laid out side by side in one arena,
     * each at an offset that is a multiple of {@code alignment} bytes (a device arena's base
     * alignment; 1 when each slot is an array of its own, as on the JVM). Throws
     * IllegalArgumentException naming the dims {@code bindings} leaves unbound.
     */
    public Layout layout(Map<String, Long> bindings, long alignment) {
        if (alignment < 1) throw new IllegalArgumentException("alignment must be at least 1 byte, got " + alignment);
        Map<Value, Long> bytes = new IdentityHashMap<>();
        for (Value v : live.keySet()) bytes.put(v, ByteSizes.of(v.type(), bindings, storage));
        long[] slotBytes = new long[slots.size()], offsets = new long[slots.size()];
        long top = 0;
        for (Slot s : slots) {
            long b = 0;
            for (Value v : s.members()) b = Math.max(b, bytes.get(v));
            slotBytes[s.index()] = b;
            top = Math.addExact(top, (alignment - top % alignment) % alignment);
            offsets[s.index()] = top;
            top = Math.addExact(top, b);
        }
        long inputBytes = 0;
        for (Value v : graph.inputs()) inputBytes += bytes.get(v);
        return new Layout(this, Map.copyOf(bindings), alignment, bytes, slotBytes, offsets, inputBytes, top);
    }

    /**
     * A plan's sizes under one binding.
     *
     * @param bytes      each value's size (in the plan's storage)
     * @param slotBytes  each slot's size: its largest member's
     * @param slotOffset each slot's offset in the arena
     * @param inputBytes the graph inputs' memory (the caller's, outside the arena)
     * @param arenaBytes the arena: every slot side by side, aligned
     */
    public record Layout(MemoryPlan plan, Map<String, Long> bindings, long alignment, Map<Value, Long> bytes,
                         long[] slotBytes, long[] slotOffset, long inputBytes, long arenaBytes) {
        /** The peak: the inputs plus the arena (every buffer lives as long as the compiled graph). */
        public long peakBytes() { return inputBytes + arenaBytes; }

        /** The bytes of the slots' buffers, without alignment padding: what the backend allocates. */
        public long bufferBytes() { return Arrays.stream(slotBytes).sum(); }

        /** Memory without reuse: the sum of the sizes of every value with memory. */
        public long totalBytes() { return bytes.values().stream().mapToLong(Long::longValue).sum(); }

        /**
         * A lower bound for any plan making this plan's in-place and donation choices: the most bytes
         * live together at one position (before the first node, the inputs), where a value written
         * over another counts once while both are live.
         */
        public long lowerBoundBytes() {
            Map<Object, List<Value>> units = new LinkedHashMap<>();
            for (Value v : plan.live().keySet()) units.computeIfAbsent(unit(v), k -> new ArrayList<>()).add(v);
            long best = 0;
            for (int p = -1; p < plan.graph().nodes().size(); p++) {
                long sum = 0;
                for (List<Value> members : units.values()) {
                    long most = 0;
                    for (Value v : members) {
                        Interval iv = plan.live().get(v);
                        if (iv.start() <= p && p <= iv.end()) most = Math.max(most, bytes.get(v));
                    }
                    sum += most;
                }
                best = Math.max(best, sum);
            }
            return best;
        }

        /** The memory {@code v} is in: its slot, or the graph input whose memory it has. */
        private Object unit(Value v) {
            Home h = plan.home(v);
            return h instanceof InSlot s ? s.slot() : h;
        }

        /** The arena offset of {@code v}'s memory, which must be a slot's (not a graph input's). */
        public long offset(Value v) {
            if (!(plan.home(v) instanceof InSlot s)) throw new IllegalArgumentException(v + " lives in a graph input, not in the arena");
            return slotOffset[s.slot().index()];
        }

        /**
         * Whether the memory of {@code a} and {@code b} overlaps: both in one slot (whose members
         * all start at its offset) or one graph input's; slots side by side never overlap.
         */
        public boolean shareMemory(Value a, Value b) {
            return unit(a).equals(unit(b)) && bytes.get(plan.root(a)) > 0 && bytes.get(plan.root(b)) > 0;
        }
    }
}
