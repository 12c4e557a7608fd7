package dlc.frontend.train;

import dlc.frontend.ast.Ast.Train;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.CompileError;
import dlc.frontend.lower.StagedGraph;
import dlc.frontend.lower.Staging;
import dlc.frontend.lower.Val;
import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.Module;

import java.util.*;

/**
 * Training-step construction: from a lowered model (graphs {@code init}, {@code train},
 * {@code eval}) and its {@code train} block, a module that also holds one graph per step
 * ({@code step}, or {@code step.NAME} per step block) and an init graph that also initializes
 * every optimizer state ({@code opt.PARAM.i}, or {@code opt.STEP.PARAM.i}) and the i64[]
 * iteration counter {@code step}; plus the {@link TrainPlan} the trainer runs.
 *
 * <p>A step graph recomputes the train-mode forward, differentiates the step's loss w.r.t. the
 * step's params (reverse mode, {@code dlc.passes.autodiff}), clips the gradients, and calls the
 * optimizer's {@code update} (.dl code, staged into the graph) per param. See {@link TrainPlan}
 * for how a trainer runs it and docs/language.md ("Training") for the settings.
 */
public final class TrainLowering {
    /** The module with the step graphs, and the description of the run the trainer reads. */
    public record Result(Module module, TrainPlan plan) {}

    private TrainLowering() {}

    /**
     * Lowers block for module (a model lowered without errors); null when mistakes were reported
     * through staging.
     */
    public static Result lower(Staging staging, Train block, Module module) { return lower(staging, block, module, Map.of()); }

    /**
     * As above, with settings given from outside (the command line): setting name to expression
     * replacing the block's setting, and {@code lr} replacing every optimizer's {@code lr}
     * argument (see {@link TrainOverrides}).
     */
    public static Result lower(Staging staging, Train block, Module module, Map<String, dlc.frontend.ast.Ast.Expr> overrides) {
        int before = staging.errorCount();
        block = TrainOverrides.apply(staging, block, overrides);
        if (block == null) return null;
        BlockSettings plan = TrainSettings.read(staging, block);
        if (plan == null) return null;
        Graph train = module.graph("train").orElseThrow();
        Graph init = module.graph("init").orElseThrow();
        Model model = new Model(train);
        List<StepSets> sets = StepSets.resolve(staging, plan, model);
        TrainPlan.Metric metric = Metrics.resolve(staging, plan.metric(), train, block.span());
        if (staging.errorCount() > before) return null;
        try {
            OptimizerState states = new OptimizerState(plan, sets);
            Graph newInit = states.initGraph(staging, init);
            List<Graph> graphs = new ArrayList<>(List.of(newInit, train, module.graph("eval").orElseThrow()));
            List<TrainPlan.Step> steps = new ArrayList<>();
            for (int k = 0; k < sets.size(); k++) {
                StepSets s = sets.get(k);
                String graphName = plan.named() ? TrainPlan.STEP + "." + s.plan().name() : TrainPlan.STEP;
                graphs.add(new StepGraph(staging, model, s, states, k, k == sets.size() - 1).build(graphName));
                steps.add(new TrainPlan.Step(s.plan().name(), graphName, s.loss(), s.params(), states.namesOf(s), s.rules()));
            }
            TrainPlan run = new TrainPlan(module.name(), plan.data(), plan.test(), plan.normalize(), plan.batch(), plan.epochs(), plan.seed(),
                    plan.validation(), plan.patience(), plan.minDelta(), steps, metric);
            return new Result(new Module(module.name(), graphs), run);
        } catch (CompileError e) {
            staging.report(e);
            return null;
        }
    }

    /** The train graph read by role: params, state, the updates its {@code <-} rules make, losses. */
    static final class Model {
        final Graph train;
        final List<String> params = new ArrayList<>();
        final Set<String> states = new LinkedHashSet<>();
        final Map<String, Graph.Output> paramRules = new LinkedHashMap<>();
        final Map<String, Graph.Output> stateUpdates = new LinkedHashMap<>();
        final Set<String> losses = new LinkedHashSet<>();

        Model(Graph train) {
            this.train = train;
            for (Value v : train.inputs(Value.Role.PARAM)) params.add(v.name());
            for (Value v : train.inputs(Value.Role.STATE)) states.add(v.name());
            for (Graph.Output o : train.outputs()) {
                if (o.role() == Graph.Output.Role.LOSS) losses.add(o.name());
                if (o.role() != Graph.Output.Role.UPDATE) continue;
                if (states.contains(o.name())) stateUpdates.put(o.name(), o);
                else paramRules.put(o.name(), o);
            }
        }

        Value param(String name) { return train.input(name).orElseThrow(); }
    }

    /** One node of op in g with these operands; its (only) result. */
    static Value emit(StagedGraph g, SourceLoc loc, OpDef op, Attrs attrs, Value... operands) {
        return g.emit(loc, op, attrs, List.of(), List.of(operands)).get(0);
    }

    /** a span's location in IR form, for nodes this pass adds. */
    static SourceLoc loc(Span span) { return span.loc(); }

    /** The value of a staged call as a tensor, or a CompileError naming what came back. */
    static Value tensor(Staging staging, Val v, Span span, String what) {
        if (v instanceof TensorV t) return t.v();
        throw staging.error(span, what + " must be a tensor, got " + v.describe(), null);
    }
}
