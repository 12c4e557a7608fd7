package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.passes.Pass;

import java.util.*;

/**
 * Folds evaluation-mode batch norm into the convolution or dense layer before it. std/nn.dl's
 * {@code batch_norm} lowers in evaluation mode to
 * <pre>
 *   z  = conv2d(x, w) | matmul(x, w)        [+ b]          (the layer, with an optional bias add)
 *   y  = (z - R(rm)) * rsqrt(R(rv) + eps)   [* R(gamma)] [+ R(beta)]
 * </pre>
 * where R reshapes a per-channel vector [C] to broadcast over the channel axis (axis 1 of a
 * conv2d result [N, C, H, W]; the last axis of a matmul result [B, C]) and eps is a one-value
 * constant. With {@code s = rsqrt(rv + eps) * gamma} this equals
 * {@code conv2d(x, w * s[:, None, None, None]) + R((b - rm) * s + beta)} (matmul: {@code w * s}
 * over w's columns): one layer and one add. The scaled weight and bias are nodes on the
 * parameters only, computed once per call whatever the batch size (a constant-parameter pass or
 * the backend can hoist them). Folding reassociates float arithmetic, so values agree up to
 * rounding, not bit for bit.
 *
 * <p>Matched only when w, b, rm, rv, gamma and beta are PARAM or STATE inputs of the graph and every
 * intermediate result (z, z + b, z - R(rm), the normalized and the scaled value) has one use, so
 * folding never computes the layer twice. The training-mode lowering (batch statistics) does not
 * match. Nested graphs are left alone: their inputs are never parameters.
 */
public final class BatchNormFolding implements Pass {
    public static final String NAME = "fold-batch-norm";

    @Override public String name() { return NAME; }

    /** One matched chain: the last node of the chain and the values the folded form reads. */
    private record Chain(Node layer, Value x, Value w, Value bias, Value rm, Value rv, Value eps, Value gamma, Value beta, int channelAxis) {}

    @Override public Graph run(Graph graph) {
        Map<Value, List<Node>> users = new IdentityHashMap<>();
        Set<Value> outputs = DeadCodeElimination.identitySet();
        for (Node n : graph.nodes()) for (Value v : n.inputs()) users.computeIfAbsent(v, k -> new ArrayList<>()).add(n);
        for (Graph.Output o : graph.outputs()) outputs.add(o.value());
        Map<Node, Chain> chains = new IdentityHashMap<>();
        for (Node n : graph.nodes()) {
            if (n.op() == Ops.CONV2D || n.op() == Ops.MATMUL) match(n, users, outputs).ifPresent(e -> chains.put(e.getKey(), e.getValue()));
        }
        if (chains.isEmpty()) return graph;
        Graph folded = GraphRewriter.rewrite(graph, g -> g, (n, emit) -> {
            Chain c = chains.get(emit.original());
            return c == null ? null : List.of(fold(c, emit, n.output().type()));
        });
        return new DeadCodeElimination().run(folded);
    }

    private static Optional<Map.Entry<Node, Chain>> match(Node layer, Map<Value, List<Node>> users, Set<Value> outputs) {
        TensorType zt = layer.output().type();
        boolean conv = layer.op() == Ops.CONV2D;
        if (!conv && (zt.rank() != 2 || layer.input(1).type().rank() != 2)) return Optional.empty();
        if (!isParam(layer.input(1)) || !zt.dtype().isFloating()) return Optional.empty();
        int axis = conv ? 1 : zt.rank() - 1;
        Dim channels = zt.shape().dim(axis);
        Value cur = layer.output();
        Node next = soleUser(cur, users, outputs);
        Value bias = null;
        if (is(next, Ops.ADD) && perChannel(other(next, cur), zt, axis, channels) != null) {
            bias = perChannel(other(next, cur), zt, axis, channels);
            cur = next.output();
            next = soleUser(cur, users, outputs);
        }
        if (!is(next, Ops.SUB) || next.input(0) != cur) return Optional.empty();
        Value rm = perChannel(next.input(1), zt, axis, channels);
        if (rm == null) return Optional.empty();
        cur = next.output();
        next = soleUser(cur, users, outputs);
        if (!is(next, Ops.MUL)) return Optional.empty();
        Node rsqrt = other(next, cur).producer();
        if (!is(rsqrt, Ops.RSQRT) || !is(rsqrt.input(0).producer(), Ops.ADD)) return Optional.empty();
        Node addEps = rsqrt.input(0).producer();
        Value rv = null, eps = null;
        for (int i = 0; i < 2 && rv == null; i++) {
            rv = perChannel(addEps.input(i), zt, axis, channels);
            eps = addEps.input(1 - i);
        }
        if (rv == null || !isScalarConstant(eps)) return Optional.empty();
        cur = next.output();
        Node last = next;
        Value gamma = null, beta = null;
        next = soleUser(cur, users, outputs);
        if (is(next, Ops.MUL) && perChannel(other(next, cur), zt, axis, channels) != null) {
            gamma = perChannel(other(next, cur), zt, axis, channels);
            cur = next.output();
            last = next;
            next = soleUser(cur, users, outputs);
        }
        if (is(next, Ops.ADD) && perChannel(other(next, cur), zt, axis, channels) != null) {
            beta = perChannel(other(next, cur), zt, axis, channels);
            last = next;
        }
        if (!last.output().type().equals(zt)) return Optional.empty();
        return Optional.of(Map.entry(last, new Chain(layer, layer.input(0), layer.input(1), bias, rm, rv, eps, gamma, beta, axis)));
    }

    /** Emits the folded layer for chain {@code c}, with values mapped into the new graph. */
    private static Value fold(Chain c, GraphRewriter.Emitter e, TensorType result) {
        Attrs none = Attrs.EMPTY;
        e.at(c.layer.loc()); // the folded nodes stand for the layer (its std/nn.dl line), not for the last add
        Value rv = e.map(c.rv), rm = e.map(c.rm), w = e.map(c.w);
        Value scale = e.op(Ops.RSQRT, none, e.op(Ops.ADD, none, rv, e.reshape(e.map(c.eps), Shape.SCALAR)));
        if (c.gamma != null) scale = e.op(Ops.MUL, none, scale, e.map(c.gamma));
        Value shift = c.bias != null ? e.op(Ops.SUB, none, e.map(c.bias), rm) : e.op(Ops.NEG, none, rm);
        shift = e.op(Ops.MUL, none, shift, scale);
        if (c.beta != null) shift = e.op(Ops.ADD, none, shift, e.map(c.beta));
        Shape wShape = w.type().shape();
        List<Dim> scaleDims = new ArrayList<>(Collections.nCopies(wShape.rank(), Dim.of(1)));
        // conv2d weight [O, I/g, kH, kW] scales its output channel axis 0; matmul weight [K, N] its columns
        int wAxis = c.layer.op() == Ops.CONV2D ? 0 : 1;
        scaleDims.set(wAxis, wShape.dim(wAxis));
        Value scaledW = e.op(Ops.MUL, none, w, e.reshape(scale, new Shape(scaleDims)));
        Value z = e.op(c.layer.op(), c.layer.attrs(), List.of(), List.of(e.map(c.x), scaledW), Collections.singletonList(null)).get(0);
        List<Dim> shiftDims = new ArrayList<>(Collections.nCopies(result.rank(), Dim.of(1)));
        shiftDims.set(c.channelAxis, result.shape().dim(c.channelAxis));
        return e.op(Ops.ADD, none, z, e.reshape(shift, new Shape(shiftDims)));
    }

    /**
     * The per-channel vector [C] behind {@code v}: v itself or a reshape of it, a PARAM or STATE
     * input, whose shape right-aligned against the result is 1 everywhere but the channel axis.
     */
    private static Value perChannel(Value v, TensorType result, int axis, Dim channels) {
        if (v == null) return null;
        Shape s = v.type().shape();
        int off = result.rank() - s.rank();
        if (off < 0 || v.type().dtype() != result.dtype()) return null;
        for (int i = 0; i < s.rank(); i++)
            if (!s.dim(i).equals(off + i == axis ? channels : Dim.of(1))) return null;
        if (off + s.rank() <= axis) return null; // the channel axis is broadcast, not per-channel
        Value base = v;
        if (v.producer() != null && v.producer().op() == Ops.RESHAPE) base = v.producer().input(0);
        if (!isParam(base) || !base.type().shape().equals(Shape.of(channels))) return null;
        return base;
    }

    private static boolean isParam(Value v) {
        return v.isGraphInput() && (v.role() == Value.Role.PARAM || v.role() == Value.Role.STATE);
    }

    private static boolean isScalarConstant(Value v) {
        Node n = v.producer();
        return n != null && n.op() == Ops.CONSTANT && n.attrs().getDoubles("values").length == 1
                && n.output().type().shape().numel().equals(Dim.of(1));
    }

    private static boolean is(Node n, OpDef op) { return n != null && n.op() == op; }

    /** The operand of binary {@code n} that is not {@code v}, or null when v is both or neither. */
    private static Value other(Node n, Value v) {
        if (n.input(0) == v && n.input(1) != v) return n.input(1);
        if (n.input(1) == v && n.input(0) != v) return n.input(0);
        return null;
    }

    /** The one node using {@code v}, or null when v has other uses (or is a graph output). */
    private static Node soleUser(Value v, Map<Value, List<Node>> users, Set<Value> outputs) {
        List<Node> u = users.getOrDefault(v, List.of());
        return u.size() == 1 && !outputs.contains(v) ? u.get(0) : null;
    }
}
