package dlc.codegen.opencl;

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

    sealed interface Step permits Elementwise, Reduce, Call { }

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
        return p;
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
