package dlc.cli;

import dlc.codegen.jvm.InferenceGraph;
import dlc.codegen.jvm.JvmCompiler;
import dlc.codegen.jvm.ModelJar;
import dlc.codegen.jvm.NarrowWeights;
import dlc.codegen.jvm.RuntimeTensors;
import dlc.codegen.opencl.jar.JarLauncher;
import dlc.codegen.opencl.jar.OpenClJar;
import dlc.frontend.train.TrainPlan;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.train.Checkpoints;
import dlc.train.Executor;
import dlc.train.TrainBlocks;
import dlc.train.TrainState;
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

/** {@code dlc compile FILE}: a model's inference graph, compiled by the JVM backend, as a self-contained jar with its weights; with {@code --backend opencl} also its OpenCL kernels (see {@link OpenClJar}). */
@Command(name = "compile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compile a model's inference graph (its eval graph's outputs; the loss and the labels it needs are left out) "
                + "with the JVM backend into a self-contained jar: the generated classes, a typed class (e.g. float[] probs(float[] x, int batch), "
                + "plus run(Map) and copy()), the dlc runtime and the weights.",
                "Weights come from --weights CKPT (dlc train), else from the init graph with --seed. "
                        + "Run it with: java --add-modules jdk.incubator.vector -jar MODEL.jar --input x=x.npy --output probs=probs.npy",
                "With --backend opencl the jar also carries the graph's OpenCL kernels and runs them through LWJGL when "
                        + "LWJGL's lwjgl, lwjgl-opencl and natives-linux jars (" + JarLauncher.LWJGL_VERSION + ") are on the class path (or beside the jar, for java -jar) and an OpenCL device is found, "
                        + "else its JVM-compiled graph; it prints which on stderr. The JVM-only jar (the default) needs nothing else.",
                "The same source and weights give a byte-identical jar."})
final class CompileCommand implements Callable<Integer> {
    /** The package of the typed class unless --package says otherwise. */
    static final String DEFAULT_PACKAGE = "dlc.models";

    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dl file.")
    Path file;

    @Mixin ModelChoice choice;

    @Mixin WeightsDtypeChoice weightsDtype;

    @Option(names = "--weights", paramLabel = "CKPT", description = "Weights from this checkpoint (from dlc train); default: initialized from --seed.")
    Path weights;

    @Option(names = {"-o", "--output"}, paramLabel = "JAR", description = "The jar to write (default: MODEL.jar).")
    Path output;

    @Option(names = "--package", paramLabel = "P", defaultValue = DEFAULT_PACKAGE, description = "Package of the typed class (default: ${DEFAULT-VALUE}).")
    String packageName;

    @Option(names = "--class", paramLabel = "C", description = "Name of the typed class (default: the model's name).")
    String className;

    @Option(names = "--graph", paramLabel = "G", defaultValue = "eval",
            description = "The graph to compile (default: ${DEFAULT-VALUE}); a graph that updates parameters or state (a train step) is refused: "
                    + "for a jar that trains, use --trainable.")
    String graphName;

    @Option(names = "--with-loss", description = "Keep the graph's losses as outputs (then the labels are inputs too).")
    boolean withLoss;

    /** The backends a model jar can carry. */
    enum JarBackend { jvm, opencl }

    @Option(names = "--backend", paramLabel = "jvm|opencl", defaultValue = "jvm",
            description = "jvm (default): a dependency-free jar. opencl: the jar also carries the generated OpenCL kernels (and the classes that launch them) "
                    + "and runs them when LWJGL " + JarLauncher.LWJGL_VERSION + " (" + "lwjgl, lwjgl-opencl and its natives-linux jar) is on the class path "
                    + "and an OpenCL device is present, else the JVM-compiled graph it also carries. Not with --trainable or a narrow --weights-dtype.")
    JarBackend backend = JarBackend.jvm;

    @Option(names = "--trainable", description = "Also carry the model's training step graph (forward, gradients and the train block's optimizer) "
            + "and its state (parameters, optimizer state, step counter): the typed class gets trainStep(x, y, batch), fit(x, y, epochs, batchSize, seed), "
            + "saveWeights(Path) and loadWeights(Path) (dlc train's safetensors checkpoints). Needs a train block; --weights must then be a full dlc train checkpoint.")
    boolean trainable;

    @Option(names = "--verify", description = "Check every generated class with ASM's verifier (CheckClassAdapter) before writing the jar.")
    boolean verify;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the initial weights and of the fixed random key, when the graph draws random numbers (default: ${DEFAULT-VALUE}; a checkpoint's own seed with --weights).")
    long seed;

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (trainable && weightsDtype.narrow())
            throw new UserError("--weights-dtype " + weightsDtype.format() + " stores inference weights narrow; a --trainable jar trains its f32 weights, so the two do not combine", UserError.USAGE);
        boolean opencl = backend == JarBackend.opencl;
        if (opencl && trainable)
            throw new UserError("--trainable with --backend opencl: a trainable jar trains on the JVM backend only; compile it without --backend opencl", UserError.USAGE);
        if (opencl && weightsDtype.narrow())
            throw new UserError("--weights-dtype " + weightsDtype.format() + " with --backend opencl: narrow weights run on the JVM backend's kernels only; "
                    + "the OpenCL backend reads f32 weights (drop --weights-dtype, or compile without --backend opencl)", UserError.USAGE);
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
        ModelJar.Training training = null;
        if (trainable) {
            TrainState state = trainingState(m);
            values = state.values;
            keySeed = state.seed;
            source = weights != null ? weights + " (after " + state.epoch + " epochs, " + state.globalBatch + " steps)" : "initialized with seed " + seed;
            Graph step = trainPlanStep(m);
            Map<String, dlc.runtime.Tensor> stateTensors = new LinkedHashMap<>();
            for (Value v : step.inputs())
                if (v.role() == Value.Role.PARAM || v.role() == Value.Role.STATE) {
                    Tensor t = values.get(v.name());
                    if (t == null) throw new UserError("model " + m.name() + ": the step graph reads '" + v.name() + "', which the training state lacks (" + source + ")");
                    stateTensors.put(v.name(), RuntimeTensors.of(t));
                }
            training = new ModelJar.Training(step, stateTensors, state.seed, state.globalBatch, state.epoch);
        } else if (weights != null) {
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
        Map<String, String> narrow = weightsDtype.select(graph);
        for (var e : narrow.entrySet())
            try {
                presets.put(e.getKey(), NarrowWeights.pack(values.get(e.getKey()), e.getValue()));
            } catch (IllegalArgumentException x) {
                throw new UserError("--weights-dtype " + e.getValue() + ": weight " + e.getKey() + ": " + x.getMessage());
            }
        if (weightsDtype.narrow())
            source += "; " + weightsDtype.describe(graph).substring("weights ".length());
        String simple = className != null ? className : JvmCompiler.javaName(m.name());
        String fqcn = packageName.isEmpty() ? simple : packageName + "." + simple;
        ModelJar.Built built;
        OpenClJar.Parts cl = null;
        if (opencl) {
            try {
                cl = OpenClJar.parts(graph, fqcn);
            } catch (UnsupportedOperationException e) {
                throw new UserError("the OpenCL backend cannot compile " + m.name() + "'s " + graphName + " graph: " + e.getMessage()
                        + "; compile without --backend opencl for a jar that runs on the JVM");
            }
        }
        try {
            built = training != null ? ModelJar.buildTrainable(graph, fqcn, presets, m.name(), training)
                    : cl != null ? ModelJar.build(graph, fqcn, presets, m.name(), new ModelJar.Backend("opencl", cl.launcher(), cl.classes(), cl.resources(),
                    cl.classPath(), JarLauncher.requirements(fqcn)))
                    : ModelJar.build(graph, fqcn, presets, m.name());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e.getMessage().contains("class name") ? UserError.USAGE : UserError.FAILED);
        } catch (UnsupportedOperationException e) {
            throw new UserError("the JVM backend cannot compile " + m.name() + "'s " + graphName + (trainable ? " or step" : "") + " graph: " + e.getMessage());
        }
        if (verify) {
            java.util.List<String> problems = ModelJar.verify(built);
            if (!problems.isEmpty()) throw new IllegalStateException("generated classes do not verify:\n" + String.join("\n", problems));
        }
        Path jar = output != null ? output : Path.of(m.name() + ".jar");
        write(jar, built.jar());
        String kernels = cl == null ? "" : ", " + cl.source().lines().filter(l -> l.startsWith("__kernel")).count() + " OpenCL kernels with the JVM graph as fallback";
        out.println("compiled " + m.name() + " (" + graphName + (trainable ? " graph, trainable with the " + training.step().name() : "") + " graph, weights " + source + kernels + ") to " + jar + " (" + kib(built.jar().length) + ")"
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
                + "or another graph without updates, and train with dlc train (or compile --trainable for a jar that also trains)", UserError.USAGE);
    }

    /** The train block's only step graph, as dlc train runs it; a UserError naming what is missing otherwise. */
    private Graph trainPlanStep(Module m) {
        if (plan.steps().size() != 1)
            throw new UserError("--trainable: model " + m.name() + "'s train block runs " + plan.steps().size() + " step graphs per batch ("
                    + plan.steps().stream().map(TrainPlan.Step::graph).toList() + "); a trainable jar carries exactly one; train this model with dlc train");
        String name = plan.steps().get(0).graph();
        return m.graph(name).orElseThrow(() -> new UserError("--trainable: model " + m.name() + " has no step graph '" + name + "'; its graphs are "
                + m.graphs().stream().map(Graph::name).toList()));
    }

    /** The train block's plan, read by {@link #trainingState}. */
    private TrainPlan plan;

    /**
     * The state the jar starts from: a full dlc train checkpoint with --weights (parameters,
     * optimizer state, step counter, seed), else the init graph's output for --seed, as dlc train
     * initializes it (float64, rounded to each tensor's dtype).
     */
    private TrainState trainingState(Module m) throws IOException {
        TrainInputs in;
        try {
            in = TrainInputs.load(main.toolchain(), file, choice, new PrintWriter(PrintWriter.nullWriter()));
        } catch (UserError e) {
            throw new UserError("--trainable: " + e.getMessage(), UserError.FAILED);
        }
        plan = in.plan.toBuilder().seed(weights != null ? in.plan.seed() : seed).build();
        if (m.graph("init").isEmpty()) throw new UserError("--trainable: model " + m.name() + " has no init graph");
        if (weights != null) {
            try {
                return Checkpoints.read(weights, m.graph("init").get(), m.name());
            } catch (dlc.checkpoint.CheckpointException e) {
                throw new UserError("--trainable --weights needs a full dlc train checkpoint of model " + m.name()
                        + " (parameters and optimizer state): " + e.getMessage());
            }
        }
        return TrainInputs.user(() -> TrainBlocks.trainer(m, plan, Executor.interpreter()).init());
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
