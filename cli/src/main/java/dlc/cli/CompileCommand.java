package dlc.cli;

import dlc.codegen.jvm.InferenceGraph;
import dlc.codegen.jvm.JvmCompiler;
import dlc.codegen.jvm.ModelJar;
import dlc.codegen.jvm.RuntimeTensors;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.train.Checkpoints;
import dlc.train.Executor;
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
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dlc compile FILE}: a model's inference graph, compiled by the JVM backend, as a self-contained jar with its weights. */
@Command(name = "compile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compile a model's inference graph (its eval graph's outputs; the loss and the labels it needs are left out) "
                + "with the JVM backend into a self-contained jar: the generated classes, a typed class (e.g. float[] probs(float[] x, int batch), "
                + "plus run(Map) and copy()), the dlc runtime and the weights.",
                "Weights come from --weights CKPT (dlc train), else from the init graph with --seed. "
                        + "Run it with: java --add-modules jdk.incubator.vector -jar MODEL.jar --input x=x.npy --output probs=probs.npy",
                "The same source and weights give a byte-identical jar."})
final class CompileCommand implements Callable<Integer> {
    /** The package of the typed class unless --package says otherwise. */
    static final String DEFAULT_PACKAGE = "dlc.models";

    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dl file.")
    Path file;

    @Mixin ModelChoice choice;

    @Option(names = "--weights", paramLabel = "CKPT", description = "Weights from this checkpoint (from dlc train); default: initialized from --seed.")
    Path weights;

    @Option(names = {"-o", "--output"}, paramLabel = "JAR", description = "The jar to write (default: MODEL.jar).")
    Path output;

    @Option(names = "--package", paramLabel = "P", defaultValue = DEFAULT_PACKAGE, description = "Package of the typed class (default: ${DEFAULT-VALUE}).")
    String packageName;

    @Option(names = "--class", paramLabel = "C", description = "Name of the typed class (default: the model's name).")
    String className;

    @Option(names = "--graph", paramLabel = "G", defaultValue = "eval",
            description = "The graph to compile (default: ${DEFAULT-VALUE}); a graph that updates parameters or state (a train step) is refused: jars are for inference.")
    String graphName;

    @Option(names = "--with-loss", description = "Keep the graph's losses as outputs (then the labels are inputs too).")
    boolean withLoss;

    @Option(names = "--verify", description = "Check every generated class with ASM's verifier (CheckClassAdapter) before writing the jar.")
    boolean verify;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the initial weights and of the fixed random key, when the graph draws random numbers (default: ${DEFAULT-VALUE}; a checkpoint's own seed with --weights).")
    long seed;

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Module m = Programs.lower(main.toolchain(), file, choice, spec.commandLine().getErr());
        Graph chosen = Programs.graph(m, graphName);
        refuseTraining(chosen);
        Graph graph;
        try {
            graph = InferenceGraph.of(chosen, withLoss);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        long keySeed = seed;
        Map<String, Tensor> values;
        String source;
        if (weights != null) {
            Checkpoints.Weights w = Checkpoints.readWeights(weights, graph, m.name());
            values = new LinkedHashMap<>(w.tensors());
            keySeed = w.seed();
            source = weights + " (" + (w.model().equals(m.name()) ? "" : "model " + w.model() + ", ") + "after " + w.epoch() + " epochs)";
        } else {
            boolean stored = graph.inputs().stream().anyMatch(v -> v.role() == Value.Role.PARAM || v.role() == Value.Role.STATE);
            // float64 initialization, rounded to f32 in the jar: the same weights whatever backend runs dlc
            values = stored ? ModelRunner.initialize(m, seed, Executor.interpreter()) : new LinkedHashMap<>();
            source = "initialized with seed " + seed;
        }
        Map<String, dlc.runtime.Tensor> presets = new LinkedHashMap<>();
        for (Value v : graph.inputs()) {
            if (v.role() == Value.Role.PARAM || v.role() == Value.Role.STATE) {
                Tensor t = values.get(v.name());
                if (t == null) throw new UserError("model " + m.name() + ": no value for '" + v.name() + "' (" + source + ")");
                presets.put(v.name(), RuntimeTensors.of(t));
            } else if (isKey(v)) {
                // the graph draws random numbers: a fixed key, the one dlc run uses for the same seed
                presets.put(v.name(), RuntimeTensors.of(RandomInputs.key(keySeed, "eval")));
            }
        }
        String simple = className != null ? className : JvmCompiler.javaName(m.name());
        String fqcn = packageName.isEmpty() ? simple : packageName + "." + simple;
        ModelJar.Built built;
        try {
            built = ModelJar.build(graph, fqcn, presets, m.name());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e.getMessage().contains("class name") ? UserError.USAGE : UserError.FAILED);
        } catch (UnsupportedOperationException e) {
            throw new UserError("the JVM backend cannot compile " + m.name() + "'s " + graphName + " graph: " + e.getMessage());
        }
        if (verify) {
            java.util.List<String> problems = ModelJar.verify(built);
            if (!problems.isEmpty()) throw new IllegalStateException("generated classes do not verify:\n" + String.join("\n", problems));
        }
        Path jar = output != null ? output : Path.of(m.name() + ".jar");
        write(jar, built.jar());
        out.println("compiled " + m.name() + " (" + graphName + " graph, weights " + source + ") to " + jar + " (" + kib(built.jar().length) + ")"
                + (verify ? "; every generated class verifies" : ""));
        out.print(built.api().replace("\nInstances", "Instances")); // the API text the jar carries (META-INF/dlc/API.txt)
        String example = built.inputs().isEmpty() ? "" : " --input " + built.inputs().get(0) + "=" + built.inputs().get(0) + ".npy";
        out.println("e.g. java --add-modules jdk.incubator.vector -jar " + jar + example + " --output "
                + built.signature().outputs().get(0).name() + "=OUT.npy");
        out.flush();
        return 0;
    }

    /**
     * A model jar runs a graph for its outputs; a graph that updates parameters or state (a train
     * block's step, a training-mode graph with batch statistics) would lose those updates, so it is
     * refused rather than compiled into a jar that silently does not train.
     */
    private void refuseTraining(Graph g) {
        java.util.List<String> updates = g.outputs().stream()
                .filter(o -> o.role() == Graph.Output.Role.UPDATE || o.role() == Graph.Output.Role.GRAD).map(Graph.Output::name).toList();
        if (updates.isEmpty()) return;
        throw new UserError("--graph " + graphName + ": the " + g.name() + " graph updates " + updates.size() + " parameter or state tensor"
                + (updates.size() == 1 ? "" : "s") + " (" + String.join(", ", updates.size() > 4 ? updates.subList(0, 4) : updates) + (updates.size() > 4 ? ", ..." : "")
                + "), and dlc compile writes inference jars only, which would drop them; compile --graph eval (the default) "
                + "or another graph without updates, and train with dlc train", UserError.USAGE);
    }

    private static boolean isKey(Value v) {
        return v.role() == Value.Role.INPUT && ModelRunner.RNG.equals(v.name()) && v.type().dtype() == DType.I64 && v.type().rank() == 0;
    }

    /** Writes through a temporary file beside {@code jar}, so a failed write leaves no half jar. */
    private static void write(Path jar, byte[] bytes) throws IOException {
        Path parent = jar.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new UserError("cannot write " + jar + ": directory " + parent + " does not exist");
        // Files.write, not createTempFile: the jar gets the usual permissions (umask), not 0600
        Path tmp = parent.resolve("." + jar.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String kib(long bytes) { return String.format("%.1f KiB", bytes / 1024.0); }
}
