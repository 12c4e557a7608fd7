package dlc.frontend.lower;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds the source of an imported module. {@code std.X.Y} is the classpath resource
 * {@code std/X/Y.dl} (the stdlib module ships them); any other {@code a.b} is the file
 * {@code a/b.dl} next to the importing file.
 */
public interface SourceProvider {
    /** A module's source: the file name used in diagnostics, a key that identifies it, its text. */
    record Source(String fileName, String key, String text) {}

    Optional<Source> find(List<String> module, String importingFile);

    /** The default: stdlib modules from the classpath, relative imports from the file system. */
    static SourceProvider standard() {
        return (module, importingFile) -> {
            String rel = String.join("/", module) + ".dl";
            if (module.get(0).equals("std")) {
                try (InputStream s = SourceProvider.class.getClassLoader().getResourceAsStream(rel)) {
                    if (s == null) return Optional.empty();
                    return Optional.of(new Source(rel, "resource:" + rel, new String(s.readAllBytes(), StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    return Optional.empty();
                }
            }
            Path base = importingFile == null ? null : Path.of(importingFile).getParent();
            Path p = base == null ? Path.of(rel) : base.resolve(rel);
            if (!Files.isRegularFile(p)) return Optional.empty();
            try {
                return Optional.of(new Source(p.toString(), "file:" + p.toAbsolutePath().normalize(), Files.readString(p)));
            } catch (IOException e) {
                return Optional.empty();
            }
        };
    }
}
