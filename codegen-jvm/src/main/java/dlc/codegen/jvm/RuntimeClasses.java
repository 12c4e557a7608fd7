package dlc.codegen.jvm;

import dlc.numerics.Rng;
import dlc.runtime.CompiledGraph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The class files a compiled model needs at run time: the runtime's ({@code dlc/runtime/**}, read
 * from where {@link CompiledGraph} was loaded) and those of the numeric definitions it shares with
 * the interpreter ({@code dlc/numerics/**}, from where {@link Rng} was loaded): each module's
 * classes directory (in the build) or its jar (next to the dlc command). A model jar carries them,
 * so it runs with nothing else on the classpath.
 */
final class RuntimeClasses {
    /** The packages a model jar carries; no generated class may be in one of them. */
    static final String[] PREFIXES = {"dlc/runtime/", "dlc/numerics/"};

    private RuntimeClasses() {}

    /** Jar entry name to bytes, sorted by name. */
    static Map<String, byte[]> read() {
        Map<String, byte[]> out = new TreeMap<>();
        Path runtime = read(CompiledGraph.class, "dlc/runtime/", out);
        if (!out.containsKey("dlc/runtime/CompiledGraph.class") || !out.containsKey("dlc/runtime/Model.class"))
            throw new IllegalStateException("the dlc runtime at " + runtime + " lacks its classes (found " + out.size() + " entries)");
        Path numerics = read(Rng.class, "dlc/numerics/", out);
        if (!out.containsKey("dlc/numerics/Rng.class"))
            throw new IllegalStateException("the dlc numerics at " + numerics + " lack their classes");
        return out;
    }

    /** True when a jar entry is one of the carried classes rather than the model's own. */
    static boolean carried(String entry) {
        for (String p : PREFIXES) if (entry.startsWith(p)) return true;
        return false;
    }

    /** Adds the entries under {@code prefix} of the directory or jar that {@code anchor} was loaded from; returns where that is. */
    private static Path read(Class<?> anchor, String prefix, Map<String, byte[]> out) {
        Path where;
        try {
            var source = anchor.getProtectionDomain().getCodeSource();
            if (source == null) throw new IllegalStateException("the dlc runtime classes have no code source to copy from (" + anchor.getName() + ")");
            where = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the dlc runtime classes: " + e.getMessage(), e);
        }
        try {
            if (Files.isDirectory(where)) {
                Path root = where.resolve(prefix);
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path f : files.filter(Files::isRegularFile).toList())
                        out.put(prefix + root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/"), Files.readAllBytes(f));
                }
            } else {
                try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(where))) {
                    for (ZipEntry e; (e = zin.getNextEntry()) != null; )
                        if (!e.isDirectory() && e.getName().startsWith(prefix)) out.put(e.getName(), zin.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dlc runtime classes from " + where + ": " + e.getMessage(), e);
        }
        return where;
    }
}
