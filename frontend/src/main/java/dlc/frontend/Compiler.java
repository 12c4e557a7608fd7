package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Ast;
import dlc.frontend.ast.Ast.*;
import dlc.frontend.ast.Span;
import dlc.frontend.train.TrainConfig;
import dlc.frontend.train.TrainLowering;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;

import java.util.*;

/**
 * The front end after parsing: loads the file's imports, declares its names, picks a model and
 * lowers it to IR, checks the file's train blocks and builds the model's training steps
 * ({@link TrainLowering}). User errors become diagnostics; only
 * compiler bugs throw.
 */
public final class Compiler {
    private Compiler() {}

    /** The module whose names a train block's settings see after the file's own (optimizers, schedules). */
    static final List<String> OPTIM = List.of("std", "optim");

    /** The first train block for model; later ones were reported by {@link #checkTrainBlocks}. */
    private static Train trainBlockOf(Ast.Program program, String model) {
        for (Decl d : program.decls()) if (d instanceof Train t && t.model().equals(model)) return t;
        return null;
    }

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
        Reporter reporter = new Reporter();
        Interp in = new Interp(reporter);
        ModuleLoader loader = new ModuleLoader(in, provider, parser);
        FileParser.Parsed parsed = parser.parse(fileName, text);
        Ast.Program program = parsed.program();
        for (Diagnostic d : parsed.diagnostics()) reporter.report(d);
        List<String> models = new ArrayList<>();
        for (Decl d : program.decls()) if (d instanceof Model m) models.add(m.name());
        Map<String, String> sources = loader.sources;
        sources.put(fileName, text);
        if (reporter.hasErrors()) return new Compilation(program, reporter.diagnostics(), models, null, sources, null);

        try {
            loader.loadPrelude();
        } catch (CompileError e) {
            reporter.report(e);
        }
        LoadedModule main = loader.loadMain(fileName, text, program);
        // an imported module with syntax errors: its errors are the report (what would follow is noise)
        if (loader.hasBrokenModule()) return new Compilation(program, reporter.diagnostics(), models, null, sources, null);
        Module module = null;
        Model chosen = choose(in, program, model, fileName);
        int before = reporter.errorCount();
        Map<String, Expr> overrides = overrides(params, "param", parser, reporter, loader.sources);
        Map<String, Expr> trainOverrides = overrides(train, "train", parser, reporter, loader.sources);
        boolean overridesOk = reporter.errorCount() == before;
        if (chosen != null && overridesOk) module = ModelLowering.lower(in, main, chosen, overrides);
        checkTrainBlocks(in, main, program, module);
        if (reporter.hasErrors()) module = null;
        TrainConfig config = null;
        Train block = module == null ? null : trainBlockOf(program, module.name());
        if (module != null && block == null && !trainOverrides.isEmpty())
            reporter.report(Diagnostic.error(new Span(fileName, 1, 1, 1), "train settings were given, but " + fileName + " has no train block for model " + module.name(),
                    "add one: train " + module.name() + " { optimizer adam(lr=1e-3) }"));
        if (block != null) {
            TrainLowering.Result r = TrainLowering.lower(new Staging(in, main, loader, List.of(OPTIM)), block, module, trainOverrides);
            module = r == null || reporter.hasErrors() ? null : r.module();
            config = module == null ? null : r.config();
        }
        if (reporter.hasErrors()) module = null;
        return new Compilation(program, reporter.diagnostics(), models, module, sources, config);
    }

    /** Parses each override as the value of a const in its own pseudo-file. */
    private static Map<String, Expr> overrides(Map<String, String> params, String kind, FileParser parser, Reporter reporter,
                                               Map<String, String> sources) {
        Map<String, Expr> out = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            String file = "<" + kind + " " + e.getKey() + ">";
            String text = "const value = " + e.getValue();
            sources.put(file, text);
            FileParser.Parsed p = parser.parse(file, text);
            p.diagnostics().forEach(reporter::report);
            if (p.diagnostics().isEmpty() && p.program().decls().size() == 1 && p.program().decls().get(0) instanceof Const c)
                out.put(e.getKey(), c.value());
            else if (p.diagnostics().isEmpty())
                reporter.report(Diagnostic.error(new Span(file, 1, 15, e.getValue().length()), "the value of "
                        + (kind.equals("param") ? "model parameter" : "train setting") + " '" + e.getKey() + "' must be one expression"));
        }
        return out;
    }

    private static Model choose(Interp in, Ast.Program program, String name, String fileName) {
        List<Model> models = new ArrayList<>();
        for (Decl d : program.decls()) if (d instanceof Model m) models.add(m);
        if (name == null) return models.isEmpty() ? null : models.get(0);
        for (Model m : models) if (m.name().equals(name)) return m;
        List<String> names = models.stream().map(Model::name).toList();
        Span at = models.isEmpty() ? new Span(fileName, 1, 1, 1) : models.get(0).span();
        String hint = Names.didYouMean(name, names);
        if (hint == null) hint = names.isEmpty() ? fileName + " declares no model" : "models in " + fileName + ": " + String.join(", ", names);
        in.reporter.report(Diagnostic.error(at, "model '" + name + "' not found in " + fileName, hint));
        return null;
    }

    /** Train blocks must name a model; a step's loss and params must exist in the lowered model. */
    private static void checkTrainBlocks(Interp in, LoadedModule main, Ast.Program program, Module module) {
        Map<String, Span> seen = new HashMap<>();
        for (Decl d : program.decls()) {
            if (!(d instanceof Train t)) continue;
            Span first = seen.putIfAbsent(t.model(), t.span());
            if (first != null) {
                in.reporter.report(Diagnostic.error(t.span(), "a second train block for model '" + t.model() + "'", "merge them; use step blocks for several optimizers")
                        .withNote(new Diagnostic.Note(first, "the first one")));
                continue;
            }
            if (!(main.env().local(t.model()) instanceof Val.ModelV)) {
                List<String> models = new ArrayList<>();
                for (Decl x : program.decls()) if (x instanceof Model m) models.add(m.name());
                in.reporter.report(Diagnostic.error(t.span(), "train block for unknown model '" + t.model() + "'", Names.didYouMean(t.model(), models)));
                continue;
            }
            if (module == null || !module.name().equals(t.model())) continue;
            Graph train = module.graph("train").orElseThrow();
            checkItems(in, t.items(), train);
        }
    }

    private static void checkItems(Interp in, List<TrainItem> items, Graph train) {
        Set<String> losses = new TreeSet<>();
        for (Graph.Output o : train.outputs()) if (o.role() == Graph.Output.Role.LOSS) losses.add(o.name());
        List<String> params = train.inputs(Value.Role.PARAM).stream().map(Value::name).toList();
        for (TrainItem item : items) {
            if (item instanceof TrainStep s) {
                checkItems(in, s.items(), train);
                continue;
            }
            TrainSetting s = (TrainSetting) item;
            if (s.name().equals("loss"))
                for (Expr e : s.values()) {
                    String n = dotted(e);
                    if (n != null && !losses.contains(n))
                        in.reporter.report(Diagnostic.error(e.span(), "the model has no loss named '" + n + "'",
                                Optional.ofNullable(Names.didYouMean(n, losses)).orElse("its losses: " + String.join(", ", losses))));
                }
            if (s.name().equals("params"))
                for (Expr e : s.values()) {
                    String n = dotted(e);
                    if (n != null && params.stream().noneMatch(p -> p.equals(n) || p.startsWith(n + ".")))
                        in.reporter.report(Diagnostic.error(e.span(), "no parameter of the model is named '" + n + "' or starts with '" + n + ".'",
                                Names.didYouMean(n, params)));
                }
        }
    }

    /** a, a.b.c as text; null for any other expression. */
    private static String dotted(Expr e) {
        if (e instanceof Name n) return n.name();
        if (e instanceof Member m) {
            String t = dotted(m.target());
            return t == null ? null : t + "." + m.name();
        }
        return null;
    }
}
