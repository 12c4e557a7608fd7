package dlc.cli;

import dlc.frontend.Compilation;
import dlc.ir.Graph;
import dlc.ir.Module;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The compiler stages the commands drive: the frontend, the IR printer and the pass pipeline.
 * Commands see only this interface, so tests can hand them a hand-built module and the commands
 * stay small; {@link #standard()} is the real compiler.
 */
public interface Toolchain {
    /**
     * Parses, checks and (when {@code model} names one, or the file has exactly one) lowers a
     * .dl file. User mistakes are diagnostics in the result, never exceptions.
     *
     * @param model  the model to lower, or null for the frontend's default (the file's first model)
     * @param params model parameter overrides, name to expression text ({@code hidden -> "64"})
     */
    Compilation compile(Path file, String model, Map<String, String> params) throws IOException;

    /** The text form of a module (a header line, then every graph). */
    String print(Module module);

    /** The text form of one graph. */
    String print(Graph graph);

    /**
     * Runs a pass pipeline over a module.
     *
     * @param pipeline pipeline text such as {@code shape-inference{B=32}}, or null for the standard pipeline
     * @param after    stop after the first pass of this name, or null to run the whole pipeline
     */
    Module runPasses(Module module, String pipeline, String after);

    /** The compiler built into this dlc. */
    static Toolchain standard() { return new StandardToolchain(); }
}
