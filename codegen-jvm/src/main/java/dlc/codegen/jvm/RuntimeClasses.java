package dlc.codegen.jvm;

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
 * The runtime's class files ({@code dlc/runtime/**}), read from where {@link CompiledGraph} was
 * loaded: the runtime module's classes directory (in the build) or its jar (next to the dlc
 * command). A model jar carries them, so it runs with nothing else on the classpath.
 */
final class RuntimeClasses {
    private static final String PREFIX = "dlc/runtime/";

    private RuntimeClasses() {}

    /** Jar entry name to bytes, sorted by name. */
    static Map<String, byte[]> read() {
        Path where;
        try {
            var source = CompiledGraph.class.getProtectionDomain().getCodeSource();
            if (source == null) throw new IllegalStateException("the dlc runtime classes have no code source to copy from");
            where = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the dlc runtime classes: " + e.getMessage(), e);
        }
        Map<String, byte[]> out = new TreeMap<>();
        try {
            if (Files.isDirectory(where)) {
                Path root = where.resolve(PREFIX);
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path f : files.filter(Files::isRegularFile).toList())
                        out.put(PREFIX + root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/"), Files.readAllBytes(f));
                }
            } else {
                try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(where))) {
                    for (ZipEntry e; (e = zin.getNextEntry()) != null; )
                        if (!e.isDirectory() && e.getName().startsWith(PREFIX)) out.put(e.getName(), zin.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dlc runtime classes from " + where + ": " + e.getMessage(), e);
        }
        if (!out.containsKey(PREFIX + "CompiledGraph.class") || !out.containsKey(PREFIX + "Model.class"))
            throw new IllegalStateException("the dlc runtime at " + where + " lacks its classes (found " + out.size() + " entries)");
        return out;
    }
}
