package dlc.cli;

import dlc.frontend.Compilation;
import dlc.ir.Graph;
import dlc.ir.Module;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loading a .dl file for a command: file checks, diagnostics, model and graph selection. */
final class Programs {
    private Programs() {}

    /** Compiles {@code file}; diagnostics go to {@code err}. Throws a UserError for a missing file or an unknown model. */
    static Compilation compile(Toolchain tools, Path file, ModelChoice choice, PrintWriter err) throws IOException {
        String model = choice.model;
        if (!Files.exists(file)) throw new UserError("no such file: " + file);
        if (Files.isDirectory(file)) throw new UserError(file + " is a directory, not a .dl file");
        Compilation c = tools.compile(file, model, choice.params);
        err.print(c.render());
        err.flush();
        if (c.ok() && model != null && !c.models().contains(model))
            throw new UserError(file + " has no model '" + model + "'" + available(c));
        return c;
    }

    /** Compiles and lowers one model; throws a UserError when the file has errors or no model can be chosen. */
    static Module lower(Toolchain tools, Path file, ModelChoice choice, PrintWriter err) throws IOException {
        Compilation c = compile(tools, file, choice, err);
        if (!c.ok()) {
            long n = c.diagnostics().stream().filter(d -> d.isError()).count();
            throw new UserError(file + ": " + n + (n == 1 ? " error" : " errors"));
        }
        if (c.module() != null) return c.module();
        if (c.models().isEmpty()) throw new UserError(file + " defines no model");
        throw new UserError(file + " defines several models" + available(c).replace("; it defines", ";") + "; choose one with --model", UserError.USAGE);
    }

    /** The named graph of a lowered module, or a UserError listing the graphs it has. */
    static Graph graph(Module m, String name) {
        return m.graph(name).orElseThrow(() -> new UserError("model " + m.name() + " has no graph '" + name + "'; it has "
                + String.join(", ", m.graphs().stream().map(Graph::name).toList())));
    }

    private static String available(Compilation c) {
        return c.models().isEmpty() ? " (it defines no models)" : "; it defines " + String.join(", ", c.models());
    }
}
