package dlc.passes;

import dlc.ir.Module;
import dlc.ir.text.IrParser;
import dlc.ir.text.IrPrinter;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.*;
import java.util.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs every {@code passes/src/test/resources/<pass>/*.ir} file: the IR before, the pipeline on a
 * {@code # RUN:} line, and either the expected IR after a {@code # CHECK:} line or an expected
 * error after {@code # ERROR:}. The format is described in {@code shape-inference/README.md}.
 */
class PassFileTest {
    @TestFactory
    Stream<DynamicTest> passTestFiles() throws IOException, URISyntaxException {
        Path root = Paths.get(Objects.requireNonNull(PassFileTest.class.getResource("/shape-inference/README.md"),
                "test resources not found").toURI()).getParent().getParent();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".ir")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no .ir files under " + root);
        return files.stream().map(f -> DynamicTest.dynamicTest(root.relativize(f).toString(), f.toUri(), () -> runFile(f)));
    }

    static void runFile(Path file) throws IOException {
        PassTestFile t = PassTestFile.parse(file.getFileName().toString(), Files.readString(file));
        Module input = IrParser.parseModule(t.input(), file.toString());
        PassManager pm = PassManager.parse(t.pipeline());
        if (t.expectedError() != null) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> pm.run(input), "expected an error from " + t.pipeline());
            assertTrue(e.getMessage().contains(t.expectedError()),
                    "expected an error containing\n  " + t.expectedError() + "\ngot\n  " + e.getMessage());
            return;
        }
        Module actual = pm.run(input);
        Module expected = IrParser.parseModule(t.expected(), file + " (CHECK section)");
        assertEquals(IrPrinter.print(expected), IrPrinter.print(actual), "IR after " + t.pipeline());
    }

    /** One test file split into its parts. */
    record PassTestFile(String pipeline, String input, String expected, String expectedError) {
        static PassTestFile parse(String name, String text) {
            String pipeline = null, error = null;
            StringBuilder in = new StringBuilder(), out = null;
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i], l = line.strip();
                // every line keeps its number in the section it belongs to, so parse errors point into the file
                if (l.startsWith("# RUN:") || l.startsWith("# ERROR:") || l.equals("# CHECK:")) (out != null ? out : in).append('\n');
                if (l.startsWith("# RUN:")) {
                    if (pipeline != null) throw new IllegalArgumentException(name + ": more than one '# RUN:' line");
                    pipeline = l.substring("# RUN:".length()).strip();
                } else if (l.startsWith("# ERROR:")) {
                    error = l.substring("# ERROR:".length()).strip();
                } else if (l.equals("# CHECK:")) {
                    if (out != null) throw new IllegalArgumentException(name + ": more than one '# CHECK:' line");
                    out = new StringBuilder("\n".repeat(i + 1));
                } else {
                    (out != null ? out : in).append(line).append('\n');
                }
            }
            if (pipeline == null) throw new IllegalArgumentException(name + ": no '# RUN: <pipeline>' line");
            if ((out == null) == (error == null))
                throw new IllegalArgumentException(name + ": needs exactly one of '# CHECK:' (expected IR follows) or '# ERROR: <message part>'");
            return new PassTestFile(pipeline, in.toString(), out == null ? null : out.toString(), error);
        }
    }
}
