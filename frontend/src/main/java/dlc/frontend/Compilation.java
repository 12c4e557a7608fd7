package dlc.frontend;

import dlc.frontend.ast.Ast;
import dlc.frontend.train.TrainPlan;
import dlc.frontend.train.TrainLowering;
import dlc.ir.Module;

import java.util.List;
import java.util.Map;

/**
 * The outcome of compiling one .dl file: its diagnostics, the names of its models, and, when a
 * model was lowered without errors, its IR module (graphs {@code init}, {@code train},
 * {@code eval}). User mistakes never throw; they become diagnostics.
 *
 * <p>When the file has a {@code train} block for the model, the module also holds the training
 * graphs (the step graphs and an init graph that initializes optimizer state, see
 * {@link TrainLowering}) and {@link #train()} tells the trainer how to run them.
 *
 * @param sources every file read (the main one and its imports), for rendering diagnostics
 * @param train   the training run the model's train block describes (with the command line's
 *                overrides), or null when it has none
 */
public record Compilation(Ast.Program program, List<Diagnostic> diagnostics, List<String> models, Module module,
                          Map<String, String> sources, TrainPlan train) {
    /** A compilation without training steps. */
    public Compilation(Ast.Program program, List<Diagnostic> diagnostics, List<String> models, Module module, Map<String, String> sources) {
        this(program, diagnostics, models, module, sources, null);
    }

    public boolean ok() { return diagnostics.stream().noneMatch(Diagnostic::isError); }

    /** All diagnostics rendered with source lines and carets, in order. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : diagnostics) sb.append(d.render(this::line));
        return sb.toString();
    }

    private String line(String file, int line) {
        String src = sources.get(file);
        if (src == null || line < 1) return null;
        String[] lines = src.split("\r?\n", -1);
        return line <= lines.length ? lines[line - 1] : null;
    }
}
