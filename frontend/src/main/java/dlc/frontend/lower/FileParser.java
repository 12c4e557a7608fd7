package dlc.frontend.lower;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Ast;

import java.util.List;

/** Parses one file's text into a syntax tree and syntax diagnostics (the frontend's parser, injected). */
@FunctionalInterface
public interface FileParser {
    record Parsed(Ast.Program program, List<Diagnostic> diagnostics) {}

    Parsed parse(String fileName, String text);
}
