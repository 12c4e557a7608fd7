package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.text.IrParser;
import dlc.passes.memory.MemoryPlan;
import dlc.runtime.CompiledGraph;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The JVM backend follows the memory plan: its arrays are the plan's slots, and a run allocates nothing. */
class MemoryPlanJvmTest {
    private static final String CHAIN = """
            graph f(%x: f32[B, 8]) {
              %0 = neg(%x) : f32[B, 8]
              %1 = abs(%0) : f32[B, 8]
              %2 = sqrt(%1) : f32[B, 8]
              %3 = mul(%2, %x) : f32[B, 8]
              output y = %3
            }
            """;

    /** Unfused, each op is a loop of its own: abs and sqrt write over their dying operand, so one slot serves the chain. */
    @Test
    void anUnfusedElementwiseChainRunsInOneSlot() {
        Graph g = IrParser.parseGraph(CHAIN);
        MemoryPlan plan = JvmMemoryPlan.of(g);
        Value neg = g.nodes().get(0).output(), abs = g.nodes().get(1).output(), sqrt = g.nodes().get(2).output();
        assertSame(neg, plan.inPlace().get(abs));
        assertSame(abs, plan.inPlace().get(sqrt));
        assertEquals(2, plan.slots().size(), "the chain's slot and y's");
        CompiledGraph cg = JvmCompiler.generate(g, "dlc.gen.Chain").instantiate();
        float[] x = {-4, 9, -16, 1, 0, 25, -36, 49, 1, 1, 1, 1, 1, 1, 1, 1};
        float[] y = (float[]) cg.run(new Object[]{x}, new long[]{2})[0];
        for (int i = 0; i < x.length; i++) assertEquals((float) Math.sqrt(Math.abs(x[i])) * x[i], y[i], 1e-6f, "y[" + i + "]");
        assertArrayEquals(new long[]{64, 64}, cg.floatBufferBytes(), "B=2: two float arrays of 2*8 elements");
        assertEquals(128, JvmMemoryPlan.layout(g, Map.of("B", 2L)).bufferBytes());
    }

    /** Unfused f32 exp and tanh are VecMath calls, which run in place over a dying operand too. */
    @Test
    void vectorMathCallsRunInPlace() {
        Graph g = IrParser.parseGraph("""
                graph f(%x: f32[3, 5]) {
                  %0 = neg(%x) : f32[3, 5]
                  %1 = exp(%0) : f32[3, 5]
                  %2 = tanh(%1) : f32[3, 5]
                  %3 = mul(%2, %x) : f32[3, 5]
                  output y = %3
                }
                """);
        MemoryPlan plan = JvmMemoryPlan.of(g);
        assertSame(g.nodes().get(0).output(), plan.inPlace().get(g.nodes().get(1).output()));
        assertSame(g.nodes().get(1).output(), plan.inPlace().get(g.nodes().get(2).output()));
        CompiledGraph cg = JvmCompiler.generate(g, "dlc.gen.VecChain").instantiate();
        float[] x = new float[15];
        for (int i = 0; i < x.length; i++) x[i] = (i - 7) * 0.4f;
        float[] y = (float[]) cg.run(new Object[]{x}, new long[0])[0];
        for (int i = 0; i < x.length; i++) assertEquals(Math.tanh(Math.exp(-x[i])) * x[i], y[i], 1e-6, "y[" + i + "]");
        assertArrayEquals(new long[]{60, 60}, cg.floatBufferBytes(), "the chain's slot and y's");
    }

    /** A value of another dtype than f32 lives in a double slot of 8 bytes an element, never in a float slot. */
    @Test
    void nonFloatValuesGetDoubleSlots() {
        Graph g = IrParser.parseGraph("""
                graph f(%x: f32[4]) {
                  %0 = cast(%x) {dtype=i32} : i32[4]
                  %1 = add(%0, %0) : i32[4]
                  %2 = cast(%1) {dtype=f32} : f32[4]
                  output y = %2
                }
                """);
        MemoryPlan plan = JvmMemoryPlan.of(g);
        assertEquals("double", plan.slotOf().get(g.nodes().get(0).output()).kind());
        CompiledGraph cg = JvmCompiler.generate(g, "dlc.gen.Casts").instantiate();
        float[] y = (float[]) cg.run(new Object[]{new float[]{1.5f, -2, 3, 4}}, new long[0])[0];
        assertArrayEquals(new float[]{2, -4, 6, 8}, y);
        MemoryPlan.Layout l = plan.layout(Map.of(), JvmMemoryPlan.ALIGNMENT);
        long doubles = 0, floats = 0;
        for (MemoryPlan.Slot s : plan.slots()) {
            if (s.kind().equals("double")) doubles += l.slotBytes()[s.index()];
            else floats += l.slotBytes()[s.index()];
        }
        assertEquals(java.util.Arrays.stream(cg.doubleBufferBytes()).sum(), doubles);
        assertEquals(java.util.Arrays.stream(cg.floatBufferBytes()).sum(), floats);
        assertEquals(32, doubles, "the i32 values in one double[4] (add writes over its cast operand)");
    }

    /**
     * After the first run binds the buffers, a run of a training step allocates nothing (the plan's
     * slots are reused). Warmed up first: until C2 compiles them, the vector kernels box their lanes.
     */
    @Test
    void aStepAllocatesNothingPerRun() {
        Graph g = IrParser.parseGraph("""
                graph step(param %w: f32[8, 4], state %m: f32[8, 4], %x: f32[B, 8], %t: f32[B, 4]) {
                  %0 = matmul(%x, %w) : f32[B, 4]
                  %1 = sub(%0, %t) : f32[B, 4]
                  %2 = permute(%x) {perm=[1, 0]} : f32[8, B]
                  %3 = matmul(%2, %1) : f32[8, 4]
                  %c = constant() {dtype=f32, shape=<>, values=[0.9]} : f32[]
                  %4 = mul(%m, %c) : f32[8, 4]
                  %5 = add(%4, %3) : f32[8, 4]
                  %lr = constant() {dtype=f32, shape=<>, values=[0.01]} : f32[]
                  %6 = mul(%5, %lr) : f32[8, 4]
                  %7 = sub(%w, %6) : f32[8, 4]
                  %8 = mul(%1, %1) : f32[B, 4]
                  %9 = sum(%8) {axes=[0, 1], keepdims=false} : f32[]
                  update w = %7
                  update m = %5
                  loss l = %9
                }
                """);
        CompiledGraph cg = JvmCompiler.compile(g, "dlc.gen.Step").instantiate();
        Object[] in = {new float[32], new float[32], new float[16 * 8], new float[16 * 4]};
        long[] b = {16};
        for (int i = 0; i < 30_000; i++) cg.run(in, b);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long t0 = mx.getCurrentThreadAllocatedBytes(), t1 = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 200; i++) cg.run(in, b);
        long t2 = mx.getCurrentThreadAllocatedBytes();
        long allocated = t2 - t1 - (t1 - t0);
        // fewer bytes than runs, so no run allocates (the JVM itself may allocate a few bytes now and then)
        assertTrue(allocated < 200, "200 runs allocated " + allocated + " bytes");
        MemoryPlan.Layout l = JvmMemoryPlan.layout(dlc.passes.PassManager.standard().run(g), Map.of("B", 16L));
        assertEquals(2, l.plan().donated().size(), "w and m are updated in the caller's arrays");
        assertEquals(l.bufferBytes(), cg.bufferBytes() - scratch(cg, l.plan()), "the compiled graph's arrays are the plan's slots (and kernel scratch)");
    }

    /** The bytes of the arrays after the plan's slots (kernel scratch). */
    private static long scratch(CompiledGraph cg, MemoryPlan plan) {
        long[] f = cg.floatBufferBytes(), d = cg.doubleBufferBytes();
        long sum = 0;
        for (int i = plan.slots("float").size(); i < f.length; i++) sum += f[i];
        for (int i = plan.slots("double").size(); i < d.length; i++) sum += d[i];
        return sum;
    }
}
