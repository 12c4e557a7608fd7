package dlc.cli;

import dlc.data.NpyFiles;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/** dlc compile: model jars run with java -jar and from Java, reproducibly, and agree with the reference interpreter. */
class CompileCommandTest {
    @TempDir Path dir;

    private static final Toolchain DLC = Toolchain.standard();
    private static final Path MLP = Path.of("../examples/mlp.dl");

    static String java() { return Path.of(System.getProperty("java.home"), "bin", "java").toString(); }

    /** Runs a command in a fresh JVM; returns exit code and combined output. */
    static CliHarness.Result process(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new CliHarness.Result(p.waitFor(), out, "");
    }

    /** Random x of shape [batch, 2] as f32 values. */
    static Tensor points(int batch, long seed) {
        Random r = new Random(seed);
        double[] d = new double[batch * 2];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return new Tensor(DType.F32, new int[]{batch, 2}, d);
    }

    /**
     * float32 (the jar) against float64 (the interpreter) through three small dense layers and a
     * softmax: rounding errors of a few ulp of values of order 1, far below 1e-4. NaN never passes.
     */
    static void assertClose(Tensor want, Tensor got) {
        assertArrayEquals(want.shape(), got.shape());
        for (int i = 0; i < want.size(); i++) {
            double a = want.data()[i], b = got.data()[i];
            assertTrue(Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a)), "element " + i + ": interpreter " + a + ", jar " + b);
        }
    }

    private Path compile(String... extra) {
        Path jar = dir.resolve("mlp.jar");
        List<String> args = new ArrayList<>(List.of("compile", MLP.toString(), "-o", jar.toString(), "--package", "com.acme", "--class", "SpiralMlp"));
        args.addAll(List.of(extra));
        CliHarness.Result r = exec(DLC, args.toArray(new String[0]));
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("float[] probs(float[] x, int batch)"), r::toString);
        if (args.contains("--verify")) assertTrue(r.out().contains("every generated class verifies"), r::toString);
        return jar;
    }

    @Test
    void javaDashJarAgreesWithTheInterpreter() throws Exception {
        Path jar = compile("--seed", "3", "--verify");
        Path x = dir.resolve("x.npy"), probs = dir.resolve("probs.npy"), ref = dir.resolve("ref");
        NpyFiles.write(x, points(5, 1));
        CliHarness.Result r = process(java(), "--add-modules", "jdk.incubator.vector", "-jar", jar.toString(), "--input", "x=" + x, "--output", "probs=" + probs);
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("probs: f32[5, 3]"), r::toString);
        // the interpreter on the same weights (seed 3) and inputs; y is random there but only feeds the loss
        CliHarness.Result run = exec(DLC, "run", MLP.toString(), "--backend", "interp", "--seed", "3", "--input", "x=" + x, "--output-dir", ref.toString());
        assertEquals(0, run.code(), run::toString);
        assertClose(NpyFiles.read(ref.resolve("probs.npy")), NpyFiles.read(probs));
    }

    @Test
    void theSameSourceGivesAByteIdenticalJar() throws Exception {
        byte[] first = Files.readAllBytes(compile());
        byte[] second = Files.readAllBytes(compile());
        assertArrayEquals(first, second);
        byte[] other = Files.readAllBytes(compile("--seed", "1"));
        assertFalse(java.util.Arrays.equals(first, other), "other weights, another jar");
    }

    @Test
    void aWrongShapeNamesTheInputAndItsShape() throws Exception {
        Path jar = compile();
        Path x = dir.resolve("x.npy");
        NpyFiles.write(x, Tensor.zeros(DType.F32, 4, 3));
        CliHarness.Result r = process(java(), "-jar", jar.toString(), "--input", "x=" + x);
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.out().contains("input x: expected f32[B, 2]"), r::toString);
    }

    @Test
    void typedClassIsCorrectFromJavaAndCopiesRunInParallel() throws Exception {
        Path jar = compile();
        try (URLClassLoader cl = new URLClassLoader(new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> c = cl.loadClass("com.acme.SpiralMlp");
            Object model = c.getMethod("load").invoke(null);
            Method probs = c.getMethod("probs", float[].class, int.class), copy = c.getMethod("copy");
            InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> probs.invoke(model, new float[7], 4));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("input x: expected f32[B, 2]"), e.getCause().getMessage());

            int threads = 6, rounds = 30;
            float[][] xs = new float[threads][];
            float[][] expected = new float[threads][];
            for (int t = 0; t < threads; t++) {
                Tensor p = points(1 + 3 * t, 100 + t);
                xs[t] = new float[p.size()];
                for (int i = 0; i < p.size(); i++) xs[t][i] = (float) p.data()[i];
                expected[t] = (float[]) probs.invoke(model, xs[t], 1 + 3 * t);
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int k = t;
                    Object mine = copy.invoke(model); // one instance per thread: instances are not thread-safe
                    done.add(pool.submit(() -> {
                        for (int r = 0; r < rounds; r++) {
                            int which = (k + r) % threads; // every thread runs every batch size, so bindings change under load
                            float[] got = (float[]) probs.invoke(mine, xs[which], 1 + 3 * which);
                            assertArrayEquals(expected[which], got, "thread " + k + ", round " + r);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get();
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void checkpointWeightsGoIntoTheJar() throws Exception {
        Path src = dir.resolve("moons.dl"), ckpt = dir.resolve("m.safetensors");
        Files.writeString(src, """
                import std.nn.{dense}
                import std.loss.{cross_entropy}
                model Moons {
                  input x: f32[B, 2]
                  input y: i32[B]
                  logits = dense(tanh(dense(x, 8)), 2)
                  output probs = softmax(logits)
                  loss cross_entropy(logits, y)
                }
                train Moons {
                  data moons(n=128)
                  optimizer sgd(lr=0.5)
                  batch 16
                  epochs 2
                }
                """);
        CliHarness.Result t = exec(DLC, "train", src.toString(), "--backend", "interp", "--out", ckpt.toString());
        assertEquals(0, t.code(), t::toString);
        Path jar = dir.resolve("moons.jar"), x = dir.resolve("x.npy"), out = dir.resolve("p.npy");
        CliHarness.Result c = exec(DLC, "compile", src.toString(), "--weights", ckpt.toString(), "-o", jar.toString());
        assertEquals(0, c.code(), c::toString);
        assertTrue(c.out().contains("dlc.models.Moons: model Moons") && c.out().contains("NOT thread-safe"), c::toString);
        NpyFiles.write(x, points(6, 9));
        CliHarness.Result r = process(java(), "-jar", jar.toString(), "--input", x.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r::toString);
        // the interpreter with the checkpoint's weights
        var m = dlc.frontend.Frontend.compile(src, null, java.util.Map.of()).module();
        var eval = m.graph("eval").orElseThrow();
        var w = dlc.train.Checkpoints.readWeights(ckpt, eval, "Moons").tensors();
        var in = new java.util.HashMap<>(w);
        in.put("x", points(6, 9));
        in.put("y", Tensor.zeros(DType.I32, 6));
        assertClose(dlc.ir.eval.Interpreter.run(eval, in).get("probs"), NpyFiles.read(out));
    }

    @Test
    void mistakesAreOneLine() {
        CliHarness.Result r = exec(DLC, "compile", MLP.toString(), "--class", "not-a-name", "-o", dir.resolve("a.jar").toString());
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("not a Java class name"), r::toString);
        r = exec(DLC, "compile", MLP.toString(), "--graph", "nope", "-o", dir.resolve("a.jar").toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("dlc: model Mlp has no graph 'nope'"), r::toString);
        assertFalse(Files.exists(dir.resolve("a.jar")));
    }

    /** A train step's parameter updates cannot live in an inference jar: refused (exit 2), never a jar that silently does not train. */
    @Test
    void aStepGraphIsRefusedNotCompiledWithoutItsUpdates() {
        Path jar = dir.resolve("s.jar");
        CliHarness.Result r = exec(DLC, "compile", "../examples/mlp_moons.dl", "--graph", "step", "-o", jar.toString());
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().startsWith("dlc: --graph step: the step graph updates "), r::toString);
        assertTrue(r.err().contains("dense.w") && r.err().contains("inference jars only") && r.err().contains("--graph eval"), r::toString);
        assertEquals(1, r.err().strip().lines().count(), r::toString);
        assertFalse(Files.exists(jar));
    }

    @Test
    void backendFlagPicksTheExecutor() throws Exception {
        Path x = dir.resolve("x.npy"), a = dir.resolve("a"), b = dir.resolve("b");
        NpyFiles.write(x, points(4, 2));
        CliHarness.Result jvm = exec(DLC, "run", MLP.toString(), "--input", "x=" + x, "--output-dir", a.toString());
        CliHarness.Result interp = exec(DLC, "run", MLP.toString(), "--backend", "interp", "--input", "x=" + x, "--output-dir", b.toString());
        assertEquals(0, jvm.code(), jvm::toString);
        assertEquals(0, interp.code(), interp::toString);
        assertClose(NpyFiles.read(b.resolve("probs.npy")), NpyFiles.read(a.resolve("probs.npy")));
        CliHarness.Result bad = exec(DLC, "run", MLP.toString(), "--backend", "gpu");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("expected one of [jvm, interp, opencl]"), bad::toString);
        assertTrue(exec(DLC, "gradcheck", "--help").out().contains("float64 reference interpreter"));
    }
}
