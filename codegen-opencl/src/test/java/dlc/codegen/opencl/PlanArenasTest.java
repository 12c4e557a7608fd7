package dlc.codegen.opencl;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.Value;
import dlc.ir.text.IrParser;
import dlc.passes.memory.MemoryPlan;
import dlc.passes.memory.MemoryPlanner;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The memory plan laid out as a device arena, and a graph run by hand at the plan's offsets:
 * four chained matmuls where the third result reuses the first one's slot, all enqueued without a
 * wait. This is what the graph compiler will do for every node; here it checks that the arena
 * honours the plan (reused memory included) and that the results are right.
 */
class PlanArenasTest {
    private static final String CHAIN = """
            graph f(%x: f32[5, 8], %w: f32[8, 8]) {
              %0 = matmul(%x, %w) : f32[5, 8]
              %1 = matmul(%0, %w) : f32[5, 8]
              %2 = matmul(%1, %w) : f32[5, 8]
              %3 = matmul(%2, %w) : f32[5, 8]
              output y = %3
            }
            """;

    @Test void slotsSitAtThePlansOffsetsAndInputsFollow() {
        Graph g = IrParser.parseModule(CHAIN, "t").graphs().get(0);
        MemoryPlan.Layout plan = MemoryPlanner.plan(g).layout(Map.of(), ArenaLayout.ALIGN);
        Map<String, Long> inputs = new LinkedHashMap<>();
        inputs.put("x", 160L);
        inputs.put("w", 256L);
        ArenaLayout layout = PlanArenas.layout(plan, inputs);
        assertEquals(3, plan.plan().slots().size());
        for (MemoryPlan.Slot s : plan.plan().slots())
            assertEquals(plan.slotOffset()[s.index()], layout.slice(PlanArenas.slotName(s)).offsetBytes());
        assertEquals(plan.arenaBytes(), layout.slice("x").offsetBytes()); // 3 slots of 160 bytes: 480, a multiple of 16
        assertEquals(plan.arenaBytes() + 160, layout.slice("w").offsetBytes());
        assertEquals(plan.arenaBytes() + 160 + 256, layout.totalBytes());
        assertEquals("lay the memory plan out with an alignment that is a multiple of 16 bytes for a device arena, not 4",
                assertThrows(IllegalArgumentException.class, () -> PlanArenas.layout(MemoryPlanner.plan(g).layout(Map.of(), 4), Map.of())).getMessage());
    }

    @Test void aGraphRunAtThePlansOffsetsComputesItsOutput() {
        Graph g = IrParser.parseModule(CHAIN, "t").graphs().get(0);
        MemoryPlan.Layout plan = MemoryPlanner.plan(g).layout(Map.of(), ArenaLayout.ALIGN);
        assertTrue(plan.shareMemory(g.nodes().get(0).output(), g.nodes().get(2).output()), "the plan reuses %0's memory for %2");
        Map<String, Long> inputs = new LinkedHashMap<>();
        inputs.put("x", 5L * 8 * Float.BYTES);
        inputs.put("w", 8L * 8 * Float.BYTES);
        ArenaLayout layout = PlanArenas.layout(plan, inputs);

        Random rnd = new Random(5);
        float[] x = new float[40], w = new float[64];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextGaussian() / Math.sqrt(8));

        ClExecutor ex = OpenClTestSupport.executor();
        float[] y = new float[40];
        try (DeviceArena arena = ex.arena("plan", layout)) {
            ex.upload(arena, layout.slice("x"), x);
            ex.upload(arena, layout.slice("w"), w);
            Sgemm gemm = new Sgemm(ex);
            for (Node n : g.nodes())
                gemm.run(false, false, 5, 8, 8, 1f, arena, floatOffset(g, plan, layout, n.inputs().get(0)), 8,
                        floatOffset(g, plan, layout, n.inputs().get(1)), 8, 0f, plan.offset(n.output()) / Float.BYTES, 8);
            MemoryPlan.Home home = plan.plan().home(g.outputs().get(0).value());
            ex.download(arena, layout.slice(PlanArenas.slotName(((MemoryPlan.InSlot) home).slot())), y);
        }

        // float64 reference, with the error bound carried along: a product of length 8 adds at most
        // (8 + 3) 2^-24 of sum |a_ik w_kj| (Higham), and earlier errors pass through |w|
        double[] h = new double[40], mag = new double[40], err = new double[40];
        for (int i = 0; i < 40; i++) { h[i] = x[i]; mag[i] = Math.abs(x[i]); }
        for (int step = 0; step < 4; step++) {
            double[] nh = new double[40], nm = new double[40], ne = new double[40];
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 8; j++) {
                    for (int k = 0; k < 8; k++) {
                        nh[i * 8 + j] += h[i * 8 + k] * w[k * 8 + j];
                        nm[i * 8 + j] += mag[i * 8 + k] * Math.abs(w[k * 8 + j]);
                        ne[i * 8 + j] += err[i * 8 + k] * Math.abs(w[k * 8 + j]);
                    }
                    ne[i * 8 + j] += (8 + 3) * 0x1p-24 * nm[i * 8 + j] * 1.001;
                }
            h = nh; mag = nm; err = ne;
        }
        for (int i = 0; i < 40; i++) assertEquals(h[i], y[i], err[i], "y[" + i + "]");
    }

    /** A value's float offset: a graph input's range, else its slot's offset from the plan. */
    private static long floatOffset(Graph g, MemoryPlan.Layout plan, ArenaLayout layout, Value v) {
        int input = g.inputs().indexOf(v);
        if (input >= 0) return layout.slice(input == 0 ? "x" : "w").elementOffset(Float.BYTES);
        return plan.offset(v) / Float.BYTES;
    }
}
