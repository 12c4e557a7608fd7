package dlc.cli;

import dlc.ir.Module;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The real printer and pass manager behind {@code dlc ir}, on a hand-built module. */
class StandardToolchainTest {
    private final Toolchain tools = Toolchain.standard();
    private final Module m = FakeToolchain.model(false);

    @Test
    void printsTheModuleAndSingleGraphs() {
        String text = tools.print(m);
        assertTrue(text.startsWith("module M\n"), text);
        assertTrue(text.contains("graph init(") && text.contains("graph eval("), text);
        String eval = tools.print(m.graph("eval").orElseThrow());
        assertTrue(eval.startsWith("graph eval("), eval);
        assertTrue(eval.contains("param %w: f32[]"), eval);
    }

    @Test
    void runsThePipelineUpToAPass() {
        Module after = tools.runPasses(m, null, "shape-inference");
        assertEquals(tools.print(m.graph("eval").orElseThrow()), tools.print(after.graph("eval").orElseThrow()));
        Module bound = tools.runPasses(m, "shape-inference{B=4}", null);
        assertTrue(tools.print(bound.graph("eval").orElseThrow()).contains("f32[4, 3]"), () -> tools.print(bound));
    }

    @Test
    void unknownPassesAreUsageErrors() {
        UserError after = assertThrows(UserError.class, () -> tools.runPasses(m, null, "no-such-pass"));
        assertEquals(UserError.USAGE, after.exitCode());
        assertTrue(after.getMessage().startsWith("--after no-such-pass: no such pass in the pipeline "
                + String.join(", ", dlc.passes.Passes.names())), after.getMessage());
        assertTrue(dlc.passes.Passes.names().containsAll(List.of("shape-inference", "simplify", "fusion")), () -> dlc.passes.Passes.names().toString());
        UserError pipeline = assertThrows(UserError.class, () -> tools.runPasses(m, "nope", null));
        assertTrue(pipeline.getMessage().startsWith("--passes: unknown pass 'nope'"), pipeline.getMessage());
    }
}
