package dlc.passes.memory;

import dlc.ir.*;
import dlc.ir.OpDef.Kind;

import java.util.*;

/**
 * Liveness-based memory planning for one graph (an analysis; the graph is not changed), placing
 * every value at an offset in one arena. Nodes run in graph order. Rules:
 * <ul>
 *   <li>Graph inputs (inputs, params, state) and graph outputs are pinned: each has memory of its
 *       own that no other value shares, at the start of the arena.</li>
 *   <li>In place: a result of an elementwise op, or of a fusion group of only elementwise and
 *       broadcast ops, takes over the memory of an operand that dies at that node and has the same
 *       shape and byte size (each element is read before the same element is written). A chain of
 *       such updates is one block of memory live from the first definition to the last use.</li>
 *   <li>Donation: an UPDATE output (the new value of a param or state) takes over the memory of
 *       the input it updates when that input has the same type, is no output itself and dies
 *       before the update's node runs, or at that node when the node reads it element by element
 *       ({@link #alignedReader}: elementwise, or a fusion group whose ops on it are elementwise,
 *       such as a matmul with an optimizer-update epilogue). The input's live interval then ends at its last use.</li>
 *   <li>Every other block is placed greedily by size, largest first (TFLite's "greedy by size"):
 *       at the best-fitting gap (the smallest one large enough) between the blocks already placed
 *       whose live intervals overlap its own, or after them all when no gap fits.</li>
 * </ul>
 * Values inside fusion groups are never materialized; scan bodies are not planned (their per-step
 * temporaries are the scan's own business), only the scan's operands and results are.
 */
public final class MemoryPlanner {
    private MemoryPlanner() {}

    /** Values sharing memory through in-place updates, and their joint live interval. */
    private static final class Block {
        final List<Value> values = new ArrayList<>();
        final long size;
        final int start, order;
        int end;
        long offset;

        Block(Value first, long size, int start, int end, int order) {
            values.add(first);
            this.size = size;
            this.start = start;
            this.end = end;
            this.order = order;
        }

        boolean overlaps(Block o) { return start <= o.end && o.start <= end; }
    }

    /** Plans {@code g} with symbolic dims bound by {@code bindings}. */
    public static MemoryPlan plan(Graph g, Map<String, Long> bindings) {
        List<Node> nodes = g.nodes();
        int end = nodes.size();
        Map<Value, Long> bytes = new IdentityHashMap<>();
        Map<Value, MemoryPlan.Interval> live = new LinkedHashMap<>();
        Map<Value, Integer> lastUse = new IdentityHashMap<>();
        Set<Value> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
        pinned.addAll(g.inputs());
        pinned.addAll(g.outputValues());
        for (int i = 0; i < end; i++) for (Value u : nodes.get(i).inputs()) lastUse.put(u, i);

        List<Block> pinnedBlocks = new ArrayList<>(), blocks = new ArrayList<>();
        Map<Value, Block> blockOf = new IdentityHashMap<>();
        Map<Value, Value> inPlace = new IdentityHashMap<>(), donated = new IdentityHashMap<>();
        Map<Value, Value> updateOf = updatedInputs(g);
        for (Value v : g.inputs()) {
            bytes.put(v, ByteSizes.of(v.type(), bindings));
            live.put(v, new MemoryPlan.Interval(-1, end));
            Block b = new Block(v, bytes.get(v), -1, end, pinnedBlocks.size());
            pinnedBlocks.add(b);
            blockOf.put(v, b);
        }
        for (int i = 0; i < end; i++) {
            Node n = nodes.get(i);
            Set<Value> taken = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Value v : n.outputs()) {
                if (blockOf.containsKey(v)) continue; // a node result appears once; guard against repeats
                long size = ByteSizes.of(v.type(), bindings);
                bytes.put(v, size);
                boolean isPinned = pinned.contains(v);
                int last = isPinned ? end : lastUse.getOrDefault(v, i);
                live.put(v, new MemoryPlan.Interval(i, last));
                Value donor = isPinned ? null : inPlaceDonor(n, v, i, size, lastUse, pinned, bytes, taken);
                Value giver = isPinned ? donationDonor(n, v, i, updateOf, lastUse, donated, g) : null;
                Block b;
                if (giver != null) {
                    donated.put(v, giver);
                    live.put(giver, new MemoryPlan.Interval(-1, lastUse.getOrDefault(giver, -1)));
                    b = blockOf.get(giver);
                    b.values.add(v);
                } else if (donor != null) {
                    taken.add(donor);
                    inPlace.put(v, donor);
                    b = blockOf.get(donor);
                    b.values.add(v);
                    b.end = last;
                } else {
                    b = new Block(v, size, i, last, (isPinned ? pinnedBlocks : blocks).size());
                    (isPinned ? pinnedBlocks : blocks).add(b);
                }
                blockOf.put(v, b);
            }
        }
        long pinnedBytes = 0;
        for (Block b : pinnedBlocks) {
            b.offset = pinnedBytes;
            pinnedBytes += b.size;
        }
        long arena = place(blocks, pinnedBytes);
        Map<Value, Long> offset = new IdentityHashMap<>();
        for (Map.Entry<Value, Block> e : blockOf.entrySet()) offset.put(e.getKey(), e.getValue().offset);
        return new MemoryPlan(g, bytes, live, offset, inPlace, donated, arena);
    }

    /** Greedy by size with best fit; returns the arena's end. */
    private static long place(List<Block> blocks, long base) {
        List<Block> order = new ArrayList<>(blocks);
        order.sort(Comparator.comparingLong((Block b) -> -b.size).thenComparingInt(b -> b.start).thenComparingInt(b -> b.order));
        List<Block> placed = new ArrayList<>();
        long top = base;
        for (Block b : order) {
            List<Block> conflicts = placed.stream().filter(b::overlaps).sorted(Comparator.comparingLong(p -> p.offset)).toList();
            long best = -1, bestGap = Long.MAX_VALUE, cursor = base;
            for (Block c : conflicts) {
                long gap = c.offset - cursor;
                if (gap >= b.size && gap < bestGap) {
                    best = cursor;
                    bestGap = gap;
                }
                cursor = Math.max(cursor, c.offset + c.size);
            }
            b.offset = best >= 0 ? best : cursor;
            top = Math.max(top, b.offset + b.size);
            placed.add(b);
        }
        return top;
    }

    /** For every UPDATE output value, the graph input of the same name it is the new value of. */
    private static Map<Value, Value> updatedInputs(Graph g) {
        Map<Value, Value> out = new IdentityHashMap<>();
        for (Graph.Output o : g.outputs())
            if (o.role() == Graph.Output.Role.UPDATE) g.input(o.name()).ifPresent(in -> out.putIfAbsent(o.value(), in));
        return out;
    }

    /** The graph input whose memory the UPDATE output {@code v} of node {@code i} may take over, or null. */
    private static Value donationDonor(Node n, Value v, int i, Map<Value, Value> updateOf, Map<Value, Integer> lastUse,
                                       Map<Value, Value> donated, Graph g) {
        Value in = updateOf.get(v);
        if (in == null || in == v || donated.containsValue(in) || !in.type().equals(v.type())) return null;
        if (g.outputValues().contains(in)) return null; // the old value is itself returned: it must survive
        int last = lastUse.getOrDefault(in, -1);
        return last < i || last == i && alignedReader(n, in) ? in : null;
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
        if (!n.op().name().equals("fusion")) return false;
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

    /** The operand whose memory {@code v} may overwrite, or null. */
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
                && (m.op().kind() == Kind.ELEMENTWISE || m.op().kind() == Kind.BROADCAST
                    || m.op().kind() == Kind.INJECTIVE && m.inputs().isEmpty()));
    }
}
