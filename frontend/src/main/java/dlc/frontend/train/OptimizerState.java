package dlc.frontend.train;

import dlc.frontend.lower.StagedGraph;
import dlc.frontend.lower.Staging;
import dlc.frontend.lower.Val;
import dlc.frontend.lower.Val.*;
import dlc.ir.*;

import dlc.ir.ops.Ops;

import java.util.*;

/**
 * The optimizer state of every (step, param): its tensors' names and types, and the structure
 * the optimizer's functions exchange it in (none, one tensor, or a tuple / list of tensors).
 * Built by calling each optimizer's {@code init(p)} on the param's initial value in the init graph.
 */
final class OptimizerState {
    /** One param's state: the names of its tensors (init outputs, step-graph inputs) and their types. */
    record Slot(List<String> names, List<TensorType> types, Kind kind, boolean list) {}

    enum Kind { NONE, TENSOR, SEQ }

    private final BlockSettings plan;
    private final List<StepSets> sets;
    private final Map<StepSets, Map<String, Slot>> slots = new IdentityHashMap<>();

    OptimizerState(BlockSettings plan, List<StepSets> sets) {
        this.plan = plan;
        this.sets = sets;
    }

    /** init plus every optimizer state (optimizer init on the param's initial value) and the counter (0). */
    Graph initGraph(Staging staging, Graph init) {
        StagedGraph g = staging.graph(init.name());
        Map<Value, Value> m = GraphCopy.copy(init, g, Map.of());
        for (Graph.Output o : init.outputs()) g.output(o.name(), o.role(), m.get(o.value()));
        for (StepSets s : sets) {
            BlockSettings.Optimizer opt = s.plan().optimizer();
            if (opt == null) continue;
            Map<String, Slot> bySlot = new LinkedHashMap<>();
            for (String p : s.params()) {
                Value p0 = m.get(init.output(p).orElseThrow().value());
                Val st = g.call(opt.init(), List.of(new TensorV(p0)), opt.span(), "optim:" + s.plan().name() + ":" + p + ":init");
                Slot slot = slot(staging, st, opt, p, s);
                List<Value> values = flatten(st);
                for (int i = 0; i < values.size(); i++) g.output(slot.names().get(i), Graph.Output.Role.OUTPUT, values.get(i));
                bySlot.put(p, slot);
            }
            slots.put(s, bySlot);
        }
        SourceLoc at = plan.steps().get(0).span().loc();
        Value zero = TrainLowering.emit(g, at, Ops.CONSTANT, Attrs.of("dtype", DType.I64, "shape", Shape.SCALAR, "values", List.of(0.0)));
        g.output(TrainPlan.STEP_COUNTER, Graph.Output.Role.OUTPUT, zero);
        return g.build();
    }

    private Slot slot(Staging staging, Val st, BlockSettings.Optimizer opt, String param, StepSets s) {
        String prefix = "opt." + (plan.named() ? s.plan().name() + "." : "") + param + ".";
        Kind kind;
        boolean list = false;
        List<Value> values;
        if (st instanceof NoneV) kind = Kind.NONE;
        else if (st instanceof TensorV) kind = Kind.TENSOR;
        else if (st instanceof SeqV seq && seq.items().stream().allMatch(x -> x instanceof TensorV)) {
            kind = Kind.SEQ;
            list = seq.list();
        } else
            throw staging.error(opt.span(), "the optimizer's init gave " + st.describe() + " for '" + param + "'",
                    "init(p) returns its state: none, a tensor, or a tuple of tensors");
        values = flatten(st);
        List<String> names = new ArrayList<>();
        List<TensorType> types = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            names.add(prefix + i);
            TensorType t = values.get(i).type();
            if (!t.shape().isConcrete())
                throw staging.error(opt.span(), "optimizer state " + prefix + i + " has shape " + t.shape() + ", which is not known at compile time", null);
            types.add(t);
        }
        return new Slot(names, types, kind, list);
    }

    static List<Value> flatten(Val v) {
        if (v instanceof NoneV) return List.of();
        if (v instanceof TensorV t) return List.of(t.v());
        List<Value> out = new ArrayList<>();
        for (Val x : ((SeqV) v).items()) out.add(((TensorV) x).v());
        return out;
    }

    /** The state as the optimizer's functions take it, from its tensors. */
    static Val pack(Slot slot, List<Value> values) {
        return switch (slot.kind()) {
            case NONE -> NoneV.NONE;
            case TENSOR -> new TensorV(values.get(0));
            case SEQ -> new SeqV(values.stream().map(v -> (Val) new TensorV(v)).toList(), slot.list());
        };
    }

    Map<String, Slot> slotsOf(StepSets s) { return slots.getOrDefault(s, Map.of()); }

    List<String> namesOf(StepSets s) {
        List<String> out = new ArrayList<>();
        for (Slot slot : slotsOf(s).values()) out.addAll(slot.names());
        return out;
    }
}
