package dlc.cli;

import dlc.codegen.opencl.Devices;
import dlc.codegen.opencl.OpenClException;
import dlc.codegen.opencl.jar.JarLauncher;
import dlc.data.NpyFiles;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code dlc compile --backend opencl}: the jar runs its OpenCL kernels through LWJGL when LWJGL and a
 * device are there and its JVM-compiled graph when not, saying which in one stderr line, in a child
 * JVM as a user runs it: (a) LWJGL on the class path on PoCL: the opencl line, outputs equal to the
 * JVM-only jar's within float32 tolerance (both compute in float32 with other summation orders and
 * math libraries: 1e-5 relative plus 1e-6 absolute on probabilities of order 1, as
 * OpenClBackendCliTest); (b) no LWJGL at all and (c) LWJGL with an empty ICD vendor directory: the
 * jvm line, outputs bit for bit the JVM-only jar's (the same JVM-compiled graph). The typed class
 * used from Java (load, the typed method, copy, run(Map)) does the same on both paths. The device
 * tests are skipped without an OpenCL platform (failed under CI=true).
 */
class OpenClModelJarTest {
    @TempDir Path dir;

    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final String[] EXAMPLE_FILES = {"mlp.dl", "lenet.dl"};

    private static void requireDevice() {
        try {
            Devices.find(null);
        } catch (OpenClException e) {
            if ("true".equals(System.getenv("CI"))) Assertions.fail("CI=true, so the OpenCL tests must run, but: " + e.getMessage());
            Assumptions.assumeTrue(false, "OpenCL tests skipped: " + e.getMessage());
        }
    }

    /** LWJGL's jars on this test's class path (lwjgl, lwjgl-opencl, the natives), as a user adds them. */
    static List<String> lwjglJars() {
        List<String> jars = new ArrayList<>();
        for (String name : JarLauncher.LWJGL_JARS) {
            String found = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .filter(e -> Path.of(e).getFileName().toString().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " is not on the test class path: JarLauncher.LWJGL_JARS names other files than the build uses"));
            jars.add(found);
        }
        return jars;
    }

    /** A child JVM's exit code, stdout and stderr. */
    record Child(int code, String out, String err) {
        @Override public String toString() { return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err; }

        /** The launcher's lines on stderr (the JVM's own warnings aside). */
        List<String> choices() { return err.lines().filter(l -> l.startsWith("dlc: backend")).toList(); }
    }

    private Child child(Map<String, String> env, String... cmd) throws Exception {
        List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector",
                "-Ddlc.opencl.cache=" + Path.of("target", "opencl-cache").toAbsolutePath(), "-Ddlc.opencl.logs=" + Path.of("target", "opencl-logs").toAbsolutePath()));
        args.addAll(List.of(cmd));
        Path out = Files.createTempFile(dir, "out", ".txt"), err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(args).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        int code = pb.start().waitFor();
        return new Child(code, Files.readString(out), Files.readString(err));
    }

    private Path compile(String example, String backend, Path jar) {
        CliHarness.Result r = CliHarness.exec(Toolchain.standard(), "compile", EXAMPLES.resolve(example).toString(), "--seed", "4", "-o", jar.toString(),
                "--package", "com.acme", "--class", "Net", "--backend", backend);
        assertEquals(0, r.code(), r::toString);
        return jar;
    }

    /** Random f32 inputs of {@code shape} (a batch of 5). */
    private Path input(String name, int... shape) throws Exception {
        Random r = new Random(Arrays.hashCode(shape));
        double[] d = new double[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        Path file = dir.resolve(name);
        NpyFiles.write(file, new Tensor(DType.F32, shape, d));
        return file;
    }

    private static int[] inputShape(String example) { return example.equals("lenet.dl") ? new int[]{5, 1, 28, 28} : new int[]{5, 2}; }

    private static String cp(Path jar, List<String> extra) {
        List<String> all = new ArrayList<>(List.of(jar.toString()));
        all.addAll(extra);
        return String.join(File.pathSeparator, all);
    }

    private static void assertClose(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        for (int i = 0; i < want.data().length; i++) {
            double x = want.data()[i], y = got.data()[i];
            assertFalse(Double.isNaN(x) || Double.isNaN(y), what + "[" + i + "] is NaN");
            assertEquals(x, y, 1e-5 * Math.abs(x) + 1e-6, what + "[" + i + "]");
        }
    }

    private static void assertSame(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        assertArrayEquals(want.data(), got.data(), what + ": the fallback runs the JVM-compiled graph, so it equals the JVM-only jar bit for bit");
    }

    @Test
    void openClJarRunsOnTheDeviceOrFallsBackWithTheJvmJarsOutputs() throws Exception {
        requireDevice();
        Path emptyVendors = Files.createDirectories(dir.resolve("no-vendors"));
        for (String example : EXAMPLE_FILES) {
            Path jvmJar = compile(example, "jvm", dir.resolve(example + ".jvm.jar"));
            Path clJar = compile(example, "opencl", dir.resolve(example + ".cl.jar"));
            Path x = input(example + ".x.npy", inputShape(example));
            Path want = dir.resolve(example + ".want.npy");
            Child ref = child(Map.of(), "-jar", jvmJar.toString(), "--input", "x=" + x, "--output", "probs=" + want);
            assertEquals(0, ref.code(), ref::toString);
            assertEquals(List.of(), ref.choices(), "the JVM-only jar chooses nothing: " + ref);

            // (a) LWJGL on the class path, PoCL there
            Path a = dir.resolve(example + ".a.npy");
            Child onDevice = child(Map.of(), "-cp", cp(clJar, lwjglJars()), "com.acme.Net", "--input", "x=" + x, "--output", "probs=" + a);
            assertEquals(0, onDevice.code(), onDevice::toString);
            assertEquals(1, onDevice.choices().size(), onDevice::toString);
            assertTrue(onDevice.choices().get(0).startsWith("dlc: backend opencl, device "), onDevice::toString);
            assertClose(NpyFiles.read(want), NpyFiles.read(a), example + " on OpenCL");

            // (b) no LWJGL at all: java -jar with nothing beside the jar
            Path b = dir.resolve(example + ".b.npy");
            Child noLwjgl = child(Map.of(), "-jar", clJar.toString(), "--input", "x=" + x, "--output", "probs=" + b);
            assertEquals(0, noLwjgl.code(), noLwjgl::toString);
            assertEquals(1, noLwjgl.choices().size(), noLwjgl::toString);
            assertTrue(noLwjgl.choices().get(0).startsWith("dlc: backend jvm (no OpenCL: LWJGL is not on the class path"), noLwjgl::toString);
            assertFalse(noLwjgl.err().contains("Exception") || noLwjgl.err().contains("Error"), noLwjgl::toString);
            assertSame(NpyFiles.read(want), NpyFiles.read(b), example + " without LWJGL");

            // (c) LWJGL there, but the ICD loader finds no platform
            Path c = dir.resolve(example + ".c.npy");
            Child noPlatform = child(Map.of("OCL_ICD_VENDORS", emptyVendors.toString()), "-cp", cp(clJar, lwjglJars()), "com.acme.Net",
                    "--input", "x=" + x, "--output", "probs=" + c);
            assertEquals(0, noPlatform.code(), noPlatform::toString);
            assertEquals(List.of("dlc: backend jvm (no OpenCL: no OpenCL platform found (clGetPlatformIDs: CL_PLATFORM_NOT_FOUND_KHR); install one, "
                    + "e.g. on Debian: apt-get install pocl-opencl-icd ocl-icd-libopencl1 (the ICD loader reads /etc/OpenCL/vendors, or the directory in OCL_ICD_VENDORS))"),
                    noPlatform.choices(), noPlatform::toString);
            assertSame(NpyFiles.read(want), NpyFiles.read(c), example + " without a platform");
        }
    }

    /**
     * java -jar with LWJGL's jars beside the model jar (the manifest's Class-Path names them), the
     * device and backend properties, and --help naming the jars.
     */
    @Test
    void javaDashJarFindsLwjglBesideTheJarAndThePropertiesPick() throws Exception {
        requireDevice();
        Path beside = Files.createDirectories(dir.resolve("beside"));
        Path jar = compile("mlp.dl", "opencl", beside.resolve("mlp.jar"));
        for (String lib : lwjglJars()) Files.copy(Path.of(lib), beside.resolve(Path.of(lib).getFileName()));
        Path x = input("x.npy", 5, 2);
        Child run = child(Map.of(), "-jar", jar.toString(), "--input", "x=" + x);
        assertEquals(0, run.code(), run::toString);
        assertEquals(1, run.choices().size(), run::toString);
        assertTrue(run.choices().get(0).startsWith("dlc: backend opencl, device 0: "), run::toString);
        assertTrue(run.out().contains("probs: f32[5, 3]"), run::toString);

        Child forced = child(Map.of(), "-Ddlc.backend=jvm", "-jar", jar.toString(), "--input", "x=" + x);
        assertEquals(List.of("dlc: backend jvm (-Ddlc.backend=jvm)"), forced.choices(), forced::toString);
        Child noGpu = child(Map.of(), "-Ddlc.opencl.device=no-such-device", "-jar", jar.toString(), "--input", "x=" + x);
        assertEquals(0, noGpu.code(), noGpu::toString);
        assertEquals(1, noGpu.choices().size(), noGpu::toString);
        assertTrue(noGpu.choices().get(0).startsWith("dlc: backend jvm (no OpenCL: no OpenCL device whose name contains 'no-such-device'"), noGpu::toString);

        // a jar whose carried kernels are not what its graph compiles to is not run on OpenCL
        Path altered = beside.resolve("altered.jar");
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(jar)); var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(altered))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] data = in.readAllBytes();
                if (e.getName().endsWith(".opencl/graph.cl")) data = ("// edited\n" + new String(data)).getBytes();
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(data);
                out.closeEntry();
            }
        }
        Child edited = child(Map.of(), "-jar", altered.toString(), "--input", "x=" + x);
        assertEquals(0, edited.code(), edited::toString);
        assertEquals(List.of("dlc: backend jvm (no OpenCL: the OpenCL program generated from the jar's graph differs from the one the jar carries (graph.cl); "
                + "the jar's dlc classes do not match the ones that wrote it)"), edited.choices(), edited::toString);

        Child help = child(Map.of(), "-jar", jar.toString(), "--help");
        assertEquals(0, help.code(), help::toString);
        for (String lib : JarLauncher.LWJGL_JARS) assertTrue(help.out().contains(lib), help::toString);
        assertTrue(help.out().contains("usage:") && help.out().contains("-Ddlc.opencl.device="), help::toString);
    }

    /**
     * A bad input value (a token id out of the embedding's range) is one error line and exit 1 on
     * both paths, with the interpreter's message: never a stack trace (the JVM path's OpFailure
     * escaped ModelMain before).
     */
    @Test
    void aBadIndexIsOneLineOnBothPaths() throws Exception {
        requireDevice();
        Path jar = compile("transformer.dl", "opencl", dir.resolve("tr.jar"));
        Path x = dir.resolve("tokens.npy");
        NpyFiles.write(x, new Tensor(DType.I32, new int[]{2, 3}, new double[]{1, 2, 99, 3, 4, 5}));
        for (boolean withLwjgl : new boolean[]{true, false}) {
            Child c = child(Map.of(), "-cp", cp(jar, withLwjgl ? lwjglJars() : List.of()), "com.acme.Net", "--input", "x=" + x);
            assertEquals(1, c.code(), c::toString);
            assertTrue(c.choices().get(0).startsWith(withLwjgl ? "dlc: backend opencl" : "dlc: backend jvm"), c::toString);
            List<String> errors = c.err().lines().filter(l -> !l.startsWith("dlc: backend") && !l.startsWith("WARNING: Using incubator")).toList();
            assertEquals(1, errors.size(), c::toString);
            assertTrue(errors.get(0).startsWith("error: ") && errors.get(0).contains("gather index 99 is out of range for an axis of size 10"), c::toString);
        }
    }

    /** The typed class from user code: load(), probs(x, batch), copy(), run(Map) give the same numbers on both paths. */
    @Test
    void theEmbeddingApiWorksTheSameOnBothPaths() throws Exception {
        requireDevice();
        Path jvmJar = compile("lenet.dl", "jvm", dir.resolve("jvm.jar"));
        Path clJar = compile("lenet.dl", "opencl", dir.resolve("cl.jar"));
        Path x = input("x.npy", 5, 1, 28, 28);
        Path want = dir.resolve("want.npy");
        assertEquals(0, child(Map.of(), "-jar", jvmJar.toString(), "--input", "x=" + x, "--output", "probs=" + want).code());
        Path program = dir.resolve("Embed.java");
        Files.writeString(program, """
                import com.acme.Net;
                import dlc.runtime.Npy;
                import dlc.runtime.Tensor;
                import java.io.OutputStream;
                import java.nio.file.Files;
                import java.nio.file.Path;
                import java.util.Map;

                public class Embed {
                    public static void main(String[] args) throws Exception {
                        Tensor x = Npy.cast(Npy.read(Path.of(args[0])), "f32");
                        int batch = x.shape()[0];
                        Net model = Net.load();
                        float[] p = model.probs(x.floats(), batch);
                        Net copy = model.copy();
                        float[] q = copy.probs(x.floats(), batch);
                        Tensor r = model.run(Map.of("x", x)).get("probs");
                        try {
                            model.probs(new float[7], batch);
                            throw new AssertionError("a wrong length was accepted");
                        } catch (IllegalArgumentException e) {
                            System.out.println("refused: " + e.getMessage());
                        }
                        write(args[1] + ".load.npy", Tensor.of(p, batch, p.length / batch));
                        write(args[1] + ".copy.npy", Tensor.of(q, batch, q.length / batch));
                        write(args[1] + ".run.npy", r);
                    }

                    static void write(String file, Tensor t) throws Exception {
                        try (OutputStream s = Files.newOutputStream(Path.of(file))) {
                            Npy.write(s, t);
                        }
                    }
                }
                """);
        for (boolean withLwjgl : new boolean[]{true, false}) {
            String prefix = dir.resolve(withLwjgl ? "opencl" : "jvm").toString();
            Child c = child(Map.of(), "-cp", cp(clJar, withLwjgl ? lwjglJars() : List.of()), program.toString(), x.toString(), prefix);
            assertEquals(0, c.code(), c::toString);
            assertEquals(1, c.choices().size(), "one line, though load() and copy() each made a graph: " + c);
            assertTrue(c.choices().get(0).startsWith(withLwjgl ? "dlc: backend opencl, device " : "dlc: backend jvm (no OpenCL: LWJGL is not on the class path"), c::toString);
            assertTrue(c.out().contains("refused: input x: expected f32[B, 1, 28, 28]"), c::toString);
            for (String how : List.of("load", "copy", "run")) {
                Tensor got = NpyFiles.read(Path.of(prefix + "." + how + ".npy"));
                if (withLwjgl) assertClose(NpyFiles.read(want), got, "lenet " + how + " on OpenCL");
                else assertSame(NpyFiles.read(want), got, "lenet " + how + " on the fallback");
            }
        }
    }

    /** What the OpenCL jar carries beside the JVM jar's content, byte-identical when compiled twice. */
    @Test
    void theOpenClJarCarriesItsKernelsAndTheJvmJarStaysDependencyFree() throws Exception {
        Path jvm = compile("mlp.dl", "jvm", dir.resolve("jvm.jar"));
        Path cl = compile("mlp.dl", "opencl", dir.resolve("cl.jar"));
        try (JarFile j = new JarFile(jvm.toFile()); JarFile c = new JarFile(cl.toFile())) {
            assertTrue(j.stream().noneMatch(e -> e.getName().startsWith("dlc/ir/") || e.getName().startsWith("dlc/passes/") || e.getName().startsWith("dlc/codegen/")
                    || e.getName().startsWith("org/lwjgl/") || e.getName().contains(".opencl/")), "the JVM-only jar carries no compiler and no OpenCL");
            assertNull(j.getManifest().getMainAttributes().getValue("Class-Path"));
            for (String n : List.of("com/acme/Net.opencl/graph.ir", "com/acme/Net.opencl/graph.cl", "dlc/codegen/opencl/jar/JarLauncher.class",
                    "dlc/codegen/opencl/ClCompiledGraph.class", "dlc/codegen/opencl/sgemm.cl", "dlc/ir/text/IrParser.class", "dlc/passes/memory/MemoryPlanner.class",
                    "com/acme/Net_eval.class", "dlc/runtime/Model.class"))
                assertNotNull(c.getEntry(n), n);
            assertTrue(c.stream().noneMatch(e -> e.getName().startsWith("org/lwjgl/")), "LWJGL is the user's to add, not carried");
            assertEquals(String.join(" ", JarLauncher.LWJGL_JARS), c.getManifest().getMainAttributes().getValue("Class-Path"));
            String kernels = new String(c.getInputStream(c.getEntry("com/acme/Net.opencl/graph.cl")).readAllBytes());
            assertTrue(kernels.contains("__kernel void"), kernels);
            String api = new String(c.getInputStream(c.getEntry("META-INF/dlc/API.txt")).readAllBytes());
            for (String lib : JarLauncher.LWJGL_JARS) assertTrue(api.contains(lib), api);
        }
        assertArrayEquals(Files.readAllBytes(cl), Files.readAllBytes(compile("mlp.dl", "opencl", dir.resolve("again.jar"))), "reproducible");
        assertEquals(JarLauncher.LWJGL_VERSION, org.lwjgl.Version.getVersion().replaceAll("[+ ].*", ""), "the LWJGL the build uses (" + org.lwjgl.Version.getVersion() + ")");
    }

    @Test
    void whatTheOpenClJarCannotDoIsRefused() throws Exception {
        String mlp = EXAMPLES.resolve("mlp_moons.dl").toString(), out = dir.resolve("x.jar").toString();
        CliHarness.Result trainable = CliHarness.exec(Toolchain.standard(), "compile", mlp, "--backend", "opencl", "--trainable", "-o", out);
        assertEquals(2, trainable.code(), trainable::toString);
        assertTrue(trainable.err().contains("--trainable with --backend opencl: a trainable jar trains on the JVM backend only"), trainable::toString);
        CliHarness.Result narrow = CliHarness.exec(Toolchain.standard(), "compile", mlp, "--backend", "opencl", "--weights-dtype", "int8", "-o", out);
        assertEquals(2, narrow.code(), narrow::toString);
        assertTrue(narrow.err().contains("--weights-dtype int8 with --backend opencl: narrow weights run on the JVM backend's kernels only"), narrow::toString);
        CliHarness.Result interp = CliHarness.exec(Toolchain.standard(), "compile", mlp, "--backend", "interp", "-o", out);
        assertEquals(2, interp.code(), interp::toString);
        assertFalse(Files.exists(Path.of(out)), "no jar written");
    }
}
