package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.frontend.GoldenDiagnostics;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.*;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Golden semantic diagnostics: each {@code NAME.dl} under {@code diagnostics/semantic/} compiles
 * to exactly the text in {@code NAME.expected} (messages, source lines, carets, hints, notes).
 * A first line {@code # model: X} picks the model to lower. Relative imports resolve inside the
 * folder ({@code lib/...}). {@code -Ddlc.golden.update=true} rewrites the expected files.
 */
class SemanticGoldenTest {
    private static final String DIR = "diagnostics/semantic";

    @TestFactory
    Stream<DynamicTest> semanticErrors() {
        return GoldenDiagnostics.tests(DIR, SemanticGoldenTest::render);
    }

    private static String render(Path file) {
        String name = file.getFileName().toString();
        String text = GoldenDiagnostics.read(file);
        String model = text.startsWith("# model: ") ? text.lines().findFirst().orElseThrow().substring(9).trim() : null;
        Compilation c = Frontend.compileSource(name, text, model, provider(file.getParent()));
        assertFalse(c.ok(), name + " should not compile");
        assertNull(c.module(), "no module when there are errors");
        return c.render();
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
