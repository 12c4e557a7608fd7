package dlc.cli;

import dlc.codegen.jvm.JvmCompiler;
import dlc.codegen.jvm.JvmMemoryPlan;
import dlc.frontend.Compilation;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.passes.ShapeInference;
import dlc.passes.memory.MemoryPlan;
import dlc.runtime.CompiledGraph;
import dlc.runtime.Signature;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.stream.Stream;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The memory {@code dlc stats} reports is what the compiled JVM graph allocates: for every example's
 * forward graph ({@code train}) and training step ({@code step}), compiled as {@code dlc train}
 * compiles them ({@link JvmCompiler#compile}) and bound to small dims, each buffer of the plan
 * {@code dlc stats} prints is an array of exactly the plan's size (the arrays after them are the
 * kernels' scratch, which the plan does not cover), and the "buffers allocated" figure of
 * {@code dlc stats} is the plan's.
 */
class StatsMatchCompiledTest {
    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final long DIM = 3;

    @TestFactory Stream<DynamicTest> statsFiguresAreWhatTheCompiledGraphAllocates() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".dl")).sorted().toList()) {
                Compilation c = Toolchain.standard().compile(f, null, Map.of());
                assertTrue(c.ok(), c::render);
                for (String model : c.models()) {
                    Module m = c.module() != null && c.models().size() == 1 ? c.module() : Toolchain.standard().compile(f, model, Map.of()).module();
                    for (String graph : List.of("train", "step"))
                        if (m.graph(graph).isPresent())
                            tests.add(DynamicTest.dynamicTest(f.getFileName() + " " + model + " " + graph, () -> check(f, model, m.graph(graph).orElseThrow())));
                }
            }
        }
        assertTrue(tests.size() >= 20, "every example's forward graph and step: " + tests.size());
        return tests.stream();
    }

    private static void check(Path file, String model, Graph lowered) {
        CompiledGraph cg = JvmCompiler.compile(lowered, "dlc.gen.Stats_" + JvmCompiler.javaName(model + "_" + lowered.name())).instantiate();
        Signature sig = cg.signature();
        long[] symbols = new long[sig.symbols().size()];
        Arrays.fill(symbols, DIM);
        Object[] in = new Object[sig.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            Signature.Port p = sig.inputs().get(i);
            int n = p.numel(sig, symbols);
            in[i] = p.dtype().equals("f32") ? new float[n] : new double[n];
        }
        try {
            cg.run(in, symbols); // binding sizes every buffer; the values (all zero) do not matter
        } catch (RuntimeException e) {
            // a kernel may reject the all-zero inputs after the buffers were sized at bind; the sizes are what is compared
        }
        Map<String, Long> dims = new LinkedHashMap<>();
        for (String s : sig.symbols()) dims.put(s, DIM);
        Graph planned = StatsCommand.optimized(new ShapeInference().run(lowered));
        MemoryPlan plan = JvmMemoryPlan.of(planned);
        MemoryPlan.Layout layout = plan.layout(dims, JvmMemoryPlan.ALIGNMENT);
        long[] floats = cg.floatBufferBytes(), doubles = cg.doubleBufferBytes();
        long allocated = 0;
        for (MemoryPlan.Slot s : plan.slots()) {
            long[] arrays = s.kind().equals("float") ? floats : doubles;
            assertTrue(s.kindIndex() < arrays.length, "slot " + s + " has no array");
            assertEquals(layout.slotBytes()[s.index()], arrays[s.kindIndex()], "slot " + s.index() + " (" + s.kind() + " " + s.kindIndex() + ")");
            allocated += arrays[s.kindIndex()];
        }
        assertEquals(layout.bufferBytes(), allocated);
        List<String> args = new ArrayList<>(List.of("stats", file.toString(), "--model", model, "--graph", lowered.name()));
        dims.forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
        CliHarness.Result r = exec(Toolchain.standard(), args.toArray(String[]::new));
        assertEquals(0, r.code(), r::toString);
        String line = r.out().lines().filter(l -> l.startsWith("buffers allocated")).findFirst().orElseThrow(() -> new AssertionError(r.toString()));
        assertTrue(line.endsWith(" " + StatsCommand.bytes(layout.bufferBytes())), line + " vs " + layout.bufferBytes() + " B\n" + r.out());
        String peak = r.out().lines().filter(l -> l.startsWith("peak memory (plan)")).findFirst().orElseThrow();
        assertTrue(peak.endsWith(" " + StatsCommand.bytes(layout.peakBytes())), peak + " vs " + layout.peakBytes() + " B");
    }
}
