package dlc.cli;

import dlc.frontend.Compilation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dlc check FILE}: parse and check, print diagnostics to stderr; exit 1 when there are errors. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Parse and check a .dl file. Diagnostics go to stderr; exit code 1 when there are errors.")
final class CheckCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dl file to check.")
    Path file;

    @Option(names = "--model", paramLabel = "M", description = "Also lower this model (default: what the frontend checks by default).")
    String model;

    @Override public Integer call() throws Exception {
        Compilation c = Programs.compile(main.toolchain(), file, model, spec.commandLine().getErr());
        if (!c.ok()) return UserError.FAILED;
        spec.commandLine().getOut().println("ok: " + file + ": " + (c.models().isEmpty() ? "no models" :
                (c.models().size() == 1 ? "model " : "models ") + String.join(", ", c.models())));
        return 0;
    }
}
