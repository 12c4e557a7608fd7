package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.ir.testing.RandomGraphs;
import net.jqwik.api.*;
import net.jqwik.api.statistics.Statistics;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Autodiff#gradientsInPlace} (what the language's {@code grad} builds) on random composite
 * graphs from {@link RandomGraphs}, prepared as in {@link CompositeGradientProperties}: the graph
 * gets, in place, the gradient g_w of its loss w.r.t. every floating input w, and a second loss
 * {@code loss = sum_w sum(g_w * v_w)} with fresh random weights v_w. Two checks, float64:
 * <ul>
 *   <li>first order: that loss, {@code <grad L, v>}, equals central differences of L along v;
 *   <li>second order: the autodiff pass's gradient of that loss (a Hessian-vector product,
 *       differentiating through the in-place gradient nodes) against central differences of it
 *       along a random direction, h = 1e-6, rtol 1e-3.
 * </ul>
 * Samples that finite differences cannot judge are rejected as {@link CompositeGraphs} describes.
 */
class InPlaceGradientProperties {
    static final double RTOL = 1e-3;

    @Provide Arbitrary<List<Graph>> graphBatches() { return RandomGraphs.graphs(16).list().ofMinSize(1).ofMaxSize(3); }

    @Property(tries = 250, maxDiscardRatio = 30)
    void gradientOfAnInPlaceGradientMatchesFiniteDifferences(@ForAll("graphBatches") List<Graph> batch, @ForAll long seed) {
        int checked = 0;
        for (Graph generated : batch) {
            Optional<CompositeGraphs.Problem> first = CompositeGraphs.prepare(generated, seed);
            if (first.isEmpty()) continue;
            Random r = new Random(seed);
            CompositeGraphs.Problem p = first.get();
            CompositeGraphs.Problem second = withGradient(p, r);
            String firstWhy = CompositeGraphs.unjudgeable(p);
            CompositeGraphs.Verdict v2 = CompositeGraphs.check(new Autodiff(), second, r);
            Statistics.label("rejected").collect(firstWhy != null ? "first order" : v2.rejected() == null ? "checked" : "second order");
            if (firstWhy != null || v2.rejected() != null) continue;
            GradCheck.Result r1 = firstOrder(p, second);
            if (r1 == null) continue;
            assertTrue(ok(r1), "in-place gradient <grad L, v> vs finite differences of L: " + r1 + "\n" + second.graph());
            assertTrue(ok(v2.result()), "gradient of the in-place gradient vs finite differences: " + v2.result() + "\n" + second.graph());
            checked++;
        }
        Assume.that(checked > 0);
    }

    static boolean ok(GradCheck.Result r) {
        if (Double.isNaN(r.analytic()) || Double.isNaN(r.numeric())) return false;
        return r.relError() <= RTOL || Math.abs(r.analytic() - r.numeric()) <= r.allowance();
    }

    /**
     * p's graph with, appended in place, the gradient of its loss w.r.t. every input in p.wrt()
     * and the new loss {@code sum_w sum(g_w * v_w)} (the old one is kept as output loss0).
     */
    static CompositeGraphs.Problem withGradient(CompositeGraphs.Problem p, Random r) {
        Graph g = p.graph();
        GraphBuilder b = new GraphBuilder(g.name() + "_grad");
        Map<Value, Value> map = new IdentityHashMap<>();
        for (Value v : g.inputs()) map.put(v, b.input(v.name(), v.type(), v.role()));
        for (Node n : g.nodes()) {
            b.at(n.loc());
            List<Value> out = b.op(n.op(), n.attrs(), n.regions(), n.inputs().stream().map(map::get).toList(), n.outputs().stream().map(Value::name).toList());
            for (int i = 0; i < out.size(); i++) map.put(n.outputs().get(i), out.get(i));
        }
        Map<String, Tensor> inputs = new HashMap<>(p.inputs());
        List<Value> targets = new ArrayList<>();
        for (String w : p.wrt()) targets.add(map.get(g.input(w).orElseThrow()));
        Value loss = map.get(g.output("loss").orElseThrow().value());
        List<Value> grads = new Autodiff().gradientsInPlace(b, loss, targets, null);
        Value loss2 = null;
        for (int k = 0; k < targets.size(); k++) {
            Value gk = grads.get(k);
            assertEquals(targets.get(k).type(), gk.type(), "a gradient has its input's type");
            String name = "v_" + k;
            Value v = b.input(name, gk.type(), Value.Role.INPUT);
            inputs.put(name, GraphsForGrad.tensor(inputs.get(p.wrt().get(k)).shape(), r, r::nextGaussian));
            Value term = GraphsForGrad.all(b, Ops.SUM, b.op(Ops.MUL, gk, v));
            loss2 = loss2 == null ? term : b.op(Ops.ADD, loss2, term);
        }
        for (Graph.Output o : g.outputs())
            b.output(o.name().equals("loss") ? "loss0" : o.name(), o.role() == Graph.Output.Role.LOSS ? Graph.Output.Role.OUTPUT : o.role(), map.get(o.value()));
        b.output("loss", Graph.Output.Role.LOSS, loss2);
        return new CompositeGraphs.Problem(b.build(), p.wrt(), inputs);
    }

    /** {@code <grad L, v>} as the in-place graph computes it, against central differences of L along v; null when L is not smooth there. */
    static GradCheck.Result firstOrder(CompositeGraphs.Problem p, CompositeGraphs.Problem second) {
        Map<String, Tensor> dir = new LinkedHashMap<>();
        for (int k = 0; k < p.wrt().size(); k++) dir.put(p.wrt().get(k), second.inputs().get("v_" + k));
        double plus = CompositeGraphs.loss(p, dir, GradCheck.H), minus = CompositeGraphs.loss(p, dir, -GradCheck.H);
        double n1 = (plus - minus) / (2 * GradCheck.H);
        double n2 = (CompositeGraphs.loss(p, dir, 10 * GradCheck.H) - CompositeGraphs.loss(p, dir, -10 * GradCheck.H)) / (20 * GradCheck.H);
        if (!(Math.abs(n1 - n2) <= 1e-7 * (Math.abs(n1) + Math.abs(n2)) + 1e-9)) return null;
        double analytic = CompositeGraphs.run(second.graph(), second.inputs()).get("loss").item();
        return new GradCheck.Result(analytic, n1, Math.max(Math.abs(plus), Math.abs(minus)));
    }

    /** A planted wrong rule inside the in-place gradient is caught by the second-order check. */
    @Example
    void aWrongRuleInsideTheInPlaceGradientIsDetected() {
        GraphBuilder b = new GraphBuilder("planted");
        Value x = b.input("x", TensorType.of(DType.F64, 3), Value.Role.INPUT);
        Value loss = GraphsForGrad.all(b, Ops.SUM, b.op(Ops.MUL, b.op(Ops.SIN, x), b.op(Ops.EXP, x)));
        b.output("loss", Graph.Output.Role.LOSS, loss);
        Graph g = b.build();
        Map<String, Tensor> in = Map.of("x", Tensor.of(new int[]{3}, 0.3, -0.7, 1.1));
        CompositeGraphs.Problem p = new CompositeGraphs.Problem(g, List.of("x"), in);
        CompositeGraphs.Problem second = withGradient(p, new Random(2));
        Autodiff broken = new Autodiff(op -> op == Ops.COS ? c -> List.of(c.op(Ops.SIN, c.cotangent(0))) : op::vjp);
        CompositeGraphs.Verdict bad = CompositeGraphs.check(broken, second, new Random(3));
        assertNull(bad.rejected());
        assertFalse(ok(bad.result()), bad.result().toString());
        CompositeGraphs.Verdict good = CompositeGraphs.check(new Autodiff(), second, new Random(3));
        assertTrue(ok(good.result()), good.result().toString());
        assertTrue(ok(firstOrder(p, second)));
    }
}
