package dlc.examples;

import dlc.frontend.parse.ParseResult;
import dlc.frontend.parse.SourceParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every example and every std module builds an AST through the frontend's parser with no
 * diagnostics (the grammar check in StdlibParsesTest plus the frontend's own token checks).
 */
class ExamplesParseTest {
    @Test
    void examplesAndStdModulesBuildAsts() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("."))) {
            files.addAll(s.filter(p -> p.toString().endsWith(".dl")).sorted().toList());
        }
        try (Stream<Path> s = Files.list(Path.of("../stdlib/src/main/resources/std"))) {
            files.addAll(s.filter(p -> p.toString().endsWith(".dl")).sorted().toList());
        }
        StringBuilder errors = new StringBuilder();
        for (Path f : files) {
            ParseResult r = SourceParser.parse(f.toString(), Files.readString(f));
            if (!r.ok()) errors.append(r.render());
        }
        assertTrue(files.size() >= 20, "found " + files);
        assertTrue(errors.isEmpty(), errors.toString());
    }
}
