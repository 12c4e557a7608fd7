package dlc.cli;

import dlc.frontend.Compilation;
import dlc.frontend.Diagnostic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dlc check FILE}: parse and check, print diagnostics to stderr; exit 1 when there are errors. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Parse and check a .dl file. Diagnostics go to stderr; exit code 1 when there are errors.")
final class CheckCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dl file to check.")
    Path file;

    @Mixin ModelChoice choice;

    @Override public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Compilation c = Programs.compile(main.toolchain(), file, choice, err);
        if (!c.ok()) return UserError.FAILED;
        if (choice.model == null && !lowersEveryOtherModel(c, err)) return UserError.FAILED;
        spec.commandLine().getOut().println("ok: " + file + ": " + (c.models().isEmpty() ? "no models" :
                (c.models().size() == 1 ? "model " : "models ") + String.join(", ", c.models())));
        return 0;
    }

    /**
     * The frontend lowers one model per compilation (the first by default); lowering finds shape
     * errors, so every other model is lowered too, with its default parameters. Prints only
     * diagnostics not already printed.
     */
    private boolean lowersEveryOtherModel(Compilation first, PrintWriter err) throws IOException {
        boolean ok = true;
        for (String m : first.models().subList(Math.min(1, first.models().size()), first.models().size())) {
            Compilation c = main.toolchain().compile(file, m, Map.of()); // -P targets the first model
            List<Diagnostic> fresh = c.diagnostics().stream().filter(d -> !first.diagnostics().contains(d)).toList();
            err.print(new Compilation(c.program(), fresh, c.models(), null, c.sources()).render());
            ok &= c.ok();
        }
        err.flush();
        return ok;
    }
}
