package dlc.cli;

import dlc.frontend.Compilation;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.text.IrPrinter;

import java.nio.file.Path;

/**
 * The real compiler stages. Each stage not yet merged into this build says so plainly instead of
 * pretending to work.
 */
final class StandardToolchain implements Toolchain {
    @Override public Compilation compile(Path file, String model) {
        throw notBuilt("the frontend (dlc.frontend.Frontend)");
    }

    @Override public String print(Module module) { return IrPrinter.print(module); }

    @Override public String print(Graph graph) { return IrPrinter.print(graph); }

    @Override public Module runPasses(Module module, String pipeline, String after) {
        throw notBuilt("the pass manager (dlc.passes.PassManager)");
    }

    private static UserError notBuilt(String what) {
        return new UserError(what + " is not part of this build of dlc yet");
    }
}
