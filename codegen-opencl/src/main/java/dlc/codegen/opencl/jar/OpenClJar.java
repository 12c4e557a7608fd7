package dlc.codegen.opencl.jar;

import dlc.codegen.opencl.ClCompiledGraph;
import dlc.ir.Graph;
import dlc.ir.text.IrParser;
import dlc.ir.text.IrPrinter;
import dlc.passes.PassManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * What {@code dlc compile --backend opencl} adds to a model jar beside the JVM-compiled graph: the
 * optimized inference graph as text IR ({@code Model.opencl/graph.ir}), the OpenCL C program the
 * backend generates from it ({@code Model.opencl/graph.cl}, the kernels the jar runs, readable), and
 * the classes that compile and launch it on a device (the OpenCL backend, {@code dlc/codegen/opencl/**}
 * with its kernel library; the IR and the memory planner it is built on, {@code dlc/ir/**} and
 * {@code dlc/passes/**}). LWJGL is not carried: the user adds it to the class path
 * ({@link JarLauncher#requirements}).
 *
 * <p>Why the graph and the compiler rather than only the kernels: the OpenCL backend's launch list
 * (which kernel runs on which arena offsets with which arguments, per binding of the batch size) is
 * made from the graph and the memory plan at run time, and it has no serialized form; the text IR
 * round-trips exactly, so the jar recompiles the same graph to the same program at load time (and
 * checks that the program equals the carried {@code graph.cl}).
 */
public final class OpenClJar {
    /** The packages carried for the OpenCL side (the runtime and numerics are in every model jar). */
    static final String[] CARRIED = {"dlc/codegen/opencl/", "dlc/ir/", "dlc/passes/"};

    private OpenClJar() {}

    /**
     * The extra entries of an OpenCL model jar, the launcher class and the manifest's Class-Path.
     *
     * @param classes   jar entry name to bytes of the carried classes and kernel sources (all under {@code dlc/})
     * @param resources jar entry name to bytes of the model's own files: its graph.ir and graph.cl beside the typed class
     * @param launcher  the binary name of the class whose {@code choose} and {@code main} the typed class calls
     * @param classPath the manifest Class-Path: LWJGL's jars, looked for beside the model jar
     * @param source    the generated OpenCL C program
     */
    public record Parts(Map<String, byte[]> classes, Map<String, byte[]> resources, String launcher, String classPath, String source) {}

    /**
     * The parts for {@code inference} (the inference graph the JVM side compiles; optimized here by
     * the standard pipeline, as the OpenCL backend runs it) and the model class {@code className}.
     *
     * @throws UnsupportedOperationException when the OpenCL backend cannot compile the graph (an op
     *                                       without a kernel yet), naming the op
     */
    public static Parts parts(Graph inference, String className) {
        Graph optimized = PassManager.standard().run(inference);
        String source = ClCompiledGraph.source(optimized);
        String ir = IrPrinter.print(optimized);
        // the jar recompiles the text at load time: it must give the very program the build generated
        if (!ClCompiledGraph.source(IrParser.parseGraph(ir)).equals(source))
            throw new IllegalStateException("graph " + inference.name() + ": the OpenCL program of its printed IR differs from the graph's own (an IR print/parse round trip lost something)");
        Map<String, byte[]> entries = new TreeMap<>();
        for (Class<?> anchor : new Class<?>[]{ClCompiledGraph.class, Graph.class, PassManager.class})
            read(anchor, prefixOf(anchor), entries);
        for (String p : CARRIED)
            if (entries.keySet().stream().noneMatch(e -> e.startsWith(p))) throw new IllegalStateException("no classes under " + p + " to carry");
        if (!entries.containsKey(JarLauncher.class.getName().replace('.', '/') + ".class"))
            throw new IllegalStateException("the OpenCL model jar's launcher is missing from " + ClCompiledGraph.class.getProtectionDomain().getCodeSource());
        String simple = className.substring(className.lastIndexOf('.') + 1);
        String dir = className.contains(".") ? className.substring(0, className.lastIndexOf('.')).replace('.', '/') + "/" : "";
        Map<String, byte[]> resources = new TreeMap<>();
        resources.put(dir + JarLauncher.resourceName(simple, "graph.ir"), ir.getBytes(StandardCharsets.UTF_8));
        resources.put(dir + JarLauncher.resourceName(simple, "graph.cl"), source.getBytes(StandardCharsets.UTF_8));
        return new Parts(entries, resources, JarLauncher.class.getName(), String.join(" ", JarLauncher.LWJGL_JARS), source);
    }

    /** True when a jar entry is one of the classes or kernel files an OpenCL model jar carries. */
    public static boolean carried(String entry) {
        for (String p : CARRIED) if (entry.startsWith(p)) return true;
        return false;
    }

    private static String prefixOf(Class<?> c) {
        for (String p : CARRIED) if (c.getName().replace('.', '/').startsWith(p)) return p;
        throw new IllegalStateException(c.getName() + " is not in a carried package");
    }

    /** Adds the entries under {@code prefix} (classes and resources) of the directory or jar {@code anchor} was loaded from. */
    private static void read(Class<?> anchor, String prefix, Map<String, byte[]> out) {
        Path where;
        try {
            var source = anchor.getProtectionDomain().getCodeSource();
            if (source == null) throw new IllegalStateException("the classes of " + anchor.getName() + " have no code source to copy from");
            where = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + anchor.getName() + ": " + e.getMessage(), e);
        }
        try {
            if (Files.isDirectory(where)) {
                Path root = where.resolve(prefix);
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path f : files.filter(Files::isRegularFile).toList())
                        out.put(prefix + root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/"), Files.readAllBytes(f));
                }
            } else {
                try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(where))) {
                    for (ZipEntry e; (e = zin.getNextEntry()) != null; )
                        if (!e.isDirectory() && e.getName().startsWith(prefix)) out.put(e.getName(), zin.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the classes of " + anchor.getName() + " from " + where + ": " + e.getMessage(), e);
        }
    }
}
