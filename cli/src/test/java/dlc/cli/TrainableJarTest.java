package dlc.cli;

import dlc.frontend.train.TrainPlan;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.numerics.Rng;
import dlc.train.Executor;
import dlc.train.JvmExecutor;
import dlc.train.TrainBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/**
 * dlc compile --trainable: the jar's trainStep is the JVM backend's training step (same losses and
 * weights for the same seed and batches), its checkpoints are dlc train's (dlc run/eval --weights
 * read them), fine-tuning in the jar lowers the loss, and mistakes are clear errors.
 */
class TrainableJarTest {
    @TempDir Path dir;

    private static final Toolchain DLC = Toolchain.standard();

    /** Adam (optimizer state) and dropout (a random key per step) in one small classifier. */
    private static final String SOURCE = """
            import std.nn.{dense, dropout}
            import std.loss.{cross_entropy}
            model Net {
              input x: f32[B, 2]
              input y: i32[B]
              logits = dense(dropout(tanh(dense(x, 8)), 0.25), 2)
              output probs = softmax(logits)
              loss cross_entropy(logits, y)
            }
            train Net {
              data moons(n=128)
              optimizer adam(lr=0.05)
              batch 16
              epochs 2
              seed 3
            }
            """;

    private Path source() throws Exception {
        Path src = dir.resolve("net.dl");
        Files.writeString(src, SOURCE);
        return src;
    }

    private Path compile(Path src, String... extra) {
        Path jar = dir.resolve("net.jar");
        String[] args = new String[6 + extra.length];
        System.arraycopy(new String[]{"compile", src.toString(), "--trainable", "-o", jar.toString(), "--verify"}, 0, args, 0, 6);
        System.arraycopy(extra, 0, args, 6, extra.length);
        CliHarness.Result r = exec(DLC, args);
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("double trainStep(float[] x, double[] y, int batch)"), r::toString);
        assertTrue(r.out().contains("double[] fit(float[] x, double[] y, int epochs, int batchSize, long seed)"), r::toString);
        return jar;
    }

    /** Two separable clusters, label i % 2: n points as x [n, 2] (f32 values) and y [n]. */
    private static float[] xs(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[2 * n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) (r.nextGaussian() * 0.4 + (i % 2 == 0 ? -1 : 1));
            x[2 * i + 1] = (float) (r.nextGaussian() * 0.4);
        }
        return x;
    }

    private static double[] ys(int n) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) y[i] = i % 2;
        return y;
    }

    private static Object call(Object target, Method m, Object... args) throws Exception {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /**
     * How far two runs of the same generated code may differ: float32 rounding of a few steps. The
     * same code is not bit-reproducible within one JVM, because jdk.incubator.vector's EXP and LOG
     * give other last bits interpreted than C2-compiled. A wrong key, batch or optimizer state
     * moves losses and weights by far more.
     */
    private static final double SAME_CODE = 1e-5;

    /**
     * The jar's trainStep against dlc train's step on the JVM backend (JvmExecutor, the same
     * initial state, the same key per step: fold(fold(fold(seed, 0), 2), k)): both run the same
     * generated float32 code on the same float32 values, so losses and weights agree to float32
     * rounding: not bit for bit, since the vectorized exp/log (jdk.incubator.vector's EXP, LOG)
     * round differently before and after C2 compiles them (see {@link #SAME_CODE}).
     */
    @Test
    void trainStepAgreesWithTheJvmBackendsTrainingStep() throws Exception {
        Path src = source();
        Path jar = compile(src, "--seed", "5");
        Module m = dlc.frontend.Frontend.compile(src, null, Map.of()).module();
        TrainPlan plan = TrainBlocks.plan(dlc.frontend.Frontend.compile(src, null, Map.of()), m).toBuilder().seed(5).build();
        Map<String, Tensor> state = new LinkedHashMap<>(TrainBlocks.trainer(m, plan, Executor.interpreter()).init().values);
        Graph step = m.graph("step").orElseThrow();
        JvmExecutor jvm = new JvmExecutor();
        long trainKey = Rng.fold(Rng.fold(5, 0), 2);
        try (URLClassLoader cl = new URLClassLoader(new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> c = cl.loadClass("dlc.models.Net");
            Object net = c.getMethod("load").invoke(null);
            Method trainStep = c.getMethod("trainStep", float[].class, double[].class, int.class);
            for (int k = 0; k < 4; k++) {
                int b = 8 + 4 * k; // the batch size changes: the jar rebinds B
                float[] x = xs(b, 100 + k);
                double[] y = ys(b);
                double jarLoss = (double) call(net, trainStep, x, y, b);
                Map<String, Tensor> in = new HashMap<>(state);
                double[] xd = new double[x.length];
                for (int i = 0; i < x.length; i++) xd[i] = x[i];
                in.put("x", new Tensor(DType.F32, new int[]{b, 2}, xd));
                in.put("y", new Tensor(DType.I32, new int[]{b}, y.clone()));
                in.put("rng", Tensor.scalar(DType.I64, Rng.fold(trainKey, k)));
                Map<String, Tensor> out = jvm.run(step, in);
                assertEquals(out.get("loss").item(), jarLoss, SAME_CODE * (1 + Math.abs(jarLoss)), "loss of step " + k);
                for (Graph.Output o : step.outputs())
                    if (o.role() == Graph.Output.Role.UPDATE) state.put(o.name(), out.get(o.name()));
            }
            Path saved = dir.resolve("after.safetensors");
            c.getMethod("saveWeights", Path.class).invoke(net, saved);
            dlc.checkpoint.Checkpoint ckpt = dlc.checkpoint.SafeTensors.read(saved);
            assertEquals(state.keySet(), ckpt.tensors().keySet());
            for (String name : state.keySet())
                assertArrayEquals(state.get(name).data(), ckpt.tensors().get(name).data(), SAME_CODE, "weight " + name + " after 4 steps");
            assertEquals(4.0, ckpt.tensors().get("step").item(), "the step counter");
            assertEquals("4", ckpt.meta("dlc.step"));
            assertEquals("5", ckpt.meta("dlc.seed"));
        }
    }

    /** saveWeights writes what dlc run, eval and train --resume read; loadWeights restores it into a fresh instance. */
    @Test
    void savedWeightsRoundTripThroughDlcRunEvalAndLoadWeights() throws Exception {
        Path src = source();
        Path jar = compile(src);
        Path ckpt = dir.resolve("tuned.safetensors");
        float[] probe = xs(4, 9);
        float[] tunedProbs;
        try (URLClassLoader cl = new URLClassLoader(new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> c = cl.loadClass("dlc.models.Net");
            Object net = c.getMethod("load").invoke(null);
            Method fit = c.getMethod("fit", float[].class, double[].class, int.class, int.class, long.class);
            Method probs = c.getMethod("probs", float[].class, int.class);
            float[] before = (float[]) probs.invoke(net, probe, 4);
            Object copy = c.getMethod("copy").invoke(net);
            call(net, fit, xs(64, 1), ys(64), 2, 16, 11L);
            tunedProbs = (float[]) probs.invoke(net, probe, 4);
            assertFalse(java.util.Arrays.equals(before, tunedProbs), "training changes what the inference method computes");
            assertArrayEquals(tunedProbs, (float[]) probs.invoke(copy, probe, 4), "a copy shares the trained weights");
            c.getMethod("saveWeights", Path.class).invoke(net, ckpt);
            Object fresh = c.getMethod("load").invoke(null);
            c.getMethod("loadWeights", Path.class).invoke(fresh, ckpt);
            assertArrayEquals(tunedProbs, (float[]) probs.invoke(fresh, probe, 4));
            // a file that does not fit changes nothing and names the difference
            Path other = dir.resolve("other.safetensors");
            dlc.runtime.SafeTensorsFile.write(other, Map.of("dense.w", dlc.runtime.Tensor.of(new float[3], 3)), Map.of());
            Exception e = assertThrows(java.io.IOException.class, () -> call(fresh, c.getMethod("loadWeights", Path.class), other));
            assertTrue(e.getMessage().contains("dense.w is f32[3], expected f32[2, 8]") && e.getMessage().contains("missing parameter dense.b"), e.getMessage());
            assertArrayEquals(tunedProbs, (float[]) probs.invoke(fresh, probe, 4));
        }
        // dlc run --weights: the same probabilities, on the JVM backend
        Path x = dir.resolve("x.npy");
        double[] xd = new double[probe.length];
        for (int i = 0; i < xd.length; i++) xd[i] = probe[i];
        dlc.data.NpyFiles.write(x, new Tensor(DType.F32, new int[]{4, 2}, xd));
        Path outDir = Files.createDirectories(dir.resolve("out")), out = outDir.resolve("probs.npy");
        CliHarness.Result r = exec(DLC, "run", src.toString(), "--weights", ckpt.toString(), "--input", "x=" + x, "--output-dir", outDir.toString());
        assertEquals(0, r.code(), r::toString);
        Tensor p = dlc.data.NpyFiles.read(out);
        for (int i = 0; i < tunedProbs.length; i++) assertEquals(tunedProbs[i], p.data()[i], 1e-6, "probs[" + i + "]");
        CliHarness.Result ev = exec(DLC, "eval", src.toString(), "--weights", ckpt.toString());
        assertEquals(0, ev.code(), ev::toString);
        assertTrue(ev.out().contains("after 2 epochs"), ev::toString);
        CliHarness.Result again = exec(DLC, "compile", src.toString(), "--trainable", "--weights", ckpt.toString(), "-o", dir.resolve("again.jar").toString());
        assertEquals(0, again.code(), again::toString);
    }

    /** A few epochs of fit in the jar lower the loss on new data; the checkpoint it writes loads in dlc eval. */
    @Test
    void fineTuningInTheJarLowersTheLoss() throws Exception {
        Path src = source();
        Path jar = compile(src);
        try (URLClassLoader cl = new URLClassLoader(new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> c = cl.loadClass("dlc.models.Net");
            Object net = c.getMethod("load").invoke(null);
            Method fit = c.getMethod("fit", float[].class, double[].class, int.class, int.class, long.class);
            double[] losses = (double[]) call(net, fit, xs(200, 2), ys(200), 6, 20, 1L);
            assertEquals(6, losses.length);
            for (double l : losses) assertTrue(Double.isFinite(l), java.util.Arrays.toString(losses));
            assertTrue(losses[5] < 0.5 * losses[0], "loss falls: " + java.util.Arrays.toString(losses));
            // shuffling is seeded: the same seed from the same start gives the same losses
            Object twin = c.getMethod("load").invoke(null);
            assertArrayEquals(losses, (double[]) call(twin, fit, xs(200, 2), ys(200), 6, 20, 1L), SAME_CODE);
        }
    }

    /** loadWeights reads the checkpoint dlc train writes (dlc's own safetensors writer), and a flipped byte is refused. */
    @Test
    void loadsTheCheckpointDlcTrainWrote() throws Exception {
        Path src = source();
        Path jar = compile(src);
        Path ckpt = dir.resolve("trained.safetensors");
        CliHarness.Result t = exec(DLC, "train", src.toString(), "--out", ckpt.toString());
        assertEquals(0, t.code(), t::toString);
        var eval = dlc.frontend.Frontend.compile(src, null, Map.of()).module().graph("eval").orElseThrow();
        Map<String, Tensor> in = new HashMap<>(dlc.train.Checkpoints.readWeights(ckpt, eval, "Net").tensors());
        float[] probe = xs(3, 4);
        double[] pd = new double[probe.length];
        for (int i = 0; i < pd.length; i++) pd[i] = probe[i];
        in.put("x", new Tensor(DType.F32, new int[]{3, 2}, pd));
        in.put("y", Tensor.zeros(DType.I32, 3));
        double[] want = dlc.ir.eval.Interpreter.run(eval, in).get("probs").data();
        try (URLClassLoader cl = new URLClassLoader(new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> c = cl.loadClass("dlc.models.Net");
            Object net = c.getMethod("load").invoke(null);
            Method load = c.getMethod("loadWeights", Path.class);
            call(net, load, ckpt);
            float[] got = (float[]) c.getMethod("probs", float[].class, int.class).invoke(net, probe, 3);
            // float32 (the jar) against float64 (the interpreter) through two small dense layers: far below 1e-4
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), "probs[" + i + "]");
            byte[] bytes = Files.readAllBytes(ckpt);
            bytes[bytes.length - 1] ^= 1;
            Path corrupt = Files.write(dir.resolve("corrupt.safetensors"), bytes);
            Exception e = assertThrows(java.io.IOException.class, () -> call(net, load, corrupt));
            assertTrue(e.getMessage().contains("data is corrupted"), e.getMessage());
        }
    }

    @Test
    void mistakesAreClearErrors() throws Exception {
        Path src = source();
        Path jar = compile(src);
        try (URLClassLoader cl = new URLClassLoader(new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> c = cl.loadClass("dlc.models.Net");
            Object net = c.getMethod("load").invoke(null);
            Method trainStep = c.getMethod("trainStep", float[].class, double[].class, int.class);
            Method fit = c.getMethod("fit", float[].class, double[].class, int.class, int.class, long.class);
            Exception e = assertThrows(IllegalArgumentException.class, () -> call(net, trainStep, new float[5], ys(4), 4));
            assertEquals("input x: expected f32[B, 2] = float[8] under B=4, got float[5]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> call(net, fit, xs(10, 1), ys(9), 1, 4, 0L));
            assertTrue(e.getMessage().startsWith("input y: 9 values are not 10 samples"), e.getMessage());
        }
        // a model without a train block: refused, naming what is missing
        Path plain = dir.resolve("plain.dl");
        Files.writeString(plain, SOURCE.substring(0, SOURCE.indexOf("train Net")));
        CliHarness.Result r = exec(DLC, "compile", plain.toString(), "--trainable", "-o", dir.resolve("p.jar").toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("dlc: --trainable: no train block for model Net"), r::toString);
        assertFalse(Files.exists(dir.resolve("p.jar")));
        // a block with two step graphs per batch (a GAN) is refused, naming them
        r = exec(DLC, "compile", "../examples/gan.dl", "--trainable", "-o", dir.resolve("g.jar").toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("dlc: --trainable: model Gan's train block runs 2 step graphs per batch ([step.disc, step.gen])"), r::toString);
        assertFalse(Files.exists(dir.resolve("g.jar")));
        // --weights with only the weights (not a dlc train checkpoint) is refused
        Path weightsOnly = dir.resolve("w.safetensors");
        dlc.runtime.SafeTensorsFile.write(weightsOnly, Map.of("dense.w", dlc.runtime.Tensor.of(new float[16], 2, 8)), Map.of("dlc.model", "Net"));
        r = exec(DLC, "compile", src.toString(), "--trainable", "--weights", weightsOnly.toString(), "-o", dir.resolve("w.jar").toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("dlc: --trainable --weights needs a full dlc train checkpoint of model Net"), r::toString);
    }
}
