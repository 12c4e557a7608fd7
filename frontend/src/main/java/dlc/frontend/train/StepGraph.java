package dlc.frontend.train;

import dlc.frontend.ast.Span;
import dlc.frontend.lower.StagedGraph;
import dlc.frontend.lower.Staging;
import dlc.frontend.lower.Val;
import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.passes.autodiff.Autodiff;
import dlc.passes.autodiff.GradientException;

import java.util.*;

/**
 * Builds one step's graph: the train graph with gradients (its inputs: the model's inputs,
 * {@code rng}, params and model state), plus optimizer-state inputs and the counter
 * {@code step}; then clipping, the optimizer's update per param and the schedule factor.
 * Outputs: LOSS (the step's loss), the model's OUTPUTs, and UPDATEs of the optimized params,
 * their optimizer state, the model state ({@code <-} on state, e.g. batch-norm statistics), the
 * params the step's rules update, and (last step only) {@code step + 1}.
 */
final class StepGraph {
    private final Staging staging;
    private final TrainLowering.Model model;
    private final StepSets sets;
    private final OptimizerState states;
    private final int index;
    private final boolean last;
    private final BlockSettings.StepPlan plan;
    private StagedGraph g;
    private final Map<DType, Value> tByDType = new EnumMap<>(DType.class);
    private Value counter;

    StepGraph(Staging staging, TrainLowering.Model model, StepSets sets, OptimizerState states, int index, boolean last) {
        this.staging = staging;
        this.model = model;
        this.sets = sets;
        this.states = states;
        this.index = index;
        this.last = last;
        this.plan = sets.plan();
    }

    Graph build(String name) {
        Graph train = model.train;
        Graph src = sets.params().isEmpty() ? train : gradients(train);
        g = staging.graph(name);
        Map<Value, Value> pre = new IdentityHashMap<>();
        Optional<Value> rng = src.input("rng");
        if (rng.isPresent() && index > 0) {
            // later steps of an iteration draw other numbers than the first from the same key
            Value key = g.input("rng", rng.get().type(), rng.get().role());
            pre.put(rng.get(), TrainLowering.emit(g, plan.span().loc(), Ops.RNG_FOLD, Attrs.of("salt", (long) index), key));
        }
        Map<Value, Value> m = GraphCopy.copy(src, g, pre);
        Map<String, OptimizerState.Slot> slots = states.slotsOf(sets);
        Map<String, Value> stateIn = new LinkedHashMap<>();
        for (OptimizerState.Slot slot : slots.values())
            for (int i = 0; i < slot.names().size(); i++)
                stateIn.put(slot.names().get(i), g.input(slot.names().get(i), slot.types().get(i), Value.Role.STATE));
        counter = g.input(TrainPlan.STEP_COUNTER, TensorType.scalar(DType.I64), Value.Role.STATE);

        // src (the gradient graph) keeps the train graph's outputs, in order, then adds GRADs
        if (sets.loss() != null) g.output(sets.loss(), Graph.Output.Role.LOSS, m.get(output(src, Graph.Output.Role.LOSS, sets.loss())));
        for (Graph.Output o : src.outputs())
            if (o.role() == Graph.Output.Role.OUTPUT) g.output(o.name(), o.role(), m.get(o.value()));

        if (!sets.params().isEmpty()) optimize(src, m, slots, stateIn);
        for (String s : model.stateUpdates.keySet()) g.output(s, Graph.Output.Role.UPDATE, m.get(output(src, Graph.Output.Role.UPDATE, s)));
        for (String p : sets.rules()) g.output(p, Graph.Output.Role.UPDATE, m.get(output(src, Graph.Output.Role.UPDATE, p)));
        if (last) {
            Value one = TrainLowering.emit(g, plan.span().loc(), Ops.CONSTANT, Attrs.of("dtype", DType.I64, "shape", Shape.SCALAR, "values", List.of(1.0)));
            g.output(TrainPlan.STEP_COUNTER, Graph.Output.Role.UPDATE, TrainLowering.emit(g, plan.span().loc(), Ops.ADD, Attrs.EMPTY, counter, one));
        }
        return g.build();
    }

    /** The train graph with the gradients of the step's loss; autodiff's refusals become diagnostics. */
    private Graph gradients(Graph train) {
        try {
            return new Autodiff().gradients(train, sets.loss(), sets.params());
        } catch (GradientException e) {
            // at the forward op whose gradient rule refused, not at the loss
            throw staging.error(new Span(e.loc().file(), e.loc().line(), e.loc().col(), 1),
                    "cannot differentiate loss '" + sets.loss() + "' for step '" + plan.name() + "': " + e.detail(), e.hint());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw staging.error(plan.lossSpan(), "cannot differentiate loss '" + sets.loss() + "' for step '" + plan.name() + "': " + e.getMessage(), null);
        }
    }

    private void optimize(Graph src, Map<Value, Value> m, Map<String, OptimizerState.Slot> slots, Map<String, Value> stateIn) {
        BlockSettings.Optimizer opt = plan.optimizer();
        List<Value> grads = new ArrayList<>();
        for (String p : sets.params()) {
            grads.add(m.get(output(src, Graph.Output.Role.GRAD, p)));
        }
        grads = clip(grads);
        for (int i = 0; i < sets.params().size(); i++) {
            String p = sets.params().get(i);
            Value param = m.get(src.input(p).orElseThrow());
            OptimizerState.Slot slot = slots.get(p);
            List<Value> before = slot.names().stream().map(stateIn::get).toList();
            Value t = t(param.type().dtype());
            Val r = g.call(opt.update(), List.of(new TensorV(param), new TensorV(grads.get(i)), OptimizerState.pack(slot, before), new TensorV(t)),
                    opt.span(), "optim:" + plan.name() + ":" + p);
            if (!(r instanceof SeqV pair) || pair.items().size() != 2)
                throw staging.error(opt.span(), "the optimizer's update must return (new_param, new_state), got " + r.describe() + " for '" + p + "'", null);
            Value next = checked(pair.items().get(0), param.type(), "the new value of '" + p + "'");
            if (plan.schedule() != null) {
                Val factor = g.call(plan.schedule(), List.of(new TensorV(t)), plan.scheduleSpan(), "schedule:" + plan.name());
                Val scaled = g.call(helper("scheduled"), List.of(new TensorV(param), new TensorV(next), factor), plan.scheduleSpan(), "schedule:" + plan.name());
                next = checked(scaled, param.type(), "the scheduled value of '" + p + "'");
            }
            g.output(p, Graph.Output.Role.UPDATE, next);
            Val after = pair.items().get(1);
            List<Value> afterValues = stateValues(after, slot, p);
            for (int k = 0; k < afterValues.size(); k++) g.output(slot.names().get(k), Graph.Output.Role.UPDATE, afterValues.get(k));
        }
    }

    private static Value output(Graph src, Graph.Output.Role role, String name) {
        return src.outputs().stream().filter(o -> o.role() == role && o.name().equals(name)).findFirst().orElseThrow().value();
    }

    /** Gradients after the step's clipping (global norm or value); as they are without it. */
    private List<Value> clip(List<Value> grads) {
        BlockSettings.Clip c = plan.clip();
        if (c == null || grads.isEmpty()) return grads;
        Span at = c.span();
        List<Value> out = new ArrayList<>();
        if (!c.byNorm()) {
            for (Value gr : grads) out.add(checked(g.call(helper("clip_by_value"), List.of(new TensorV(gr), new FloatV(c.c())), at, "clip"), gr.type(), "a clipped gradient"));
            return out;
        }
        List<Val> squares = new ArrayList<>();
        for (Value gr : grads) squares.add(g.call(helper("squared_norm"), List.of(new TensorV(gr), new TensorV(grads.get(0))), at, "clip"));
        Val factor = g.call(helper("global_norm_scale"), List.of(new SeqV(squares, true), new FloatV(c.c())), at, "clip");
        for (Value gr : grads) out.add(checked(g.call(helper("scale_by"), List.of(new TensorV(gr), factor), at, "clip"), gr.type(), "a clipped gradient"));
        return out;
    }

    /** t = step + 1 as a scalar of dtype (the optimizer sees it in its param's dtype). */
    private Value t(DType dtype) {
        return tByDType.computeIfAbsent(dtype, d -> {
            SourceLoc at = plan.span().loc();
            Value one = TrainLowering.emit(g, at, Ops.CONSTANT, Attrs.of("dtype", DType.I64, "shape", Shape.SCALAR, "values", List.of(1.0)));
            return TrainLowering.emit(g, at, Ops.CAST, Attrs.of("dtype", d), TrainLowering.emit(g, at, Ops.ADD, Attrs.EMPTY, counter, one));
        });
    }

    private List<Value> stateValues(Val after, OptimizerState.Slot slot, String p) {
        String what = "the optimizer's new state for '" + p + "'";
        boolean shapeOk = switch (slot.kind()) {
            case NONE -> after instanceof NoneV || (after instanceof SeqV s0 && s0.items().isEmpty());
            case TENSOR -> after instanceof TensorV;
            case SEQ -> after instanceof SeqV s && s.items().size() == slot.names().size();
        };
        if (!shapeOk)
            throw staging.error(plan.optimizer().span(), what + " is " + after.describe() + ", but init gave " + slot.names().size() + " tensor(s)",
                    "update(p, g, state, t) returns (new_p, state) with state shaped as init(p) returned it");
        List<Value> out = new ArrayList<>();
        List<Val> items = after instanceof SeqV s ? s.items() : after instanceof NoneV ? List.of() : List.of(after);
        for (int k = 0; k < items.size(); k++) out.add(checked(items.get(k), slot.types().get(k), what + " (item " + k + ")"));
        return out;
    }

    /** v as a tensor of exactly type want (a number is not enough: state and params keep their type). */
    private Value checked(Val v, TensorType want, String what) {
        Value x = TrainLowering.tensor(staging, v, plan.optimizer() != null ? plan.optimizer().span() : plan.span(), what);
        if (!x.type().equals(want))
            throw staging.error(plan.optimizer() != null ? plan.optimizer().span() : plan.span(), what + " is " + x.type() + " but must be " + want,
                    "an optimizer keeps each param's and state's dtype and shape");
        return x;
    }

    /** A function of std.optim that this pass calls (clipping, scheduling). */
    private FnV helper(String name) {
        if (staging.member("std.optim", name) instanceof FnV f) return f;
        throw new IllegalStateException("std.optim has no function '" + name + "' (the stdlib module is missing or out of date)");
    }
}
