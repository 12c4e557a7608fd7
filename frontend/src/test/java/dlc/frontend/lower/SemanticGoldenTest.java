package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.*;
import java.util.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Golden semantic diagnostics: each {@code NAME.dl} under {@code diagnostics/semantic/} compiles
 * to exactly the text in {@code NAME.expected} (messages, source lines, carets, hints, notes).
 * A first line {@code # model: X} picks the model to lower. Relative imports resolve inside the
 * folder ({@code lib/...}). Run with {@code -Ddlc.golden.update=true} to rewrite the expected
 * files in src/test/resources after checking the new output by eye.
 */
class SemanticGoldenTest {
    private static final String DIR = "diagnostics/semantic";

    @TestFactory
    Stream<DynamicTest> goldens() throws IOException, URISyntaxException {
        Path dir = Path.of(Objects.requireNonNull(getClass().getClassLoader().getResource(DIR), DIR).toURI());
        List<Path> cases;
        try (Stream<Path> s = Files.list(dir)) {
            cases = s.filter(p -> p.toString().endsWith(".dl")).sorted().toList();
        }
        assertTrue(cases.size() >= 14, "at least 14 golden cases, found " + cases.size());
        return cases.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(dir, p)));
    }

    private static void check(Path dir, Path file) throws IOException {
        String name = file.getFileName().toString();
        String text = Files.readString(file);
        String model = null;
        if (text.startsWith("# model: ")) model = text.lines().findFirst().orElseThrow().substring(9).trim();
        Compilation c = Frontend.compileSource(name, text, model, provider(dir));
        String actual = c.render();
        assertFalse(c.ok(), name + " should not compile");
        assertNull(c.module(), "no module when there are errors");
        Path expectedFile = dir.resolve(name.replace(".dl", ".expected"));
        if (Boolean.getBoolean("dlc.golden.update")) {
            Path src = Path.of("src/test/resources", DIR, expectedFile.getFileName().toString());
            Files.writeString(src, actual);
            return;
        }
        assertTrue(Files.exists(expectedFile), "missing " + expectedFile.getFileName() + "; actual output:\n" + actual);
        assertEquals(Files.readString(expectedFile), actual, name);
    }

    /** std modules from the classpath; a.b from a/b.dl inside the golden folder, named by that relative path. */
    private static SourceProvider provider(Path dir) {
        SourceProvider std = SourceProvider.standard();
        return (module, importing) -> {
            if (module.get(0).equals("std")) return std.find(module, importing);
            String rel = String.join("/", module) + ".dl";
            Path p = dir.resolve(rel);
            if (!Files.isRegularFile(p)) return Optional.empty();
            try {
                return Optional.of(new SourceProvider.Source(rel, "golden:" + rel, Files.readString(p)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
