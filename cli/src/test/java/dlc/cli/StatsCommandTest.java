package dlc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/** {@code dlc stats} and {@code dlc ir --after fusion} with the real compiler. */
class StatsCommandTest {
    private static final Toolchain DLC = Toolchain.standard();

    @TempDir Path dir;

    /** y = exp(x) * 2 + w, total = sum(y): one input-fusion group after fusion. */
    private static final String MODEL = """
            model Chain {
              input  x: f32[B, 3]
              param  w: f32[3] = ones()
              y = exp(x) * 2.0 + w
              loss total = sum(y)
            }
            """;

    @Test
    void statsPrintsBeforeAndAfterFusionForAnIrFile() throws Exception {
        Path f = dir.resolve("chain.ir");
        Files.writeString(f, """
                graph f(%x: f32[B, 8]) {
                  %0 = neg(%x) : f32[B, 8]
                  %1 = abs(%0) : f32[B, 8]
                  %2 = sqrt(%1) : f32[B, 8]
                  output y = %2
                }
                """);
        CliHarness.Result r = exec(DLC, "stats", f.toString(), "-D", "B=2");
        assertEquals(0, r.code(), r::toString);
        // 3 ops; 3 kernels before, 1 group after; traffic 6*64 B before (each op reads and writes 64 B), 2*64 after;
        // memory before: x, one slot for neg and abs (abs's loop writes over neg in place) and y's slot; after: x and y
        // (exp or tanh here would need buffers even fused: the JVM runs them as vector-math calls over arrays)
        assertTrue(r.out().contains("primitive ops                       3              3"), r::toString);
        assertTrue(r.out().contains("kernels (groups)                    3              1"), r::toString);
        assertTrue(r.out().contains("bytes moved (est.)              384 B          128 B"), r::toString);
        assertTrue(r.out().contains("peak memory (plan)              192 B          128 B"), r::toString);
        assertTrue(r.out().contains("buffers allocated               128 B           64 B"), r::toString);
    }

    @Test
    void statsOfATrainingStepAndUnboundDims() throws Exception {
        Path f = dir.resolve("chain.dl");
        Files.writeString(f, MODEL);
        CliHarness.Result r = exec(DLC, "stats", f.toString(), "-D", "B=4", "--grad");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("graph train + gradients {B=4}"), r::toString);
        CliHarness.Result unbound = exec(DLC, "stats", f.toString());
        assertEquals(UserError.USAGE, unbound.code(), unbound::toString);
        assertTrue(unbound.err().contains("needs values for the dims [B]"), unbound::toString);
    }

    /**
     * Issue 4's memory target: the full-size MLP's training step (784-256-128-10, Adam, B=128)
     * peaks within 1.5x of params + gradients + optimizer state + the largest live activations.
     * Params: 784*256 + 256 + 256*128 + 128 + 128*10 + 10 = 235146 floats = 940584 B (919 KiB);
     * Adam state: m and v of each, plus the i64 step counter = 1881176 B (1.79 MiB).
     */
    @Test
    void fullSizeMlpTrainingStepMeetsTheMemoryTarget() {
        CliHarness.Result r = exec(DLC, "stats", "../examples/mlp_fashion.dl", "--graph", "step", "-D", "B=128");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("graph step {B=128}"), r::toString);
        assertTrue(r.out().contains("params                      919 KiB"), r::toString);
        assertTrue(r.out().contains("gradients (= params)        919 KiB"), r::toString);
        assertTrue(r.out().contains("state (optimizer)          1.79 MiB"), r::toString);
        String line = r.out().lines().filter(l -> l.startsWith("peak / reference")).findFirst().orElseThrow(() -> new AssertionError(r.toString()));
        String[] f = line.trim().split("\\s+");
        double before = Double.parseDouble(f[f.length - 2]), after = Double.parseDouble(f[f.length - 1]);
        assertTrue(after <= 1.5, "optimized peak / reference = " + after + "\n" + r.out());
        assertTrue(after < before, "simplification, fusion and donation lower the peak: " + before + " -> " + after);
        // fusion: every primitive op is its own kernel before the pipeline; after it, the 6 params'
        // updates, the forward layers and their gradients are 21 kernels (the op count itself moves
        // with the stdlib's formulas, e.g. cross_entropy's max shift, so only the kernels are pinned).
        // The dims stay symbolic, as in the graph the backend compiles: with B bound to 128 before
        // simplification, two more groups would merge (19), but that is not the graph dlc train runs.
        String[] ops = row(r.out(), "primitive ops"), kernels = row(r.out(), "kernels (groups)");
        assertEquals(ops[0], kernels[0], r::toString);
        assertEquals("21", kernels[1], r::toString);
    }

    /** The two figures (before, after) of the stats line that starts with {@code label}. */
    private static String[] row(String out, String label) {
        String line = out.lines().filter(l -> l.startsWith(label)).findFirst().orElseThrow(() -> new AssertionError(out));
        String[] f = line.substring(label.length()).trim().split("\\s+");
        return new String[] {f[0], f[1]};
    }

    @Test
    void irAfterFusionShowsGroups() throws Exception {
        Path f = dir.resolve("chain.dl");
        Files.writeString(f, MODEL);
        CliHarness.Result r = exec(DLC, "ir", f.toString(), "--graph", "train", "--after", "fusion");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("fusion(") && r.out().contains("{kind=\"input\"}"), r::toString);
        CliHarness.Result plain = exec(DLC, "ir", f.toString(), "--graph", "train");
        assertFalse(plain.out().contains("fusion("), "dlc ir without --after prints the lowered IR");
    }
}
