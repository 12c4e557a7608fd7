package dlc.passes.memory;

import dlc.ir.*;
import dlc.ir.testing.RandomGraphs;
import dlc.ir.text.IrParser;
import dlc.passes.fusion.Fusion;
import net.jqwik.api.*;
import net.jqwik.api.statistics.Statistics;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Memory plans never let two live values share memory, except a legal in-place update or
 * donation, on random graphs (the shared generator) with the backend-neutral materialization.
 * The plan the JVM backend follows is checked against compiled code in codegen-jvm's
 * {@code MemoryPlanJvmTest}.
 */
class MemoryPlanProperties {
    @Provide Arbitrary<Graph> graphs() { return RandomGraphs.graphs(16); }

    @Property(tries = 300)
    void plansOfRandomGraphsKeepLiveValuesApart(@ForAll("graphs") Graph g, @ForAll boolean fuse) {
        Graph planned = fuse ? new Fusion().run(g) : g;
        check(MemoryPlanner.plan(planned), RandomGraphs.BINDINGS);
    }

    /**
     * Random graphs made into training steps: each input gets an UPDATE output, its new value, from
     * the last node result of its type that no other input took (where there is one), so that
     * donation has something to do (an update that is two outputs at once is never donated).
     */
    @Provide Arbitrary<Graph> stepGraphs() { return RandomGraphs.graphs(16).map(RandomGraphs::withUpdatesOfInputs); }

    @Property(tries = 300)
    void donationKeepsPlansValidAndChangesNoValue(@ForAll("stepGraphs") Graph g, @ForAll boolean fuse, @ForAll long seed) {
        Graph planned = fuse ? new Fusion().run(g) : g;
        String text = planned.toString();
        Map<String, dlc.ir.eval.Tensor> named = RandomGraphs.randomInputs(planned, RandomGraphs.BINDINGS, seed);
        dlc.ir.eval.Tensor[] inputs = planned.inputs().stream().map(v -> named.get(v.name())).toArray(dlc.ir.eval.Tensor[]::new);
        Object before = evaluate(planned, inputs);
        MemoryPlan plan = MemoryPlanner.plan(planned);
        check(plan, RandomGraphs.BINDINGS);
        Statistics.label("donation").collect(plan.donated().isEmpty() ? "none" : "some");
        // the generator must exercise donation, or the property proves little (about a fifth of its
        // graphs donate: views such as a reshape result are never donated, see MemoryPlanner)
        Statistics.label("donation").coverage(c -> c.check("some").percentage(pct -> pct >= 15.0));
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

    /**
     * The plan's invariants under {@code bindings}: every slot in the arena, aligned, apart from
     * the others and as large as its members; values sharing memory are never live together,
     * except a result written over an operand that dies at its node (in place) or an update over
     * the input it replaces (donation), each legal; graph outputs share with nothing.
     */
    static void check(MemoryPlan p, Map<String, Long> bindings) {
        Graph g = p.graph();
        MemoryPlan.Layout l = p.layout(bindings, 16);
        long previousEnd = 0;
        for (MemoryPlan.Slot s : p.slots()) {
            long o = l.slotOffset()[s.index()];
            assertEquals(0, o % 16, "slot " + s.index() + " at " + o + " is not aligned");
            assertTrue(o >= previousEnd, "slots overlap in the arena");
            previousEnd = o + l.slotBytes()[s.index()];
            assertFalse(s.members().isEmpty());
            for (Value v : s.members()) {
                assertTrue(l.bytes().get(v) <= l.slotBytes()[s.index()], v + " does not fit its slot");
                assertSame(s, p.slotOf().get(v));
            }
            if (s.pinned()) assertEquals(1, s.members().size(), "a pinned slot holds its output alone");
        }
        assertEquals(l.arenaBytes(), previousEnd);
        Set<Value> outputRoots = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value v : g.outputValues()) outputRoots.add(p.root(v));
        for (Node n : g.nodes()) for (Value v : n.outputs()) assertNotNull(p.home(v), "every result has memory");
        List<Value> values = new ArrayList<>(p.live().keySet());
        for (int i = 0; i < values.size(); i++)
            for (int j = i + 1; j < values.size(); j++) {
                Value a = values.get(i), b = values.get(j);
                if (!l.shareMemory(a, b)) continue;
                MemoryPlan.Interval ia = p.live().get(a), ib = p.live().get(b);
                if (p.donated().get(b) == a || p.donated().get(a) == b) {
                    Value upd = p.donated().get(b) == a ? b : a, in = p.donated().get(upd);
                    int lastUse = p.live().get(in).end(), def = p.live().get(upd).start();
                    assertTrue(lastUse < def || lastUse == def && Materialization.alignedReader(upd.producer(), in),
                            "donated " + in + " (last use " + lastUse + ") to " + upd + " (defined at " + def + ")\n" + g);
                    assertEquals(in.type(), upd.type());
                    assertTrue(g.inputs().contains(in) && !outputRoots.contains(in));
                    assertTrue(g.outputs().stream().anyMatch(o -> o.role() == Graph.Output.Role.UPDATE && o.value() == upd
                            && o.name().equals(in.name())), "donation only from an UPDATE output to the input it updates");
                    continue;
                }
                assertFalse(outputRoots.contains(a) || outputRoots.contains(b) || g.inputs().contains(a) || g.inputs().contains(b),
                        "an input or output shares memory: " + a + " and " + b + "\n" + g);
                if (!ia.overlaps(ib)) continue;
                boolean legalInPlace = (p.inPlace().get(b) == a && ia.end() == ib.start()) || (p.inPlace().get(a) == b && ib.end() == ia.start());
                assertTrue(legalInPlace, a + " " + ia + " and " + b + " " + ib + " share slot " + p.slotOf().get(a).index() + "\n" + g);
            }
        for (Map.Entry<Value, Value> e : p.inPlace().entrySet()) {
            Node n = e.getKey().producer();
            assertTrue(Materialization.elementwise(n) && n.inputs().contains(e.getValue()), "in place only over an operand of an elementwise node");
            assertEquals(e.getKey().type().shape(), e.getValue().type().shape());
        }
        MemoryPlan.Layout packed = p.layout(bindings, 1);
        assertEquals(packed.inputBytes() + packed.bufferBytes(), packed.peakBytes(), "unaligned, the arena is the buffers side by side");
        assertTrue(packed.peakBytes() >= packed.lowerBoundBytes(), "peak " + packed.peakBytes() + " below the lower bound " + packed.lowerBoundBytes());
        assertTrue(packed.peakBytes() <= packed.totalBytes(), "reuse never costs more than no reuse");
    }
}
