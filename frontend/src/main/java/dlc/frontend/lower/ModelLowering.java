package dlc.frontend.lower;

import dlc.frontend.ast.Ast.*;
import dlc.frontend.lower.Val.*;
import dlc.ir.Graph;
import dlc.ir.Module;

import java.util.*;

/**
 * Lowers one model into its module: the model body is evaluated twice, with {@code training}
 * true (graph {@code train}, which also holds the updates) and false (graph {@code eval}); the
 * parameters' and state's initializers go into the shared {@code init} graph.
 */
final class ModelLowering {
    private ModelLowering() {}

    /**
     * The module of model, or null when lowering it reported errors. overrides replace the
     * defaults of model parameters (expressions, evaluated like the defaults).
     */
    static Module lower(Interp in, LoadedModule main, Model model, Map<String, Expr> overrides) {
        int before = in.reporter.errorCount();
        Set<String> known = new HashSet<>();
        for (Formal f : model.params()) known.add(f.name());
        for (var e : overrides.entrySet())
            if (!known.contains(e.getKey()))
                in.reporter.report(in.error(e.getValue().span(), "model " + model.name() + " has no parameter '" + e.getKey() + "'",
                        Optional.ofNullable(Names.didYouMean(e.getKey(), known)).orElse(
                                known.isEmpty() ? model.name() + " takes no parameters" : "its parameters: " + String.join(", ", known))).diagnostic());
        Lowering.Init init = new Lowering.Init();
        Graph train = lowerMode(in, main, model, init, true, overrides);
        Graph eval = lowerMode(in, main, model, init, false, overrides);
        if (in.reporter.errorCount() > before) return null;
        return new Module(model.name(), List.of(init.ctx.builder.build(), train, eval));
    }

    private static Graph lowerMode(Interp in, LoadedModule main, Model model, Lowering.Init init, boolean training,
                                   Map<String, Expr> overrides) {
        Lowering low = new Lowering(training, init);
        Frame savedFrame = in.frame;
        in.lowering = low;
        in.ctx = low.root;
        in.frame = Frame.root("", "model");
        try {
            Env env = new Env(main.env());
            for (Formal f : model.params()) {
                try {
                    if (f.dflt() == null)
                        throw in.error(f.span(), "model parameter '" + f.name() + "' needs a default value",
                                "write " + f.name() + (f.type() != null ? ": " + TypePatterns.show(f.type()) : "") + " = <value>");
                    Expr e = overrides.getOrDefault(f.name(), f.dflt());
                    Val v = in.eval(e, env);
                    if (f.type() != null) v = TypePatterns.matchArg(in, f.type(), v, env, e.span(), "model parameter '" + f.name() + "'");
                    env.define(f.name(), v);
                } catch (CompileError e) {
                    in.reporter.report(e);
                    env.define(f.name(), ErrorV.ERROR);
                }
            }
            in.execBlock(model.body(), env, true);
            low.flushSharedUpdates();
            return low.root.builder.build();
        } finally {
            in.lowering = null;
            in.ctx = null;
            in.frame = savedFrame;
        }
    }
}
