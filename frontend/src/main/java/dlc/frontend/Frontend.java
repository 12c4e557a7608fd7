package dlc.frontend;

import dlc.frontend.ast.Span;
import dlc.frontend.lower.FileParser;
import dlc.frontend.lower.SourceProvider;
import dlc.frontend.parse.ParseResult;
import dlc.frontend.parse.SourceParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The front end's entry point: a .dl file in, a {@link Compilation} out (diagnostics, and for a
 * model without errors its IR module with graphs {@code init}, {@code train} and {@code eval}).
 * Never throws for mistakes in the program; only compiler bugs throw.
 */
public final class Frontend {
    private Frontend() {}

    /** The parser the front end uses for every file it reads. */
    static final FileParser PARSER = (fileName, text) -> {
        ParseResult r = SourceParser.parse(fileName, text);
        return new FileParser.Parsed(r.program(), r.diagnostics());
    };

    /**
     * Compiles a file. Relative imports are read next to it, {@code std.*} from the classpath.
     *
     * @param model the model to lower, or null for the file's first model (none: only checks)
     */
    public static Compilation compile(Path file, String model) { return compile(file, model, Map.of()); }

    /**
     * Compiles a file with some model parameters overridden: parameter name to the text of a .dl
     * expression ({@code "hidden" -> "128"}), used instead of the parameter's default.
     */
    public static Compilation compile(Path file, String model, Map<String, String> params) { return compile(file, model, params, Map.of()); }

    /**
     * Compiles a file with model parameters and train settings overridden. train maps a setting
     * of the model's train block to the text of a .dl expression that replaces it
     * ({@code "epochs" -> "3"}, {@code "optimizer" -> "sgd(lr=0.1)"}); the key {@code "lr"} sets
     * the {@code lr} argument of every optimizer of the block ({@code "lr" -> "0.01"}).
     */
    public static Compilation compile(Path file, String model, Map<String, String> params, Map<String, String> train) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            Diagnostic d = Diagnostic.error(new Span(file.toString(), 0, 0, 0), "cannot read " + file + ": " + e.getMessage());
            return new Compilation(null, List.of(d), List.of(), null, Map.of());
        }
        return Compiler.compile(file.toString(), text, model, params, train, SourceProvider.standard(), PARSER);
    }

    /**
     * Compiles source text under the name fileName (used in diagnostics, and as the place
     * relative imports are resolved from).
     */
    public static Compilation compileSource(String fileName, String text, String model) {
        return Compiler.compile(fileName, text, model, SourceProvider.standard(), PARSER);
    }

    /** Like {@link #compileSource(String, String, String)}, finding imports through provider. */
    public static Compilation compileSource(String fileName, String text, String model, SourceProvider provider) {
        return Compiler.compile(fileName, text, model, provider, PARSER);
    }

    /** Model parameter and train setting overrides (see {@link #compile(Path, String, Map, Map)}) and an import provider. */
    public static Compilation compileSource(String fileName, String text, String model, Map<String, String> params,
                                            Map<String, String> train, SourceProvider provider) {
        return Compiler.compile(fileName, text, model, params, train, provider, PARSER);
    }

    /** Model parameter overrides (see {@link #compile(Path, String, Map)}) and an import provider. */
    public static Compilation compileSource(String fileName, String text, String model, Map<String, String> params,
                                            SourceProvider provider) {
        return Compiler.compile(fileName, text, model, params, provider, PARSER);
    }
}
