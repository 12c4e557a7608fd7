package dlc.codegen.jvm;

import dlc.runtime.Model;
import dlc.runtime.Npy;
import dlc.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.*;

/** Model jars around a hand-written graph class: typed class, weights, manifest, java -jar, reproducibility. */
class ModelJarTest {
    @TempDir Path dir;

    static final Map<String, Tensor> WEIGHTS = Map.of(
            "dense.w", Tensor.of(new float[]{1, 2, 3}, 3),
            "c", Tensor.of("f64", new double[]{0.5}));

    static ModelJar.Built build(String className) throws Exception {
        byte[] bytes;
        try (InputStream s = HandWrittenGraph.class.getResourceAsStream("HandWrittenGraph.class")) {
            bytes = s.readAllBytes();
        }
        CompiledClasses classes = new CompiledClasses(HandWrittenGraph.class.getName(), Map.of(HandWrittenGraph.class.getName(), bytes));
        return ModelJar.build(classes, className, WEIGHTS, "Scale", "eval");
    }

    private Path write(ModelJar.Built b) throws Exception {
        Path jar = dir.resolve("model.jar");
        Files.write(jar, b.jar());
        return jar;
    }

    @Test
    void sameInputsGiveAByteIdenticalJar() throws Exception {
        assertArrayEquals(build("com.acme.Scale").jar(), build("com.acme.Scale").jar());
    }

    @Test
    void jarHoldsTheClassesWeightsAndRuntimeWithAManifest() throws Exception {
        ModelJar.Built b = build("com.acme.Scale");
        assertEquals(List.of("x"), b.inputs());
        assertEquals(List.of("float[] probs(float[] x, int batch)", "double[] runOutput(float[] x, int batch)"), b.methods(), "an output named like Model.run gets another method name");
        try (JarFile jar = new JarFile(write(b).toFile())) {
            assertEquals("com.acme.Scale", jar.getManifest().getMainAttributes().getValue("Main-Class"));
            List<String> names = jar.stream().map(e -> e.getName()).toList();
            assertEquals("META-INF/MANIFEST.MF", names.get(0));
            List<String> rest = new ArrayList<>(names.subList(1, names.size()));
            assertEquals(rest.stream().sorted().toList(), rest, "entries in name order");
            for (String n : List.of("com/acme/Scale.class", "dlc/codegen/jvm/HandWrittenGraph.class", "com/acme/Scale.weights/dense.w.npy",
                    "com/acme/Scale.weights/c.npy", "dlc/runtime/Model.class", "dlc/runtime/CompiledGraph.class", "dlc/runtime/Npy.class",
                    "dlc/numerics/Rng.class", "dlc/numerics/Ints.class", "dlc/numerics/Half.class", // what generated code calls beside the runtime
                    "META-INF/dlc/API.txt"))
                assertTrue(names.contains(n), n + " in " + names);
            String api = new String(jar.getInputStream(jar.getEntry("META-INF/dlc/API.txt")).readAllBytes());
            assertTrue(api.contains("public float[] probs(float[] x, int batch)") && api.contains("NOT thread-safe") && api.contains("x: f32[B, 3]"), api);
            assertTrue(jar.stream().allMatch(e -> e.getLastModifiedTime().equals(jar.getEntry("META-INF/MANIFEST.MF").getLastModifiedTime())));
            // dependency-free: only the runtime and numerics beside the model; no compiler, no second backend, no Class-Path
            assertTrue(names.stream().filter(n -> n.startsWith("dlc/")).allMatch(n -> n.startsWith("dlc/runtime/") || n.startsWith("dlc/numerics/")
                    || n.startsWith("dlc/codegen/jvm/HandWrittenGraph")), names::toString);
            assertNull(jar.getManifest().getMainAttributes().getValue("Class-Path"));
            assertNull(jar.getManifest().getMainAttributes().getValue("Dlc-Backend"));
        }
        assertEquals(List.of(), ModelJar.verify(b));
        // the typed class verifies
        StringWriter problems = new StringWriter();
        byte[] wrapper;
        try (JarFile jar = new JarFile(write(b).toFile())) {
            wrapper = jar.getInputStream(jar.getEntry("com/acme/Scale.class")).readAllBytes();
        }
        CheckClassAdapter.verify(new ClassReader(wrapper), ModelJarTest.class.getClassLoader(), false, new PrintWriter(problems));
        assertEquals("", problems.toString());
    }

    @Test
    void typedMethodsComputeAndRejectWrongLengths() throws Exception {
        Path jar = write(build("com.acme.Scale"));
        try (URLClassLoader cl = new URLClassLoader(new URL[]{jar.toUri().toURL()}, Model.class.getClassLoader())) {
            Class<?> c = cl.loadClass("com.acme.Scale");
            Object m = c.getMethod("load").invoke(null);
            Method probs = c.getMethod("probs", float[].class, int.class);
            assertEquals("x", probs.getParameters()[0].getName());
            assertEquals("batch", probs.getParameters()[1].getName());
            float[] y = (float[]) probs.invoke(m, new float[]{1, 1, 1, 2, 2, 2}, 2);
            assertArrayEquals(new float[]{1.5f, 2.5f, 3.5f, 2.5f, 4.5f, 6.5f}, y);
            double[] s = (double[]) c.getMethod("runOutput", float[].class, int.class).invoke(m, new float[]{1, 1, 1}, 1);
            assertArrayEquals(new double[]{7.5}, s);
            InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> probs.invoke(m, new float[5], 2));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("input x: expected f32[B, 3]"), e.getCause().getMessage());
            Object copy = c.getMethod("copy").invoke(m);
            assertSame(c, copy.getClass());
            @SuppressWarnings("unchecked")
            Map<String, Tensor> out = ((Model) m).run(Map.of("x", Tensor.of(new float[]{0, 0, 0}, 1, 3)));
            assertArrayEquals(new float[]{0.5f, 0.5f, 0.5f}, out.get("probs").floats());
        }
    }

    static String java() { return Path.of(System.getProperty("java.home"), "bin", "java").toString(); }

    @Test
    void javaDashJarRunsTheModelOnNpyFiles() throws Exception {
        Path jar = write(build("com.acme.Scale"));
        Path in = dir.resolve("x.npy"), out = dir.resolve("probs.npy");
        Files.write(in, Npy.bytes(Tensor.of("f64", new double[]{1, 2, 3, 4, 5, 6}, 2, 3)));
        Process p = new ProcessBuilder(java(), "-jar", jar.toString(), "--input", "x=" + in, "--output", "probs=" + out)
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), text);
        assertTrue(text.contains("probs: f32[2, 3]") && text.contains("run: f64[] = 49.0000"), text);
        try (InputStream s = Files.newInputStream(out)) {
            assertArrayEquals(new float[]{1.5f, 4.5f, 9.5f, 4.5f, 10.5f, 18.5f}, Npy.read(s).floats());
        }
        p = new ProcessBuilder(java(), "-jar", jar.toString(), "--input", "x=" + in, "--output", out.toString()).redirectErrorStream(true).start();
        text = new String(p.getInputStream().readAllBytes());
        assertEquals(2, p.waitFor(), text);
        assertTrue(text.contains("several outputs"), text);
    }

    /**
     * Generated code calls dlc-numerics (random draws, integer wrapping, f16 rounding) as well as the
     * runtime: a jar of such a graph runs under java -jar with nothing else on the classpath, and
     * gives the interpreter's values exactly (the same definitions run on both sides).
     */
    @Test
    void javaDashJarCarriesTheNumericsClasses() throws Exception {
        dlc.ir.Graph g = dlc.ir.text.IrParser.parseGraph("""
                graph g(%k: i64[], %a: i32[3]) {
                  %0 = random_uniform(%k) {shape=<3>} : f32[3]
                  %1 = add(%a, %a) : i32[3]
                  %2 = cast(%0) {dtype=f16} : f16[3]
                  %3 = cast(%2) {dtype=f32} : f32[3]
                  output u = %0
                  output s = %1
                  output h = %3
                }
                """);
        Path jar = dir.resolve("numerics.jar");
        Files.write(jar, ModelJar.build(g, "com.acme.Draw", Map.of(), "Draw").jar());
        Path k = dir.resolve("k.npy"), a = dir.resolve("a.npy");
        Files.write(k, Npy.bytes(Tensor.of("i64", new double[]{12345})));
        Files.write(a, Npy.bytes(Tensor.of("i32", new double[]{1, 0x7fffffff, -7}, 3)));
        Process p = new ProcessBuilder(java(), "-jar", jar.toString(), "--input", "k=" + k, "--input", "a=" + a,
                "--output", "u=" + dir.resolve("u.npy"), "--output", "s=" + dir.resolve("s.npy"), "--output", "h=" + dir.resolve("h.npy"))
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), text);
        Map<String, dlc.ir.eval.Tensor> want = dlc.ir.eval.Interpreter.run(g, Map.of(
                "k", dlc.ir.eval.Tensor.scalar(dlc.ir.DType.I64, 12345),
                "a", new dlc.ir.eval.Tensor(dlc.ir.DType.I32, new int[]{3}, new double[]{1, 0x7fffffff, -7})));
        assertArrayEquals(new double[]{2, -2, -14}, want.get("s").data(), "i32 wraps");
        for (String out : List.of("u", "s", "h")) {
            Tensor got = Npy.read(dir.resolve(out + ".npy"));
            double[] w = want.get(out).data();
            for (int i = 0; i < w.length; i++) assertEquals(w[i], got.get(i), 0.0, out + "[" + i + "]");
        }
    }

    /** A second backend's classes stay in the packages the model's own entries are told apart from, and its launcher must be among them. */
    @Test
    void backendEntriesAreCheckedAndTheBackendPackagesAreReserved() {
        dlc.ir.Graph g = dlc.ir.text.IrParser.parseGraph("""
                graph g(%x: f32[3]) {
                  %0 = add(%x, %x) : f32[3]
                  output y = %0
                }
                """);
        byte[] any = {1};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelJar.build(g, "com.acme.D", Map.of(), "D",
                new ModelJar.Backend("x", "dlc.codegen.x.L", Map.of("com/evil/L.class", any), Map.of(), "", "")));
        assertTrue(e.getMessage().contains("backend entry com/evil/L.class is outside"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelJar.build(g, "com.acme.D", Map.of(), "D",
                new ModelJar.Backend("x", "dlc.codegen.x.L", Map.of("dlc/codegen/x/Other.class", any), Map.of(), "", "")));
        assertTrue(e.getMessage().contains("launcher dlc.codegen.x.L is not among its classes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelJar.build(g, "dlc.ir.D", Map.of(), "D"));
        assertTrue(e.getMessage().contains("reserved package"), e.getMessage());
    }

    @Test
    void missingWeightsAndBadNamesAreRefused() {
        byte[] none = new byte[0];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelJar.build(
                new CompiledClasses(HandWrittenGraph.class.getName(), Map.of(HandWrittenGraph.class.getName(), none)), "a.b-c", WEIGHTS, "S", "eval"));
        assertTrue(e.getMessage().contains("not a Java class name"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelJar.build(
                new CompiledClasses(HandWrittenGraph.class.getName(), Map.of()), "a.Scale", Map.of("c", WEIGHTS.get("c")), "S", "eval"));
        assertTrue(e.getMessage().contains("no weights for dense.w: f32[3]"), e.getMessage());
    }
}
