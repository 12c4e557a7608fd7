package dlc.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/** The promise: {@code dlc gradcheck} passes on every example. */
class ExamplesGradcheckTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    @TestFactory Stream<DynamicTest> gradcheckPassesOnEveryExample() throws IOException {
        assertTrue(Files.isDirectory(EXAMPLES), "examples directory at " + EXAMPLES.toAbsolutePath());
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".dl")).sorted().toList().stream()
                    .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                        CliHarness.Result r = exec(Toolchain.standard(), "gradcheck", f.toString());
                        assertEquals(0, r.code(), r::toString);
                        assertTrue(r.out().contains("gradcheck passed") || r.out().contains("the model has no loss"), r::toString);
                    }));
        }
    }
}
