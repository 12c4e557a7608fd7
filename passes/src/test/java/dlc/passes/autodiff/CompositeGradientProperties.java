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
 * Random composite graphs from {@link RandomGraphs} (elementwise ops, reductions, movement,
 * casts, where; matmul and scan when their rules exist; up to 24 steps), scalarized as
 * {@code loss = sum_k sum(out_k * u_k)} and differentiated with respect to every floating input,
 * against float64 central differences. How samples that finite differences cannot judge are
 * rejected (kinks within the step, values that blow up, singular points) is described on
 * {@link CompositeGraphs}; rejection looks at the forward graph only. On failure jqwik prints the
 * shrunk generated graph (its IR text) and the message prints the prepared f64 graph.
 */
class CompositeGradientProperties {
    /**
     * 1-4 graphs per try: each op appears in only a few percent of generated graphs, so checking
     * several per try raises coverage at the same try count; shrinking drops the graphs that pass.
     */
    @Provide Arbitrary<List<Graph>> graphBatches() { return RandomGraphs.graphs(24).list().ofMinSize(1).ofMaxSize(4); }

    @Property(maxDiscardRatio = 30)
    void compositeGradientMatchesFiniteDifferences(@ForAll("graphBatches") List<Graph> batch, @ForAll long seed) {
        int checked = 0;
        for (Graph generated : batch) {
            Optional<CompositeGraphs.Problem> problem = CompositeGraphs.prepare(generated, seed);
            Statistics.label("outcome").collect(problem.isEmpty() ? "nothing to differentiate" : "prepared");
            if (problem.isEmpty()) continue;
            CompositeGraphs.Problem p = problem.get();
            CompositeGraphs.Verdict v = CompositeGraphs.check(new Autodiff(), p, new Random(seed));
            Statistics.label("rejected").collect(v.rejected() == null ? "checked" : v.rejected().replaceAll("[:0-9].*", ""));
            if (v.rejected() != null) continue;
            checked++;
            Statistics.label("checked gradient").collect(v.result().analytic() == 0 ? "zero" : "nonzero");
            Statistics.label("checked nodes").collect(p.graph().nodes().size() < 8 ? "< 8" : p.graph().nodes().size() < 16 ? "8-15" : ">= 16");
            assertTrue(v.ok(), "gradient of the prepared graph w.r.t. " + p.wrt() + ": " + v.result() + "\n" + p.graph());
        }
        Assume.that(checked > 0);
    }

    /**
     * The same check on a fixed composite with a planted wrong rule (reverse's cotangent not flipped
     * back) fails, and with the real rules passes: the composite check can fail.
     */
    @Example
    void plantedWrongRuleInACompositeIsDetected() {
        GraphBuilder b = new GraphBuilder("composite");
        Value x = b.input("x", TensorType.of(DType.F32, 3, 4), Value.Role.PARAM);
        Value y = b.input("y", TensorType.of(DType.F32, 4), Value.Role.INPUT);
        Value h = b.op(Ops.TANH, b.op(Ops.MUL, b.op(Ops.REVERSE, Attrs.of("axes", List.of(1L)), x), y));
        Value m = b.op(Ops.MAX, Attrs.of("axes", List.of(0L), "keepdims", false), b.op(Ops.PAD, Attrs.of("low", List.of(1L, 0L), "high", List.of(0L, 0L)), h));
        b.output("out", Graph.Output.Role.OUTPUT, b.op(Ops.SIN, b.op(Ops.ADD, m, y)));
        Graph generated = b.build();
        CompositeGraphs.Problem p = CompositeGraphs.prepare(generated, 3).orElseThrow();
        Autodiff broken = new Autodiff(op -> op == Ops.REVERSE ? c -> List.of(c.cotangent(0)) : op::vjp);
        CompositeGraphs.Verdict bad = CompositeGraphs.check(broken, p, new Random(1));
        assertNull(bad.rejected());
        assertFalse(bad.ok(), bad.result().toString());
        CompositeGraphs.Verdict good = CompositeGraphs.check(new Autodiff(), p, new Random(1));
        assertTrue(good.ok(), good.result().toString());
    }

    /** f32 inputs and casts are widened to f64, so finite differences see no rounding jumps. */
    @Example
    void preparationWidensToFloat64AndScalarizesEveryFloatingOutput() {
        GraphBuilder b = new GraphBuilder("w");
        Value x = b.input("x", TensorType.of(DType.F32, 2), Value.Role.INPUT);
        Value i = b.input("i", TensorType.of(DType.I32, 2), Value.Role.INPUT);
        b.output("a", Graph.Output.Role.OUTPUT, b.op(Ops.CAST, Attrs.of("dtype", DType.F32), b.op(Ops.EXP, x)));
        b.output("b", Graph.Output.Role.OUTPUT, i);
        b.output("c", Graph.Output.Role.OUTPUT, b.op(Ops.CAST, Attrs.of("dtype", DType.F32), i));
        CompositeGraphs.Problem p = CompositeGraphs.prepare(b.build(), 1).orElseThrow();
        assertEquals(List.of("x"), p.wrt());
        assertEquals(DType.F64, p.graph().input("x").orElseThrow().type().dtype());
        assertTrue(p.graph().nodes().stream().noneMatch(n -> n.outputs().stream().anyMatch(v -> v.type().dtype() == DType.F32)), p.graph().toString());
        assertEquals(2, p.graph().inputs().stream().filter(v -> v.name().startsWith("u_")).count());
        Tensor loss = CompositeGraphs.run(p.graph(), p.inputs()).get("loss");
        assertEquals(0, loss.rank());
    }
}
