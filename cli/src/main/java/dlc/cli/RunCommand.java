package dlc.cli;

import dlc.data.NpyFiles;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.eval.Tensor;
import dlc.train.Checkpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.concurrent.Callable;

/** {@code dlc run FILE}: initialize a model from the seed and run its eval graph on the chosen backend. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Initialize a model's parameters from the seed, run its eval graph (on the JVM backend, or --backend interp) "
                + "and print each output's shape and statistics.",
                "With --weights CKPT the parameters come from a checkpoint instead (matched by name, dtype and shape, so a renamed or extended model "
                        + "reads the parameters it shares).",
                "Inputs not given are random: floats ~ N(0, 1), integers uniform in [0, --int-range), bools fair coins."})
final class RunCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dl file.")
    Path file;

    @Mixin ModelChoice choice;

    @Mixin BackendChoice backend;

    @Mixin WeightsDtypeChoice weightsDtype;

    @Option(names = "--input", paramLabel = "NAME=FILE.npy", description = "A model input from a .npy file (repeatable).")
    Map<String, Path> inputs = new LinkedHashMap<>();

    @Option(names = "--batch", paramLabel = "N", description = "The batch size B for random inputs (default: from the given inputs, else 2).")
    Integer batch;

    @Option(names = "--dim", paramLabel = "SYM=N", description = "The size of another symbolic dim, e.g. --dim T=50 (repeatable).")
    Map<String, Long> dims = new LinkedHashMap<>();

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed for parameters and random inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--int-range", paramLabel = "N", defaultValue = "2", description = "Random integer inputs are drawn from [0, N) (default: ${DEFAULT-VALUE}).")
    int intRange;

    @Option(names = "--weights", paramLabel = "CKPT",
            description = "Parameters and state from this checkpoint (dlc train), matched by name, dtype and shape; default: initialized from --seed.")
    Path weights;

    @Option(names = "--output-dir", paramLabel = "DIR", description = "Also write each output to DIR/NAME.npy.")
    Path outputDir;

    @Override public Integer call() throws IOException {
        if (intRange < 1) throw new UserError("--int-range must be at least 1, got " + intRange, UserError.USAGE);
        PrintWriter out = spec.commandLine().getOut();
        Module m = Programs.lower(main.toolchain(), file, choice, spec.commandLine().getErr());
        Map<String, ModelRunner.Given> given = new LinkedHashMap<>();
        for (var e : inputs.entrySet()) given.put(e.getKey(), new ModelRunner.Given(NpyFiles.read(e.getValue()), e.getValue().toString()));

        Map<String, Tensor> stored = null;
        String source = "seed " + seed;
        if (weights != null) {
            Checkpoints.Weights w = Checkpoints.readWeights(weights, Programs.graph(m, "eval"), m.name());
            stored = w.tensors();
            source = "weights " + weights + " (" + (w.model().equals(m.name()) ? "" : "model " + w.model() + ", ") + "after " + w.epoch() + " epochs), seed " + seed;
        }
        ModelRunner.Result r = ModelRunner.run(m, new ModelRunner.Request(given, dims, batch, seed, intRange, stored), weightsDtype.executor(backend.executor(), backend.backend));

        if (weightsDtype.narrow()) source += ", " + weightsDtype.describe(Programs.graph(m, "eval"));
        StringJoiner header = new StringJoiner(", ", "model " + m.name() + " (eval, " + source + "): ", "");
        r.dims().forEach((sym, v) -> header.add(sym + " = " + v + (r.defaultedDims().contains(sym) ? " (default; set with --dim " + sym + "=N)" : "")));
        if (!r.randomInputs().isEmpty()) header.add("random inputs " + String.join(", ", r.randomInputs()));
        out.println(header);
        Graph eval = Programs.graph(m, "eval");
        for (var e : r.outputs().entrySet()) {
            String dtype = eval.output(e.getKey()).map(o -> o.value().type().dtype().text()).orElse(e.getValue().dtype().text());
            out.println(Summary.of(e.getValue()).line(e.getKey(), dtype));
        }
        if (outputDir != null) write(r.outputs(), out);
        out.flush();
        return 0;
    }

    private void write(Map<String, Tensor> outputs, PrintWriter out) throws IOException {
        if (Files.exists(outputDir) && !Files.isDirectory(outputDir)) throw new UserError("--output-dir " + outputDir + " is a file, not a directory");
        Files.createDirectories(outputDir);
        for (var e : outputs.entrySet()) NpyFiles.write(outputDir.resolve(fileName(e.getKey())), e.getValue());
        out.println("wrote " + outputs.size() + (outputs.size() == 1 ? " output" : " outputs") + " to " + outputDir);
    }

    /** An output's file name: its name with anything but letters, digits, '.', '_' and '-' replaced by '_'. */
    static String fileName(String output) {
        return output.replaceAll("[^A-Za-z0-9._-]", "_") + ".npy";
    }
}
