package dlc.passes.memory;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.ir.text.IrParser;
import dlc.passes.fusion.Fusion;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/** The memory planner on small graphs written in the text IR: lifetimes, reuse, views, in place, donation. */
class MemoryPlannerTest {
    private static Graph parse(String text) { return IrParser.parseModule(text, "t").graphs().get(0); }

    private static Value result(Graph g, int node) { return g.nodes().get(node).output(); }

    /** x -> exp -> tanh -> neg (output), B=2: tanh overwrites exp in place; x and the output are pinned. */
    @Test
    void elementwiseChainRunsInPlace() {
        Graph g = parse("""
                graph f(%x: f32[B, 8]) {
                  %0 = exp(%x) : f32[B, 8]
                  %1 = tanh(%0) : f32[B, 8]
                  %2 = neg(%1) : f32[B, 8]
                  output y = %2
                }
                """);
        MemoryPlan p = MemoryPlanner.plan(g);
        MemoryPlanProperties.check(p, Map.of("B", 2L));
        Value exp = result(g, 0), tanh = result(g, 1), neg = result(g, 2);
        assertSame(exp, p.inPlace().get(tanh));
        assertSame(p.slotOf().get(exp), p.slotOf().get(tanh));
        assertEquals(new MemoryPlan.Interval(0, 1), p.live().get(exp));
        assertEquals(new MemoryPlan.Interval(1, 2), p.live().get(tanh));
        assertEquals(new MemoryPlan.Interval(2, 3), p.live().get(neg), "an output lives to the end");
        assertTrue(p.slotOf().get(neg).pinned());
        MemoryPlan.Layout l = p.layout(Map.of("B", 2L), 1);
        assertEquals(4 * 64, l.totalBytes());          // four values of 2*8 f32
        assertEquals(3 * 64, l.peakBytes());           // x, one temporary, the output
        assertEquals(2 * 64, l.bufferBytes());         // the temporary's slot and the output's
        assertEquals(3 * 64, l.lowerBoundBytes());     // while neg runs: x, its operand and its result
        GraphStats s = GraphStats.of(g, Map.of("B", 2L));
        assertEquals(3, s.ops());
        assertEquals(3, s.kernels());
        assertEquals(6 * 64, s.bytesMoved());
        GraphStats fused = GraphStats.of(new Fusion().run(g), Map.of("B", 2L));
        assertEquals(new GraphStats(3, 1, 2 * 64, 2 * 64, 64, 2 * 64, 2 * 64), fused);
    }

    /** A slot freed by a dead value is taken by a later value (first fit in node order), never by one live at the same time. */
    @Test
    void freedSlotsAreReused() {
        Graph g = parse("""
                graph f(%x: f32[4, 8], %w: f32[8, 8]) {
                  %0 = matmul(%x, %w) : f32[4, 8]
                  %1 = matmul(%0, %w) : f32[4, 8]
                  %2 = matmul(%1, %w) : f32[4, 8]
                  %3 = matmul(%2, %w) : f32[4, 8]
                  output y = %3
                }
                """);
        MemoryPlan p = MemoryPlanner.plan(g);
        MemoryPlanProperties.check(p, Map.of());
        // %0 dies at node 1, so %2 takes its slot; %1 lives until node 2 and needs its own (a matmul never runs in place)
        assertSame(p.slotOf().get(result(g, 0)), p.slotOf().get(result(g, 2)));
        assertNotSame(p.slotOf().get(result(g, 0)), p.slotOf().get(result(g, 1)));
        assertTrue(p.inPlace().isEmpty());
        assertEquals(3, p.slots().size());
        assertEquals(128 + 256 + 2 * 128 + 128, p.layout(Map.of(), 1).peakBytes());
    }

    /** A slot is sized at layout time to its largest member, for any binding of the dims. */
    @Test
    void slotsAreSizedToTheirLargestMemberPerBinding() {
        Graph g = parse("""
                graph f(%x: f32[B, 4], %w: f32[4, 4]) {
                  %0 = matmul(%x, %w) : f32[B, 4]
                  %1 = sum(%0) {axes=[1], keepdims=false} : f32[B]
                  %2 = matmul(%x, %w) : f32[B, 4]
                  %3 = sum(%2) {axes=[1], keepdims=false} : f32[B]
                  %4 = add(%1, %3) : f32[B]
                  output y = %4
                }
                """);
        MemoryPlan p = MemoryPlanner.plan(g);
        // %0 [0,1] then %2 [2,3] share a slot; %1 [1,4] and %3 [3,4] each need their own
        assertSame(p.slotOf().get(result(g, 0)), p.slotOf().get(result(g, 2)));
        for (long b : new long[]{1, 7, 128}) {
            MemoryPlan.Layout l = p.layout(Map.of("B", b), 1);
            MemoryPlanProperties.check(p, Map.of("B", b));
            assertEquals(4 * (4 * b + b + b + b), l.bufferBytes(), "B=" + b);
        }
    }

    /** A reshape is a view: it has no memory, and its uses keep the value it views alive. */
    @Test
    void viewsKeepTheirSourceAlive() {
        Graph g = parse("""
                graph f(%x: f32[2, 8]) {
                  %0 = exp(%x) : f32[2, 8]
                  %1 = reshape(%0) {shape=[16]} : f32[16]
                  %2 = neg(%x) : f32[2, 8]
                  %3 = sum(%2) {axes=[0, 1], keepdims=false} : f32[]
                  %4 = sum(%1) {axes=[0], keepdims=false} : f32[]
                  %5 = add(%3, %4) : f32[]
                  output y = %5
                }
                """);
        MemoryPlan p = MemoryPlanner.plan(g);
        MemoryPlanProperties.check(p, Map.of());
        Value exp = result(g, 0), view = result(g, 1), neg = result(g, 2);
        assertSame(exp, p.root(view));
        assertEquals(p.home(exp), p.home(view));
        assertFalse(p.live().containsKey(view), "a view has no memory of its own");
        assertEquals(new MemoryPlan.Interval(0, 4), p.live().get(exp), "read through the view at node 4");
        assertNotSame(p.slotOf().get(exp), p.slotOf().get(neg), "exp is still needed (through the view) when neg is written");
    }

    /**
     * No in place over an operand the node also reads through a view: the backend vouches for how
     * its code reads the operand, not for how it reads the view (a reshape or transpose of it).
     */
    @Test
    void noInPlaceOverAnOperandAlsoReadThroughAView() {
        Graph g = parse("""
                graph f(%x: f32[2, 2]) {
                  %0 = neg(%x) : f32[2, 2]
                  %1 = reshape(%0) {shape=[2, 2]} : f32[2, 2]
                  %2 = add(%0, %1) : f32[2, 2]
                  %3 = sum(%2) {axes=[0, 1], keepdims=false} : f32[]
                  output y = %3
                }
                """);
        MemoryPlan p = MemoryPlanner.plan(g);
        MemoryPlanProperties.check(p, Map.of());
        assertTrue(p.inPlace().isEmpty(), "add reads neg's memory through the reshape too");
        Graph direct = parse("""
                graph f(%x: f32[2, 2]) {
                  %0 = neg(%x) : f32[2, 2]
                  %2 = add(%0, %0) : f32[2, 2]
                  %3 = sum(%2) {axes=[0, 1], keepdims=false} : f32[]
                  output y = %3
                }
                """);
        assertEquals(1, MemoryPlanner.plan(direct).inPlace().size(), "read twice directly, element by element, it may");
    }

    /** Values of different storage kinds never share a slot: the JVM's float[] and double[] arrays. */
    @Test
    void storageKindsKeepSlotsApart() {
        Graph g = parse("""
                graph f(%x: f32[4], %k: i32[4]) {
                  %0 = exp(%x) : f32[4]
                  %1 = sum(%0) {axes=[0], keepdims=false} : f32[]
                  %2 = neg(%k) : i32[4]
                  %3 = cast(%2) {dtype=f32} : f32[4]
                  %4 = sum(%3) {axes=[0], keepdims=false} : f32[]
                  %5 = add(%1, %4) : f32[]
                  output y = %5
                }
                """);
        ElementStorage twoKinds = new ElementStorage() {
            @Override public String kind(DType d) { return d == DType.F32 ? "float" : "double"; }

            @Override public long elementBytes(DType d) { return d == DType.F32 ? 4 : 8; }
        };
        Materialization standard = Materialization.standard();
        Materialization m = new Materialization() {
            @Override public ElementStorage storage() { return twoKinds; }

            @Override public boolean isView(Node n) { return standard.isView(n); }

            @Override public boolean mayWriteInPlace(Node n, Value result, Value operand) { return false; }

            @Override public boolean mayDonate(Node n, Value update, Value input, boolean readByNode) { return false; }
        };
        MemoryPlan p = MemoryPlanner.plan(g, m);
        MemoryPlanProperties.check(p, Map.of());
        Value exp = result(g, 0), negK = result(g, 2), cast = result(g, 3);
        assertEquals("double", p.slotOf().get(negK).kind());
        assertEquals(0, p.slotOf().get(negK).kindIndex(), "the first double slot");
        assertNotSame(p.slotOf().get(exp), p.slotOf().get(negK), "exp is dead at node 2, but an i32 value cannot use a float slot");
        assertSame(p.slotOf().get(exp), p.slotOf().get(cast), "the f32 cast takes exp's freed float slot");
        assertEquals(8 * 4, p.layout(Map.of(), 1).bytes().get(negK), "8 bytes an i32 element in double storage");
    }

    /** A backend's temporaries (values a node stores inside itself) are live only at their node, and reuse slots like any value. */
    @Test
    void temporariesLiveOnlyAtTheirNode() {
        Graph g = new Fusion().run(parse("""
                graph f(%x: f32[4, 8]) {
                  %0 = exp(%x) : f32[4, 8]
                  %1 = sum(%0) {axes=[1], keepdims=true} : f32[4, 1]
                  %2 = div(%0, %1) : f32[4, 8]
                  output y = %2
                }
                """));
        Node group = g.nodes().stream().filter(n -> n.op() == Ops.FUSION).findFirst().orElseThrow(() -> new AssertionError(g.toString()));
        Value inner = group.regions().get(0).nodes().stream().filter(n -> n.op() == Ops.SUM).findFirst().orElseThrow().output();
        Materialization standard = Materialization.standard();
        Materialization m = new Materialization() {
            @Override public ElementStorage storage() { return ElementStorage.NATIVE; }

            @Override public boolean isView(Node n) { return standard.isView(n); }

            @Override public List<Value> temporaries(Node n) { return n == group ? List.of(inner) : List.of(); }

            @Override public boolean mayWriteInPlace(Node n, Value result, Value operand) { return false; }

            @Override public boolean mayDonate(Node n, Value update, Value input, boolean readByNode) { return false; }
        };
        MemoryPlan p = MemoryPlanner.plan(g, m);
        MemoryPlanProperties.check(p, Map.of());
        int at = g.nodes().indexOf(group);
        assertEquals(new MemoryPlan.Interval(at, at), p.live().get(inner));
        assertFalse(p.slotOf().get(inner).pinned());
        assertEquals(4 * 4, p.layout(Map.of(), 1).slotBytes()[p.slotOf().get(inner).index()]);
    }

    /** An arena with an alignment places each slot at a multiple of it. */
    @Test
    void arenaOffsetsAreAligned() {
        Graph g = parse("""
                graph f(%x: f32[3]) {
                  %0 = exp(%x) : f32[3]
                  %1 = sum(%0) {axes=[0], keepdims=false} : f32[]
                  %2 = neg(%x) : f32[3]
                  output a = %1
                  output b = %2
                }
                """);
        MemoryPlan p = MemoryPlanner.plan(g);
        MemoryPlan.Layout l = p.layout(Map.of(), 64);
        MemoryPlanProperties.check(p, Map.of());
        assertEquals(3, p.slots().size());
        assertArrayEquals(new long[]{0, 64, 128}, l.slotOffset());
        assertEquals(128 + 12, l.arenaBytes());
        assertEquals(12 + 4 + 12, l.bufferBytes());
        assertEquals(64, l.offset(result(g, 1)));
        assertThrows(IllegalArgumentException.class, () -> l.offset(g.inputs().get(0)), "an input is not in the arena");
        assertThrows(IllegalArgumentException.class, () -> p.layout(Map.of(), 0));
    }

    /**
     * One Adam update (w, g, m, v, lr_t; updates of w, m, v): the three updates take over the
     * memory of the param and states they replace, fused or not, so fused the plan is just the inputs.
     */
    @Test
    void adamUpdatesTakeOverTheirInputs() throws Exception {
        String text = java.nio.file.Files.readString(java.nio.file.Path.of("../examples/ir/adam_update.ir"));
        Graph g = IrParser.parseModule(text, "adam_update.ir").graphs().get(0);
        long array = 784 * 256 * 4;
        for (Graph planned : List.of(g, new Fusion().run(g))) {
            MemoryPlan p = MemoryPlanner.plan(planned);
            MemoryPlanProperties.check(p, Map.of());
            assertEquals(3, p.donated().size(), planned::toString);
            for (String name : List.of("w", "m", "v")) {
                Value input = planned.input(name).orElseThrow(), update = planned.output(name).orElseThrow().value();
                assertSame(input, p.donated().get(update));
                assertEquals(new MemoryPlan.InInput(planned.inputs().indexOf(input)), p.home(update));
            }
            if (planned != g) assertEquals(4 * array + 4, p.layout(Map.of(), 1).peakBytes(), "w, g, m, v and the scalar lr_t");
        }
    }

    /** No donation when the old value is still read after the update is written. */
    @Test
    void noDonationWhileTheOldValueIsStillRead() {
        Graph g = parse("""
                graph f(param %w: f32[4], %g: f32[4]) {
                  %0 = sub(%w, %g) : f32[4]
                  %1 = add(%w, %0) : f32[4]
                  update w = %0
                  output y = %1
                }
                """);
        MemoryPlan p = MemoryPlanner.plan(g);
        MemoryPlanProperties.check(p, Map.of());
        assertTrue(p.donated().isEmpty(), "w is read by node 1 after its update is written by node 0");
        assertEquals(4 * 16, p.layout(Map.of(), 1).peakBytes(), "w, g, the update and y, each its own");
    }

    /** w' = w - 0.1 * (a @ g): w enters only the matmul's epilogue, so its update takes over its memory once fused. */
    @Test
    void matmulEpilogueUpdateTakesOverItsParam() {
        Graph g = parse("""
                graph f(param %w: f32[4, 4], %a: f32[4, 8], %g: f32[8, 4]) {
                  %0 = matmul(%a, %g) : f32[4, 4]
                  %1 = constant() {dtype=f32, shape=<>, values=[0.1]} : f32[]
                  %2 = mul(%0, %1) : f32[4, 4]
                  %3 = sub(%w, %2) : f32[4, 4]
                  update w = %3
                }
                """);
        Graph fused = new Fusion().run(g);
        assertEquals(1, fused.nodes().stream().filter(n -> n.op() == Ops.FUSION).count(), fused::toString);
        MemoryPlan p = MemoryPlanner.plan(fused);
        MemoryPlanProperties.check(p, Map.of());
        assertSame(fused.input("w").orElseThrow(), p.donated().get(fused.output("w").orElseThrow().value()), fused::toString);
        assertEquals(64 + 128 + 128, p.layout(Map.of(), 1).peakBytes(), "w (and its update), a and g");
        // w transposed inside the group: w'[i,j] reads w[j,i], which may already be overwritten
        Graph transposed = parse("""
                graph f(param %w: f32[4, 4], %g: f32[4, 4]) {
                  %0 = permute(%w) {perm=[1, 0]} : f32[4, 4]
                  %1 = sub(%0, %g) : f32[4, 4]
                  update w = %1
                }
                """);
        for (Graph t : List.of(transposed, new Fusion().run(transposed))) {
            MemoryPlan q = MemoryPlanner.plan(t);
            MemoryPlanProperties.check(q, Map.of());
            assertTrue(t.nodes().size() > 1 || q.donated().isEmpty(), t::toString);
        }
    }

    @Test
    void unboundDimsAreNamed() {
        Graph g = parse("graph f(%x: f32[B, T]) {\n  output y = %x\n}\n");
        MemoryPlan p = MemoryPlanner.plan(g);
        var e = assertThrows(IllegalArgumentException.class, () -> p.layout(Map.of("B", 2L), 1));
        assertTrue(e.getMessage().contains("[T]"), e.getMessage());
    }
}
