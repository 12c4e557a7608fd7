package dlc.examples;

import dlc.cli.Main;
import dlc.cli.Toolchain;
import dlc.data.NpyFiles;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * examples/maven-plugin: a separate Maven build (the mvn on the PATH) compiles the project, whose
 * model dlc-maven-plugin compiles from src/main/dl; its Main then runs on target/classes plus
 * dlc-runtime and dlc-numerics, and prints what the reference interpreter computes. A second build
 * compiles no model (incremental); a malformed .dl fails the build with file:line:col.
 *
 * <p>The nested build never touches the shared ~/.m2: its local repository is a private one under
 * target/, where this test puts the reactor's modules (a jar of each module's classes and its pom);
 * every other artifact comes from a mirror that is the outer build's local repository (~/.m2) read as
 * a file: repository, read only, so nothing outside the machine is asked.
 */
class MavenPluginExampleTest {
    private static final String VERSION = "0.1.0-SNAPSHOT";
    @TempDir Path dir;

    @Test
    void theExampleProjectBuildsWithThePluginAndRuns() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path work = Path.of("target", "maven-plugin-it").toAbsolutePath();
        Path repo = work.resolve("repo"), project = work.resolve("project");
        deleteTree(repo.resolve("dev/dlc"));
        deleteTree(project);
        installReactor(root, repo);
        copyTree(root.resolve("examples/maven-plugin"), project, "target");
        Path settings = work.resolve("settings.xml");
        Files.writeString(settings, """
                <settings>
                  <mirrors>
                    <mirror>
                      <id>home-m2</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """.formatted(Path.of(System.getProperty("dlc.m2.repository", System.getProperty("user.home") + "/.m2/repository")).toUri()));

        String first = mvn(project, settings, repo, 0);
        assertTrue(first.contains("dlc: compiled mlp.dl"), first);
        Path runtimeJar = repo.resolve("dev/dlc/dlc-runtime/" + VERSION + "/dlc-runtime-" + VERSION + ".jar");
        Path numericsJar = repo.resolve("dev/dlc/dlc-numerics/" + VERSION + "/dlc-numerics-" + VERSION + ".jar");
        assertTrue(Files.isRegularFile(project.resolve("target/classes/example/SpiralMlp.class")), first);

        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", project.resolve("target/classes") + File.pathSeparator + runtimeJar + File.pathSeparator + numericsJar, "example.Main")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        List<String> lines = out.lines().filter(l -> l.startsWith("point ")).toList();
        assertEquals(3, lines.size(), out);

        // the interpreter on the same points and the same weights (the plugin's default seed 0)
        Path x = dir.resolve("x.npy"), ref = dir.resolve("ref");
        NpyFiles.write(x, new Tensor(DType.F32, new int[]{3, 2}, new double[]{0.5, -1, 2, 0.25, -0.3, 0.8}));
        dlc("run", root.resolve("examples/maven-plugin/src/main/dl/mlp.dl").toString(), "--backend", "interp",
                "--input", "x=" + x, "--output-dir", ref.toString());
        double[] want = NpyFiles.read(ref.resolve("probs.npy")).data();
        for (int i = 0; i < 3; i++) {
            String[] f = lines.get(i).split(" ");
            for (int k = 0; k < 3; k++)
                // float32 through two dense layers and a softmax vs float64: a few ulp, far below 1e-4
                assertEquals(want[3 * i + k], Double.parseDouble(f[3 + k]), 1e-4, "point " + i + " class " + k + "\n" + out);
        }

        // nothing changed: the model is not compiled again
        String second = mvn(project, settings, repo, 0);
        assertTrue(second.contains("dlc: 0 model(s) compiled, 1 up to date"), second);

        // a malformed model fails the build with the frontend's file:line:col
        Path dl = project.resolve("src/main/dl/mlp.dl");
        Files.writeString(dl, Files.readString(dl).replace("relu(dense(x, hidden))", "relu(dense(x, hiden))"));
        String bad = mvn(project, settings, repo, 1);
        Matcher m = Pattern.compile("mlp\\.dl:(\\d+):(\\d+)").matcher(bad);
        assertTrue(m.find(), bad);
        assertEquals("7", m.group(1), bad);
        assertTrue(bad.contains("hiden"), bad);
        assertTrue(bad.contains("BUILD FAILURE"), bad);
    }

    /** Runs the nested build and checks its exit code; returns its output. */
    private static String mvn(Path project, Path settings, Path repo, int wantExit) throws IOException, InterruptedException {
        // up to compile only: its plugins (resources, compiler) are the ones `mvn test` of the dlc
        // build has already fetched into ~/.m2, so the mirror has them even on a fresh CI machine
        List<String> cmd = List.of("mvn", "-B", "-s", settings.toString(), "-Dmaven.repo.local=" + repo, "compile");
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("this test runs the mvn command on the PATH: " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        assertEquals(wantExit, rc, () -> String.join(" ", cmd) + "\n" + out);
        return out;
    }

    private static void dlc(String... args) {
        CommandLine cl = Main.commandLine(Toolchain.standard());
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute(args), () -> "dlc " + String.join(" ", args) + "\n" + out + err);
    }

    /**
     * Puts the parent pom and every module built in this reactor (a target/classes directory) into
     * {@code repo} as an installed artifact: a jar of its classes and its pom.
     */
    private static void installReactor(Path root, Path repo) throws IOException {
        put(repo, "dlc-parent", "pom", root.resolve("pom.xml"));
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(root.resolve("pom.xml")));
        List<String> installed = new ArrayList<>();
        while (modules.find()) {
            Path module = root.resolve(modules.group(1)), classes = module.resolve("target/classes");
            if (!Files.isDirectory(classes)) continue; // not built in this run, so not a dependency of the plugin
            String pom = Files.readString(module.resolve("pom.xml"));
            // the project's own artifactId: the first one outside comments and the parent element
            String own = pom.replaceAll("(?s)<!--.*?-->", "").replaceAll("(?s)<parent>.*?</parent>", "");
            Matcher id = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(own);
            assertTrue(id.find(), module + "/pom.xml has no artifactId");
            put(repo, id.group(1), "pom", module.resolve("pom.xml"));
            Path jar = Files.createTempFile("dlc-module", ".jar");
            jar(classes, jar);
            put(repo, id.group(1), "jar", jar);
            Files.delete(jar);
            installed.add(id.group(1));
        }
        assertTrue(installed.contains("dlc-maven-plugin") && installed.contains("dlc-runtime"),
                "the reactor built " + installed + "; run with -am so the plugin and its dependencies are built");
        assertTrue(Files.isRegularFile(root.resolve("maven-plugin/target/classes/META-INF/maven/plugin.xml")),
                "dlc-maven-plugin has no plugin descriptor: build it through process-classes");
    }

    private static void put(Path repo, String artifactId, String ext, Path file) throws IOException {
        Path to = repo.resolve("dev/dlc/" + artifactId + "/" + VERSION + "/" + artifactId + "-" + VERSION + "." + ext);
        Files.createDirectories(to.getParent());
        Files.copy(file, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void jar(Path classes, Path jar) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new ZipEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
    }

    private static void copyTree(Path from, Path to, String skip) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path rel = from.relativize(f);
                if (rel.getNameCount() > 0 && rel.getName(0).toString().equals(skip)) continue;
                Path t = to.resolve(rel.toString());
                if (Files.isDirectory(f)) Files.createDirectories(t);
                else Files.copy(f, t);
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> files = Files.walk(p)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
