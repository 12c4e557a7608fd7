package dlc.frontend.parse;

import dlc.frontend.GoldenDiagnostics;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** Every file under diagnostics/syntax renders exactly its .expected text, and none parses clean. */
class SyntaxDiagnosticsTest {

    @TestFactory
    Stream<DynamicTest> syntaxErrorsRenderAsExpected() {
        return GoldenDiagnostics.tests("diagnostics/syntax", file -> {
            ParseResult r = SourceParser.parse(file.getFileName().toString(), GoldenDiagnostics.read(file));
            assertFalse(r.ok(), file + " is meant to hold a syntax error");
            return r.render();
        });
    }
}
