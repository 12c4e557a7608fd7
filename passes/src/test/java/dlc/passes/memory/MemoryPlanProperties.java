package dlc.passes.memory;

import dlc.ir.*;
import dlc.ir.testing.RandomGraphs;
import dlc.ir.text.IrParser;
import dlc.passes.fusion.Fusion;
import net.jqwik.api.*;
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
                assertFalse(pinned.contains(a) || pinned.contains(b), "a pinned value shares memory: " + a + " and " + b);
                MemoryPlan.Interval ia = p.live().get(a), ib = p.live().get(b);
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

    @Test
    void unboundDimsAreNamed() {
        Graph g = IrParser.parseModule("graph f(%x: f32[B, T]) {\n  output y = %x\n}\n", "t").graphs().get(0);
        var e = assertThrows(IllegalArgumentException.class, () -> MemoryPlanner.plan(g, Map.of("B", 2L)));
        assertTrue(e.getMessage().contains("[T]"), e.getMessage());
    }
}
