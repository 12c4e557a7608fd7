package dlc.examples;

import dlc.cli.Main;
import dlc.cli.Toolchain;
import dlc.data.FashionMnist;
import dlc.data.NpyFiles;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * examples/embedding: compile examples/mlp.dl to a jar, javac the embedding program with only
 * that jar on the classpath, run it with {@code java -cp model.jar:.} and check what it prints
 * against the reference interpreter.
 */
class EmbeddingTest {
    @TempDir Path dir;

    private static int dlc(String... args) {
        CommandLine cl = Main.commandLine(Toolchain.standard());
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        assertEquals(0, code, () -> "dlc " + String.join(" ", args) + "\n" + out + err);
        return code;
    }

    @Test
    void theEmbeddingProgramRunsOnTheCompiledJar() throws Exception {
        Path jar = dir.resolve("SpiralMlp.jar"), classes = dir.resolve("out");
        dlc("compile", "mlp.dl", "--package", "example", "--class", "SpiralMlp", "-o", jar.toString());

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests run on a JDK");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-classpath", jar.toString(), "-d", classes.toString(), "embedding/src/Main.java");
        assertEquals(0, rc, diagnostics::toString);

        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", jar + File.pathSeparator + classes, "Main")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        List<String> lines = out.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();

        // the interpreter on the same points and the same weights (dlc compile's default seed 0)
        Path x = dir.resolve("x.npy"), ref = dir.resolve("ref");
        NpyFiles.write(x, new Tensor(DType.F32, new int[]{3, 2}, new double[]{0.5, -1, 2, 0.25, -0.3, 0.8}));
        dlc("run", "mlp.dl", "--backend", "interp", "--input", "x=" + x, "--output-dir", ref.toString());
        double[] want = NpyFiles.read(ref.resolve("probs.npy")).data();
        for (int i = 0; i < 3; i++) {
            String[] f = lines.get(i).split(" ");
            assertEquals("point " + i + ":", f[0] + " " + f[1], out);
            int best = 0;
            for (int k = 0; k < 3; k++) {
                double got = Double.parseDouble(f[5 + k]);
                // float32 through three dense layers and a softmax vs float64: a few ulp, far below 1e-4
                assertEquals(want[3 * i + k], got, 1e-4, "point " + i + " class " + k + "\n" + out);
                if (want[3 * i + k] > want[3 * i + best]) best = k;
            }
            assertEquals("class " + best, f[2] + " " + f[3], out);
        }
        assertEquals("run(Map) gives [probs] of shape [3, 3], equal to probs(): true", lines.get(3));
        assertEquals("4 threads with a copy each agree: true", lines.get(4));
        assertTrue(lines.get(5).startsWith("wrong length: input x: expected f32[B, 2]"), out);
    }

    /**
     * examples/embedding/src/FineTune.java on a --trainable jar: fit lowers the loss and raises the
     * accuracy on the program's own samples, and the checkpoint it writes loads in dlc eval and back
     * into the jar.
     */
    @Test
    void theFineTuningProgramTrainsInsideTheJar() throws Exception {
        Path jar = dir.resolve("SpiralTuner.jar"), classes = dir.resolve("out"), ckpt = dir.resolve("tuned.safetensors");
        dlc("compile", "mlp.dl", "--trainable", "--package", "example", "--class", "SpiralTuner", "-o", jar.toString());
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics, "-classpath", jar.toString(), "-d", classes.toString(),
                "embedding/src/FineTune.java");
        assertEquals(0, rc, diagnostics::toString);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", jar + File.pathSeparator + classes, "FineTune", ckpt.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        List<String> lines = out.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
        double before = Double.parseDouble(lines.get(0).replace("before: accuracy ", ""));
        String[] fit = lines.get(1).replace(",", "").split(" ");
        double first = Double.parseDouble(fit[4]), last = Double.parseDouble(fit[8]);
        double after = Double.parseDouble(lines.get(2).replace("after: accuracy ", ""));
        assertTrue(last < 0.5 * first, "the loss falls: " + out);
        assertTrue(after > before + 0.3 && after > 0.8, "the accuracy rises: " + out);
        assertTrue(lines.get(3).startsWith("trainStep loss "), out);
        assertEquals("reloaded agrees: true", lines.get(4), out);
        CommandLine cl = Main.commandLine(Toolchain.standard());
        StringWriter evalOut = new StringWriter(), evalErr = new StringWriter();
        cl.setOut(new PrintWriter(evalOut, true));
        cl.setErr(new PrintWriter(evalErr, true));
        assertEquals(0, cl.execute("eval", "mlp.dl", "--weights", ckpt.toString()), () -> evalOut + "" + evalErr);
        assertTrue(evalOut.toString().contains("after 30 epochs") && evalOut.toString().contains("accuracy"), evalOut::toString);
    }

    /**
     * examples/embedding/src/FineTuneFashion.java on a --trainable jar of examples/mlp_fashion.dl:
     * 5 epochs on 500 Fashion-MNIST training images take the accuracy on 1,000 test images it never
     * trains on from chance (fresh weights, about 0.1) to above 0.6 (it reaches about 0.75), and
     * dlc eval --weights reads the checkpoint it writes, reporting about the same accuracy on the
     * whole test set (with the train block's own pixel scaling).
     */
    @Test
    void theFashionProgramFineTunesOnAFewHundredImages() throws Exception {
        Path jar = dir.resolve("FashionTuner.jar"), classes = dir.resolve("out"), ckpt = dir.resolve("tuned.safetensors");
        Path data = FashionMnist.locate(null, System.getenv(), FashionMnist.Part.TRAIN); // .ci/run installs Debian's package
        dlc("compile", "mlp_fashion.dl", "--trainable", "--package", "example", "--class", "FashionTuner", "-o", jar.toString());
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics, "-classpath", jar.toString(), "-d", classes.toString(),
                "embedding/src/FineTuneFashion.java");
        assertEquals(0, rc, diagnostics::toString);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", jar + File.pathSeparator + classes, "FineTuneFashion", data.toString(), ckpt.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        List<String> lines = out.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
        double before = Double.parseDouble(lines.get(0).replace("before: held-out accuracy ", ""));
        String[] fit = lines.get(1).replace(",", "").split(" ");
        assertEquals("fit 500 images 5 epochs", String.join(" ", fit[0], fit[1], fit[2], fit[3], fit[4]), out);
        double first = Double.parseDouble(fit[11]), last = Double.parseDouble(fit[15]);
        double after = Double.parseDouble(lines.get(2).replace("after: held-out accuracy ", ""));
        assertTrue(before < 0.2, "fresh weights are near chance (0.1): " + out);
        assertTrue(last < 0.5 * first, "the loss falls: " + out);
        assertTrue(after > 0.6 && after > before + 0.4, "the held-out accuracy rises: " + out);
        assertEquals("saved " + ckpt, lines.get(3), out);

        CommandLine cl = Main.commandLine(Toolchain.standard());
        StringWriter evalOut = new StringWriter(), evalErr = new StringWriter();
        cl.setOut(new PrintWriter(evalOut, true));
        cl.setErr(new PrintWriter(evalErr, true));
        assertEquals(0, cl.execute("eval", "mlp_fashion.dl", "--weights", ckpt.toString(), "--data", data.toString()), () -> evalOut + "" + evalErr);
        Matcher test = Pattern.compile("test: +loss [0-9.]+, accuracy ([0-9.]+)% \\(10000 samples\\)").matcher(evalOut.toString());
        assertTrue(evalOut.toString().contains("(after 5 epochs)") && test.find(), evalOut::toString);
        // the weights the program measured, on all 10,000 test images instead of its first 1,000: a few points apart at most
        assertEquals(after, Double.parseDouble(test.group(1)) / 100, 0.05, evalOut + out);
    }
}

