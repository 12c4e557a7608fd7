package dlc.frontend;

import org.junit.jupiter.api.DynamicTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden tests over a folder of {@code NAME.dl} + {@code NAME.expected} pairs: each {@code .dl}
 * is rendered by a function (usually: compile it and render its diagnostics) and the text must
 * equal the {@code .expected} file exactly. Use from a {@code @TestFactory}:
 *
 * <pre>
 * &#64;TestFactory
 * Stream&lt;DynamicTest&gt; syntaxErrors() {
 *     return GoldenDiagnostics.tests("diagnostics/syntax", file -> SourceParser.parse(...).render());
 * }
 * </pre>
 *
 * Folders are read from {@code src/test/resources/} of the module under test (Maven runs tests
 * in the module's directory). Running with {@code -Ddlc.golden.update=true} writes the rendered
 * text into the {@code .expected} files instead of comparing; review the diff before committing.
 */
public final class GoldenDiagnostics {
    private static final Path RESOURCES = Path.of("src", "test", "resources");

    private GoldenDiagnostics() {}

    /**
     * One dynamic test per {@code .dl} file of {@code folder} (relative to src/test/resources).
     *
     * @param render the text a case must produce, given the path of its {@code .dl} file
     */
    public static Stream<DynamicTest> tests(String folder, Function<Path, String> render) {
        Path dir = RESOURCES.resolve(folder);
        assertTrue(Files.isDirectory(dir), "no golden folder " + dir.toAbsolutePath());
        List<Path> cases;
        try (Stream<Path> files = Files.list(dir)) {
            cases = files.filter(p -> p.getFileName().toString().endsWith(".dl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertFalse(cases.isEmpty(), "no .dl cases in " + dir);
        boolean update = Boolean.getBoolean("dlc.golden.update");
        return cases.stream().map(dl -> DynamicTest.dynamicTest(dl.getFileName().toString(), dl.toUri(), () -> {
            Path expectedFile = dir.resolve(dl.getFileName().toString().replaceFirst("\\.dl$", ".expected"));
            String actual = render.apply(dl);
            if (update) {
                Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
                return;
            }
            assertTrue(Files.exists(expectedFile), "missing " + expectedFile + "; rendered:\n" + actual);
            assertEquals(Files.readString(expectedFile, StandardCharsets.UTF_8), actual, "diagnostics of " + dl);
        }));
    }

    /** The text of a file, for render functions. */
    public static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
