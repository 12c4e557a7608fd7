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
                    "META-INF/dlc/API.txt"))
                assertTrue(names.contains(n), n + " in " + names);
            String api = new String(jar.getInputStream(jar.getEntry("META-INF/dlc/API.txt")).readAllBytes());
            assertTrue(api.contains("public float[] probs(float[] x, int batch)") && api.contains("NOT thread-safe") && api.contains("x: f32[B, 3]"), api);
            assertTrue(jar.stream().allMatch(e -> e.getLastModifiedTime().equals(jar.getEntry("META-INF/MANIFEST.MF").getLastModifiedTime())));
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
