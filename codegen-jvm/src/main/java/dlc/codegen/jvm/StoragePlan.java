package dlc.codegen.jvm;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.passes.memory.ElementStorage;
import dlc.passes.memory.Materialization;
import dlc.passes.memory.MemoryPlan;
import dlc.passes.memory.MemoryPlanner;

import java.util.*;

/**
 * The buffers of one generated class, mapped from the graph's {@link MemoryPlan} (the one planning
 * step, shared with {@code dlc stats}): graph inputs stay in the caller's arrays (and UPDATE outputs
 * donated an input are written into it); every slot of the plan is one array, {@code fs[k]} for
 * the k-th float slot and {@code ds[k]} for the k-th double slot, sized at bind to its largest
 * member. What the plan asks of this backend ({@link Jvm}): reshape and stop_gradient results and
 * transposes read only by matmuls are views; a group's materialized internals are temporaries of
 * its node; a result may be written over an operand (in place) or the input it updates (donation)
 * when the group's loop nests read that operand only at the point they write
 * ({@link GroupPlan#canWriteOver}), or in place when a lone {@code VecMath} call computes it.
 */
final class StoragePlan {
    /** The JVM's storage: f32 elements in {@code float[]} (4 bytes), every other dtype in {@code double[]} (8 bytes). */
    static final ElementStorage JVM_STORAGE = new ElementStorage() {
        @Override public String kind(DType d) { return KernelEmitter.isFloat(d) ? "float" : "double"; }

        @Override public long elementBytes(DType d) { return KernelEmitter.isFloat(d) ? 4 : 8; }

        @Override public String toString() { return "jvm"; }
    };

    private final Map<Value, Location> location = new IdentityHashMap<>();
    private final Map<Node, GroupPlan> groups = new IdentityHashMap<>();
    /** Transposed views: permute results (and the region inputs standing for them) -> the value holding them untransposed. */
    private final Map<Value, Value> transposed = new IdentityHashMap<>();
    private final Set<Node> views = Collections.newSetFromMap(new IdentityHashMap<>());
    private MemoryPlan memory;

    private StoragePlan() {}

    static boolean isAlias(Node n) { return LoweringTable.isAlias(n); }

    Location location(Value v) {
        Location l = location.get(v);
        if (l == null) throw new IllegalStateException("JVM backend: value " + v + " has no buffer");
        return l;
    }

    GroupPlan group(Node n) { return groups.get(n); }

    /** The graph's memory plan, which this storage maps onto arrays. */
    MemoryPlan memory() { return memory; }

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
            if (!Ops.isLastTwoAxesSwap(n) || !KernelEmitter.isFloat(n.output().type().dtype()) || outputs.contains(n.output())) continue;
            Value out = n.output();
            List<Value> regionInputs = new ArrayList<>();
            boolean onlyMatmuls = users.containsKey(out);
            for (Node u : users.getOrDefault(out, List.of())) {
                if (u.op() == Ops.MATMUL) continue;
                if (u.op() == Ops.FUSION) {
                    Graph region = u.regions().get(0);
                    for (int i = 0; i < u.inputs().size(); i++) {
                        if (u.input(i) != out) continue;
                        Value rv = region.inputs().get(i);
                        boolean ok = !region.outputValues().contains(rv);
                        for (Node inner : region.nodes()) if (inner.inputs().contains(rv)) ok &= inner.op() == Ops.MATMUL;
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

    /** The groups, views and memory plan of {@code g}; no class is being written (what {@code dlc stats} asks). */
    static StoragePlan analyze(Graph g) {
        StoragePlan sp = new StoragePlan();
        sp.findTransposeViews(g);
        for (Node n : g.nodes()) {
            if (n.op() == Ops.FUSION) sp.groups.put(n, GroupPlan.of(n.regions().get(0), n.inputs(), n.outputs()));
            else if (GroupEmitter.isInline(n)) sp.groups.put(n, GroupPlan.single(n));
        }
        sp.memory = MemoryPlanner.plan(g, sp.new Jvm());
        return sp;
    }

    /** {@link #analyze}, then one array of {@code bind} per slot of the plan and a location for every value the code reads. */
    static StoragePlan plan(Graph g, BindTable bind) {
        StoragePlan sp = analyze(g);
        MemoryPlan mp = sp.memory;
        for (MemoryPlan.Slot s : mp.slots()) {
            boolean f = s.kind().equals("float");
            int k = bind.newSlot(f);
            if (k != s.kindIndex()) throw new IllegalStateException("JVM backend: slot " + s + " became array " + k);
            for (Value v : s.members()) (f ? bind.floatSlots : bind.doubleSlots).get(k).add(v.type().shape().numel());
        }
        for (int i = 0; i < g.inputs().size(); i++) sp.location.put(g.inputs().get(i), sp.locate(g.inputs().get(i)));
        for (Node n : g.nodes()) {
            for (Value v : n.outputs()) sp.location.put(v, sp.locate(v));
            GroupPlan gp = sp.groups.get(n);
            if (gp != null) for (Value v : gp.internals()) sp.location.put(v, sp.locate(v));
        }
        for (GroupPlan gp : sp.groups.values()) {
            for (var e : gp.outer.entrySet()) sp.location.put(e.getKey(), sp.location(e.getValue()));
            for (Node n : gp.nodes)
                for (Value v : n.outputs())
                    if (gp.materialized.contains(v) && !sp.location.containsKey(v)) sp.location.put(v, sp.location(gp.storageRoot(v)));
            for (Node n : gp.nodes) for (Value v : n.inputs()) if (gp.materialized.contains(v) && !sp.location.containsKey(v)) sp.location.put(v, sp.location(gp.storageRoot(v)));
        }
        return sp;
    }

    /** The array the plan puts {@code v} in. */
    private Location locate(Value v) {
        boolean f = KernelEmitter.isFloat(v.type().dtype());
        if (memory.home(v) instanceof MemoryPlan.InSlot s) return new Location(Location.Kind.SLOT, s.slot().kindIndex(), s.slot().kind().equals("float"));
        return new Location(Location.Kind.INPUT, ((MemoryPlan.InInput) memory.home(v)).index(), f);
    }

    /** What this backend's code reads and writes, for the planner. */
    private final class Jvm implements Materialization {
        @Override public ElementStorage storage() { return JVM_STORAGE; }

        @Override public boolean isView(Node n) { return StoragePlan.this.isView(n); }

        @Override public List<Value> temporaries(Node n) {
            GroupPlan gp = groups.get(n);
            return gp == null ? List.of() : gp.internals();
        }

        @Override public boolean mayWriteInPlace(Node n, Value result, Value operand) {
            // a lone VecMath call (exp, tanh, ... of an f32 value) loads each chunk of its operand before storing that chunk of its result;
            // any other node of one f32 operand and result of its type (reverse, a square permute) is no such call
            if (!groups.containsKey(n) && TranscendentalLowerings.isCall(n)) return operand == n.input(0);
            return writesOver(n, result, operand);
        }

        @Override public boolean mayDonate(Node n, Value update, Value input, boolean readByNode) { return writesOver(n, update, input); }

        /**
         * Whether the group of {@code n} may write its result {@code r} into the array of its
         * operand {@code in}: the group reads {@code in} through one region input, and only in loop
         * nests up to the one computing {@code r}, there at the point being written.
         */
        private boolean writesOver(Node n, Value r, Value in) {
            GroupPlan gp = groups.get(n);
            if (gp == null || isAlias(n)) return false;
            Value inner = null, innerIn = null;
            for (var e : gp.outer.entrySet()) {
                if (e.getValue() == r && e.getKey() != in) inner = e.getKey();
                if (e.getValue() == in && n.inputs().contains(in) && e.getKey() != e.getValue() || e.getValue() == in && e.getKey() == in) innerIn = e.getKey();
            }
            long copies = gp.outer.entrySet().stream().filter(e -> e.getValue() == in).count();
            return inner != null && innerIn != null && copies == 1 && gp.canWriteOver(inner, innerIn);
        }
    }
}
