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
            if (source == null) return null;
            List<String> names = n.outputs().stream().map(Value::name).toList();
            List<Value> outs = new ArrayList<>(emit.op(n.op(), n.attrs(), n.regions(), n.inputs(), names));
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
