package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.passes.Pass;

import java.util.*;

/**
 * Replaces a scan's stacked output (a y) that needs no loop by the value it equals, so that
 * {@link DeadCodeElimination} drops it from the scan and the loop stops copying it at every step:
 * <ul>
 *   <li>a y whose body value is one of the body's x inputs: the stacked y is that x operand
 *       itself (step t stacks at index t what it sliced at index t, on the same axis, whichever the
 *       direction);</li>
 *   <li>a y whose body value is also an earlier y's: the earlier result.</li>
 * </ul>
 * And an x that holds one value everywhere (a broadcast constant: the zero cotangent of ys
 * nobody reads) is that value at every step: the body reads the constant, and the loop no longer
 * slices the x (dce drops it; {@code x + 0} then folds away).
 * Both come from backpropagation through time ({@code dlc.ir.ops.ScanGradient}): the reverse body
 * emits the outer-product factors of a recurrent weight's gradient as ys, and for an LSTM the left
 * factor is the step's input carry (already a stacked x of the reverse scan) and the right one is
 * the cotangent of the step's x (already a y): two [B, T, *] stacks rebuilt per step for nothing.
 * Values are unchanged: the replacement holds the same elements.
 */
public final class ScanForwarding implements Pass {
    public static final String NAME = "scan-forwarding";

    @Override public String name() { return NAME; }

    @Override public Graph run(Graph graph) {
        return GraphRewriter.rewrite(graph, this::run, (n, emit) -> {
            if (n.op() != Ops.SCAN) return null;
            Value[] source = sources(n);
            Graph body = withSplatXs(n);
            if (source == null && body == null) return null;
            if (source == null) source = new Value[n.outputs().size()];
            List<String> names = n.outputs().stream().map(Value::name).toList();
            List<Graph> regions = body == null ? n.regions() : List.of(body);
            List<Value> outs = new ArrayList<>(emit.op(n.op(), n.attrs(), regions, n.inputs(), names));
            for (int j = 0; j < outs.size(); j++) {
                Value s = source[j];
                if (s == null) continue;
                // an earlier result of this same scan stands as its new value
                int earlier = n.outputs().indexOf(s);
                outs.set(j, earlier >= 0 ? outs.get(earlier) : s);
            }
            return outs;
        });
    }

    /**
     * The body of scan {@code n} reading a constant in place of each x input whose operand holds one
     * value everywhere (that x must still be read: else there is nothing to do), or null when none does.
     */
    static Graph withSplatXs(Node n) {
        int nc = (int) n.attrs().getLong("num_carries"), nx = (int) n.attrs().getLong("num_xs");
        Graph body = n.regions().get(0);
        Map<Value, Double> splat = new IdentityHashMap<>();
        Set<Value> read = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node m : body.nodes()) read.addAll(m.inputs());
        for (Graph.Output o : body.outputs()) read.add(o.value());
        for (int i = nc; i < nc + nx; i++) {
            Double v = splatValue(n.input(i));
            if (v != null && read.contains(body.inputs().get(i))) splat.put(body.inputs().get(i), v);
        }
        if (splat.isEmpty()) return null;
        GraphBuilder b = new GraphBuilder(body.name());
        Map<Value, Value> map = new IdentityHashMap<>();
        for (Value v : body.inputs()) map.put(v, b.input(v.name(), v.type(), v.role()));
        for (var e : splat.entrySet()) {
            TensorType t = e.getKey().type();
            Value c = b.op(Ops.CONSTANT, Attrs.of("dtype", t.dtype(), "shape", Shape.SCALAR, "values", List.of(e.getValue())));
            map.put(e.getKey(), t.rank() == 0 ? c : b.op(Ops.BROADCAST_TO, Attrs.of("shape", t.shape()), c));
        }
        for (Node m : body.nodes()) {
            Node c = new Node(m.op(), m.inputs().stream().map(map::get).toList(), m.attrs(), m.regions(),
                    m.outputs().stream().map(Value::type).toList(), m.outputs().stream().map(Value::name).toList(), m.loc());
            b.add(c);
            for (int j = 0; j < c.outputs().size(); j++) map.put(m.outputs().get(j), c.outputs().get(j));
        }
        for (Graph.Output o : body.outputs()) b.output(o.name(), o.role(), map.get(o.value()));
        return b.build();
    }

    /** The one value {@code v} holds everywhere: a constant of one value, or one broadcast; else null. */
    private static Double splatValue(Value v) {
        Node p = v.producer();
        if (p != null && p.op() == Ops.BROADCAST_TO) p = p.input(0).producer();
        if (p == null || p.op() != Ops.CONSTANT) return null;
        double[] values = p.attrs().getDoubles("values");
        return values.length == 1 ? values[0] : null;
    }

    /**
     * Per result of scan {@code n}, what it equals without the loop: an operand of {@code n} (an x),
     * an earlier result of {@code n}, or null (computed by the loop); null when no result has one.
     */
    static Value[] sources(Node n) {
        int nc = (int) n.attrs().getLong("num_carries"), nx = (int) n.attrs().getLong("num_xs");
        Graph body = n.regions().get(0);
        List<Graph.Output> outputs = body.outputs();
        Value[] source = new Value[outputs.size()];
        boolean any = false;
        Map<Value, Integer> firstY = new IdentityHashMap<>();
        for (int j = nc; j < outputs.size(); j++) {
            Value v = outputs.get(j).value();
            Value result = n.outputs().get(j);
            int x = body.inputs().indexOf(v);
            Integer seen = firstY.putIfAbsent(v, j);
            if (x >= nc && x < nc + nx && n.input(x).type().equals(result.type())) {
                source[j] = n.input(x);
                any = true;
            } else if (seen != null) {
                source[j] = n.outputs().get(seen);
                any = true;
            }
        }
        return any ? source : null;
    }
}
