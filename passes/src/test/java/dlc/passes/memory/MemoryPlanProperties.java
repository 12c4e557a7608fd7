package dlc.passes.memory;

import dlc.ir.*;
import dlc.ir.testing.RandomGraphs;
import dlc.ir.text.IrParser;
import dlc.passes.fusion.Fusion;
import net.jqwik.api.*;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/** Memory plans never let two live values share memory, except a legal in-place update. */
class MemoryPlanProperties {
    @Provide Arbitrary<Graph> graphs() { return RandomGraphs.graphs(16); }

    @Property(tries = 300)
    void plansOfRandomGraphsKeepLiveValuesApart(@ForAll("graphs") Graph g, @ForAll boolean fuse) {
        Graph planned = fuse ? new Fusion().run(g) : g;
        check(MemoryPlanner.plan(planned, RandomGraphs.BINDINGS));
    }

    /**
     * Random graphs made into training steps: each input gets an UPDATE output, its new value, from
     * the last node result of its type (where there is one), so that donation has something to do.
     */
    @Provide Arbitrary<Graph> stepGraphs() { return RandomGraphs.graphs(16).map(MemoryPlanProperties::withUpdatesOfInputs); }

    static Graph withUpdatesOfInputs(Graph g) {
        List<Graph.Output> outs = new ArrayList<>(g.outputs());
        for (Value in : g.inputs()) {
            if (g.output(in.name()).isPresent()) continue;
            Value last = null;
            for (Node n : g.nodes()) for (Value v : n.outputs()) if (v.type().equals(in.type())) last = v;
            if (last != null) outs.add(new Graph.Output(in.name(), Graph.Output.Role.UPDATE, last));
        }
        return new Graph(g.name(), g.inputs(), g.nodes(), outs);
    }

    @Property(tries = 300)
    void donationKeepsPlansValidAndChangesNoValue(@ForAll("stepGraphs") Graph g, @ForAll boolean fuse, @ForAll long seed) {
        Graph planned = fuse ? new Fusion().run(g) : g;
        String text = planned.toString();
        Map<String, dlc.ir.eval.Tensor> named = RandomGraphs.randomInputs(planned, RandomGraphs.BINDINGS, seed);
        dlc.ir.eval.Tensor[] inputs = planned.inputs().stream().map(v -> named.get(v.name())).toArray(dlc.ir.eval.Tensor[]::new);
        Object before = evaluate(planned, inputs);
        MemoryPlan plan = MemoryPlanner.plan(planned, RandomGraphs.BINDINGS);
        check(plan);
        Statistics.label("donation").collect(plan.donated().isEmpty() ? "none" : "some");
        // the generator must exercise donation, or the property proves little
        Statistics.label("donation").coverage(c -> c.check("some").percentage(pct -> pct >= 20.0));
        assertEquals(text, planned.toString(), "planning is an analysis: the graph is unchanged");
        assertEquals(before, evaluate(planned, inputs), "the same values (or the same evaluation error) after planning");
    }

    /** The outputs, or the message of the evaluation error (random integer graphs may divide by zero). */
    private static Object evaluate(Graph g, dlc.ir.eval.Tensor[] inputs) {
        try {
            return List.of(dlc.ir.eval.Interpreter.run(g, inputs, RandomGraphs.BINDINGS));
        } catch (dlc.ir.eval.Interpreter.EvalException e) {
            return e.getMessage();
        }
    }

    static void check(MemoryPlan p) {
        Set<Value> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
        pinned.addAll(p.graph().inputs());
        pinned.addAll(p.graph().outputValues());
        List<Value> values = new ArrayList<>(p.live().keySet());
        for (Value v : values) assertTrue(p.offset().get(v) >= 0 && p.offset().get(v) + p.bytes().get(v) <= p.peakBytes(), "outside the arena: " + v);
        for (int i = 0; i < values.size(); i++)
            for (int j = i + 1; j < values.size(); j++) {
                Value a = values.get(i), b = values.get(j);
                if (!p.shareMemory(a, b)) continue;
                MemoryPlan.Interval ia = p.live().get(a), ib = p.live().get(b);
                if (p.donated().get(b) == a || p.donated().get(a) == b) {
                    Value upd = p.donated().get(b) == a ? b : a, in = p.donated().get(upd);
                    int lastUse = p.live().get(in).end(), def = p.live().get(upd).start();
                    assertTrue(lastUse < def || lastUse == def && MemoryPlanner.alignedReader(upd.producer(), in),
                            "donated " + in + " (last use " + lastUse + ") to " + upd + " (defined at " + def + ")\n" + p.graph());
                    assertEquals(in.type(), upd.type());
                    assertTrue(p.graph().inputs().contains(in) && !p.graph().outputValues().contains(in));
                    assertTrue(p.graph().outputs().stream().anyMatch(o -> o.role() == Graph.Output.Role.UPDATE && o.value() == upd
                            && o.name().equals(in.name())), "donation only from an UPDATE output to the input it updates");
                    continue;
                }
                assertFalse(pinned.contains(a) || pinned.contains(b), "a pinned value shares memory: " + a + " and " + b);
                if (!ia.overlaps(ib)) continue;
                boolean legalInPlace = (p.inPlace().get(b) == a && ia.end() == ib.start()) || (p.inPlace().get(a) == b && ib.end() == ia.start());
                assertTrue(legalInPlace, a + " " + ia + " and " + b + " " + ib + " share memory at " + p.offset().get(a) + "\n" + p.graph());
            }
        for (Map.Entry<Value, Value> e : p.inPlace().entrySet()) {
            Node n = e.getKey().producer();
            assertTrue(MemoryPlanner.elementwise(n) && n.inputs().contains(e.getValue()), "in place only over an operand of an elementwise node");
            assertEquals(e.getKey().type().shape(), e.getValue().type().shape());
        }
        assertTrue(p.peakBytes() >= p.lowerBoundBytes(), "peak " + p.peakBytes() + " below the lower bound " + p.lowerBoundBytes());
        assertTrue(p.peakBytes() <= p.totalBytes(), "reuse never costs more than no reuse");
    }

    /** x -> exp -> tanh -> neg (output), B=2: tanh overwrites exp in place; x and the output are pinned. */
    @Test
    void elementwiseChainRunsInPlace() {
        Graph g = IrParser.parseModule("""
                graph f(%x: f32[B, 8]) {
                  %0 = exp(%x) : f32[B, 8]
                  %1 = tanh(%0) : f32[B, 8]
                  %2 = neg(%1) : f32[B, 8]
                  output y = %2
                }
                """, "t").graphs().get(0);
        MemoryPlan p = MemoryPlanner.plan(g, Map.of("B", 2L));
        check(p);
        Value exp = g.nodes().get(0).output(), tanh = g.nodes().get(1).output();
        assertSame(exp, p.inPlace().get(tanh));
        assertEquals(4 * 64, p.totalBytes());          // four values of 2*8 f32
        assertEquals(3 * 64, p.peakBytes());           // x, one temporary, the output
        assertEquals(3 * 64, p.lowerBoundBytes());     // while neg runs: x, its operand and its result
        GraphStats s = GraphStats.of(g, Map.of("B", 2L));
        assertEquals(3, s.ops());
        assertEquals(3, s.kernels());
        assertEquals(6 * 64, s.bytesMoved());
        GraphStats fused = GraphStats.of(new Fusion().run(g), Map.of("B", 2L));
        assertEquals(new GraphStats(3, 1, 2 * 64, 2 * 64, 2 * 64, 2 * 64), fused);
    }

    /** Memory freed by a dead value is reused by a later value that fits (best fit, not new memory). */
    @Test
    void freedBuffersAreReused() {
        Graph g = IrParser.parseModule("""
                graph f(%x: f32[4, 8], %w: f32[8, 8]) {
                  %0 = matmul(%x, %w) : f32[4, 8]
                  %1 = matmul(%0, %w) : f32[4, 8]
                  %2 = matmul(%1, %w) : f32[4, 8]
                  %3 = matmul(%2, %w) : f32[4, 8]
                  output y = %3
                }
                """, "t").graphs().get(0);
        MemoryPlan p = MemoryPlanner.plan(g, Map.of());
        check(p);
        // %0 dies at node 1, so %2 takes its place; %1 lives until node 2 and needs its own
        assertEquals(p.offset().get(g.nodes().get(0).output()), p.offset().get(g.nodes().get(2).output()));
        assertEquals(128 + 256 + 2 * 128 + 128, p.peakBytes());
    }

    /**
     * One Adam update (w, g, m, v, lr_t; updates of w, m, v): the three updates take over the
     * memory of the param and states they replace, fused or not, so the arena is just the inputs.
     */
    @Test
    void adamUpdatesTakeOverTheirInputs() throws Exception {
        String text = java.nio.file.Files.readString(java.nio.file.Path.of("../examples/ir/adam_update.ir"));
        Graph g = IrParser.parseModule(text, "adam_update.ir").graphs().get(0);
        long array = 784 * 256 * 4;
        for (Graph planned : List.of(g, new Fusion().run(g))) {
            MemoryPlan p = MemoryPlanner.plan(planned, Map.of());
            check(p);
            assertEquals(3, p.donated().size(), planned::toString);
            for (String name : List.of("w", "m", "v"))
                assertSame(planned.input(name).orElseThrow(), p.donated().get(planned.output(name).orElseThrow().value()));
            if (planned != g) assertEquals(4 * array + 4, p.peakBytes(), "w, g, m, v and the scalar lr_t");
        }
    }

    /** No donation when the old value is still read after the update is written, or when types differ. */
    @Test
    void noDonationWhileTheOldValueIsStillRead() {
        Graph g = IrParser.parseModule("""
                graph f(param %w: f32[4], %g: f32[4]) {
                  %0 = sub(%w, %g) : f32[4]
                  %1 = add(%w, %0) : f32[4]
                  update w = %0
                  output y = %1
                }
                """, "t").graphs().get(0);
        MemoryPlan p = MemoryPlanner.plan(g, Map.of());
        check(p);
        assertTrue(p.donated().isEmpty(), "w is read by node 1 after its update is written by node 0");
        assertEquals(4 * 16, p.peakBytes(), "w, g, the update and y, each pinned");
    }

    /** w' = w - 0.1 * (a @ g): w enters only the matmul's epilogue, so its update takes over its memory once fused. */
    @Test
    void matmulEpilogueUpdateTakesOverItsParam() {
        Graph g = IrParser.parseModule("""
                graph f(param %w: f32[4, 4], %a: f32[4, 8], %g: f32[8, 4]) {
                  %0 = matmul(%a, %g) : f32[4, 4]
                  %1 = constant() {dtype=f32, shape=<>, values=[0.1]} : f32[]
                  %2 = mul(%0, %1) : f32[4, 4]
                  %3 = sub(%w, %2) : f32[4, 4]
                  update w = %3
                }
                """, "t").graphs().get(0);
        Graph fused = new Fusion().run(g);
        assertEquals(1, fused.nodes().stream().filter(n -> n.op().name().equals("fusion")).count(), fused::toString);
        MemoryPlan p = MemoryPlanner.plan(fused, Map.of());
        check(p);
        assertSame(fused.input("w").orElseThrow(), p.donated().get(fused.output("w").orElseThrow().value()), fused::toString);
        assertEquals(64 + 128 + 128, p.peakBytes(), "w (and its update), a and g");
        // w transposed inside the group: w'[i,j] reads w[j,i], which may already be overwritten
        Graph transposed = IrParser.parseModule("""
                graph f(param %w: f32[4, 4], %g: f32[4, 4]) {
                  %0 = permute(%w) {perm=[1, 0]} : f32[4, 4]
                  %1 = sub(%0, %g) : f32[4, 4]
                  update w = %1
                }
                """, "t").graphs().get(0);
        for (Graph t : List.of(transposed, new Fusion().run(transposed))) {
            MemoryPlan q = MemoryPlanner.plan(t, Map.of());
            check(q);
            assertTrue(t.nodes().size() > 1 || q.donated().isEmpty(), t::toString);
        }
    }

    @Test
    void unboundDimsAreNamed() {
        Graph g = IrParser.parseModule("graph f(%x: f32[B, T]) {\n  output y = %x\n}\n", "t").graphs().get(0);
        var e = assertThrows(IllegalArgumentException.class, () -> MemoryPlanner.plan(g, Map.of("B", 2L)));
        assertTrue(e.getMessage().contains("[T]"), e.getMessage());
    }
}
