package dlc.passes.memory;

import dlc.ir.Graph;
import dlc.ir.TensorType;
import dlc.ir.Value;

import java.util.*;

/**
 * The memory a training step cannot do without, the reference of issue 4's target (peak memory
 * within 1.5x of it): its parameters, one gradient per parameter, its state (optimizer state such
 * as Adam's m and v, the step counter, and any model state) and the largest set of activations
 * live at once.
 *
 * <p>Activations are measured on a {@link MemoryPlan} of the step: at each position, the bytes of
 * the live values that are neither a param or state input, nor an UPDATE output, nor of the type
 * of a parameter (gradients and the optimizer's per-parameter temporaries, which the other terms
 * stand for); the largest such sum over all positions. The batch inputs (x, y) are activations.
 *
 * @param params      bytes of the PARAM inputs
 * @param gradients   bytes of one gradient per parameter (equal to {@code params})
 * @param state       bytes of the STATE inputs
 * @param activations the most activation bytes live at once
 */
public record StepMemory(long params, long gradients, long state, long activations) {
    /** The reference sum. */
    public long sum() { return params + gradients + state + activations; }

    /** Whether {@code g} looks like a training step: it has parameters and updates some of them. */
    public static boolean isTrainingStep(Graph g) {
        return !g.inputs(Value.Role.PARAM).isEmpty() && g.outputs().stream().anyMatch(o -> o.role() == Graph.Output.Role.UPDATE);
    }

    /** The reference of the planned graph under a layout's binding. */
    public static StepMemory of(MemoryPlan.Layout layout) {
        MemoryPlan p = layout.plan();
        Graph g = p.graph();
        long params = 0, state = 0;
        Set<TensorType> paramTypes = new HashSet<>();
        for (Value v : g.inputs(Value.Role.PARAM)) {
            params += layout.bytes().get(v);
            paramTypes.add(v.type());
        }
        for (Value v : g.inputs(Value.Role.STATE)) state += layout.bytes().get(v);
        Set<Value> excluded = Collections.newSetFromMap(new IdentityHashMap<>());
        excluded.addAll(g.inputs(Value.Role.PARAM));
        excluded.addAll(g.inputs(Value.Role.STATE));
        for (Graph.Output o : g.outputs()) if (o.role() == Graph.Output.Role.UPDATE) excluded.add(o.value());
        long activations = 0;
        for (int pos = -1; pos < g.nodes().size(); pos++) {
            long sum = 0;
            for (Map.Entry<Value, MemoryPlan.Interval> e : p.live().entrySet()) {
                Value v = e.getKey();
                MemoryPlan.Interval iv = e.getValue();
                if (excluded.contains(v) || paramTypes.contains(v.type()) || iv.start() > pos || pos > iv.end()) continue;
                sum += layout.bytes().get(v);
            }
            activations = Math.max(activations, sum);
        }
        return new StepMemory(params, params, state, activations);
    }
}
