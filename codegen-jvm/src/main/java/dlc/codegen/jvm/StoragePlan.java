package dlc.codegen.jvm;

import dlc.ir.*;

import java.util.*;

/**
 * The buffers of one generated class: graph inputs stay in the caller's arrays; top-level results
 * and the values a group materializes inside itself get slots. Values whose live ranges (in node
 * order) do not overlap share a slot of their storage type, sized at bind to its largest member;
 * graph outputs are pinned (never shared). Reshape and stop_gradient results are aliases of their
 * operand's buffer.
 */
final class StoragePlan {
    private final Map<Value, Location> location = new IdentityHashMap<>();
    private final Map<Node, GroupPlan> groups = new IdentityHashMap<>();
    /** Transposed views: permute results (and the region inputs standing for them) -> the value holding them untransposed. */
    private final Map<Value, Value> transposed = new IdentityHashMap<>();
    private final Set<Node> views = Collections.newSetFromMap(new IdentityHashMap<>());

    private StoragePlan() {}

    static boolean isAlias(Node n) { return LoweringTable.isAlias(n); }

    Location location(Value v) {
        Location l = location.get(v);
        if (l == null) throw new IllegalStateException("JVM backend: value " + v + " has no buffer");
        return l;
    }

    GroupPlan group(Node n) { return groups.get(n); }

    /** Whether node {@code n} emits no code (an alias, or a transpose only matmuls read). */
    boolean isView(Node n) { return isAlias(n) || views.contains(n); }

    /** See {@link KernelEmitter#transposedSource}. */
    Value transposedSource(Value v) { return transposed.get(v); }

    /**
     * A permute that swaps the last two axes of an f32 value and is read only by matmuls (directly,
     * or as an operand of the matmul of a fusion group): the matmul reads the operand transposed
     * (GEMM's trans flag) instead of a copy being made.
     */
    private void findTransposeViews(Graph g) {
        Map<Value, List<Node>> users = new IdentityHashMap<>();
        for (Node n : g.nodes()) for (Value v : n.inputs()) users.computeIfAbsent(v, k -> new ArrayList<>()).add(n);
        Set<Value> outputs = Collections.newSetFromMap(new IdentityHashMap<>());
        outputs.addAll(g.outputValues());
        for (Node n : g.nodes()) {
            if (!n.op().name().equals("permute") || !KernelEmitter.isFloat(n.output().type().dtype()) || outputs.contains(n.output())) continue;
            long[] perm = n.attrs().getLongs("perm");
            int r = perm.length;
            boolean swap = r >= 2 && perm[r - 1] == r - 2 && perm[r - 2] == r - 1;
            for (int i = 0; i < r - 2; i++) swap &= perm[i] == i;
            if (!swap) continue;
            Value out = n.output();
            List<Value> regionInputs = new ArrayList<>();
            boolean onlyMatmuls = users.containsKey(out);
            for (Node u : users.getOrDefault(out, List.of())) {
                if (u.op().name().equals("matmul")) continue;
                if (u.op().name().equals("fusion")) {
                    Graph region = u.regions().get(0);
                    for (int i = 0; i < u.inputs().size(); i++) {
                        if (u.input(i) != out) continue;
                        Value rv = region.inputs().get(i);
                        boolean ok = !region.outputValues().contains(rv);
                        for (Node inner : region.nodes()) if (inner.inputs().contains(rv)) ok &= inner.op().name().equals("matmul");
                        if (ok) regionInputs.add(rv);
                        else onlyMatmuls = false;
                    }
                    continue;
                }
                onlyMatmuls = false;
            }
            if (!onlyMatmuls) continue;
            views.add(n);
            transposed.put(out, n.input(0));
            for (Value rv : regionInputs) transposed.put(rv, n.input(0));
        }
    }

    private record Candidate(Value value, int start, int end, boolean pinned) { }

    static StoragePlan plan(Graph g, BindTable bind) {
        StoragePlan sp = new StoragePlan();
        List<Node> nodes = g.nodes();
        Map<Value, Value> root = new IdentityHashMap<>();
        for (int i = 0; i < g.inputs().size(); i++) {
            Value v = g.inputs().get(i);
            sp.location.put(v, new Location(Location.Kind.INPUT, i, KernelEmitter.isFloat(v.type().dtype())));
        }
        sp.findTransposeViews(g);
        for (Node n : nodes) {
            if (sp.isView(n)) root.put(n.output(), rootOf(root, n.input(0)));
            if (n.op().name().equals("fusion")) sp.groups.put(n, GroupPlan.of(n.regions().get(0), n.inputs(), n.outputs()));
            else if (GroupEmitter.isInline(n)) sp.groups.put(n, GroupPlan.single(n));
        }
        int end = nodes.size();
        Map<Value, Integer> lastUse = new IdentityHashMap<>();
        Set<Value> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < nodes.size(); i++) for (Value v : nodes.get(i).inputs()) lastUse.put(rootOf(root, v), i);
        for (Graph.Output o : g.outputs()) pinned.add(rootOf(root, o.value()));
        Map<Value, Value> donated = donations(g, sp, root, lastUse, pinned);
        List<Candidate> cands = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (sp.isView(n)) continue;
            for (Value v : n.outputs()) {
                if (donated.containsKey(v)) {
                    sp.location.put(v, sp.location.get(donated.get(v)));
                    continue;
                }
                boolean pin = pinned.contains(v);
                cands.add(new Candidate(v, i, pin ? end : lastUse.getOrDefault(v, i), pin));
            }
            GroupPlan gp = sp.groups.get(n);
            if (gp != null) for (Value v : gp.internals()) cands.add(new Candidate(v, i, i, false));
        }
        // greedy interval colouring per storage type; candidates are already in start order
        List<int[]> floatBusy = new ArrayList<>(), doubleBusy = new ArrayList<>(); // {slot, end}
        for (Candidate c : cands) {
            boolean f = KernelEmitter.isFloat(c.value.type().dtype());
            List<int[]> busy = f ? floatBusy : doubleBusy;
            int[] chosen = null;
            if (!c.pinned) for (int[] s : busy) if (s[1] < c.start) { chosen = s; break; }
            if (chosen == null) {
                chosen = new int[]{bind.newSlot(f), -1};
                if (!c.pinned) busy.add(chosen);
            }
            chosen[1] = Math.max(chosen[1], c.end);
            (f ? bind.floatSlots : bind.doubleSlots).get(chosen[0]).add(c.value.type().shape().numel());
            sp.location.put(c.value, new Location(Location.Kind.SLOT, chosen[0], f));
        }
        for (Node n : nodes) if (sp.isView(n)) sp.location.put(n.output(), sp.location(rootOf(root, n.input(0))));
        for (GroupPlan gp : sp.groups.values()) {
            for (var e : gp.outer.entrySet()) sp.location.put(e.getKey(), sp.location(e.getValue()));
            for (Node n : gp.nodes)
                for (Value v : n.outputs())
                    if (gp.materialized.contains(v) && !sp.location.containsKey(v)) sp.location.put(v, sp.location(gp.storageRoot(v)));
            for (Node n : gp.nodes) for (Value v : n.inputs()) if (gp.materialized.contains(v) && !sp.location.containsKey(v)) sp.location.put(v, sp.location(gp.storageRoot(v)));
        }
        return sp;
    }

    /**
     * UPDATE outputs written straight into the caller's array of the input they update: the input
     * is no output itself, is not read after the update's node, and the group computing the update
     * reads it only at the point it writes ({@link GroupPlan#canWriteOver}).
     */
    private static Map<Value, Value> donations(Graph g, StoragePlan sp, Map<Value, Value> root, Map<Value, Integer> lastUse, Set<Value> pinned) {
        Map<Value, Value> out = new IdentityHashMap<>();
        Map<Node, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < g.nodes().size(); i++) index.put(g.nodes().get(i), i);
        Set<Value> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Output o : g.outputs()) {
            if (o.role() != Graph.Output.Role.UPDATE) continue;
            Value u = o.value(), p = g.input(o.name()).orElse(null);
            if (p == null || !p.type().equals(u.type()) || u.isGraphInput() || pinned.contains(p) || !taken.add(p)) continue;
            Node n = u.producer();
            GroupPlan gp = sp.groups.get(n);
            if (gp == null || StoragePlan.isAlias(n) || out.containsKey(u)) continue;
            if (lastUse.getOrDefault(p, -1) > index.get(n)) continue;
            if (g.outputs().stream().filter(x -> x.value() == u).count() > 1) continue;
            Value inner = null, innerIn = null;
            for (var e : gp.outer.entrySet()) {
                if (e.getValue() == u && !e.getKey().equals(p)) inner = e.getKey();
                if (e.getValue() == p && n.inputs().contains(p) && e.getKey() != e.getValue() || e.getValue() == p && e.getKey() == p) innerIn = e.getKey();
            }
            long copies = gp.outer.entrySet().stream().filter(e -> e.getValue() == p).count();
            if (inner == null || innerIn == null || copies != 1 || !gp.canWriteOver(inner, innerIn)) continue;
            out.put(u, p);
        }
        return out;
    }

    private static Value rootOf(Map<Value, Value> root, Value v) {
        Value r = root.get(v);
        return r == null ? v : r;
    }
}
