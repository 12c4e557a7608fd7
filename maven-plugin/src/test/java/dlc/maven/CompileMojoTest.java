package dlc.maven;

import dlc.cli.Main;
import dlc.cli.Toolchain;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** dlc:compile run directly (no Maven around it): outputs, weights from a checkpoint, incremental builds, errors. */
class CompileMojoTest {
    private static final String MODEL = """
            import std.nn.{dense}
            import std.loss.{cross_entropy}
            model Tiny(hidden: int = 4) {
              input x: f32[B, 2]
              input y: i32[B]
              logits = dense(relu(dense(x, hidden)), 3)
              output probs = softmax(logits)
              loss cross_entropy(logits, y)
            }
            train Tiny {
              data "spirals"
              optimizer adam(lr=1e-2)
              batch 64
              epochs 1
            }
            """;

    @TempDir Path dir;

    private CompileMojo mojo(ModelConfig... models) {
        CompileMojo m = new CompileMojo();
        m.setLog(new SystemStreamLog());
        m.sourceDirectory = dir.resolve("src/main/dl").toFile();
        m.outputDirectory = dir.resolve("target/classes").toFile();
        m.workDirectory = dir.resolve("target/dlc").toFile();
        m.basedir = dir.toFile();
        m.packageName = "com.acme";
        m.models = List.of(models);
        return m;
    }

    private Path source(String rel, String text) throws Exception {
        Path f = dir.resolve("src/main/dl").resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        return f;
    }

    /** Loads the typed class from the classes directory and runs probs on one point. */
    private float[] probs(String fqcn) throws Exception {
        try (URLClassLoader l = new URLClassLoader(new URL[]{dir.resolve("target/classes").toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> c = l.loadClass(fqcn);
            Object model = c.getMethod("load").invoke(null);
            Method probs = c.getMethod("probs", float[].class, int.class);
            return (float[]) probs.invoke(model, new float[]{0.5f, -1f}, 1);
        }
    }

    @Test
    void compilesEveryFileIntoTheClassesDirectoryAndSkipsUnchangedOnes() throws Exception {
        source("tiny.dl", MODEL);
        mojo().execute();
        Path cls = dir.resolve("target/classes/com/acme/Tiny.class");
        assertTrue(Files.isRegularFile(cls));
        assertFalse(Files.exists(dir.resolve("target/classes/dlc/runtime")), "the runtime is a dependency, not copied");
        assertFalse(Files.exists(dir.resolve("target/classes/META-INF")));
        float[] p = probs("com.acme.Tiny");
        assertEquals(3, p.length);
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-5);

        // unchanged: not written again
        Files.setLastModifiedTime(cls, FileTime.fromMillis(0));
        mojo().execute();
        assertEquals(0, Files.getLastModifiedTime(cls).toMillis());

        // a deleted output is written again
        Files.delete(cls);
        mojo().execute();
        assertTrue(Files.isRegularFile(cls));

        // changed source, renamed class: compiled again, and the old class does not linger
        source("tiny.dl", MODEL.replace("Tiny", "Small"));
        mojo().execute();
        assertTrue(Files.isRegularFile(dir.resolve("target/classes/com/acme/Small.class")));
        assertFalse(Files.exists(cls), "the previous version's classes are removed");
    }

    @Test
    void aModelConfigurationPicksClassPackageAndWeights() throws Exception {
        Path dl = source("nets/tiny.dl", MODEL);
        Path ckpt = dir.resolve("tiny.safetensors");
        CommandLine cl = Main.commandLine(Toolchain.standard());
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        assertEquals(0, cl.execute("train", dl.toString(), "--epochs", "1", "--out", ckpt.toString()), out::toString);

        ModelConfig c = new ModelConfig();
        c.file = "nets/tiny.dl";
        c.className = "Trained";
        c.packageName = "org.example";
        c.weights = Path.of("tiny.safetensors").toFile(); // relative to the project's base directory
        mojo(c).execute();
        float[] trained = probs("org.example.Trained");

        mojo().execute(); // the same file without a configuration: seed-0 weights in com.acme.Tiny
        float[] initial = probs("com.acme.Tiny");
        assertFalse(java.util.Arrays.equals(trained, initial), "the checkpoint's weights, not the initial ones");
    }

    @Test
    void aModuleWithoutModelsIsImportedNotCompiledAndItsChangesRecompileTheImporter() throws Exception {
        source("blocks.dl", "import std.nn.{dense}\ndef layer(x, n: int) { return relu(dense(x, n)) }\n");
        source("net.dl", "import blocks.{layer}\nimport std.nn.{dense}\n"
                + "model Net {\n  input x: f32[B, 2]\n  output probs = softmax(dense(layer(x, 4), 3))\n}\n");
        mojo().execute();
        Path cls = dir.resolve("target/classes/com/acme/Net.class");
        assertTrue(Files.isRegularFile(cls));
        assertEquals(3, probs("com.acme.Net").length);

        Files.setLastModifiedTime(cls, FileTime.fromMillis(0));
        source("blocks.dl", "import std.nn.{dense}\ndef layer(x, n: int) { return tanh(dense(x, n)) }\n");
        mojo().execute();
        assertNotEquals(0, Files.getLastModifiedTime(cls).toMillis(), "a changed import recompiles the model");
    }

    @Test
    void aMalformedModelFailsWithFileLineAndColumn() throws Exception {
        source("bad.dl", MODEL.replace("dense(x, hidden)", "dense(x, hiden)"));
        MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
        assertTrue(e.getMessage().matches("(?s).*bad\\.dl:6:\\d+: error: .*hiden.*"), e.getMessage());
    }

    @Test
    void aConfigurationForAMissingFileFails() throws Exception {
        source("tiny.dl", MODEL);
        ModelConfig c = new ModelConfig();
        c.file = "other.dl";
        MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo(c).execute());
        assertTrue(e.getMessage().contains("other.dl"), e.getMessage());
    }
}
