package dlc.frontend.lower;

import dlc.frontend.ast.Ast.*;
import dlc.frontend.lower.Val.*;
import dlc.ir.Graph;
import dlc.ir.Module;

import java.util.List;

/**
 * Lowers one model into its module: the model body is evaluated twice, with {@code training}
 * true (graph {@code train}, which also holds the updates) and false (graph {@code eval}); the
 * parameters' and state's initializers go into the shared {@code init} graph.
 */
final class ModelLowering {
    private ModelLowering() {}

    /** The module of model, or null when lowering it reported errors. */
    static Module lower(Interp in, LoadedModule main, Model model) {
        int before = in.reporter.errorCount();
        Lowering.Init init = new Lowering.Init();
        Graph train = lowerMode(in, main, model, init, true);
        Graph eval = lowerMode(in, main, model, init, false);
        if (in.reporter.errorCount() > before) return null;
        return new Module(model.name(), List.of(init.ctx.builder.build(), train, eval));
    }

    private static Graph lowerMode(Interp in, LoadedModule main, Model model, Lowering.Init init, boolean training) {
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
                    Val v = in.eval(f.dflt(), env);
                    if (f.type() != null) v = TypePatterns.matchArg(in, f.type(), v, env, f.dflt().span(), "model parameter '" + f.name() + "'");
                    env.define(f.name(), v);
                } catch (CompileError e) {
                    in.reporter.report(e);
                    env.define(f.name(), ErrorV.ERROR);
                }
            }
            in.execBlock(model.body(), env, true);
            return low.root.builder.build();
        } finally {
            in.lowering = null;
            in.ctx = null;
            in.frame = savedFrame;
        }
    }
}
