package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.runtime.CompiledGraph;
import dlc.runtime.Model;
import dlc.runtime.NarrowMatrix;
import dlc.runtime.Npy;
import dlc.runtime.Signature;
import dlc.runtime.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A self-contained model jar ({@code dlc compile}): the generated graph class(es), a typed model
 * class over them ({@link WrapperEmitter}), the runtime's classes, the weights as .npy resources
 * beside the model class ({@link Model#weightResource}; a weight stored narrow as bfloat16 bits or
 * int8 codes, plus an int8 weight's per-column scales, {@link Model#scalesResource}), and a manifest whose {@code Main-Class}
 * is the model class ({@code java -jar model.jar --input x=in.npy --output out.npy}), and
 * {@code META-INF/dlc/API.txt}: the typed class's methods, shapes and thread-safety rule, for
 * whoever gets the jar without its source.
 *
 * <p>With a {@link Backend} (dlc compile --backend opencl) the jar also carries another backend's
 * classes and the model's files for it, and the typed class's {@code load()} lets the backend's
 * launcher pick the graph it runs (the JVM-compiled one being the fallback).
 *
 * <p>Reproducible: entries sorted by name, one fixed timestamp, no build-time data, so the same
 * graph and weights give a byte-identical jar.
 */
public final class ModelJar {
    /** Every entry's modification time (a fixed instant, so builds are reproducible). */
    private static final LocalDateTime TIMESTAMP = LocalDateTime.of(2000, 1, 1, 0, 0);

    private ModelJar() {}

    /**
     * What was built: the jar's bytes, the compiled graph's signature, the caller inputs, the typed
     * methods as Java declares them, and the API text the jar carries.
     */
    public record Built(byte[] jar, Signature signature, List<String> inputs, List<String> methods, String api) {}

    /** Packages only a {@link Backend} carries; like the runtime's, no model class may be in them. */
    static final String[] BACKEND_PACKAGES = {"dlc/ir/", "dlc/passes/", "dlc/codegen/"};

    /**
     * A second backend in the jar beside the JVM-compiled graph (e.g. OpenCL, see
     * {@code dlc.codegen.opencl.jar.OpenClJar}).
     *
     * @param name      the backend's name, for the manifest ({@code Dlc-Backend: NAME, jvm}) and messages
     * @param launcher  binary name of a class with {@code static CompiledGraph choose(CompiledGraph jvm, Class<?> model)}
     *                  (the graph the typed class runs; {@code jvm} when the backend cannot run) and
     *                  {@code static void main(Model model, String[] args)} (the jar's command line)
     * @param classes   entries under {@link #BACKEND_PACKAGES}: the backend's classes and files
     * @param resources the model's own files for the backend (beside the typed class)
     * @param classPath the manifest's Class-Path (jars the backend needs, looked for beside the jar), or empty
     * @param help      text appended to API.txt: what the user must add to the class path
     */
    public record Backend(String name, String launcher, Map<String, byte[]> classes, Map<String, byte[]> resources, String classPath, String help) {}

    /**
     * Compiles {@code graph} (an inference graph, see {@link InferenceGraph}) with the JVM backend
     * and packages it as {@code className} (a binary name such as {@code com.acme.FashionMlp}).
     *
     * @param weights  the preset inputs by name (every PARAM and STATE input, maybe a random key)
     * @param model    the model's name, recorded in the manifest
     */
    public static Built build(Graph graph, String className, Map<String, Tensor> weights, String model) {
        checkClassName(className); // before the compilation, which takes a while
        String graphClass = className + "_" + JvmCompiler.javaName(graph.name());
        // weights given narrow (dtype bf16 or int8, see NarrowWeights.pack) are compiled as such
        Map<String, String> narrow = new TreeMap<>();
        weights.forEach((name, t) -> {
            if (NarrowMatrix.isFormat(t.dtype())) narrow.put(name, t.dtype());
        });
        return build(JvmCompiler.compile(graph, graphClass, narrow), className, weights, model, graph.name());
    }

    /** As {@link #build(Graph, String, Map, String)} (f32 weights only), with {@code backend} beside the JVM-compiled graph. */
    public static Built build(Graph graph, String className, Map<String, Tensor> weights, String model, Backend backend) {
        checkClassName(className);
        for (Tensor t : weights.values())
            if (NarrowMatrix.isFormat(t.dtype())) throw new IllegalArgumentException("narrow weights (" + t.dtype() + ") run on the JVM backend only, not with " + backend.name());
        String graphClass = className + "_" + JvmCompiler.javaName(graph.name());
        return build(JvmCompiler.compile(graph, graphClass), className, weights, model, graph.name(), null, null, backend);
    }

    /**
     * Problems ASM's CheckClassAdapter finds in the classes of {@code built} that dlc generated
     * (the graph classes and the typed class; the runtime is javac's): empty when all verify.
     * {@code dlc compile --verify} prints them.
     */
    public static List<String> verify(Built built) {
        Map<String, byte[]> generated = new TreeMap<>();
        for (var e : modelEntries(built.jar()).entrySet())
            if (e.getKey().endsWith(".class"))
                generated.put(e.getKey().substring(0, e.getKey().length() - 6).replace('/', '.'), e.getValue());
        ClassLoader loader = new CompiledClasses.GeneratedClassLoader(generated);
        List<String> problems = new ArrayList<>();
        for (var e : generated.entrySet()) {
            java.io.StringWriter sw = new java.io.StringWriter();
            org.objectweb.asm.util.CheckClassAdapter.verify(new org.objectweb.asm.ClassReader(e.getValue()), loader, false, new java.io.PrintWriter(sw));
            if (!sw.toString().isEmpty()) problems.add(e.getKey() + ":\n" + sw);
        }
        return problems;
    }

    /**
     * The model's own entries of a jar {@link #build} wrote, by entry name: the generated classes,
     * the typed class and the weight resources (and a backend's model files), without the dlc runtime's
     * and numerics' classes, a {@link Backend}'s carried classes, and {@code META-INF}. dlc-maven-plugin writes exactly these into a build's classes directory
     * (where dlc-runtime, and through it dlc-numerics, is an ordinary dependency), so a build and a
     * jar carry the same bytes.
     */
    public static Map<String, byte[]> modelEntries(byte[] jar) {
        Map<String, byte[]> entries = new TreeMap<>();
        try (java.util.zip.ZipInputStream zin = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(jar))) {
            for (ZipEntry e; (e = zin.getNextEntry()) != null; )
                if (!e.isDirectory() && !RuntimeClasses.carried(e.getName()) && !backendCarried(e.getName()) && !e.getName().startsWith("META-INF/"))
                    entries.put(e.getName(), zin.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /**
     * The training half of a trainable jar ({@code dlc compile --trainable}): the step graph (one
     * train step: forward, gradients, optimizer), the training state it reads and updates (every
     * PARAM and STATE input of the step graph: parameters, optimizer state, step counter), and the
     * seed, step and epoch counts of the run the state comes from.
     */
    public record Training(Graph step, Map<String, Tensor> state, long seed, long steps, int epochs) {}

    /**
     * A trainable jar: {@code graph} (the inference graph) as {@link #build(Graph, String, Map, String)}
     * packages it, plus the step graph and its state, and a typed class extending
     * {@code dlc.runtime.TrainableModel} with {@code trainStep}, {@code fit}, {@code saveWeights}
     * and {@code loadWeights}.
     */
    public static Built buildTrainable(Graph graph, String className, Map<String, Tensor> weights, String model, Training training) {
        checkClassName(className);
        String graphClass = className + "_" + JvmCompiler.javaName(graph.name());
        String stepClass = className + "_" + JvmCompiler.javaName(training.step().name());
        if (graphClass.equals(stepClass)) stepClass = stepClass + "_train";
        CompiledClasses step = JvmCompiler.compile(training.step(), stepClass);
        return build(JvmCompiler.compile(graph, graphClass), className, weights, model, graph.name(), step, training, null);
    }

    /** Packages already generated classes (whose main class is a {@link CompiledGraph}) as {@code className}. */
    public static Built build(CompiledClasses classes, String className, Map<String, Tensor> weights, String model, String graphName) {
        return build(classes, className, weights, model, graphName, null, null, null);
    }

    private static Built build(CompiledClasses classes, String className, Map<String, Tensor> weights, String model, String graphName,
                               CompiledClasses stepClasses, Training training, Backend backend) {
        checkClassName(className);
        if (classes.classes().containsKey(className)) throw new IllegalArgumentException("class name " + className + " is taken by a generated graph class");
        CompiledGraph instance = classes.instantiate(); // also proves the generated classes load
        Signature sig = instance.signature();
        List<String> callers = new ArrayList<>(), missing = new ArrayList<>();
        Map<String, byte[]> entries = new TreeMap<>();
        String simple = className.substring(className.lastIndexOf('.') + 1);
        String dir = className.contains(".") ? className.substring(0, className.lastIndexOf('.')).replace('.', '/') + "/" : "";
        for (Signature.Port p : sig.inputs()) {
            Tensor w = weights.get(p.name());
            boolean weight = p.role().equals("PARAM") || p.role().equals("STATE");
            if (w == null) {
                if (weight) missing.add(p.name() + ": " + p.dtype() + p.shapeText());
                else callers.add(p.name());
                continue;
            }
            if (!w.dtype().equals(p.dtype()))
                throw new IllegalArgumentException("weight " + p.name() + " is " + w + ", but the graph takes " + p.dtype() + p.shapeText());
            String res = dir + Model.weightResource(simple, p.name());
            byte[] scales = w.data() instanceof NarrowMatrix q ? q.scalesNpy() : null;
            if (entries.put(res, w.data() instanceof NarrowMatrix q ? q.valuesNpy() : Npy.bytes(w)) != null
                    || scales != null && entries.put(dir + Model.scalesResource(simple, p.name()), scales) != null)
                throw new IllegalArgumentException("two inputs share the weight resource " + res + "; rename one of them");
        }
        if (!missing.isEmpty()) throw new IllegalArgumentException("no weights for " + String.join(", ", missing));
        for (var e : classes.classes().entrySet()) entries.put(e.getKey().replace('.', '/') + ".class", e.getValue());
        WrapperEmitter.Training wrapperTraining = null;
        if (training != null) {
            Signature stepSig = stepClasses.instantiate().signature();
            List<String> stepCallers = new ArrayList<>();
            for (Signature.Port p : stepSig.inputs()) {
                boolean stored = p.role().equals("PARAM") || p.role().equals("STATE");
                if (!stored) {
                    if (!(p.name().equals("rng") && p.dtype().equals("i64") && p.dims().length == 0)) stepCallers.add(p.name());
                    continue;
                }
                Tensor w = training.state().get(p.name());
                if (w == null) missing.add(p.name() + ": " + p.dtype() + p.shapeText());
                else if (!w.dtype().equals(p.dtype()))
                    throw new IllegalArgumentException("training state " + p.name() + " is " + w + ", but the step graph takes " + p.dtype() + p.shapeText());
                else entries.put(dir + Model.weightResource(simple, p.name()), Npy.bytes(w)); // the same values the inference graph reads
            }
            if (!missing.isEmpty()) throw new IllegalArgumentException("no training state for " + String.join(", ", missing));
            for (var e : stepClasses.classes().entrySet())
                if (entries.put(e.getKey().replace('.', '/') + ".class", e.getValue()) != null)
                    throw new IllegalArgumentException("the step graph's class " + e.getKey() + " clashes with the inference graph's");
            String info = "model=" + model + "\nseed=" + training.seed() + "\nstep=" + training.steps() + "\nepoch=" + training.epochs() + "\n";
            entries.put(dir + dlc.runtime.TrainableModel.infoResource(simple), info.getBytes(StandardCharsets.ISO_8859_1));
            wrapperTraining = new WrapperEmitter.Training(stepClasses.mainClass(), stepSig, stepCallers);
        }
        entries.put(className.replace('.', '/') + ".class", WrapperEmitter.emit(className, classes.mainClass(), sig, callers, wrapperTraining,
                backend == null ? null : backend.launcher()));
        for (var e : RuntimeClasses.read().entrySet())
            if (entries.put(e.getKey(), e.getValue()) != null) throw new IllegalArgumentException("entry " + e.getKey() + " clashes with the dlc runtime");
        if (backend != null) {
            for (var e : backend.classes().entrySet()) {
                if (!backendCarried(e.getKey())) throw new IllegalArgumentException("backend entry " + e.getKey() + " is outside " + List.of(BACKEND_PACKAGES));
                if (entries.put(e.getKey(), e.getValue()) != null) throw new IllegalArgumentException("backend entry " + e.getKey() + " clashes with another entry");
            }
            for (var e : backend.resources().entrySet())
                if (entries.put(e.getKey(), e.getValue()) != null) throw new IllegalArgumentException("backend resource " + e.getKey() + " clashes with another entry");
            if (!entries.containsKey(backend.launcher().replace('.', '/') + ".class"))
                throw new IllegalArgumentException("the backend's launcher " + backend.launcher() + " is not among its classes");
        }
        List<String> methods = new ArrayList<>(WrapperEmitter.describe(sig, callers));
        if (wrapperTraining != null) methods.addAll(WrapperEmitter.describeTraining(wrapperTraining));
        String api = api(className, model, graphName, sig, callers, methods);
        WrapperEmitter.Training wt = wrapperTraining;
        if (wt != null)
            api = api + "\nTrainable: trainStep runs one step of the " + training.step().name() + " graph (the train block's optimizer) on a batch and returns its loss;\n"
                    + "fit shuffles whole arrays (samples along the first dim) into mini-batches by the seed; saveWeights writes a dlc train checkpoint\n"
                    + "(safetensors), loadWeights reads one. Training updates the weights the inference methods use, and those of every copy().\n"
                    + "trainStep inputs:\n" + wt.callerInputs().stream().map(n -> {
                        Signature.Port p = wt.sig().inputs().get(wt.sig().inputIndex(n));
                        return "  " + p.name() + ": " + p.dtype() + p.shapeText() + "\n";
                    }).reduce("", String::concat);
        if (backend != null) api = api + backend.help();
        entries.put("META-INF/dlc/API.txt", api.getBytes(StandardCharsets.UTF_8));
        String manifest = "Manifest-Version: 1.0\r\n"
                + "Main-Class: " + className + "\r\n"
                + "Created-By: dlc compile\r\n"
                + "Dlc-Model: " + model + "\r\n"
                + "Dlc-Graph: " + graphName + "\r\n"
                + (backend != null ? "Dlc-Backend: " + backend.name() + ", jvm\r\n" : "")
                + (backend != null && !backend.classPath().isEmpty() ? "Class-Path: " + backend.classPath() + "\r\n" : "")
                + (training != null ? "Dlc-Train-Graph: " + training.step().name() + "\r\n" : "") + "\r\n";
        return new Built(zip(manifest, entries), sig, callers, methods, api);
    }

    /** What a user of the jar needs to know: the class, its methods with shapes, and how to use it from threads. */
    static String api(String className, String model, String graphName, Signature sig, List<String> callers, List<String> methods) {
        String simple = className.substring(className.lastIndexOf('.') + 1);
        StringBuilder sb = new StringBuilder();
        sb.append(className).append(": model ").append(model).append(" (").append(graphName).append(" graph), compiled by dlc\n\n");
        sb.append("  public static ").append(simple).append(" load()      the compiled graph with the weights in this jar\n");
        sb.append("  public ").append(simple).append(" copy()             another instance (own buffers, shared weights)\n");
        for (String m : methods) sb.append("  public ").append(m).append('\n');
        sb.append("  public Map<String, dlc.runtime.Tensor> run(Map<String, dlc.runtime.Tensor> inputs)\n\n");
        sb.append("inputs (row-major; float[] for f32, double[] for other dtypes):\n");
        for (String in : callers) {
            Signature.Port p = sig.inputs().get(sig.inputIndex(in));
            sb.append("  ").append(p.name()).append(": ").append(p.dtype()).append(p.shapeText()).append('\n');
        }
        sb.append("outputs (each typed method returns a fresh array):\n");
        for (Signature.Port p : sig.outputs()) sb.append("  ").append(p.name()).append(": ").append(p.dtype()).append(p.shapeText()).append('\n');
        if (!sig.symbols().isEmpty())
            sb.append("the int parameters of the typed methods give the dims ").append(String.join(", ", sig.symbols()))
                    .append(sig.symbols().contains("B") ? " (batch is B)" : "").append('\n');
        sb.append("\nInstances are NOT thread-safe: give each thread its own copy().\n");
        sb.append("A wrong length or shape is an IllegalArgumentException naming the input and its expected shape.\n");
        sb.append("java --add-modules jdk.incubator.vector -jar THIS.jar --input NAME=FILE.npy --output NAME=FILE.npy (see --help)\n");
        return sb.toString();
    }

    /** True when a jar entry is a backend's carried class or file rather than the model's own. */
    static boolean backendCarried(String entry) {
        for (String p : BACKEND_PACKAGES) if (entry.startsWith(p)) return true;
        return false;
    }

    private static void checkClassName(String className) {
        for (String part : className.split("\\.", -1))
            if (part.isEmpty() || !Character.isJavaIdentifierStart(part.charAt(0)) || !part.chars().allMatch(Character::isJavaIdentifierPart))
                throw new IllegalArgumentException("'" + className + "' is not a Java class name (package.Name)");
        String path = className.replace('.', '/');
        if (RuntimeClasses.carried(path) || backendCarried(path) || className.startsWith("java."))
            throw new IllegalArgumentException("class " + className + " is in a reserved package");
    }

    /** The manifest first (where JarInputStream looks), then every entry in name order, all with one timestamp. */
    private static byte[] zip(String manifest, Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, "META-INF/MANIFEST.MF", manifest.getBytes(StandardCharsets.UTF_8));
            for (var e : entries.entrySet()) put(zip, e.getKey(), e.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: does not happen
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTimeLocal(TIMESTAMP);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
