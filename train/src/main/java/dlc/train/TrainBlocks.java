package dlc.train;

import dlc.frontend.Compilation;
import dlc.frontend.ast.Ast;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.passes.autodiff.Autodiff;

import java.util.ArrayList;
import java.util.List;

/**
 * The adapter from a compiled file to what the trainer runs: the {@link TrainPlan} read from the
 * model's {@code train} block, and the step graphs. Settings read here: {@code data NAME} or
 * {@code data NAME(arg=value, ...)}, {@code batch}, {@code epochs}, {@code seed}, {@code validation}
 * (fraction), {@code early_stopping(patience=N, min_delta=X)} (or {@code patience N}),
 * {@code accuracy(OUTPUT, LABEL)}, {@code optimizer NAME(...)} and {@code step NAME { loss L ... }}
 * blocks (run in order, graph {@code step.NAME}). Optimizer details, schedules and clipping are
 * compiled into the step graphs by the lowering; this class does not interpret them.
 *
 * <p>Where the module has no lowered step graph, a plain-SGD step ({@link SgdStepGraph}) is built
 * when the optimizer is {@code sgd} without further arguments than {@code lr}; any other optimizer
 * is an error naming what is missing rather than a silent substitute.
 */
public final class TrainBlocks {
    private TrainBlocks() {}

    /** Learning rate of the SGD fallback when the train block gives none. */
    public static final double DEFAULT_SGD_LR = 0.01;

    /** A plan and the trainer for it. */
    public record Setup(TrainPlan plan, Trainer trainer) {}

    /**
     * The plan of {@code module}'s train block in {@code c} (a {@link TrainException} when there is
     * none), with the block's values; callers apply command-line overrides to {@link TrainPlan#toBuilder()}.
     */
    public static TrainPlan plan(Compilation c, Module module) {
        if (c.train() != null) return TrainConfigs.plan(c.train());
        Ast.Train block = block(c, module.name());
        List<TrainPlan.Step> steps = new ArrayList<>();
        String optimizer = null;
        Double lr = null;
        TrainPlan.Builder b = TrainPlan.builder("unset");
        boolean hasData = false;
        for (Ast.TrainItem item : block.items()) {
            if (item instanceof Ast.TrainStep s) {
                String loss = "loss";
                List<String> params = new ArrayList<>();
                for (Ast.TrainItem si : s.items())
                    if (si instanceof Ast.TrainSetting st && !st.values().isEmpty()) {
                        if (st.name().equals("loss")) loss = text(st.values().get(0));
                        if (st.name().equals("params")) for (Ast.Expr e : st.values()) params.add(text(e));
                    }
                steps.add(new TrainPlan.Step(TrainPlan.STEP + "." + s.name(), loss, params));
                continue;
            }
            Ast.TrainSetting s = (Ast.TrainSetting) item;
            Ast.Expr v = s.values().isEmpty() ? null : s.values().get(0);
            if (v == null) continue;
            switch (s.name()) {
                case "data" -> {
                    if (v instanceof Ast.Call call) {
                        b.dataset(text(call.callee()));
                        int pos = 0;
                        for (Ast.Arg a : call.args()) b.dataArg(a.name() != null ? a.name() : positional(s, pos++), text(a.value()));
                    } else {
                        b.dataset(text(v));
                    }
                    hasData = true;
                }
                case "batch" -> b.batch((int) integer(s, v));
                case "epochs" -> b.epochs((int) integer(s, v));
                case "seed" -> b.seed(integer(s, v));
                case "validation" -> b.validationFraction(number(s, v));
                case "patience" -> b.earlyStopping((int) integer(s, v), 0);
                case "early_stopping" -> {
                    int patience = 5;
                    double minDelta = 0;
                    if (v instanceof Ast.Call call)
                        for (Ast.Arg a : call.args()) {
                            if ("min_delta".equals(a.name())) minDelta = number(s, a.value());
                            else patience = (int) integer(s, a.value());
                        }
                    b.earlyStopping(patience, minDelta);
                }
                case "accuracy" -> {
                    if (!(v instanceof Ast.Call call) || call.args().size() != 2)
                        throw at(s, "accuracy takes (OUTPUT, LABEL), e.g. accuracy(probs, y)");
                    b.accuracy(text(call.args().get(0).value()), text(call.args().get(1).value()));
                }
                case "optimizer" -> {
                    optimizer = v instanceof Ast.Call call ? text(call.callee()) : text(v);
                    if (v instanceof Ast.Call call)
                        for (Ast.Arg a : call.args()) if ("lr".equals(a.name())) lr = number(s, a.value());
                }
                default -> { } // schedule, clip, weight decay, ...: compiled into the step graphs
            }
        }
        if (!hasData) throw new TrainException("the train block of " + module.name() + " (" + block.span().file() + ":" + block.span().line()
                + ") has no data setting; add e.g. data moons(n=512)");
        if (!steps.isEmpty()) b.steps(steps);
        b.optimizer(optimizer == null ? null : optimizer + (lr == null ? "" : "(lr=" + lr + ")"));
        return b.build();
    }

    /**
     * The trainer of {@code plan} for {@code module}: its lowered step graphs, or the SGD fallback
     * (see the class comment) built with the plan's learning rate, else the block's, else
     * {@value #DEFAULT_SGD_LR}.
     */
    public static Trainer trainer(Compilation c, Module module, TrainPlan plan, Executor executor) {
        boolean lowered = plan.steps().stream().allMatch(s -> module.graph(s.graph()).isPresent());
        if (lowered) {
            if (plan.learningRate() != null)
                throw new TrainException("model " + module.name() + " has lowered step graphs: give the learning rate override to the compiler "
                        + "(Frontend.compile's train overrides, key \"lr\"), not to the trainer");
            return Trainer.of(module, plan, executor);
        }
        String opt = plan.optimizer();
        if (plan.steps().size() != 1 || !(opt == null || opt.equals("sgd") || opt.matches("sgd\\(lr=[^,]*\\)")))
            throw new TrainException("model " + module.name() + " has no train-step graph " + plan.steps().stream().map(TrainPlan.Step::graph).toList()
                    + " (graphs: " + module.graphs().stream().map(Graph::name).toList() + "); this build lowers no step graph for optimizer '"
                    + opt + "', only the built-in single-step sgd(lr=...) update is available");
        double lr = plan.learningRate() != null ? plan.learningRate() : blockLr(opt);
        Graph step = SgdStepGraph.build(Trainer.graph(module, "train"), lossOf(Trainer.graph(module, "train")), lr, new Autodiff());
        TrainPlan applied = plan.toBuilder().learningRate(null).build(); // baked into the step graph
        return new Trainer(Trainer.graph(module, "init"), List.of(step), Trainer.graph(module, "eval"), module.name(), applied, executor);
    }

    private static double blockLr(String opt) {
        if (opt != null && opt.startsWith("sgd(lr=")) return Double.parseDouble(opt.substring(7, opt.length() - 1));
        return DEFAULT_SGD_LR;
    }

    private static String lossOf(Graph g) {
        return g.outputs().stream().filter(o -> o.role() == Graph.Output.Role.LOSS).map(Graph.Output::name).findFirst()
                .orElseThrow(() -> new TrainException("graph " + g.name() + " has no loss"));
    }

    /** The model's train block; a {@link TrainException} when the file has none. */
    static Ast.Train block(Compilation c, String model) {
        if (c.program() != null)
            for (Ast.Decl d : c.program().decls())
                if (d instanceof Ast.Train t && t.model().equals(model)) return t;
        throw new TrainException("no train block for model " + model + "; add one, e.g.\n  train " + model + " {\n    data moons(n=512)\n    batch 32\n    epochs 10\n  }");
    }

    private static String positional(Ast.TrainSetting s, int pos) {
        if (pos == 0) return "n";
        throw at(s, "give data set arguments after the first by name, e.g. noise=0.1");
    }

    /** Source text of a literal or name, as {@link Datasets} reads it. */
    private static String text(Ast.Expr e) {
        if (e instanceof Ast.IntLit i) return Long.toString(i.value());
        if (e instanceof Ast.FloatLit f) return f.text();
        if (e instanceof Ast.StringLit s) return s.value();
        if (e instanceof Ast.BoolLit b) return Boolean.toString(b.value());
        if (e instanceof Ast.Name n) return n.name();
        if (e instanceof Ast.Member m) return text(m.target()) + "." + m.name();
        if (e instanceof Ast.Unary u && u.op().equals("-")) return "-" + text(u.operand());
        throw new TrainException(e.span().file() + ":" + e.span().line() + ": expected a literal or a name in the train block");
    }

    private static long integer(Ast.TrainSetting s, Ast.Expr e) {
        try { return Long.parseLong(text(e)); }
        catch (NumberFormatException x) { throw at(s, s.name() + " must be an integer"); }
    }

    private static double number(Ast.TrainSetting s, Ast.Expr e) {
        try { return Double.parseDouble(text(e)); }
        catch (NumberFormatException x) { throw at(s, s.name() + " must be a number"); }
    }

    private static TrainException at(Ast.TrainSetting s, String msg) {
        return new TrainException(s.span().file() + ":" + s.span().line() + ": " + msg);
    }

}
