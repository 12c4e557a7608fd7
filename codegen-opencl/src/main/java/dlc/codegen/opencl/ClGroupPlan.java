package dlc.codegen.opencl;

import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.Shape;
import dlc.ir.Value;

import java.util.*;

/**
 * How one fusion group (or a lone inline or reduction node) runs on OpenCL: which of its values are
 * stored ("materialized") and where ({@link #home}), and the steps that compute them, in order.
 * Inline ops are evaluated in registers inside generated kernels; a value is stored when it leaves
 * the group, is reduced into, is read or written by a kernel call, or is reshaped (the reshape
 * shares its operand's memory). Stored values with no outer value are the group's temporaries,
 * which the memory plan gives slots live only at the group's node.
 */
final class ClGroupPlan {
    /** Store each value at its home over {@code space}, one work-item per point; {@code computed} values are evaluated here, the others copied. */
    record Elementwise(Shape space, List<Value> values, List<Value> homes, Set<Value> computed) implements Step { }

    /** One reduction node, its operand's expression evaluated at each point. */
    record Reduce(Node node) implements Step { }

    /** A kernel-call node. */
    record Call(Node node) implements Step { }

    /**
     * A matmul or convolution ({@code anchor}) whose result goes straight into {@code store}, an
     * elementwise step over the anchor's result shape evaluated in the GEMM's store: the anchor's
     * result is the register {@code acc} there, stored only when it leaves the group.
     */
    record Epilogue(Node anchor, Elementwise store) implements Step { }

    /**
     * Reductions over one operand shape and one set of axes, and elementwise steps over that shape
     * (a softmax: the max, the sum of exp(x - max), the normalized row), run as one kernel with
     * one work-group per row (per point of the kept axes): each phase computes the row's part of
     * its step, the next starts after a barrier. {@code space}: the reductions' operand shape.
     */
    record Rows(Shape space, List<Step> phases) implements Step { }

    sealed interface Step permits Elementwise, Reduce, Call, Epilogue, Rows { }

    enum Role { INLINE, REDUCE, VIEW, CALL, REGION }

    final List<Node> nodes;
    final Set<Value> materialized = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Stored values -> the value whose memory holds them (an outer value, a shared reshape operand, or itself). */
    final Map<Value, Value> home = new IdentityHashMap<>();
    final List<Step> steps = new ArrayList<>();
    private final Set<Value> inputs = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Value> temporaries = Collections.newSetFromMap(new IdentityHashMap<>());

    private ClGroupPlan(List<Node> nodes) { this.nodes = nodes; }

    static Role role(Node n) {
        return ClLoweringTable.of(n).accept(n, new ClLowering.Visitor<>() {
            @Override public Role inline(Node m, ClLowering.Inline how) { return Role.INLINE; }

            @Override public Role reduction(Node m, ClLowering.Reduction how) { return Role.REDUCE; }

            @Override public Role alias(Node m, ClLowering.Alias how) { return how.inNest() ? Role.INLINE : Role.VIEW; }

            @Override public Role kernel(Node m, ClLowering.KernelCall how) { return Role.CALL; }

            @Override public Role region(Node m, ClLowering.Region how) { return Role.REGION; }
        });
    }

    /** The plan of a fusion node's region. */
    static ClGroupPlan of(Node fusion) {
        Graph region = fusion.regions().get(0);
        return build(region.nodes(), region.inputs(), fusion.inputs(), region.outputValues(), fusion.outputs());
    }

    /** The plan of one node run on its own. */
    static ClGroupPlan single(Node n) { return build(List.of(n), n.inputs(), n.inputs(), n.outputs(), n.outputs()); }

    private static ClGroupPlan build(List<Node> nodes, List<Value> ins, List<Value> outerIns, List<Value> results, List<Value> outerOuts) {
        ClGroupPlan p = new ClGroupPlan(nodes);
        for (int i = 0; i < ins.size(); i++) {
            p.inputs.add(ins.get(i));
            p.materialized.add(ins.get(i));
            p.home.put(ins.get(i), outerIns.get(i));
        }
        List<Step> tail = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            Value r = results.get(i), o = outerOuts.get(i);
            p.materialized.add(r);
            if (p.home.containsKey(r)) tail.add(new Elementwise(r.type().shape(), List.of(r), List.of(o), Set.of())); // a pass-through or a repeated result
            else p.home.put(r, o);
        }
        for (Node n : nodes)
            switch (role(n)) {
                case REDUCE -> p.materialized.add(n.output());
                case CALL -> {
                    p.materialized.addAll(n.inputs());
                    p.materialized.addAll(n.outputs());
                }
                case VIEW -> {
                    p.materialized.add(n.input(0));
                    p.materialized.add(n.output());
                }
                case INLINE -> { }
                case REGION -> throw ClLoweringTable.notYet(n, "inside a fusion group");
            }
        for (Node n : nodes) {
            Role role = role(n);
            if (role == Role.VIEW) {
                Value x = n.input(0), y = n.output();
                if (p.home.containsKey(y)) p.steps.add(new Elementwise(x.type().shape(), List.of(x), List.of(p.home.get(y)), Set.of()));
                else p.home.put(y, p.home.get(x));
                continue;
            }
            for (Value v : n.outputs())
                if (p.materialized.contains(v) && !p.home.containsKey(v)) {
                    p.home.put(v, v);
                    p.temporaries.add(v);
                }
            switch (role) {
                case INLINE -> {
                    Value v = n.output();
                    if (!p.materialized.contains(v)) break;
                    Step last = p.steps.isEmpty() ? null : p.steps.get(p.steps.size() - 1);
                    if (last instanceof Elementwise e && !e.computed().isEmpty() && e.space().equals(v.type().shape()) && !p.readsWhatItWrites(e, v)) {
                        e.values().add(v);
                        e.homes().add(p.home.get(v));
                        e.computed().add(v);
                    } else {
                        Set<Value> computed = Collections.newSetFromMap(new IdentityHashMap<>());
                        computed.add(v);
                        p.steps.add(new Elementwise(v.type().shape(), new ArrayList<>(List.of(v)), new ArrayList<>(List.of(p.home.get(v))), computed));
                    }
                }
                case REDUCE -> p.steps.add(new Reduce(n));
                case CALL -> p.steps.add(new Call(n));
                default -> { }
            }
        }
        p.steps.addAll(tail);
        p.fuseEpilogue();
        p.fuseRows();
        return p;
    }

    private static Set<Long> axes(Node reduce) {
        Set<Long> out = new TreeSet<>();
        for (long a : reduce.attrs().getLongs("axes")) out.add(a);
        return out;
    }

    /**
     * Reductions of one operand shape over one set of axes, with the elementwise steps around
     * them over that shape, become one {@link Rows} kernel when a row's values need only that
     * row: every stored value a phase reads that an earlier phase wrote is read at the row's own
     * element, a reduction's result in its keepdims shape (1 on the reduced axes), an elementwise
     * result at the same point. Copies of stored values (pass-through results) stay steps after it.
     */
    private void fuseRows() {
        Shape space = null;
        Set<Long> axes = null;
        List<Step> phases = new ArrayList<>(), after = new ArrayList<>();
        int reductions = 0;
        for (Step s : steps) {
            boolean copy = s instanceof Elementwise e && e.computed().isEmpty();
            if (copy) {
                after.add(s);
                continue;
            }
            if (!after.isEmpty()) return;
            if (s instanceof Reduce r) {
                Shape in = r.node().input(0).type().shape();
                if (space != null && (!space.equals(in) || !axes.equals(axes(r.node())))) return;
                space = in;
                axes = axes(r.node());
                reductions++;
            } else if (!(s instanceof Elementwise)) return;
            phases.add(s);
        }
        if (reductions == 0 || phases.size() < 2 || axes.isEmpty()) return;
        List<Long> kept = new ArrayList<>();
        for (long a = 0; a < space.rank(); a++) if (!axes.contains(a)) kept.add(a);
        if (kept.isEmpty()) return;
        Map<Value, Shape> written = new IdentityHashMap<>(); // home -> the shape a later phase may read it in
        for (Step s : phases) {
            List<Value> reads = new ArrayList<>();
            if (s instanceof Reduce r) readLeaves(r.node().input(0), Set.of(), Collections.newSetFromMap(new IdentityHashMap<>()), reads);
            else {
                Elementwise e = (Elementwise) s;
                if (!e.space().equals(space)) return;
                Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
                for (Value v : e.values()) readLeaves(v, e.computed(), seen, reads);
            }
            for (Value leaf : reads) {
                Shape wrote = written.get(home.get(leaf));
                if (wrote != null && !alignedTo(leaf.type().shape(), wrote)) return;
            }
            if (s instanceof Reduce r) {
                List<Dim> keep = new ArrayList<>(space.dims());
                for (long a : axes) keep.set((int) a, Dim.of(1));
                written.put(home.get(r.node().output()), Shape.of(keep.toArray(new Dim[0])));
            } else for (Value h : ((Elementwise) s).homes()) written.put(h, space);
        }
        steps.clear();
        steps.add(new Rows(space, phases));
        steps.addAll(after);
    }

    /** Whether {@code read}, aligned right as a kernel reads it, is {@code want} (leading dims of 1 may be missing). */
    private static boolean alignedTo(Shape read, Shape want) {
        if (read.rank() > want.rank()) return false;
        for (int j = 0; j < want.rank(); j++) {
            int k = j - (want.rank() - read.rank());
            Dim d = k < 0 ? Dim.of(1) : read.dim(k);
            if (!d.equals(want.dim(j))) return false;
        }
        return true;
    }

    /** The stored values a generated kernel reads to evaluate {@code v} (as GroupKernels' registers decide). */
    private void readLeaves(Value v, Set<Value> computed, Set<Value> seen, List<Value> out) {
        if (!seen.add(v)) return;
        if (materialized.contains(v) && !computed.contains(v) || v.producer() == null || !nodes.contains(v.producer())) {
            out.add(v);
            return;
        }
        for (Value in : v.producer().inputs()) readLeaves(in, computed, seen, out);
    }

    /** Ops whose tiled kernel (sgemm.cl, conv.cl) has an EPILOGUE hook in its store. */
    private static boolean hasStoreHook(Node n) {
        if (n.output().type().dtype() != dlc.ir.DType.F32) return false; // the store function takes a float result
        return n.op() == dlc.ir.ops.Ops.MATMUL || n.op() == dlc.ir.ops.Ops.CONV2D || n.op() == dlc.ir.ops.Ops.CONV_TRANSPOSE2D;
    }

    /**
     * An output group (a matmul or convolution, then elementwise ops of its result) becomes one
     * {@link Epilogue}: every elementwise step after the anchor joins the anchor's store, when each
     * computes values over exactly the anchor's result shape (a point of the store is a point of
     * those steps; operands of smaller shapes broadcast by index arithmetic) and the group reads
     * the anchor's result only in those steps. Otherwise (a step over a larger, broadcast shape, a
     * reduction or kernel call after the anchor, an integer op that can fail) the group keeps the
     * separate elementwise kernels.
     * Copies of values that were stored before (pass-through results) stay steps of their own.
     */
    private void fuseEpilogue() {
        int at = -1;
        for (int i = 0; i < steps.size(); i++)
            if (steps.get(i) instanceof Call c && hasStoreHook(c.node())) {
                if (at >= 0) return;
                at = i;
            }
        if (at < 0) return;
        Node anchor = ((Call) steps.get(at)).node();
        Value y = anchor.output();
        Shape space = y.type().shape();
        List<Elementwise> chain = new ArrayList<>();
        List<Step> after = new ArrayList<>();
        for (Step s : steps.subList(at + 1, steps.size())) {
            if (s instanceof Elementwise e && !e.computed().isEmpty()) {
                if (!e.space().equals(space)) return;
                chain.add(e);
            } else if (s instanceof Elementwise e) after.add(e);
            else return;
        }
        if (chain.isEmpty()) return;
        // an integer op that can fail needs its kernel's error word, which a GEMM's store has not
        for (Elementwise e : chain)
            for (Value v : e.computed())
                if (v.producer() != null && ClExpressions.canFail(v.producer())) return;
        for (Node n : nodes)
            if (n.inputs().contains(y) && role(n) != Role.INLINE) return;
        for (Step s : after) // a copy reading the anchor's result from memory needs it stored
            if (((Elementwise) s).values().contains(y) && home.get(y) == y) return;
        boolean leaves = home.get(y) != y;
        List<Value> values = new ArrayList<>(), homes = new ArrayList<>();
        Set<Value> computed = Collections.newSetFromMap(new IdentityHashMap<>());
        if (leaves) {
            values.add(y);
            homes.add(home.get(y));
        } else {
            materialized.remove(y);
            home.remove(y);
            temporaries.remove(y);
        }
        for (Elementwise e : chain) {
            values.addAll(e.values());
            homes.addAll(e.homes());
            computed.addAll(e.computed());
        }
        List<Step> out = new ArrayList<>(steps.subList(0, at));
        out.add(new Epilogue(anchor, new Elementwise(space, values, homes, computed)));
        out.addAll(after);
        steps.clear();
        steps.addAll(out);
    }

    /**
     * Whether evaluating {@code v} in kernel {@code e} would read memory that {@code e} writes at
     * other points: a stored value read by {@code v} (a leaf) shares a home with one of e's targets.
     */
    private boolean readsWhatItWrites(Elementwise e, Value v) {
        Set<Value> written = Collections.newSetFromMap(new IdentityHashMap<>());
        written.addAll(e.homes());
        written.add(home.get(v));
        for (Value leaf : leaves(v, e.computed())) if (written.contains(home.get(leaf))) return true;
        return false;
    }

    /** The stored values the expression of {@code v} reads, not counting values computed in the same kernel ({@code computed}). */
    List<Value> leaves(Value v, Set<Value> computed) {
        List<Value> out = new ArrayList<>();
        collect(v, computed, Collections.newSetFromMap(new IdentityHashMap<>()), out, true);
        return out;
    }

    private void collect(Value v, Set<Value> computed, Set<Value> seen, List<Value> out, boolean root) {
        if (!seen.add(v)) return;
        boolean here = root || computed.contains(v);
        if (materialized.contains(v) && !here) {
            out.add(v);
            return;
        }
        if (inputs.contains(v) || v.producer() == null) {
            out.add(v);
            return;
        }
        for (Value in : v.producer().inputs()) collect(in, computed, seen, out, false);
    }

    /** Whether the group runs as one elementwise kernel over one index space (what in-place writes need). */
    boolean singleKernel() { return steps.size() == 1 && steps.get(0) instanceof Elementwise e && !e.computed().isEmpty(); }

    /** Stored values with no outer memory: the group's temporaries, in node order. */
    List<Value> temporaries() {
        List<Value> out = new ArrayList<>();
        for (Node n : nodes) for (Value v : n.outputs()) if (temporaries.contains(v)) out.add(v);
        return out;
    }
}
