package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.*;
import java.util.function.Function;

/**
 * Reverse-mode automatic differentiation as a graph-to-graph transformation. The result computes
 * everything the input graph did, then walks its nodes in reverse, asking each op for its
 * vector-Jacobian product ({@link OpDef#vjp}). Cotangents of a value used several times are
 * summed (fan-out). Since every VJP is made of primitive ops, the result can be differentiated
 * again (second-order gradients).
 *
 * <p>Only nodes on a path from a differentiated input to a seeded output are visited, so
 * non-differentiable side computations (masks, keys, argmax) never need a rule.
 */
public final class Autodiff {
    private final Function<OpDef, Rule> rules;

    /** How one op's VJP is computed; tests plant a wrong rule here to prove the checks catch it. */
    @FunctionalInterface
    public interface Rule {
        List<Value> vjp(VjpContext ctx);
    }

    /** Autodiff with every op's own rule. */
    public Autodiff() { this(op -> op::vjp); }

    /** Autodiff with rules looked up through {@code rules} (for tests that plant a broken rule). */
    public Autodiff(Function<OpDef, Rule> rules) { this.rules = rules; }

    /**
     * A graph with the inputs and outputs of {@code g}, plus one output of role GRAD per name in
     * {@code wrt}: the gradient of the scalar floating output {@code loss} with respect to that
     * input (zeros when the loss does not depend on it).
     */
    public Graph gradients(Graph g, String loss, Collection<String> wrt) {
        Graph.Output out = g.output(loss).orElseThrow(() -> new IllegalArgumentException(
                "graph " + g.name() + " has no output '" + loss + "'; outputs: " + g.outputs().stream().map(Graph.Output::name).toList()));
        TensorType lt = out.value().type();
        if (lt.rank() != 0 || !lt.dtype().isFloating())
            throw new IllegalArgumentException("gradients need a scalar floating loss, but '" + loss + "' is " + lt);
        List<Value> targets = new ArrayList<>();
        for (String w : wrt) {
            Value v = g.input(w).orElseThrow(() -> new IllegalArgumentException("graph " + g.name() + " has no input '" + w + "'"));
            if (!v.type().dtype().isFloating())
                throw new IllegalArgumentException("cannot differentiate with respect to '" + w + "' of type " + v.type());
            targets.add(v);
        }
        GraphBuilder b = new GraphBuilder(g.name());
        Map<Value, Value> map = copyInputs(g, b);
        Value seed = b.op(Ops.CONSTANT, Attrs.of("dtype", lt.dtype(), "shape", Shape.SCALAR, "values", List.of(1.0)));
        Map<Value, Value> cot = backprop(g, b, map, Map.of(out.value(), seed), targets);
        for (Graph.Output o : g.outputs()) b.output(o.name(), o.role(), map.get(o.value()));
        for (Value t : targets) b.output(t.name(), Graph.Output.Role.GRAD, orZeros(b, cot.get(t), map.get(t)));
        return b.build();
    }

    /**
     * The VJP graph of {@code body}: inputs are the body's inputs followed by one cotangent per
     * body output; outputs are the cotangent of every body input, in order (zeros where none
     * flows). Scan's VJP runs this graph in a reverse scan.
     */
    public Graph vjpGraph(Graph body) {
        GraphBuilder b = new GraphBuilder(body.name() + "_vjp");
        Map<Value, Value> map = copyInputs(body, b);
        Map<Value, Value> seeds = new LinkedHashMap<>();
        int i = 0;
        for (Graph.Output o : body.outputs()) {
            Value ct = b.input("ct" + i++, o.value().type(), Value.Role.INPUT);
            seeds.merge(o.value(), ct, (x, y) -> b.op(Ops.ADD, x, y));
        }
        List<Value> targets = body.inputs().stream().filter(v -> v.type().dtype().isFloating()).toList();
        Map<Value, Value> cot = backprop(body, b, map, seeds, targets);
        int k = 0;
        for (Value v : body.inputs()) b.output(Integer.toString(k++), Graph.Output.Role.OUTPUT, orZeros(b, cot.get(v), map.get(v)));
        return b.build();
    }

    /**
     * The gradient of the scalar floating value {@code y} with respect to each of {@code targets},
     * built in place: {@code b} already holds y, the targets and the nodes between them, and the
     * VJP nodes are appended to it (nothing is copied). The result is ordinary primitive ops, so a
     * later {@link #gradients} of a graph containing it differentiates through it (second order),
     * and it may itself be differentiated in place again. A target y does not depend on gets
     * zeros, as in {@link #gradients}; {@code reached} (when not null) receives, per target,
     * whether any cotangent flowed to it.
     *
     * @throws IllegalArgumentException when y is not a floating scalar or a target is not floating
     */
    public List<Value> gradientsInPlace(GraphBuilder b, Value y, List<Value> targets, boolean[] reached) {
        TensorType yt = y.type();
        if (yt.rank() != 0 || !yt.dtype().isFloating())
            throw new IllegalArgumentException("gradients need a scalar floating value, but y is " + yt);
        for (Value t : targets)
            if (!t.type().dtype().isFloating())
                throw new IllegalArgumentException("cannot differentiate with respect to a value of type " + t.type());
        List<Node> nodes = b.nodes();
        SourceLoc saved = b.loc();
        Value seed = b.op(Ops.CONSTANT, Attrs.of("dtype", yt.dtype(), "shape", Shape.SCALAR, "values", List.of(1.0)));
        Map<Value, Value> cot = reverse(nodes, b, v -> v, Map.of(y, seed), targets);
        b.at(saved);
        List<Value> out = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Value ct = cot.get(targets.get(i));
            if (reached != null) reached[i] = ct != null;
            out.add(orZeros(b, ct, targets.get(i)));
        }
        return out;
    }

    private static Map<Value, Value> copyInputs(Graph g, GraphBuilder b) {
        Map<Value, Value> map = new IdentityHashMap<>();
        for (Value v : g.inputs()) map.put(v, b.input(v.name(), v.type(), v.role()));
        return map;
    }

    private static Value orZeros(GraphBuilder b, Value ct, Value like) {
        if (ct != null) return ct;
        Value zero = b.op(Ops.CONSTANT, Attrs.of("dtype", like.type().dtype(), "shape", Shape.SCALAR, "values", List.of(0.0)));
        return b.op(Ops.BROADCAST_TO, Attrs.of("shape", like.type().shape()), zero);
    }

    /**
     * Copies the forward nodes of {@code g} into {@code b} (extending {@code map}), then propagates
     * cotangents from {@code seeds} (original values to their cotangents in b) back to
     * {@code targets}. Returns the cotangents of original values that received one.
     */
    private Map<Value, Value> backprop(Graph g, GraphBuilder b, Map<Value, Value> map, Map<Value, Value> seeds, List<Value> targets) {
        for (Node n : g.nodes()) {
            b.at(n.loc());
            List<Value> in = n.inputs().stream().map(map::get).toList();
            List<Value> out = b.op(n.op(), n.attrs(), n.regions(), in, n.outputs().stream().map(Value::name).toList());
            for (int i = 0; i < out.size(); i++) map.put(n.outputs().get(i), out.get(i));
        }
        return reverse(g.nodes(), b, map::get, seeds, targets);
    }

    /**
     * Walks {@code nodes} in reverse, appending to {@code b} each VJP of a node that a seed's
     * cotangent reaches and that depends on a target; {@code map} gives a node's values as values
     * of b (the copies, or the values themselves when b already holds the nodes).
     */
    private Map<Value, Value> reverse(List<Node> nodes, GraphBuilder b, Function<Value, Value> map, Map<Value, Value> seeds,
                                      List<Value> targets) {
        Set<Value> fromTargets = dependents(nodes, targets);
        Map<Value, Value> cot = new IdentityHashMap<>(seeds);
        for (int k = nodes.size() - 1; k >= 0; k--) {
            Node n = nodes.get(k);
            if (n.outputs().stream().noneMatch(cot::containsKey)) continue;
            if (n.inputs().stream().noneMatch(fromTargets::contains)) continue;
            b.at(n.loc());
            List<Value> cts = n.outputs().stream().map(cot::get).toList();
            VjpContext ctx = new VjpContext(b, n, n.inputs().stream().map(map).toList(),
                    n.outputs().stream().map(map).toList(), cts, this::vjpGraph);
            List<Value> grads;
            try {
                grads = rules.apply(n.op()).vjp(ctx);
            } catch (GradientException e) {
                throw e; // a node inside a region (a scan body) already named its location
            } catch (ShapeException e) {
                throw new GradientException(n, e.getMessage(), e.hint());
            } catch (ArithmeticException e) { // exact dim arithmetic: a rule sized something beyond 64 bits
                throw new GradientException(n, "the gradient of " + n.op().name() + " needs a size out of range: " + e.getMessage(),
                        "the forward op's sizes are too large to differentiate; use smaller dims, paddings or strides");
            }
            if (grads.size() != n.inputs().size())
                throw new IllegalStateException("VJP of " + n.op().name() + " returned " + grads.size() + " cotangents for " + n.inputs().size() + " operands");
            for (int i = 0; i < grads.size(); i++) {
                Value x = n.input(i), gx = grads.get(i);
                if (gx == null || !fromTargets.contains(x)) continue;
                if (!gx.type().equals(x.type()))
                    throw new IllegalStateException("VJP of " + n.op().name() + " at " + n.loc() + " gave operand " + i + " a cotangent of type "
                            + gx.type() + ", expected " + x.type());
                cot.merge(x, gx, (p, q) -> b.op(Ops.ADD, p, q));
            }
        }
        return cot;
    }

    /** The targets and every value computed from them. */
    private static Set<Value> dependents(List<Node> nodes, List<Value> targets) {
        Set<Value> dep = Collections.newSetFromMap(new IdentityHashMap<>());
        dep.addAll(targets);
        for (Node n : nodes)
            if (n.inputs().stream().anyMatch(dep::contains)) dep.addAll(n.outputs());
        return dep;
    }
}
