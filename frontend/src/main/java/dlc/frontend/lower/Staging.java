package dlc.frontend.lower;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Ast.Expr;
import dlc.frontend.ast.Span;

import java.util.List;

/**
 * The evaluator as seen from outside this package, for passes of the front end that build graphs
 * with .dl code after a model is lowered (the training-step construction in
 * {@code dlc.frontend.train}): evaluate expressions in a file's scope, and stage calls of function
 * values into a new graph ({@link StagedGraph#call}). It reuses the evaluator, so a staged call
 * behaves exactly like the same call in a model: defs inline, tensor operations become nodes,
 * mistakes become diagnostics with the call chain.
 */
public final class Staging {
    final Interp in;
    private final Env scope;
    private final java.util.Map<String, LoadedModule> modules = new java.util.HashMap<>();

    /**
     * @param scopeModules modules (such as std.optim) whose names are visible after the main
     *                     file's own, in order; missing ones are skipped
     */
    Staging(Interp in, LoadedModule main, ModuleLoader loader, List<List<String>> scopeModules) {
        this.in = in;
        this.scope = new Env(main.env());
        for (List<String> path : scopeModules) {
            LoadedModule m = loader.module(path);
            if (m == null) continue;
            modules.put(String.join(".", path), m);
            for (var e : m.exports().entrySet())
                if (scope.lookup(e.getKey()) == null) scope.define(e.getKey(), e.getValue());
        }
    }

    /** The scope expressions are evaluated in: the main file's names, then those of the scope modules. */
    public Env scope() { return scope; }

    /**
     * Evaluates e in {@link #scope()} at compile time (no graph: tensor operations are an error).
     *
     * @throws CompileError for a mistake in e (report it with {@link #report})
     */
    public Val eval(Expr e) {
        Frame saved = in.frame;
        in.frame = Frame.root("", "settings");
        try {
            return in.eval(e, scope);
        } finally {
            in.frame = saved;
        }
    }

    /** The top-level value name of a scope module (e.g. std.optim's clip_by_value), or null. */
    public Val member(String module, String name) {
        LoadedModule m = modules.get(module);
        return m == null ? null : m.env().local(name);
    }

    /** A new, empty graph whose nodes may come from copies, direct emission and staged calls. */
    public StagedGraph graph(String name) { return new StagedGraph(this, GraphCtx.root(name)); }

    /** An error diagnostic at span, as a throwable that {@link #report} accepts. */
    public CompileError error(Span span, String message, String hint) {
        return new CompileError(Diagnostic.error(span, message, hint));
    }

    public void report(CompileError e) { in.reporter.report(e); }

    public void report(Diagnostic d) { in.reporter.report(d); }

    /** The number of errors reported so far in this compilation. */
    public int errorCount() { return in.reporter.errorCount(); }

    /** A "did you mean" hint for name among candidates, or null when nothing is close. */
    public static String didYouMean(String name, java.util.Collection<String> candidates) { return Names.didYouMean(name, candidates); }
}
