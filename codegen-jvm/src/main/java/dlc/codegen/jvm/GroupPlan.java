package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.Shape;
import dlc.ir.Value;
import dlc.ir.ops.Ops;

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

    /**
     * A matmul or conv2d whose bias add and activation run in the kernel's output loop:
     * {@code result = act(anchor + bias)} ({@code bias} may be null, {@code act} a {@code Gemm.ACT_*}).
     */
    record Epilogue(Node anchor, Value bias, int biasKind, int act, Value result) implements Step { }

    /** A copy of {@code from}'s elements into {@code to}'s buffer (same element count). */
    record Copy(Value from, Value to) implements Step { }

    sealed interface Step permits Nest, Lowered, Epilogue, Copy { }

    enum Role { INLINE, REDUCE, ALIAS, LOWERED }

    final List<Node> nodes;
    /** Region inputs -> the outer values they stand for; results -> the outer outputs they define. */
    final Map<Value, Value> outer = new IdentityHashMap<>();
    final Set<Value> materialized = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Values whose buffer is another value's (reshape aliases, or an operand that writes straight into a reshaped result). */
    final Map<Value, Value> sharesWith = new IdentityHashMap<>();
    final List<Step> steps = new ArrayList<>();

    private GroupPlan(List<Node> nodes) { this.nodes = nodes; }

    /** A node's role in a group: its {@link LoweringTable} entry's kind. */
    static Role role(Node n) { return LoweringTable.of(n).accept(n, ROLES); }

    private static final Lowering.Visitor<Role> ROLES = new Lowering.Visitor<>() {
        @Override public Role inline(Node n, Lowering.Inline how) { return Role.INLINE; }

        @Override public Role reduction(Node n, Lowering.Reduction how) { return Role.REDUCE; }

        /** An alias that a nest can read straight through (stop_gradient) is inline; reshape shares its operand's buffer. */
        @Override public Role alias(Node n, Lowering.Alias how) { return how.inNest() != null ? Role.INLINE : Role.ALIAS; }

        @Override public Role kernel(Node n, Lowering.KernelCall how) { return Role.LOWERED; }

        /** A region inside a group is emitted as a kernel call, which fails loudly ({@link ClassEmitter#lower}). */
        @Override public Role region(Node n, Lowering.Region how) { return Role.LOWERED; }
    };

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
                    if (last instanceof Nest nest && nest.reduce() == null && nest.space().equals(v.type().shape())
                            && !p.readsWhatItWrites(nest, v)) nest.targets().add(v);
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
        for (int i = 0; i < p.steps.size(); i++) if (p.steps.get(i) instanceof Lowered l) p.fuseEpilogue(i, l.node());
        p.steps.removeIf(st -> st instanceof Nest n && n.reduce() == null && n.targets().isEmpty());
        return p;
    }

    /**
     * Moves a bias add and an activation that follow a matmul or conv2d into the kernel's output
     * loop (TVM's output fusion): {@code act(add(anchor, bias))}, {@code add(anchor, bias)} or
     * {@code act(anchor)}, when the anchor's result and the pre-activation are used by nothing else.
     */
    private void fuseEpilogue(int stepIndex, Node anchor) {
        Lowering.Epilogue epilogue = LoweringTable.epilogue(anchor);
        if (epilogue == null) return;
        Value a = anchor.output();
        if (!dlc.codegen.jvm.KernelEmitter.isFloat(a.type().dtype()) || outer.containsKey(a)) return;
        List<Node> users = users(a);
        if (users.size() != 1) return;
        Node u = users.get(0);
        Value bias = null;
        int biasKind = dlc.runtime.Gemm.BIAS_NONE, act = dlc.runtime.Gemm.ACT_NONE;
        Value result;
        if (u.op() == Ops.ADD && u.inputs().size() == 2 && u.input(0) != u.input(1)) {
            Value b = u.input(0) == a ? u.input(1) : u.input(0);
            biasKind = epilogue.biasKind(a, b);
            if (biasKind == dlc.runtime.Gemm.BIAS_NONE || !materialized.contains(b) || !u.output().type().equals(a.type())) return;
            bias = b;
            result = u.output();
            List<Node> next = users(result);
            if (next.size() == 1 && activation(next.get(0)) != dlc.runtime.Gemm.ACT_NONE && !outer.containsKey(result)) {
                act = activation(next.get(0));
                result = next.get(0).output();
            }
        } else if (activation(u) != dlc.runtime.Gemm.ACT_NONE) {
            act = activation(u);
            result = u.output();
        } else return;
        materialized.remove(a);
        if (act != dlc.runtime.Gemm.ACT_NONE && bias != null) materialized.remove(u.output());
        materialized.add(result);
        for (Step s : steps)
            if (s instanceof Nest n && n.reduce() == null) {
                n.targets().remove(result);
                if (!materialized.contains(u.output())) n.targets().remove(u.output());
            }
        Node fusedAct = result.producer() == u ? null : result.producer();
        steps.set(stepIndex, new Epilogue(anchor, bias, biasKind, act, result));
        // an activation that would run as its own kernel (VecMath) is now part of the epilogue
        steps.removeIf(s -> s instanceof Lowered l && (l.node() == u || l.node() == fusedAct));
    }

    private List<Node> users(Value v) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) if (n.inputs().contains(v)) out.add(n);
        return out;
    }

    /** The {@code Gemm.ACT_*} code of a unary node an epilogue can apply ({@link Lowering#epilogueActivation}). */
    private static int activation(Node n) {
        if (n.inputs().size() != 1) return dlc.runtime.Gemm.ACT_NONE;
        return LoweringTable.of(n).epilogueActivation();
    }

    /**
     * Whether adding target {@code v} to {@code nest} would make the nest read a buffer it writes:
     * {@code v} reads (as a leaf, loaded at the top of each point) a value stored in the buffer of
     * one of the nest's targets, such as a reshape of a target ({@code b - reshape(sum-over-a-size-1-dim(b))}
     * after simplify). The leaf would be loaded before the target is stored at that point, and at
     * other points than the one being written, so {@code v} gets a nest of its own after this one.
     */
    private boolean readsWhatItWrites(Nest nest, Value v) {
        List<Value> targets = new ArrayList<>(nest.targets());
        targets.add(v);
        Set<Value> written = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value t : nest.targets()) written.add(storageRoot(t));
        for (Value leaf : NestEmitter.leaves(this, new Nest(nest.space(), targets, null)))
            if (written.contains(storageRoot(leaf))) return true;
        return false;
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
                    : step instanceof Epilogue ep ? ep.anchor().inputs().contains(in) || ep.bias() == in
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
