package dlc.cli;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.text.IrPrinter;
import dlc.passes.PassManager;
import dlc.passes.Passes;

import java.nio.file.Path;
import java.util.Map;

/** The real compiler stages: the frontend, the IR printer and the pass manager. */
final class StandardToolchain implements Toolchain {
    @Override public Compilation compile(Path file, String model, Map<String, String> params) {
        return Frontend.compile(file, model, params);
    }

    @Override public String print(Module module) { return IrPrinter.print(module); }

    @Override public String print(Graph graph) { return IrPrinter.print(graph); }

    @Override public Module runPasses(Module module, String pipeline, String after) {
        PassManager pm;
        try {
            pm = PassManager.parse(pipeline != null ? pipeline : standardPipeline());
        } catch (IllegalArgumentException e) {
            throw new UserError("--passes: " + e.getMessage(), UserError.USAGE);
        }
        if (after == null) return pm.run(module);
        if (!pm.passNames().contains(after))
            throw new UserError("--after " + after + ": no such pass in the pipeline " + String.join(", ", pm.passNames())
                    + " (known passes: " + String.join(", ", Passes.names()) + ")", UserError.USAGE);
        return pm.runUntil(module, after);
    }

    /** Every registered pass in registration order, with default options. */
    static String standardPipeline() { return String.join(",", Passes.names()); }
}
