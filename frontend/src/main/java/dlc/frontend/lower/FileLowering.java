package dlc.frontend.lower;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Ast;
import dlc.frontend.ast.Ast.*;
import dlc.frontend.ast.Span;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;

import java.util.*;

/**
 * One .dl file lowered as far as this package goes: parsed, its imports loaded and its names
 * declared, the chosen model lowered to IR (with its parameter overrides), and its train blocks
 * checked against that model (a block names a declared model; a step's loss and params exist).
 * The driver ({@code dlc.frontend.Compiler}) builds the training steps on top of it with
 * {@link #trainStaging()}, so this package never depends on the training-step construction.
 * User errors become diagnostics; only compiler bugs throw.
 */
public final class FileLowering {
    /** The module whose names a train block's settings see after the file's own (optimizers, schedules). */
    static final List<String> OPTIM = List.of("std", "optim");

    private final Reporter reporter = new Reporter();
    private final Interp in = new Interp(reporter);
    private final ModuleLoader loader;
    private final Ast.Program program;
    private final List<String> models = new ArrayList<>();
    private LoadedModule main;
    private Module module;
    private Map<String, Expr> trainOverrides = Map.of();

    private FileLowering(SourceProvider provider, FileParser parser, Ast.Program program) {
        this.loader = new ModuleLoader(in, provider, parser);
        this.program = program;
        for (Decl d : program.decls()) if (d instanceof Model m && m.name() != null) models.add(m.name()); // a name-less model is a syntax error already reported
    }

    /**
     * Lowers model of text (the file fileName), or the file's first model when model is null.
     * Imports are found through provider, files parsed with parser. params and train map a model
     * parameter or a train setting to the text of a .dl expression replacing it; each is parsed
     * here, in a pseudo-file named {@code <param NAME>} or {@code <train NAME>}, and the train ones
     * are kept for the training-step construction ({@link #trainOverrides()}).
     */
    public static FileLowering lower(String fileName, String text, String model, Map<String, String> params,
                                     Map<String, String> train, SourceProvider provider, FileParser parser) {
        FileParser.Parsed parsed = parser.parse(fileName, text);
        FileLowering f = new FileLowering(provider, parser, parsed.program());
        for (Diagnostic d : parsed.diagnostics()) f.reporter.report(d);
        f.loader.sources.put(fileName, text);
        if (f.reporter.hasErrors()) return f;

        try {
            f.loader.loadPrelude();
        } catch (CompileError e) {
            f.reporter.report(e);
        }
        f.main = f.loader.loadMain(fileName, text, f.program);
        // an imported module with syntax errors: its errors are the report (what would follow is noise)
        if (f.loader.hasBrokenModule()) {
            f.main = null;
            return f;
        }
        Model chosen = f.choose(model, fileName);
        int before = f.reporter.errorCount();
        Map<String, Expr> overrides = f.overrides(params, "param", parser);
        f.trainOverrides = f.overrides(train, "train", parser);
        boolean overridesOk = f.reporter.errorCount() == before;
        if (chosen != null && overridesOk) f.module = ModelLowering.lower(f.in, f.main, chosen, overrides);
        f.checkTrainBlocks();
        if (f.reporter.hasErrors()) f.module = null;
        return f;
    }

    /** The parsed main file. */
    public Ast.Program program() { return program; }

    /** The names of the file's models, in order. */
    public List<String> models() { return List.copyOf(models); }

    /** The lowered model (graphs init, train, eval), or null when there were errors or no model. */
    public Module module() { return module; }

    /** Text of every file read (the main one, its imports, override pseudo-files) by file name. */
    public Map<String, String> sources() { return loader.sources; }

    /** The train settings given from outside, parsed (see {@link #lower}); empty when none were. */
    public Map<String, Expr> trainOverrides() { return trainOverrides; }

    /**
     * The evaluator over the main file's scope, then std.optim's names, for the training-step
     * construction. Only after a lowering that got as far as declaring the file's names.
     */
    public Staging trainStaging() {
        if (main == null) throw new IllegalStateException("the file's names were never declared");
        return new Staging(in, main, loader, List.of(OPTIM));
    }

    public void report(Diagnostic d) { reporter.report(d); }

    public boolean hasErrors() { return reporter.hasErrors(); }

    /** Every diagnostic so far, in the order found. */
    public List<Diagnostic> diagnostics() { return reporter.diagnostics(); }

    /** Parses each override as the value of a const in its own pseudo-file. */
    private Map<String, Expr> overrides(Map<String, String> params, String kind, FileParser parser) {
        Map<String, Expr> out = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            String file = "<" + kind + " " + e.getKey() + ">";
            String text = "const value = " + e.getValue();
            loader.sources.put(file, text);
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

    private Model choose(String name, String fileName) {
        List<Model> all = new ArrayList<>();
        for (Decl d : program.decls()) if (d instanceof Model m) all.add(m);
        if (name == null) return all.isEmpty() ? null : all.get(0);
        for (Model m : all) if (m.name().equals(name)) return m;
        List<String> names = all.stream().map(Model::name).toList();
        Span at = all.isEmpty() ? new Span(fileName, 1, 1, 1) : all.get(0).span();
        String hint = Names.didYouMean(name, names);
        if (hint == null) hint = names.isEmpty() ? fileName + " declares no model" : "models in " + fileName + ": " + String.join(", ", names);
        reporter.report(Diagnostic.error(at, "model '" + name + "' not found in " + fileName, hint));
        return null;
    }

    /** Train blocks must name a model; a step's loss and params must exist in the lowered model. */
    private void checkTrainBlocks() {
        Map<String, Span> seen = new HashMap<>();
        for (Decl d : program.decls()) {
            if (!(d instanceof Train t)) continue;
            Span first = seen.putIfAbsent(t.model(), t.span());
            if (first != null) {
                reporter.report(Diagnostic.error(t.span(), "a second train block for model '" + t.model() + "'", "merge them; use step blocks for several optimizers")
                        .withNote(new Diagnostic.Note(first, "the first one")));
                continue;
            }
            if (!(main.env().local(t.model()) instanceof Val.ModelV)) {
                reporter.report(Diagnostic.error(t.span(), "train block for unknown model '" + t.model() + "'", Names.didYouMean(t.model(), models)));
                continue;
            }
            if (module == null || !module.name().equals(t.model())) continue;
            checkItems(t.items(), module.graph("train").orElseThrow());
        }
    }

    private void checkItems(List<TrainItem> items, Graph train) {
        Set<String> losses = new TreeSet<>();
        for (Graph.Output o : train.outputs()) if (o.role() == Graph.Output.Role.LOSS) losses.add(o.name());
        List<String> params = train.inputs(Value.Role.PARAM).stream().map(Value::name).toList();
        for (TrainItem item : items) {
            if (item instanceof TrainStep s) {
                checkItems(s.items(), train);
                continue;
            }
            TrainSetting s = (TrainSetting) item;
            if (s.name().equals("loss"))
                for (Expr e : s.values()) {
                    String n = dotted(e);
                    if (n != null && !losses.contains(n))
                        reporter.report(Diagnostic.error(e.span(), "the model has no loss named '" + n + "'",
                                Optional.ofNullable(Names.didYouMean(n, losses)).orElse("its losses: " + String.join(", ", losses))));
                }
            if (s.name().equals("params"))
                for (Expr e : s.values()) {
                    String n = dotted(e);
                    if (n != null && params.stream().noneMatch(p -> p.equals(n) || p.startsWith(n + ".")))
                        reporter.report(Diagnostic.error(e.span(), "no parameter of the model is named '" + n + "' or starts with '" + n + ".'",
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
