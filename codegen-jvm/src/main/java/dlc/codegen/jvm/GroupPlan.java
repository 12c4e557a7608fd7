package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.Shape;
import dlc.ir.Value;

import java.util.*;

/**
 * How one fusion group (or a lone inline node) runs: which of its values are stored in buffers
 * ("materialized") and the steps that compute them, in order. Elementwise ops are evaluated inline
 * at each point of a loop nest; a value is materialized when it leaves the group, is reduced into,
 * or is read or written by a runtime kernel (or a reshape, which aliases its operand's buffer).
 */
final class GroupPlan {
    /** A loop nest over {@code space} storing {@code targets} (all of that shape), or accumulating one reduction. */
    record Nest(Shape space, List<Value> targets, Node reduce) implements Step { }

    /** A runtime kernel call. */
    record Lowered(Node node) implements Step { }

    /** A copy of {@code from}'s elements into {@code to}'s buffer (same element count). */
    record Copy(Value from, Value to) implements Step { }

    sealed interface Step permits Nest, Lowered, Copy { }

    enum Role { INLINE, REDUCE, ALIAS, LOWERED }

    final List<Node> nodes;
    /** Region inputs -> the outer values they stand for; results -> the outer outputs they define. */
    final Map<Value, Value> outer = new IdentityHashMap<>();
    final Set<Value> materialized = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Values whose buffer is another value's (reshape aliases, or an operand that writes straight into a reshaped result). */
    final Map<Value, Value> sharesWith = new IdentityHashMap<>();
    final List<Step> steps = new ArrayList<>();

    private GroupPlan(List<Node> nodes) { this.nodes = nodes; }

    static Role role(Node n) {
        String op = n.op().name();
        if (op.equals("reshape")) return Role.ALIAS;
        if (op.equals("broadcast_to") || isSplat(n)) return Role.INLINE;
        return switch (n.op().kind()) {
            case ELEMENTWISE -> Role.INLINE;
            case REDUCE -> op.equals("sum") || op.equals("mean") || op.equals("max") || op.equals("min") ? Role.REDUCE : Role.LOWERED;
            default -> Role.LOWERED;
        };
    }

    /** A constant with one value for every element: an immediate in the loop body, no buffer. */
    static boolean isSplat(Node n) { return n.op().name().equals("constant") && n.attrs().getDoubles("values").length == 1; }

    /** The plan of a fusion node's region. */
    static GroupPlan of(Graph region, List<Value> outerInputs, List<Value> outerOutputs) {
        return build(region.nodes(), region.inputs(), outerInputs, region.outputValues(), outerOutputs);
    }

    /** The plan of one inline node run on its own (a group of one). */
    static GroupPlan single(Node n) { return build(List.of(n), n.inputs(), n.inputs(), n.outputs(), n.outputs()); }

    private static GroupPlan build(List<Node> nodes, List<Value> ins, List<Value> outerIns, List<Value> results, List<Value> outerOuts) {
        GroupPlan p = new GroupPlan(nodes);
        for (int i = 0; i < ins.size(); i++) {
            p.outer.put(ins.get(i), outerIns.get(i));
            p.materialized.add(ins.get(i));
        }
        Set<Value> inputs = Collections.newSetFromMap(new IdentityHashMap<>());
        inputs.addAll(ins);
        List<Step> tail = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            Value r = results.get(i), o = outerOuts.get(i);
            if (inputs.contains(r) || p.outer.containsKey(r) && !inputs.contains(r)) {
                tail.add(new Copy(r, o)); // a pass-through or a second output of one value
                continue;
            }
            p.outer.put(r, o);
            p.materialized.add(r);
        }
        for (Node n : nodes) {
            switch (role(n)) {
                case REDUCE -> p.materialized.add(n.output());
                case LOWERED -> {
                    p.materialized.addAll(n.outputs());
                    p.materialized.addAll(n.inputs());
                }
                case ALIAS -> {
                    p.materialized.add(n.input(0));
                    p.materialized.add(n.output());
                }
                case INLINE -> { }
            }
        }
        for (Node n : nodes) {
            switch (role(n)) {
                case INLINE -> {
                    Value v = n.output();
                    if (!p.materialized.contains(v)) break;
                    Step last = p.steps.isEmpty() ? null : p.steps.get(p.steps.size() - 1);
                    if (last instanceof Nest nest && nest.reduce() == null && nest.space().equals(v.type().shape())) nest.targets().add(v);
                    else p.steps.add(new Nest(v.type().shape(), new ArrayList<>(List.of(v)), null));
                }
                case REDUCE -> p.steps.add(new Nest(n.input(0).type().shape(), List.of(), n));
                case LOWERED -> p.steps.add(new Lowered(n));
                case ALIAS -> {
                    Value x = n.input(0), y = n.output();
                    boolean yIsResult = p.outer.containsKey(y) && !inputs.contains(y);
                    boolean xIsFree = !p.outer.containsKey(x) && !p.sharesWith.containsKey(x);
                    if (!yIsResult) p.sharesWith.put(y, x);
                    else if (xIsFree && producedBefore(x, n, nodes)) p.sharesWith.put(x, y);
                    else p.steps.add(new Copy(x, y));
                }
            }
        }
        p.steps.addAll(tail);
        return p;
    }

    private static boolean producedBefore(Value x, Node n, List<Node> nodes) {
        return x.producer() != null && nodes.contains(x.producer());
    }

    /**
     * Whether result {@code r} may be written straight into the buffer of group input {@code in}
     * (buffer donation): {@code in} is read only by loop nests up to the one that computes {@code r},
     * and in that nest only at the point being written (same shape, so every read of an element
     * precedes its write); nothing else shares {@code in}'s buffer.
     */
    boolean canWriteOver(Value r, Value in) {
        for (Value v : sharesWith.keySet()) if (storageRoot(v) == in) return false;
        int writer = -1;
        for (int s = 0; s < steps.size(); s++) if (steps.get(s) instanceof Nest n && n.targets().contains(r)) writer = s;
        if (writer < 0) return false;
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            boolean reads = step instanceof Nest n ? NestEmitter.leaves(this, n).contains(in)
                    : step instanceof Lowered l ? l.node().inputs().contains(in)
                    : ((Copy) step).from() == in;
            if (!reads) continue;
            if (s > writer) return false;
            if (s == writer && !in.type().shape().equals(((Nest) step).space())) return false;
        }
        return true;
    }

    /** The value whose buffer {@code v} uses (itself unless it shares one). */
    Value storageRoot(Value v) {
        Value r = v;
        while (sharesWith.containsKey(r)) r = sharesWith.get(r);
        return r;
    }

    /** Materialized values that need a buffer of their own inside the group (not inputs, not results, not sharing). */
    List<Value> internals() {
        List<Value> out = new ArrayList<>();
        for (Node n : nodes)
            for (Value v : n.outputs())
                if (materialized.contains(v) && !outer.containsKey(v) && storageRoot(v) == v) out.add(v);
        return out;
    }
}
