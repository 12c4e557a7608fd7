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

    @Option(names = "--emit", paramLabel = "ir|opencl", defaultValue = "ir",
            description = "What to print: ir (the graphs; default) or opencl (the OpenCL C program the OpenCL backend generates for each graph, "
                    + "after the standard pipeline unless --after or --passes say otherwise: exactly what --backend opencl runs).")
    String emit;

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!emit.equals("ir") && !emit.equals("opencl"))
            throw new UserError("--emit takes ir or opencl, not '" + emit + "'", UserError.USAGE);
        Module m = Programs.lower(main.toolchain(), file, choice, spec.commandLine().getErr());
        boolean piped = after != null || pipeline != null;
        if (piped) m = main.toolchain().runPasses(m, pipeline, after);
        if (emit.equals("opencl")) {
            for (dlc.ir.Graph g : graph == null ? m.graphs() : java.util.List.of(Programs.graph(m, graph))) {
                try {
                    out.println(dlc.codegen.opencl.ClCompiledGraph.source(piped ? g : dlc.passes.PassManager.standard().run(g)));
                } catch (UnsupportedOperationException e) {
                    throw new UserError("graph " + g.name() + ": " + e.getMessage());
                }
            }
            out.flush();
            return 0;
        }
        out.print(graph == null ? main.toolchain().print(m) : main.toolchain().print(Programs.graph(m, graph)));
        out.flush();
        return 0;
    }
}
