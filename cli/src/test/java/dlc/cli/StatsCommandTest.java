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
                  %0 = exp(%x) : f32[B, 8]
                  %1 = tanh(%0) : f32[B, 8]
                  %2 = neg(%1) : f32[B, 8]
                  output y = %2
                }
                """);
        CliHarness.Result r = exec(DLC, "stats", f.toString(), "-D", "B=2");
        assertEquals(0, r.code(), r::toString);
        // 3 ops; 3 kernels before, 1 group after; traffic 6*64 B before (each op reads and writes 64 B), 2*64 after
        assertTrue(r.out().contains("primitive ops                       3              3"), r::toString);
        assertTrue(r.out().contains("kernels (groups)                    3              1"), r::toString);
        assertTrue(r.out().contains("bytes moved (est.)              384 B          128 B"), r::toString);
        assertTrue(r.out().contains("peak memory (plan)              192 B          128 B"), r::toString);
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
