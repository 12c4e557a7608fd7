package dlc.cli;

import dlc.data.Dataset;
import dlc.frontend.Compilation;
import dlc.frontend.train.TrainPlan;
import dlc.ir.Module;
import dlc.train.Datasets;
import dlc.train.TrainBlocks;
import dlc.train.TrainException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.function.Supplier;

/** What {@code train}, {@code eval} and {@code gradcheck} share: the lowered model, its train block's plan, its data. */
final class TrainInputs {
    final Compilation compilation;
    final Module module;
    final TrainPlan plan;

    private TrainInputs(Compilation compilation, Module module, TrainPlan plan) {
        this.compilation = compilation;
        this.module = module;
        this.plan = plan;
    }

    /** Compiles {@code file} and reads the train block of the chosen model; UserErrors for every mistake. */
    static TrainInputs load(Toolchain tools, Path file, ModelChoice choice, PrintWriter err) throws IOException {
        return load(tools, file, choice, java.util.Map.of(), err);
    }

    /**
     * As {@link #load(Toolchain, Path, ModelChoice, PrintWriter)} with train settings overridden at
     * compile time ({@code epochs -> "3"}, {@code lr -> "0.01"}: see {@code Frontend.compile}).
     */
    static TrainInputs load(Toolchain tools, Path file, ModelChoice choice, java.util.Map<String, String> overrides, PrintWriter err)
            throws IOException {
        TrainInputs t;
        try {
            // with overrides the file's own diagnostics are shown once, by the compile that applies them
            t = loadWithoutPlan(tools, file, choice, overrides.isEmpty() ? err : new PrintWriter(PrintWriter.nullWriter()));
        } catch (UserError e) {
            // ... unless the file does not compile without them: then they are this error's report
            if (!overrides.isEmpty()) loadWithoutPlan(tools, file, choice, err);
            throw e;
        }
        if (!overrides.isEmpty()) {
            Compilation c = dlc.frontend.Frontend.compile(file, t.module.name(), choice.params, overrides);
            err.print(c.render());
            err.flush();
            if (!c.ok() || c.module() == null) throw new UserError(file + ": the train settings given on the command line do not compile");
            t = new TrainInputs(c, c.module(), null);
        }
        TrainInputs done = t;
        return new TrainInputs(done.compilation, done.module, user(() -> TrainBlocks.plan(done.compilation, done.module)));
    }

    /** The lowered model alone, {@link #plan} null (a model without a train block can still be gradchecked). */
    static TrainInputs loadWithoutPlan(Toolchain tools, Path file, ModelChoice choice, PrintWriter err) throws IOException {
        Compilation c = Programs.compile(tools, file, choice, err);
        Module m = Programs.lower(tools, file, choice, new PrintWriter(PrintWriter.nullWriter())); // diagnostics printed once, above
        return new TrainInputs(c, m, null);
    }

    /** This model with its train block's plan. */
    TrainInputs withPlan() { return new TrainInputs(compilation, module, user(() -> TrainBlocks.plan(compilation, module))); }

    /** The plan's data set; files relative to the .dl file's directory, Fashion-MNIST under {@code dataDir}. */
    Dataset data(Path file, Path dataDir) throws IOException {
        return load(plan.data(), file, dataDir, where("data", file));
    }

    /** The plan's test set (the block's {@code test} setting), or null when it names none. */
    Dataset testData(Path file, Path dataDir) throws IOException {
        return plan.hasTest() ? load(plan.test(), file, dataDir, where("test", file)) : null;
    }

    /** Where the train block of this model writes {@code setting} ({@code file:line:col} of its value), else the file. */
    private String where(String setting, Path file) {
        if (compilation != null && compilation.program() != null)
            for (dlc.frontend.ast.Ast.Decl d : compilation.program().decls())
                if (d instanceof dlc.frontend.ast.Ast.Train t && t.model().equals(module.name()))
                    for (dlc.frontend.ast.Ast.TrainItem i : t.items())
                        if (i instanceof dlc.frontend.ast.Ast.TrainSetting s && s.name().equals(setting) && !s.values().isEmpty())
                            return s.values().get(0).span().toString();
        return file.toString();
    }

    private static Dataset load(TrainPlan.DataSet set, Path file, Path dataDir, String where) throws IOException {
        Path base = file.toAbsolutePath().getParent();
        try {
            return Datasets.load(set, base, dataDir);
        } catch (TrainException | IllegalArgumentException e) {
            StringJoiner call = new StringJoiner(", ", set.name() + "(", ")");
            set.args().forEach((k, v) -> call.add(k + "=" + (v instanceof String s ? "\"" + s + "\"" : v)));
            throw new UserError(where + ": data " + call + ": " + e.getMessage());
        }
    }

    /** Runs {@code body}, turning a training mistake into a UserError. */
    static <T> T user(Supplier<T> body) {
        try {
            return body.get();
        } catch (TrainException e) {
            throw new UserError(e.getMessage());
        }
    }
}
