package dlc.cli;

import dlc.ir.Graph;
import dlc.ir.Module;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dlc ir FILE}: print a model's IR, optionally after the pass pipeline ran up to a pass. */
@Command(name = "ir", mixinStandardHelpOptions = true, description = "Print the IR of a model's graphs.")
final class IrCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dl file.")
    Path file;

    @Option(names = "--model", paramLabel = "M", description = "The model to lower (needed when the file has several).")
    String model;

    @Option(names = "--graph", paramLabel = "G", description = "Only this graph: init, train or eval (default: all).")
    String graph;

    @Option(names = "--after", paramLabel = "PASS", description = "Print the IR after the pass pipeline has run up to PASS.")
    String after;

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Module m = Programs.lower(main.toolchain(), file, model, spec.commandLine().getErr());
        List<Graph> graphs = graph == null ? m.graphs() : List.of(Programs.graph(m, graph));
        for (int i = 0; i < graphs.size(); i++) {
            Graph g = after == null ? graphs.get(i) : main.toolchain().runPassesUpTo(graphs.get(i), after);
            if (i > 0) out.println();
            out.print(main.toolchain().print(g));
        }
        out.flush();
        return 0;
    }
}
