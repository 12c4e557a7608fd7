package dlc.cli;

import dlc.frontend.Compilation;
import dlc.ir.Graph;

import java.nio.file.Path;

/**
 * The real compiler stages. Each stage not yet merged into this build says so plainly instead of
 * pretending to work.
 */
final class StandardToolchain implements Toolchain {
    @Override public Compilation compile(Path file, String model) {
        throw notBuilt("the frontend (dlc.frontend.Frontend)");
    }

    @Override public String print(Graph graph) {
        throw notBuilt("the IR printer (dlc.ir.text.IrPrinter)");
    }

    @Override public Graph runPassesUpTo(Graph graph, String pass) {
        throw notBuilt("the pass manager (dlc.passes.PassManager)");
    }

    private static UserError notBuilt(String what) {
        return new UserError(what + " is not part of this build of dlc yet");
    }
}
