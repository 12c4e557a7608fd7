package dlc.stdlib;

import dlc.grammar.DlLexer;
import dlc.grammar.DlParser;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every standard-library module ({@code std/*.dl}) and every example model ({@code examples/*.dl})
 * must parse with the generated grammar. The frontend gives them meaning; this test only guards
 * the syntax, so a broken file is reported as {@code file:line:col: message} for each error.
 */
class StdlibParsesTest {

    /** Surefire runs with the module folder as working directory. */
    private static final Path STD = Path.of("src/main/resources/std");
    private static final Path EXAMPLES = Path.of("../examples");

    @Test
    void everyStdModuleParses() throws IOException {
        List<Path> files = dlFiles(STD);
        assertTrue(files.stream().anyMatch(p -> p.getFileName().toString().equals("prelude.dl")),
                "std/prelude.dl must exist; found " + files);
        assertNoSyntaxErrors(files);
    }

    @Test
    void everyExampleParses() throws IOException {
        assertNoSyntaxErrors(dlFiles(EXAMPLES));
    }

    @Test
    void syntaxErrorsAreReportedWithPosition() {
        List<String> errors = syntaxErrors("bad.dl", "def f(x) {\n  x +* 2\n}\n");
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("bad.dl:2:"), errors.get(0));
    }

    private static List<Path> dlFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".dl")).sorted().toList();
        }
    }

    private static void assertNoSyntaxErrors(List<Path> files) throws IOException {
        List<String> all = new ArrayList<>();
        for (Path f : files) all.addAll(syntaxErrors(f.toString(), Files.readString(f)));
        if (!all.isEmpty()) fail("syntax errors:\n" + String.join("\n", all));
    }

    /** Parses {@code text} and returns one {@code file:line:col: message} line per lexer or parser error. */
    static List<String> syntaxErrors(String file, String text) {
        List<String> errors = new ArrayList<>();
        BaseErrorListener collect = new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int col,
                                    String msg, RecognitionException e) {
                errors.add(file + ":" + line + ":" + (col + 1) + ": " + msg);
            }
        };
        DlLexer lexer = new DlLexer(CharStreams.fromString(text, file));
        lexer.removeErrorListeners();
        lexer.addErrorListener(collect);
        DlParser parser = new DlParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(collect);
        parser.program();
        // ERRCHAR tokens (stray characters) are legal lexer output but never valid syntax; the parser reports them.
        return errors;
    }
}
