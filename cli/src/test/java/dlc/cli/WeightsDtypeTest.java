package dlc.cli;

import dlc.data.NpyFiles;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

import static dlc.cli.CliHarness.exec;
import static dlc.cli.CompileCommandTest.java;
import static dlc.cli.CompileCommandTest.points;
import static dlc.cli.CompileCommandTest.process;
import static org.junit.jupiter.api.Assertions.*;

/** dlc compile/run --weights-dtype: narrow jars run under java -jar as dlc run runs them; bad values are usage errors. */
class WeightsDtypeTest {
    @TempDir Path dir;

    private static final Toolchain DLC = Toolchain.standard();
    private static final Path MLP = Path.of("../examples/mlp.dl");

    private Tensor run(String backend, String dtype, Path x) {
        Path out = dir.resolve(backend + "_" + dtype);
        CliHarness.Result r = exec(DLC, "run", MLP.toString(), "--backend", backend, "--weights-dtype", dtype, "--seed", "3", "--input", "x=" + x,
                "--output-dir", out.toString());
        assertEquals(0, r.code(), r::toString);
        if (!dtype.equals("f32")) assertTrue(r.out().contains("weights " + dtype + ": dense.w, dense_1.w, dense_2.w"), r::toString);
        try {
            return NpyFiles.read(out.resolve("probs.npy"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test void int8JarUnderJavaDashJarMatchesDlcRun() throws Exception {
        Path jar = dir.resolve("mlp8.jar"), f32Jar = dir.resolve("mlp.jar");
        CliHarness.Result c = exec(DLC, "compile", MLP.toString(), "--seed", "3", "--weights-dtype", "int8", "--verify", "-o", jar.toString());
        assertEquals(0, c.code(), c::toString);
        assertTrue(c.out().contains("int8: dense.w, dense_1.w, dense_2.w") && c.out().contains("every generated class verifies"), c::toString);
        assertEquals(0, exec(DLC, "compile", MLP.toString(), "--seed", "3", "-o", f32Jar.toString()).code());
        try (JarFile j = new JarFile(jar.toFile()); JarFile f = new JarFile(f32Jar.toFile())) {
            dlc.runtime.Tensor codes = dlc.runtime.Npy.decode(j.getInputStream(j.getEntry("dlc/models/Mlp.weights/dense_1.w.npy")).readAllBytes());
            dlc.runtime.Tensor scales = dlc.runtime.Npy.decode(j.getInputStream(j.getEntry("dlc/models/Mlp.weights/dense_1.w.scales.npy")).readAllBytes());
            assertEquals("i8", codes.dtype(), "one byte a weight");
            assertArrayEquals(new int[]{32, 32}, codes.shape());
            assertEquals("f32", scales.dtype());
            assertArrayEquals(new int[]{32}, scales.shape(), "one scale per output channel");
            assertEquals("f32", dlc.runtime.Npy.decode(j.getInputStream(j.getEntry("dlc/models/Mlp.weights/dense_1.b.npy")).readAllBytes()).dtype(), "biases stay f32");
            long narrow = j.getEntry("dlc/models/Mlp.weights/dense_1.w.npy").getSize(), wide = f.getEntry("dlc/models/Mlp.weights/dense_1.w.npy").getSize();
            assertTrue(narrow < wide / 3, narrow + " bytes of int8 codes vs " + wide + " of f32");
        }
        Path x = dir.resolve("x.npy"), probs = dir.resolve("probs.npy");
        NpyFiles.write(x, points(5, 1));
        CliHarness.Result r = process(java(), "--add-modules", "jdk.incubator.vector", "-jar", jar.toString(), "--input", "x=" + x, "--output", "probs=" + probs);
        assertEquals(0, r.code(), r::toString);
        Tensor fromJar = NpyFiles.read(probs);
        Tensor jvm = run("jvm", "int8", x), interp = run("interp", "int8", x), f32 = run("interp", "f32", x);
        // the same generated code and weights as dlc run's JVM backend: equal up to the last bits of the vectorized exp
        double moved = 0;
        for (int i = 0; i < fromJar.size(); i++) {
            double j = fromJar.data()[i];
            assertEquals(jvm.data()[i], j, 1e-6 * Math.max(1, Math.abs(j)), "element " + i + ": dlc run vs java -jar");
            // float32 against float64 on the same rounded weights (see CompileCommandTest.assertClose)
            assertEquals(interp.data()[i], j, 1e-4 * Math.max(1, Math.abs(j)), "element " + i + ": interpreter vs java -jar");
            moved = Math.max(moved, Math.abs(f32.data()[i] - interp.data()[i]));
        }
        assertTrue(moved > 1e-6, "int8 weights change the outputs (by " + moved + "): the jar did not run the f32 weights");
    }

    @Test void bf16RunAgreesAcrossBackends() throws Exception {
        Path x = dir.resolve("x.npy");
        NpyFiles.write(x, points(12, 2)); // 12 rows: the decoded, packed path
        Tensor jvm = run("jvm", "bf16", x), interp = run("interp", "bf16", x);
        for (int i = 0; i < jvm.size(); i++)
            assertEquals(interp.data()[i], jvm.data()[i], 1e-4 * Math.max(1, Math.abs(interp.data()[i])), "element " + i);
    }

    /** int8 has no code for NaN: a checkpoint holding one is an error naming the weight (exit 1) on every path; bf16 keeps the NaN. */
    @Test void aNaNWeightCannotBeInt8() throws Exception {
        var m = dlc.frontend.Frontend.compile(MLP, null, java.util.Map.of()).module();
        java.util.Map<String, Tensor> init = new java.util.LinkedHashMap<>(ModelRunner.initialize(m, 0, dlc.train.Executor.interpreter()));
        Tensor w = init.get("dense_1.w");
        double[] d = w.data().clone();
        d[5] = Double.NaN;
        init.put("dense_1.w", new Tensor(w.dtype(), w.shape(), d));
        Path ckpt = dir.resolve("nan.safetensors");
        dlc.checkpoint.SafeTensors.write(ckpt, new dlc.checkpoint.Checkpoint(init, java.util.Map.of("dlc.model", "Mlp", "dlc.seed", "0", "dlc.epoch", "0")));
        String[][] commands = {
                {"compile", MLP.toString(), "--weights", ckpt.toString(), "--weights-dtype", "int8", "-o", dir.resolve("nan.jar").toString()},
                {"run", MLP.toString(), "--weights", ckpt.toString(), "--weights-dtype", "int8"},
                {"run", MLP.toString(), "--weights", ckpt.toString(), "--weights-dtype", "int8", "--backend", "interp"}};
        for (String[] cmd : commands) {
            CliHarness.Result r = exec(DLC, cmd);
            assertEquals(1, r.code(), r::toString);
            assertTrue(r.err().contains("weight dense_1.w") && r.err().contains("int8 cannot store NaN"), r::toString);
        }
        assertFalse(Files.exists(dir.resolve("nan.jar")));
        CliHarness.Result bf16 = exec(DLC, "run", MLP.toString(), "--weights", ckpt.toString(), "--weights-dtype", "bf16");
        assertEquals(0, bf16.code(), bf16::toString);
        assertTrue(bf16.out().contains("weights bf16: dense.w, dense_1.w, dense_2.w"), bf16::toString);
    }

    @Test void aBadWeightsDtypeIsAUsageErrorNamingTheAllowedValues() {
        for (String cmd : new String[]{"compile", "run"}) {
            CliHarness.Result r = exec(DLC, cmd, MLP.toString(), "--weights-dtype", "f8", "--seed", "0");
            assertEquals(2, r.code(), r::toString);
            assertTrue(r.err().contains("--weights-dtype") && r.err().contains("f32, bf16, int8") && r.err().contains("'f8'"), r::toString);
            assertFalse(r.err().contains("Exception"), r::toString);
        }
        CliHarness.Result t = exec(DLC, "compile", MLP.toString(), "--trainable", "--weights-dtype", "int8", "-o", dir.resolve("t.jar").toString());
        assertEquals(2, t.code(), t::toString);
        assertTrue(t.err().contains("--trainable") && t.err().contains("int8"), t::toString);
        assertFalse(Files.exists(dir.resolve("t.jar")));
    }
}
