package dlc.frontend;

import dlc.frontend.ast.Ast;
import dlc.frontend.ast.Ast.Decl;
import dlc.frontend.ast.Ast.Train;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.FileLowering;
import dlc.frontend.lower.FileParser;
import dlc.frontend.lower.SourceProvider;
import dlc.frontend.train.TrainPlan;
import dlc.frontend.train.TrainLowering;
import dlc.ir.Module;

import java.util.Map;

/**
 * The front end after parsing, as one driver over its two stages: {@link FileLowering} (imports,
 * names, the chosen model lowered to IR, train blocks checked) and then, for a model with a
 * {@code train} block, {@link TrainLowering} (the training steps). Dependencies go one way: this
 * driver uses both packages, {@code dlc.frontend.train} uses {@code dlc.frontend.lower}, and
 * {@code dlc.frontend.lower} uses neither. User errors become diagnostics; only compiler bugs throw.
 */
public final class Compiler {
    private Compiler() {}

    /**
     * Compiles text (the file fileName) and lowers model, or the file's first model when model is
     * null. Imports are found through provider, files parsed with parser.
     */
    public static Compilation compile(String fileName, String text, String model, SourceProvider provider, FileParser parser) {
        return compile(fileName, text, model, Map.of(), provider, parser);
    }

    /**
     * As above, with model parameters overridden: name to source text of a .dl expression
     * ({@code "hidden" -> "128"}), evaluated in place of the parameter's default. Mistakes in
     * the text are diagnostics in a pseudo-file named {@code <param NAME>}.
     */
    public static Compilation compile(String fileName, String text, String model, Map<String, String> params,
                                      SourceProvider provider, FileParser parser) {
        return compile(fileName, text, model, params, Map.of(), provider, parser);
    }

    /**
     * As above, with train settings given from outside (the command line): setting name to the
     * text of a .dl expression that replaces the model's train block setting ({@code "epochs" ->
     * "3"}), and {@code "lr"} replacing the {@code lr} argument of its optimizers. Mistakes are
     * diagnostics in a pseudo-file named {@code <train NAME>}; giving any needs a train block.
     */
    public static Compilation compile(String fileName, String text, String model, Map<String, String> params,
                                      Map<String, String> train, SourceProvider provider, FileParser parser) {
        FileLowering file = FileLowering.lower(fileName, text, model, params, train, provider, parser);
        Module module = file.module();
        TrainPlan plan = null;
        Train block = module == null ? null : trainBlockOf(file.program(), module.name());
        if (module != null && block == null && !file.trainOverrides().isEmpty())
            file.report(Diagnostic.error(new Span(fileName, 1, 1, 1), "train settings were given, but " + fileName + " has no train block for model " + module.name(),
                    "add one: train " + module.name() + " { optimizer adam(lr=1e-3) }"));
        if (block != null) {
            TrainLowering.Result r = TrainLowering.lower(file.trainStaging(), block, module, file.trainOverrides());
            module = r == null || file.hasErrors() ? null : r.module();
            plan = module == null ? null : r.plan();
        }
        if (file.hasErrors()) module = null;
        return new Compilation(file.program(), file.diagnostics(), file.models(), module, file.sources(), plan);
    }

    /** The first train block for model; later ones were reported by {@link FileLowering}. */
    private static Train trainBlockOf(Ast.Program program, String model) {
        for (Decl d : program.decls()) if (d instanceof Train t && t.model().equals(model)) return t;
        return null;
    }
}
