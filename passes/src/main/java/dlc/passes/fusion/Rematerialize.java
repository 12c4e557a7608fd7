package dlc.passes.fusion;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.passes.Pass;

import java.util.*;

/**
 * Recomputes, inside a fusion group, values that fusion made it read from another group's results
 * when recomputing them costs nothing and reads nothing new, so the producing group no longer
 * stores them. It runs after {@link Fusion} (which never recomputes anything) and changes only
 * which values cross group boundaries: every value is computed exactly as before, bit for bit.
 *
 * <p>Two rewrites, in each fusion node (the consumer) of a graph and of every scan body:
 * <ul>
 *   <li><b>Constants.</b> An operand that another group computes from splat constants alone
 *       ({@code constant} with one value, {@code broadcast_to}, {@code reshape}) is computed in the
 *       consumer instead: the zeros of a relu's gradient {@code where(x > 0, g, zeros)}, which the
 *       training step otherwise writes as a full-size buffer and reads back.</li>
 *   <li><b>Relu masks.</b> A mask {@code gt(p, 0)} over an operand {@code p} whose relu
 *       {@code r = relu(p)} is also a value outside the consumer (a result of the group that yields
 *       {@code p}, or a top-level {@code relu} node) reads {@code r} instead: {@code relu(p) > 0}
 *       holds exactly when {@code p > 0}, for every value including NaN and both zeros, and after
 *       rounding to the storage type too (rounding keeps the sign and never turns a non-positive
 *       into a positive). Done only when every use of {@code p} in the consumer is such a mask, so
 *       the consumer reads {@code r} in place of {@code p}, never in addition. The forward pass then
 *       no longer keeps the pre-activation for the backward pass beside the activation it keeps
 *       anyway (for the next layer or a pooling gradient).</li>
 *   <li><b>Stored masks.</b> An operand that another group computes as a comparison of that
 *       group's own operands (stored values) and splat constants, such as {@code gt(h, 0)} of a
 *       stored activation, is compared in the consumer instead, reading the same stored values, so
 *       the bits are the same. Done when it makes the consumer read at most one value it did not
 *       read before, in place of the mask: an operand of a comparison has at most the mask's
 *       elements and is never wider than a bool is stored (backends store bools as doubles). A
 *       comparison of a value the producing group computes stays stored: the consumer would have to
 *       recompute it, and would compare the rounded stored value, not the one the producer had.</li>
 * </ul>
 * Afterwards a group result that nothing reads any more is dropped, with the nodes that only fed
 * it; a group left with no result is removed. So the pass never adds a stored value or a read of
 * one: it only removes them.
 */
public final class Rematerialize implements Pass {
    public static final String NAME = "remat";
    /** The most nodes one recomputed constant expression may hold (a constant, a reshape, a broadcast). */
    private static final int MAX_CONSTANT_NODES = 4;

    @Override public String name() { return NAME; }

    /** No options. */
    public static Rematerialize fromOptions(Map<String, String> options) {
        if (!options.isEmpty()) throw new IllegalArgumentException(NAME + " takes no options, got " + options.keySet());
        return new Rematerialize();
    }

    @Override public Graph run(Graph graph) {
        Graph g = rewriteConsumers(graph);
        // a dropped result can leave its group's operands unread, results of groups before it
        for (Graph next = dropUnusedResults(g); next != g; next = dropUnusedResults(g)) g = next;
        return g;
    }

    // ---- consumers: recompute constants, read relu outputs for masks ----

    private Graph rewriteConsumers(Graph g) {
        Map<Value, Value> map = new IdentityHashMap<>();
        GraphBuilder b = new GraphBuilder(g.name());
        for (Value v : g.inputs()) map.put(v, b.input(v.name(), v.type(), v.role()));
        Map<Value, Value> reluOf = reluOutputs(g);
        for (Node n : g.nodes()) {
            Node nn = n.op() == Ops.FUSION ? rewriteConsumer(n, map, reluOf) : copy(n, map, n.regions().stream().map(this::run).toList());
            b.add(nn);
            for (int j = 0; j < n.outputs().size(); j++) map.put(n.outputs().get(j), nn.outputs().get(j));
        }
        for (Graph.Output o : g.outputs()) b.output(o.name(), o.role(), map.get(o.value()));
        return b.build();
    }

    /**
     * For each top-level value p, the top-level value holding relu(p), where there is one: a
     * {@code relu} node reading p, or a fusion result yielding relu of what another result of the
     * same group yields.
     */
    private static Map<Value, Value> reluOutputs(Graph g) {
        Map<Value, Value> reluOf = new IdentityHashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() == Ops.RELU) reluOf.putIfAbsent(n.input(0), n.output());
            if (n.op() != Ops.FUSION) continue;
            List<Value> yields = n.regions().get(0).outputValues();
            for (int j = 0; j < yields.size(); j++) {
                Value y = yields.get(j);
                if (y.isGraphInput() || y.producer().op() != Ops.RELU) continue;
                int p = yields.indexOf(y.producer().input(0));
                if (p >= 0) reluOf.putIfAbsent(n.outputs().get(p), n.outputs().get(j));
            }
        }
        return reluOf;
    }

    private static Node rewriteConsumer(Node fusion, Map<Value, Value> map, Map<Value, Value> reluOf) {
        Graph body = fusion.regions().get(0);
        List<Value> operands = fusion.inputs();
        // what each body input becomes: a recomputed constant, or an operand of the new node
        GraphBuilder nb = new GraphBuilder(body.name());
        Map<Value, Value> local = new IdentityHashMap<>();
        List<Value> newOperands = new ArrayList<>();
        Map<Value, Value> inputFor = new IdentityHashMap<>(); // external (old graph) value -> new body input
        Map<Value, List<Node>> constantOf = new IdentityHashMap<>();
        for (int k = 0; k < operands.size(); k++) {
            List<Node> expr = constantExpression(operands.get(k));
            if (expr != null) constantOf.put(body.inputs().get(k), expr);
        }
        // masks gt(p, 0) whose p can be read as relu(p) instead: only when every use of p is such a mask
        Map<Value, Value> maskSource = new IdentityHashMap<>(); // body input p -> external relu(p)
        for (int k = 0; k < operands.size(); k++) {
            Value p = body.inputs().get(k), r = reluOf.get(operands.get(k));
            // r must already be computed where the consumer runs (a relu node after it would not be)
            if (r != null && map.containsKey(r) && !constantOf.containsKey(p) && onlyZeroMasks(p, body, constantOf)) maskSource.put(p, r);
        }
        // comparisons another group computes from stored values the consumer can read instead
        Map<Value, Node> comparisonOf = new IdentityHashMap<>(); // body input -> the comparison in its producer's body
        List<Value> stillRead = new ArrayList<>(maskSource.values()); // what the consumer reads after the two rules above
        for (int k = 0; k < operands.size(); k++)
            if (!constantOf.containsKey(body.inputs().get(k)) && !maskSource.containsKey(body.inputs().get(k))) stillRead.add(operands.get(k));
        for (int k = 0; k < operands.size(); k++) {
            Value in = body.inputs().get(k);
            if (constantOf.containsKey(in) || maskSource.containsKey(in)) continue;
            Node cmp = storedComparison(operands.get(k), stillRead);
            if (cmp != null) comparisonOf.put(in, cmp);
        }
        if (constantOf.isEmpty() && maskSource.isEmpty() && comparisonOf.isEmpty()) return copy(fusion, map, fusion.regions());

        // body inputs: every operand not recomputed, in order, then the relu outputs masks now read
        for (int k = 0; k < operands.size(); k++) {
            Value in = body.inputs().get(k);
            if (constantOf.containsKey(in) || maskSource.containsKey(in) || comparisonOf.containsKey(in)) continue;
            local.put(in, bodyInput(nb, operands.get(k), inputFor, newOperands, in.type()));
        }
        for (int k = 0; k < operands.size(); k++) {
            Value in = body.inputs().get(k), r = maskSource.get(in);
            if (r != null) local.put(in, bodyInput(nb, r, inputFor, newOperands, r.type()));
        }
        // the recomputed constants first (they read nothing), then the body as it was
        for (Value in : body.inputs()) { // in operand order, so the output is deterministic
            List<Node> expr = constantOf.get(in);
            if (expr == null) continue;
            Map<Value, Value> c = new IdentityHashMap<>();
            Value last = null;
            for (Node n : expr) {
                Node nn = nb.add(copy(n, c, List.of()));
                for (int j = 0; j < n.outputs().size(); j++) c.put(n.outputs().get(j), nn.outputs().get(j));
                last = nn.output();
            }
            local.put(in, last);
        }
        for (Value in : body.inputs()) {
            Node cmp = comparisonOf.get(in);
            if (cmp == null) continue;
            Node producer = operands.get(body.inputs().indexOf(in)).producer();
            Graph pBody = producer.regions().get(0);
            List<Value> args = new ArrayList<>();
            for (Value a : cmp.inputs()) {
                if (a.isGraphInput()) {
                    Value ext = producer.input(pBody.inputs().indexOf(a));
                    args.add(bodyInput(nb, ext, inputFor, newOperands, ext.type()));
                } else {
                    Map<Value, Value> c = new IdentityHashMap<>();
                    List<Node> expr = new ArrayList<>();
                    collectConstant(a, expr);
                    Value last = null;
                    for (Node n : expr) {
                        Node nn = nb.add(copy(n, c, List.of()));
                        c.put(n.output(), nn.output());
                        last = nn.output();
                    }
                    args.add(last);
                }
            }
            Node nn = nb.add(new Node(cmp.op(), args, cmp.attrs(), List.of(), List.of(cmp.output().type()), Collections.singletonList(cmp.output().name()), cmp.loc()));
            local.put(in, nn.output());
        }
        for (Node n : body.nodes()) {
            Node nn = nb.add(copy(n, local, List.of()));
            for (int j = 0; j < n.outputs().size(); j++) local.put(n.outputs().get(j), nn.outputs().get(j));
        }
        for (Graph.Output o : body.outputs()) nb.output(o.name(), o.role(), local.get(o.value()));
        List<Value> outer = newOperands.stream().map(map::get).toList();
        return new Node(fusion.op(), outer, fusion.attrs(), List.of(nb.build()), fusion.outputs().stream().map(Value::type).toList(),
                fusion.outputs().stream().map(Value::name).toList(), fusion.loc());
    }

    private static final Set<OpDef> COMPARISONS = Set.of(Ops.LT, Ops.LE, Ops.GT, Ops.GE, Ops.EQ, Ops.NE);

    /**
     * When {@code v} is a result of a fusion node yielding a comparison whose operands are that
     * node's own operands (stored values, read as stored) or splat constants, that comparison; else
     * null. Recomputing it in a consumer reads the same stored values, so it gives the same bits,
     * and reads at most one value the consumer (whose operands are {@code consumerOperands}) does not
     * already read, in place of {@code v}: never more elements (an operand of a comparison has at
     * most its result's elements) and never wider ones (a bool is stored as wide as any dtype).
     */
    private static Node storedComparison(Value v, List<Value> consumerOperands) {
        if (v.isGraphInput() || v.producer().op() != Ops.FUSION) return null;
        Node producer = v.producer();
        Value y = producer.regions().get(0).outputValues().get(v.index());
        if (y.isGraphInput() || !COMPARISONS.contains(y.producer().op())) return null;
        Node cmp = y.producer();
        Graph pBody = producer.regions().get(0);
        Set<Value> added = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value a : cmp.inputs()) {
            if (a.isGraphInput()) {
                Value ext = producer.input(pBody.inputs().indexOf(a));
                if (!consumerOperands.contains(ext)) added.add(ext);
            } else if (!collectConstant(a, new ArrayList<>())) {
                return null;
            }
        }
        return added.size() <= 1 ? cmp : null;
    }

    /** The body input reading external value {@code v} (of the old graph), created on first use. */
    private static Value bodyInput(GraphBuilder nb, Value v, Map<Value, Value> inputFor, List<Value> newOperands, TensorType type) {
        Value in = inputFor.get(v);
        if (in == null) {
            in = nb.input("in" + newOperands.size(), type, Value.Role.INPUT);
            inputFor.put(v, in);
            newOperands.add(v);
        }
        return in;
    }

    /** Whether every use of {@code p} in {@code body} is {@code gt(p, zero)} with a zero the consumer computes itself. */
    private static boolean onlyZeroMasks(Value p, Graph body, Map<Value, List<Node>> constantOf) {
        if (body.outputValues().contains(p)) return false;
        boolean used = false;
        for (Node n : body.nodes())
            for (int i = 0; i < n.inputs().size(); i++) {
                if (n.input(i) != p) continue;
                if (n.op() != Ops.GT || i != 0 || !isZero(n.input(1), constantOf)) return false;
                used = true;
            }
        return used;
    }

    /** Whether {@code v} (a body value) is zero everywhere: a splat zero constant, reshaped or broadcast, in the body or recomputed into it. */
    private static boolean isZero(Value v, Map<Value, List<Node>> constantOf) {
        List<Node> expr = constantOf.get(v);
        if (expr != null) return isZero(expr.get(expr.size() - 1).output(), Map.of());
        if (v.isGraphInput()) return false;
        Node n = v.producer();
        if (n.op() == Ops.CONSTANT) {
            double[] values = n.attrs().getDoubles("values");
            return values.length == 1 && values[0] == 0;
        }
        if (n.op() == Ops.RESHAPE || n.op() == Ops.BROADCAST_TO) return isZero(n.input(0), constantOf);
        return false;
    }

    /**
     * The nodes (in order, the value's own last) that compute {@code v}, a result of a fusion node,
     * from splat constants alone; null when it is anything else.
     */
    private static List<Node> constantExpression(Value v) {
        if (v.isGraphInput() || v.producer().op() != Ops.FUSION) return null;
        Node fusion = v.producer();
        Value y = fusion.regions().get(0).outputValues().get(v.index());
        List<Node> out = new ArrayList<>();
        return collectConstant(y, out) ? out : null;
    }

    private static boolean collectConstant(Value v, List<Node> out) {
        if (v.isGraphInput()) return false;
        Node n = v.producer();
        if (n.op() == Ops.CONSTANT) {
            if (n.attrs().getDoubles("values").length != 1) return false;
        } else if (n.op() == Ops.RESHAPE || n.op() == Ops.BROADCAST_TO) {
            if (!collectConstant(n.input(0), out)) return false;
        } else {
            return false;
        }
        if (out.size() >= MAX_CONSTANT_NODES) return false;
        out.add(n);
        return true;
    }

    /** The group kind {@link GroupEmitter} gives a body of these nodes. */
    private static String kindOf(Graph body) {
        boolean reduces = false, anchored = false;
        for (Node n : body.nodes()) {
            reduces |= Fusion.kindOf(n) == OpDef.Kind.REDUCE;
            anchored |= Fusion.kindOf(n) == OpDef.Kind.OUT_FUSABLE;
        }
        return anchored ? "output" : reduces ? "input" : "loop";
    }

    private static Node copy(Node n, Map<Value, Value> map, List<Graph> regions) {
        return new Node(n.op(), n.inputs().stream().map(map::get).toList(), n.attrs(), regions,
                n.outputs().stream().map(Value::type).toList(), n.outputs().stream().map(Value::name).toList(), n.loc());
    }

    // ---- producers: drop the results nothing reads any more ----

    /** {@code g} without the fusion results nothing reads; {@code g} itself when there are none. */
    private static Graph dropUnusedResults(Graph g) {
        Set<Value> used = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Output o : g.outputs()) used.add(o.value());
        for (Node n : g.nodes()) used.addAll(n.inputs());
        if (g.nodes().stream().allMatch(n -> n.op() != Ops.FUSION || used.containsAll(n.outputs()))) return g;
        Map<Value, Value> map = new IdentityHashMap<>();
        GraphBuilder b = new GraphBuilder(g.name());
        for (Value v : g.inputs()) map.put(v, b.input(v.name(), v.type(), v.role()));
        for (Node n : g.nodes()) {
            if (n.op() == Ops.FUSION && !n.outputs().stream().allMatch(used::contains)) {
                List<Value> kept = n.outputs().stream().filter(used::contains).toList();
                if (kept.isEmpty()) continue;
                Node nn = shrink(n, kept, map);
                b.add(nn);
                for (int j = 0; j < kept.size(); j++) map.put(kept.get(j), nn.outputs().get(j));
                continue;
            }
            Node nn = b.add(copy(n, map, n.regions()));
            for (int j = 0; j < n.outputs().size(); j++) map.put(n.outputs().get(j), nn.outputs().get(j));
        }
        for (Graph.Output o : g.outputs()) b.output(o.name(), o.role(), map.get(o.value()));
        return b.build();
    }

    /**
     * The fusion node yielding only {@code kept} of its results, without the body nodes that fed
     * only the others and without the operands nothing reads any more.
     */
    private static Node shrink(Node fusion, List<Value> kept, Map<Value, Value> map) {
        Graph body = fusion.regions().get(0);
        List<Value> yields = kept.stream().map(v -> body.outputValues().get(v.index())).toList();
        Set<Value> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(yields);
        List<Node> nodes = body.nodes();
        boolean[] keep = new boolean[nodes.size()];
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(live::contains)) {
                keep[i] = true;
                live.addAll(n.inputs());
            }
        }
        GraphBuilder nb = new GraphBuilder(body.name());
        Map<Value, Value> local = new IdentityHashMap<>();
        List<Value> operands = new ArrayList<>();
        for (int k = 0; k < body.inputs().size(); k++) {
            Value in = body.inputs().get(k);
            if (!live.contains(in)) continue;
            local.put(in, nb.input("in" + operands.size(), in.type(), Value.Role.INPUT));
            operands.add(map.get(fusion.input(k)));
        }
        for (int i = 0; i < nodes.size(); i++) {
            if (!keep[i]) continue;
            Node nn = nb.add(copy(nodes.get(i), local, List.of()));
            for (int j = 0; j < nodes.get(i).outputs().size(); j++) local.put(nodes.get(i).outputs().get(j), nn.outputs().get(j));
        }
        for (int j = 0; j < yields.size(); j++) nb.output(String.valueOf(j), Graph.Output.Role.OUTPUT, local.get(yields.get(j)));
        Graph shrunk = nb.build();
        return new Node(fusion.op(), operands, fusion.attrs().with("kind", kindOf(shrunk)), List.of(shrunk), kept.stream().map(Value::type).toList(),
                kept.stream().map(Value::name).toList(), fusion.loc());
    }
}
