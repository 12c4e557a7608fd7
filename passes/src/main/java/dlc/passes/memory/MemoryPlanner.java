package dlc.passes.memory;

import dlc.ir.*;
import dlc.ir.OpDef.Kind;

import java.util.*;

/**
 * Liveness-based buffer planning for one graph (an analysis; the graph is not changed). Nodes run
 * in graph order. Rules:
 * <ul>
 *   <li>Graph inputs (inputs, params, state) and graph outputs are pinned: each gets a buffer of
 *       its own that nothing else uses.</li>
 *   <li>In place: a result of an elementwise op, or of a fusion group of only elementwise and
 *       broadcast ops, takes over the buffer of an operand that dies at that node and has the same
 *       shape and byte size (each element is read before the same element is written).</li>
 *   <li>Otherwise a result reuses a free buffer by size class, best fit: the smallest free buffer
 *       of size between its size and twice that; failing that the largest free buffer smaller than
 *       it, grown to fit (the plan fixes buffer sizes only at the end); failing that a new buffer.</li>
 *   <li>A buffer becomes free after the last node that reads its value (a result nobody reads is
 *       free right after its node).</li>
 * </ul>
 * Values inside fusion groups are never materialized; scan bodies are not planned (their per-step
 * temporaries are the scan's own business), only the scan's operands and results are.
 */
public final class MemoryPlanner {
    private MemoryPlanner() {}

    /** Plans {@code g} with symbolic dims bound by {@code bindings}. */
    public static MemoryPlan plan(Graph g, Map<String, Long> bindings) {
        List<Node> nodes = g.nodes();
        int end = nodes.size();
        Map<Value, Long> bytes = new IdentityHashMap<>();
        Map<Value, MemoryPlan.Interval> live = new LinkedHashMap<>();
        Map<Value, Integer> lastUse = new IdentityHashMap<>();
        Set<Value> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value v : g.inputs()) pinned.add(v);
        for (Graph.Output o : g.outputs()) pinned.add(o.value());
        for (int i = 0; i < end; i++) for (Value u : nodes.get(i).inputs()) lastUse.put(u, i);

        List<Long> bufferBytes = new ArrayList<>();
        Map<Value, Integer> buffer = new IdentityHashMap<>();
        Map<Value, Value> inPlace = new IdentityHashMap<>();
        TreeMap<Long, Deque<Integer>> free = new TreeMap<>();

        for (Value v : g.inputs()) {
            bytes.put(v, ByteSizes.of(v.type(), bindings));
            live.put(v, new MemoryPlan.Interval(-1, end));
            buffer.put(v, newBuffer(bufferBytes, bytes.get(v)));
        }
        for (int i = 0; i < end; i++) {
            Node n = nodes.get(i);
            Set<Value> taken = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Value v : n.outputs()) {
                long size = ByteSizes.of(v.type(), bindings);
                bytes.put(v, size);
                boolean isPinned = pinned.contains(v);
                live.put(v, new MemoryPlan.Interval(i, isPinned ? end : lastUse.getOrDefault(v, i)));
                Value donor = isPinned ? null : inPlaceDonor(n, v, i, size, lastUse, pinned, bytes, taken);
                if (donor != null) {
                    taken.add(donor);
                    inPlace.put(v, donor);
                    buffer.put(v, buffer.get(donor));
                } else buffer.put(v, isPinned ? newBuffer(bufferBytes, size) : reuse(free, bufferBytes, size));
            }
            Set<Integer> released = new HashSet<>();
            for (Value u : n.inputs())
                if (!pinned.contains(u) && lastUse.get(u) == i && !taken.contains(u) && released.add(buffer.get(u)))
                    release(free, bufferBytes, buffer.get(u));
            for (Value v : n.outputs())
                if (!pinned.contains(v) && !lastUse.containsKey(v)) release(free, bufferBytes, buffer.get(v));
        }
        return new MemoryPlan(g, bytes, live, buffer, List.copyOf(bufferBytes), inPlace);
    }

    /** The operand whose buffer {@code v} may overwrite, or null. */
    private static Value inPlaceDonor(Node n, Value v, int i, long size, Map<Value, Integer> lastUse, Set<Value> pinned,
                                      Map<Value, Long> bytes, Set<Value> taken) {
        if (!elementwise(n)) return null;
        for (Value u : n.inputs()) // an operand read twice by the node is still read element by element
            if (!pinned.contains(u) && !taken.contains(u) && lastUse.get(u) == i && bytes.get(u) == size
                    && u.type().shape().equals(v.type().shape()))
                return u;
        return null;
    }

    /** Whether every result element depends only on the same element of each same-shaped operand. */
    static boolean elementwise(Node n) {
        if (n.regions().isEmpty()) return n.op().kind() == Kind.ELEMENTWISE;
        if (!n.op().name().equals("fusion")) return false;
        return n.regions().get(0).nodes().stream().allMatch(m -> m.regions().isEmpty()
                && (m.op().kind() == Kind.ELEMENTWISE || m.op().kind() == Kind.BROADCAST));
    }

    private static int newBuffer(List<Long> bufferBytes, long size) {
        bufferBytes.add(size);
        return bufferBytes.size() - 1;
    }

    private static int reuse(TreeMap<Long, Deque<Integer>> free, List<Long> bufferBytes, long size) {
        Map.Entry<Long, Deque<Integer>> fit = free.ceilingEntry(size);
        if (fit != null && fit.getKey() <= 2 * size) return take(free, fit.getKey());
        Map.Entry<Long, Deque<Integer>> smaller = free.lowerEntry(size);
        if (smaller != null) {
            int b = take(free, smaller.getKey());
            bufferBytes.set(b, size);
            return b;
        }
        return newBuffer(bufferBytes, size);
    }

    private static int take(TreeMap<Long, Deque<Integer>> free, long key) {
        Deque<Integer> q = free.get(key);
        int b = q.pollFirst();
        if (q.isEmpty()) free.remove(key);
        return b;
    }

    private static void release(TreeMap<Long, Deque<Integer>> free, List<Long> bufferBytes, int b) {
        free.computeIfAbsent(bufferBytes.get(b), k -> new ArrayDeque<>()).addLast(b);
    }
}
