package dlc.passes.fusion;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.ir.testing.RandomGraphs;
import dlc.ir.testing.UnitDimGraphs;
import dlc.ir.text.IrParser;
import dlc.ir.text.IrPrinter;
import dlc.passes.autodiff.Autodiff;
import dlc.passes.simplify.Simplify;
import net.jqwik.api.*;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fusion only regroups ops: on random graphs the fused graph verifies, round-trips through the
 * text form, holds every primitive op exactly once (nothing recomputed), keeps every group within
 * the rules, and computes bit-identical values in the float64 interpreter.
 */
class FusionProperties {
    private static final Fusion FUSION = new Fusion();

    @Provide Arbitrary<Graph> graphs() { return RandomGraphs.graphs(16); }

    /** Size-1 dims and reductions over them broadcast back, as they are and after simplify (which makes such reductions reshapes). */
    @Provide Arbitrary<Graph> unitDimGraphs() {
        return UnitDimGraphs.graphs(8).flatMap(g -> Arbitraries.of(g, new Simplify().run(g)));
    }

    @Property(tries = 300)
    void fusedUnitDimGraphsComputeBitIdenticalValuesAndKeepTheRules(@ForAll("unitDimGraphs") Graph g, @ForAll long seed) {
        fusedRandomGraphsComputeBitIdenticalValues(g, seed);
        Graph fused = FUSION.run(g);
        assertEquals(primitiveOps(g), primitiveOps(fused), () -> "fusion must place every op in exactly one group:\n" + fused);
        checkGroups(fused);
    }

    @Property(tries = 300)
    void fusedRandomGraphsComputeBitIdenticalValues(@ForAll("graphs") Graph g, @ForAll long seed) {
        Graph fused = FUSION.run(g);
        Verifier.verify(fused);
        Map<String, Tensor> in = RandomGraphs.randomInputs(g, RandomGraphs.BINDINGS, seed);
        Map<String, Tensor> expected;
        try {
            expected = Interpreter.run(g, in);
        } catch (RuntimeException e) {
            assertThrows(RuntimeException.class, () -> Interpreter.run(fused, in), "the unfused graph fails, so must the fused one: " + e);
            return;
        }
        Map<String, Tensor> actual = Interpreter.run(fused, in);
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet())
            assertArrayEquals(expected.get(k).data(), actual.get(k).data(), () -> "output " + k + " differs after fusion:\n" + fused);
    }

    @Property(tries = 300)
    @StatisticsReport(onFailureOnly = false)
    void fusionNeverRecomputesAndKeepsItsRules(@ForAll("graphs") Graph g) {
        Graph fused = FUSION.run(g);
        assertEquals(primitiveOps(g), primitiveOps(fused), () -> "fusion must place every op in exactly one group:\n" + fused);
        checkGroups(fused);
        Statistics.label("has a fusion group").collect(fused.nodes().stream().anyMatch(n -> n.op() == Ops.FUSION));
        String text = IrPrinter.print(fused);
        assertEquals(text, IrPrinter.print(IrParser.parseModule(text, "fused").graphs().get(0)), "the fused graph round-trips");
        assertEquals(text, IrPrinter.print(FUSION.run(g)), "fusion is deterministic");
        Statistics.label("has a fusion group").coverage(c -> c.check(true).percentage(p -> p >= 20));
    }

    /** The primitive ops of a graph with their counts, looking inside fusion groups and scan bodies. */
    static Map<OpDef, Integer> primitiveOps(Graph g) {
        Map<OpDef, Integer> out = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() != Ops.FUSION) out.merge(n.op(), 1, Integer::sum);
            for (Graph r : n.regions()) primitiveOps(r).forEach((k, v) -> out.merge(k, v, Integer::sum));
        }
        return out;
    }

    /** Every group: at most MAX_GROUP_SIZE ops, at most one matmul/conv, no opaque op, and an output group holds no reduction. */
    static void checkGroups(Graph g) {
        for (Node n : g.nodes()) {
            if (n.op() == Ops.FUSION) {
                Graph body = n.regions().get(0);
                assertTrue(body.nodes().size() >= 2 && body.nodes().size() <= Fusion.MAX_GROUP_SIZE, "group size " + body.nodes().size());
                long anchors = body.nodes().stream().filter(m -> m.op().kind() == OpDef.Kind.OUT_FUSABLE).count();
                long reductions = body.nodes().stream().filter(m -> m.op().kind() == OpDef.Kind.REDUCE).count();
                assertTrue(anchors <= 1, "one matmul/conv per group");
                assertTrue(body.nodes().stream().noneMatch(m -> m.op().kind() == OpDef.Kind.OPAQUE), "no opaque op in a group");
                assertTrue(anchors == 0 || reductions == 0, "an output group holds no reduction");
                assertEquals(anchors > 0 ? "output" : reductions > 0 ? "input" : "loop", n.attrs().getString("kind"));
            } else for (Graph r : n.regions()) checkGroups(r);
        }
    }

    /** Kernels: top-level nodes, a fusion group or a lone op each. */
    static long kernels(Graph g) { return g.nodes().size(); }

    /**
     * Softmax cross-entropy forward and backward (the gradient from {@link Autodiff}) is at most
     * three kernels, and still computes the same loss and gradient.
     */
    @Test
    void softmaxCrossEntropyForwardAndBackwardIsAtMostThreeGroups() {
        GraphBuilder b = new GraphBuilder("ce");
        Value x = b.input("logits", TensorType.of(DType.F64, 4, 10), Value.Role.PARAM);
        Value y = b.input("labels", TensorType.of(DType.F64, 4, 10), Value.Role.INPUT);
        Value m = b.op(Ops.MAX, Attrs.of("axes", List.of(1L), "keepdims", true), x);
        Value s = b.op(Ops.SUB, x, m);
        Value se = b.op(Ops.SUM, Attrs.of("axes", List.of(1L), "keepdims", true), b.op(Ops.EXP, s));
        Value lsm = b.op(Ops.SUB, s, b.op(Ops.LOG, se));
        Value loss = b.op(Ops.NEG, b.op(Ops.MEAN, Attrs.of("axes", List.of(0L, 1L), "keepdims", false), b.op(Ops.MUL, lsm, y)));
        b.output("loss", Graph.Output.Role.LOSS, loss);
        Graph train = new Autodiff().gradients(b.build(), "loss", List.of("logits"));
        Graph fused = FUSION.run(train);
        Verifier.verify(fused);
        assertTrue(kernels(fused) <= 3, () -> kernels(fused) + " kernels:\n" + fused);
        Map<String, Tensor> in = RandomGraphs.randomInputs(train, Map.of(), 7);
        Map<String, Tensor> want = Interpreter.run(train, in), got = Interpreter.run(fused, in);
        for (String k : want.keySet()) assertArrayEquals(want.get(k).data(), got.get(k).data(), k);
    }

    /** A chain of 70 elementwise ops splits at the cap: a group of 64, then one of the remaining 6. */
    @Test
    void groupsAreCappedAt64Ops() {
        GraphBuilder b = new GraphBuilder("long");
        Value v = b.input("x", TensorType.of(DType.F64, 3), Value.Role.INPUT);
        for (int i = 0; i < 70; i++) v = b.op(i % 2 == 0 ? Ops.TANH : Ops.SIN, v);
        b.output("y", Graph.Output.Role.OUTPUT, v);
        Graph fused = FUSION.run(b.build());
        assertEquals(List.of(64, 6), fused.nodes().stream().map(n -> n.regions().get(0).nodes().size()).toList());
        checkGroups(fused);
    }

    @Test
    void fusionHasNoGradient() {
        Graph fused = FUSION.run(IrParser.parseModule("""
                graph f(%x: f64[3]) {
                  %0 = exp(%x) : f64[3]
                  %1 = sum(%0) {axes=[0]} : f64[]
                  loss l = %1
                }
                """, "t").graphs().get(0));
        var e = assertThrows(RuntimeException.class, () -> new Autodiff().gradients(fused, "l", List.of("x")));
        assertTrue(e.getMessage().contains("fusion runs after autodiff; differentiate the unfused graph"), e.getMessage());
    }
}
