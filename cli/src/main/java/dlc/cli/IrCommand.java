package dlc.cli;

import dlc.ir.Module;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dlc ir FILE}: print a model's IR, optionally after a pass pipeline (or part of it) ran. */
@Command(name = "ir", mixinStandardHelpOptions = true, sortOptions = false, description = "Print the IR of a model's graphs.")
final class IrCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dl file.")
    Path file;

    @Mixin ModelChoice choice;

    @Option(names = "--graph", paramLabel = "G", description = "Only this graph: init, train or eval (default: all).")
    String graph;

    @Option(names = "--after", paramLabel = "PASS", description = "Run the pass pipeline up to and including PASS first.")
    String after;

    @Option(names = "--passes", paramLabel = "PIPELINE",
            description = "Run this pipeline first, e.g. 'shape-inference{B=32}' (default with --after: the standard pipeline).")
    String pipeline;

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Module m = Programs.lower(main.toolchain(), file, choice, spec.commandLine().getErr());
        if (after != null || pipeline != null) m = main.toolchain().runPasses(m, pipeline, after);
        out.print(graph == null ? main.toolchain().print(m) : main.toolchain().print(Programs.graph(m, graph)));
        out.flush();
        return 0;
    }
}
