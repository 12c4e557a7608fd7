package dlc.maven;

import dlc.cli.Main;
import dlc.cli.Toolchain;
import dlc.codegen.jvm.ModelJar;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import picocli.CommandLine;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code dlc:compile}: compiles every {@code src/main/dl/**}{@code /*.dl} into its typed model class,
 * the generated graph classes and the weight resources, written into the build's classes directory
 * before javac runs, so the project's code can call {@code Mlp.load()} with dlc-runtime as an
 * ordinary dependency. It runs {@code dlc compile} itself (into a jar under
 * {@code target/dlc}) and writes that jar's model entries ({@link ModelJar#modelEntries}), so the
 * build holds the same bytes a model jar would. A model whose inputs did not change since the last
 * build ({@link Stamp}) is not compiled again.
 */
@Mojo(name = "compile", defaultPhase = LifecyclePhase.GENERATE_SOURCES)
public class CompileMojo extends AbstractMojo {
    /** Where the .dl files are. */
    @Parameter(defaultValue = "${project.basedir}/src/main/dl", property = "dlc.sourceDirectory")
    File sourceDirectory;

    /** Where the classes and weight resources go: the build's classes directory, on javac's classpath. */
    @Parameter(defaultValue = "${project.build.outputDirectory}")
    File outputDirectory;

    /** The model jars and incremental stamps. */
    @Parameter(defaultValue = "${project.build.directory}/dlc")
    File workDirectory;

    /** The package of the typed classes unless a model says otherwise. */
    @Parameter(defaultValue = "dlc.models", property = "dlc.packageName")
    String packageName;

    /** Seed of initialized weights (models without a checkpoint), as {@code dlc compile --seed}. */
    @Parameter(defaultValue = "0", property = "dlc.seed")
    long seed;

    /** Per-file settings: model, class name, package, weights. */
    @Parameter
    List<ModelConfig> models = new ArrayList<>();

    @Parameter(defaultValue = "${project.basedir}", readonly = true, required = true)
    File basedir;

    @Parameter(defaultValue = "false", property = "dlc.skip")
    boolean skip;

    @Override public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) { getLog().info("dlc:compile skipped"); return; }
        Path src = sourceDirectory.toPath();
        if (!Files.isDirectory(src)) { getLog().info("no .dl sources in " + src); return; }
        List<Path> files;
        try (Stream<Path> s = Files.walk(src)) {
            files = s.filter(p -> p.toString().endsWith(".dl") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new MojoExecutionException("cannot list " + src + ": " + e.getMessage(), e);
        }
        for (ModelConfig c : models) {
            if (c.file == null) throw new MojoFailureException("a <model> of dlc-maven-plugin has no <file>");
            if (!Files.isRegularFile(src.resolve(c.file))) throw new MojoFailureException("<model> file " + c.file + " is not in " + src);
        }
        String tree;
        try {
            tree = Stamp.hashTree(src, files);
        } catch (IOException e) {
            throw new MojoExecutionException("cannot read " + src + ": " + e.getMessage(), e);
        }
        int compiled = 0, current = 0;
        for (Path file : files) {
            String rel = src.relativize(file).toString().replace(File.separatorChar, '/');
            List<ModelConfig> configs = models.stream().filter(c -> c.file.replace(File.separatorChar, '/').equals(rel)).toList();
            if (configs.isEmpty()) {
                if (definesNoModel(file)) {
                    getLog().debug("dlc: " + rel + " defines no model (a module for imports), nothing to compile");
                    continue;
                }
                ModelConfig c = new ModelConfig();
                c.file = rel;
                configs = List.of(c);
            }
            for (ModelConfig c : configs) {
                if (compile(file, c, tree)) compiled++; else current++;
            }
        }
        getLog().info("dlc: " + compiled + " model(s) compiled, " + current + " up to date");
    }

    /** Compiles one model unless its stamp says nothing changed; true when it compiled. */
    private boolean compile(Path file, ModelConfig c, String tree) throws MojoExecutionException, MojoFailureException {
        Path weights = c.weights == null ? null : (c.weights.isAbsolute() ? c.weights.toPath() : basedir.toPath().resolve(c.weights.toPath()));
        if (weights != null && !Files.isRegularFile(weights)) throw new MojoFailureException(file + ": weights " + weights + " do not exist");
        String pkg = c.packageName != null ? c.packageName : packageName;
        List<String> args = new ArrayList<>(List.of("compile", file.toString(), "--package", pkg, "--seed", Long.toString(seed)));
        if (c.model != null) args.addAll(List.of("--model", c.model));
        if (c.className != null) args.addAll(List.of("--class", c.className));
        if (weights != null) args.addAll(List.of("--weights", weights.toString()));
        String key = c.file.replace('/', '_') + (c.model == null ? "" : "." + c.model) + (c.className == null ? "" : "." + c.className);
        Path work = workDirectory.toPath(), jar = work.resolve(key + ".jar");
        Stamp stamp = new Stamp(work.resolve(key + ".stamp"));
        try {
            Files.createDirectories(work);
            // the other .dl files count too: the model may import them (imports are relative to the file)
            String hash = Stamp.hash(String.join("\u0000", args) + "\u0000" + tree, file, weights);
            Path out = outputDirectory.toPath();
            if (stamp.upToDate(hash, out)) {
                getLog().debug("dlc: " + c.file + " is up to date");
                return false;
            }
            stamp.removeOutputs(out); // the classes of the previous version (a renamed class would linger)
            args.addAll(List.of("-o", jar.toString()));
            run(c.file, args);
            Map<String, byte[]> entries = ModelJar.modelEntries(Files.readAllBytes(jar));
            for (var e : entries.entrySet()) {
                Path target = out.resolve(e.getKey());
                Files.createDirectories(target.getParent());
                Files.write(target, e.getValue());
            }
            stamp.write(hash, entries.keySet());
            getLog().info("dlc: compiled " + c.file + " into " + entries.size() + " classes and resources");
            return true;
        } catch (IOException e) {
            throw new MojoExecutionException("dlc: " + c.file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A file that parses and defines no model is a module other files import: not an error, and
     * nothing to compile. A file with errors is compiled, so that dlc compile reports them.
     */
    private static boolean definesNoModel(Path file) throws MojoExecutionException {
        try {
            var c = Toolchain.standard().compile(file, null, java.util.Map.of());
            return c.ok() && c.models().isEmpty();
        } catch (IOException e) {
            throw new MojoExecutionException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code dlc compile} in-process; its diagnostics (file:line:col, caret, hint) become the build's errors. */
    private void run(String name, List<String> args) throws MojoFailureException, MojoExecutionException {
        CommandLine cl = Main.commandLine(Toolchain.standard());
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args.toArray(String[]::new));
        if (code == 0) {
            if (!err.toString().isBlank()) err.toString().lines().forEach(getLog()::warn); // warnings of a file that compiles
            return;
        }
        String text = err.toString().strip();
        text.lines().forEach(getLog()::error);
        // the diagnostics are logged above, one [ERROR] line each; the failure names the first
        if (code == 1 || code == 2) throw new MojoFailureException("dlc: cannot compile " + name + ": " + text.lines().findFirst().orElse("exit " + code));
        throw new MojoExecutionException("dlc: internal error compiling " + name + " (exit " + code + "):\n" + text + out);
    }
}
