package dlc.passes.memory;

import dlc.ir.*;

import java.util.*;

/**
 * The one memory planning step: for one graph and one backend's {@link Materialization}, which
 * values get memory, which share it, and their live intervals ({@link MemoryPlan}). The JVM
 * backend allocates exactly the plan's slots, and {@code dlc stats} prints the plan's figures, so
 * the two cannot disagree. Nodes run in graph order. Rules:
 * <ul>
 *   <li>Views (the backend says which nodes are) have no memory: a view's uses are uses of the
 *       value it views.</li>
 *   <li>Graph inputs live in the caller's memory. Graph outputs get slots of their own (pinned).</li>
 *   <li>Donation: an UPDATE output (the new value of a param or state) is written over the input
 *       it updates when that input has the same type, is no output itself, is read by nothing
 *       after the update's node, the update is no other output too, and the backend's code allows
 *       it ({@link Materialization#mayDonate}).</li>
 *   <li>In place: a result joins the slot of an operand that dies at its node, has its shape and
 *       storage kind and is no graph input or output, when the backend's code allows it
 *       ({@link Materialization#mayWriteInPlace}). A chain of such results is one slot.</li>
 *   <li>Every other value (results, then the node's temporaries) takes a free slot of its
 *       storage kind (all its members died before the value's node): one that already holds a
 *       value of the same element count if there is one, so that it does not grow, else the first;
 *       or a new slot. This greedy interval colouring in node order compares sizes only
 *       symbolically, so the plan holds for every binding of the symbolic dims; a slot is sized
 *       to its largest member when the dims are bound.</li>
 * </ul>
 * Values inside fusion groups are never stored unless the backend names them as temporaries;
 * scan bodies are planned on their own (as graphs of their own), only the scan's operands and
 * results are part of this plan.
 */
public final class MemoryPlanner {
    private MemoryPlanner() {}

    /** A slot being built: its members and the last position any of them is live. */
    private static final class Building {
        final MemoryPlan.Slot slot;
        int end;

        Building(MemoryPlan.Slot slot, int end) {
            this.slot = slot;
            this.end = end;
        }
    }

    /** Plans {@code g} with the backend-neutral {@link Materialization#standard()}. */
    public static MemoryPlan plan(Graph g) { return plan(g, Materialization.standard()); }

    /** Plans {@code g} for a backend that materializes values as {@code m} says. */
    public static MemoryPlan plan(Graph g, Materialization m) {
        List<Node> nodes = g.nodes();
        int end = nodes.size();
        ElementStorage storage = m.storage();
        Map<Value, Value> viewOf = new IdentityHashMap<>();
        for (Node n : nodes) if (m.isView(n)) viewOf.put(n.output(), n.input(0));
        MemoryPlan shell = new MemoryPlan(g, storage, viewOf, List.of(), Map.of(), Map.of(), Map.of(), Map.of());
        Map<Value, Integer> lastUse = new IdentityHashMap<>();
        for (int i = 0; i < end; i++) for (Value u : nodes.get(i).inputs()) lastUse.put(shell.root(u), i);
        Set<Value> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Output o : g.outputs()) pinned.add(shell.root(o.value()));

        Map<Value, MemoryPlan.Interval> live = new LinkedHashMap<>();
        for (Value v : g.inputs()) live.put(v, new MemoryPlan.Interval(-1, end));
        Map<Value, Value> donated = donations(g, m, shell, lastUse, pinned);
        for (Value p : donated.values()) live.put(p, new MemoryPlan.Interval(-1, lastUse.getOrDefault(p, -1)));

        List<MemoryPlan.Slot> slots = new ArrayList<>();
        Map<Value, MemoryPlan.Slot> slotOf = new IdentityHashMap<>();
        Map<MemoryPlan.Slot, Building> building = new IdentityHashMap<>();
        Map<String, List<Building>> reusable = new HashMap<>();
        Map<Value, Value> inPlace = new IdentityHashMap<>();
        for (int i = 0; i < end; i++) {
            Node n = nodes.get(i);
            if (m.isView(n)) continue;
            Set<Value> taken = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Value v : n.outputs()) {
                if (live.containsKey(v)) continue; // a node result appears once; guard against repeats
                boolean pin = pinned.contains(v);
                int last = pin ? end : lastUse.getOrDefault(v, i);
                live.put(v, new MemoryPlan.Interval(i, last));
                if (donated.containsKey(v)) continue;
                Value donor = pin ? null : inPlaceDonor(n, v, i, m, shell, lastUse, slotOf, building, taken);
                if (donor != null) {
                    taken.add(donor);
                    inPlace.put(v, donor);
                    MemoryPlan.Slot s = slotOf.get(donor);
                    s.members().add(v);
                    slotOf.put(v, s);
                    building.get(s).end = last;
                    continue;
                }
                assign(v, i, last, pin, storage, slots, slotOf, building, reusable);
            }
            for (Value t : m.temporaries(n)) {
                if (live.containsKey(t)) continue;
                live.put(t, new MemoryPlan.Interval(i, i));
                assign(t, i, i, false, storage, slots, slotOf, building, reusable);
            }
        }
        List<MemoryPlan.Slot> frozen = new ArrayList<>();
        Map<MemoryPlan.Slot, MemoryPlan.Slot> fresh = new IdentityHashMap<>();
        for (MemoryPlan.Slot s : slots) {
            MemoryPlan.Slot f = new MemoryPlan.Slot(s.index(), s.kind(), s.kindIndex(), s.pinned(), List.copyOf(s.members()));
            frozen.add(f);
            fresh.put(s, f);
        }
        Map<Value, MemoryPlan.Slot> frozenOf = new IdentityHashMap<>();
        slotOf.forEach((v, s) -> frozenOf.put(v, fresh.get(s)));
        return new MemoryPlan(g, storage, viewOf, List.copyOf(frozen), frozenOf, live, inPlace, donated);
    }

    /** Puts {@code v} (live {@code start..last}) in the first reusable slot of its kind, or a new one. */
    private static void assign(Value v, int start, int last, boolean pin, ElementStorage storage, List<MemoryPlan.Slot> slots,
                               Map<Value, MemoryPlan.Slot> slotOf, Map<MemoryPlan.Slot, Building> building, Map<String, List<Building>> reusable) {
        String kind = storage.kind(v.type().dtype());
        List<Building> free = reusable.computeIfAbsent(kind, k -> new ArrayList<>());
        Building chosen = null;
        if (!pin) chosen = fitting(v, start, storage, free);
        if (chosen == null) {
            int kindIndex = (int) slots.stream().filter(s -> s.kind().equals(kind)).count();
            MemoryPlan.Slot s = new MemoryPlan.Slot(slots.size(), kind, kindIndex, pin, new ArrayList<>());
            slots.add(s);
            chosen = new Building(s, last);
            building.put(s, chosen);
            if (!pin) free.add(chosen);
        }
        chosen.end = Math.max(chosen.end, last);
        chosen.slot.members().add(v);
        slotOf.put(v, chosen.slot);
    }

    /**
     * The free slot (all members dead before {@code start}) for {@code v}: the first whose size is
     * already {@code v}'s (a member of the same element count and element size, so the slot does
     * not grow for any binding), else the first free one; null when none is free.
     */
    private static Building fitting(Value v, int start, ElementStorage storage, List<Building> free) {
        Dim numel = v.type().shape().numel();
        long elem = storage.elementBytes(v.type().dtype());
        Building first = null;
        for (Building b : free) {
            if (b.end >= start) continue;
            if (first == null) first = b;
            for (Value m : b.slot.members())
                if (m.type().shape().numel().equals(numel) && storage.elementBytes(m.type().dtype()) == elem) return b;
        }
        return first;
    }

    /**
     * UPDATE outputs written over the input they update: same type, the input no output itself
     * and not read after the update's node, the update no view and no other output, and the
     * backend's code reading the input only where it writes (see {@link Materialization#mayDonate}).
     */
    private static Map<Value, Value> donations(Graph g, Materialization m, MemoryPlan shell, Map<Value, Integer> lastUse, Set<Value> pinned) {
        Map<Value, Value> out = new IdentityHashMap<>();
        Map<Node, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < g.nodes().size(); i++) index.put(g.nodes().get(i), i);
        Set<Value> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Output o : g.outputs()) {
            if (o.role() != Graph.Output.Role.UPDATE) continue;
            Value u = o.value(), p = g.input(o.name()).orElse(null);
            if (p == null || !p.type().equals(u.type()) || u.isGraphInput() || pinned.contains(p) || !taken.add(p)) continue;
            Node n = u.producer();
            Integer at = n == null ? null : index.get(n);
            if (at == null || m.isView(n) || out.containsKey(u)) continue;
            int last = lastUse.getOrDefault(p, -1);
            if (last > at) continue;
            if (g.outputs().stream().filter(x -> x.value() == u).count() > 1) continue;
            if (readsThroughView(n, p, shell)) continue;
            if (m.mayDonate(n, u, p, last == at)) out.put(u, p);
        }
        return out;
    }

    /** The operand whose slot {@code v} may take over at node {@code i}, or null. */
    private static Value inPlaceDonor(Node n, Value v, int i, Materialization m, MemoryPlan plan, Map<Value, Integer> lastUse,
                                      Map<Value, MemoryPlan.Slot> slotOf, Map<MemoryPlan.Slot, Building> building, Set<Value> taken) {
        ElementStorage st = m.storage();
        for (Value u : n.inputs()) {
            MemoryPlan.Slot s = slotOf.get(u); // null for graph inputs, views and donated updates
            if (s == null || s.pinned() || taken.contains(u) || lastUse.getOrDefault(u, -1) != i || building.get(s).end != i) continue;
            if (!st.kind(u.type().dtype()).equals(st.kind(v.type().dtype())) || st.elementBytes(u.type().dtype()) != st.elementBytes(v.type().dtype())
                    || !u.type().shape().equals(v.type().shape())) continue;
            if (readsThroughView(n, u, plan)) continue;
            if (m.mayWriteInPlace(n, v, u)) return u;
        }
        return null;
    }

    /**
     * Whether {@code n} reads the memory of {@code owner} through a view too (a reshape or
     * transpose of it as another operand): the backend answers for the operand, not for its
     * views, which its code may read at other points than the one it writes.
     */
    private static boolean readsThroughView(Node n, Value owner, MemoryPlan plan) {
        for (Value x : n.inputs()) if (x != owner && plan.root(x) == owner) return true;
        return false;
    }
}
