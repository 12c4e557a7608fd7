package dlc.train;

import dlc.ir.Graph;
import dlc.ir.GraphBuilder;
import dlc.ir.Node;
import dlc.ir.Value;
import dlc.ir.ops.Ops;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finite differences that agree with {@code stop_gradient}'s meaning. Autodiff treats the value of
 * a {@code stop_gradient} as a constant; plain finite differences do not (a GAN's discriminator loss
 * sees the generator through one, an RBM's CD loss its Gibbs sample). This pair of graphs lets a
 * check hold those values fixed: {@link #probe} computes the graph's outputs plus every top-level
 * stop_gradient value ({@code __frozen.K}); {@link #frozen} takes those values as inputs instead of
 * computing them. The frozen graph at the probed values is the function autodiff differentiates.
 */
record FrozenStopGradients(Graph probe, Graph frozen, List<String> names) {
    static FrozenStopGradients of(Graph g) {
        GraphBuilder probe = new GraphBuilder(g.name()), frozen = new GraphBuilder(g.name() + ".frozen");
        Map<Value, Value> pm = new IdentityHashMap<>(), fm = new IdentityHashMap<>();
        for (Value v : g.inputs()) {
            pm.put(v, probe.input(v.name(), v.type(), v.role()));
            fm.put(v, frozen.input(v.name(), v.type(), v.role()));
        }
        List<String> names = new ArrayList<>();
        List<Value> probed = new ArrayList<>();
        for (Node n : g.nodes()) {
            Value p = copy(probe, n, pm);
            if (n.op() == Ops.STOP_GRADIENT) {
                String name = "__frozen." + names.size();
                names.add(name);
                probed.add(p);
                fm.put(n.output(), frozen.input(name, n.output().type(), Value.Role.INPUT));
            } else {
                copy(frozen, n, fm);
            }
        }
        for (Graph.Output o : g.outputs()) {
            probe.output(o.name(), o.role(), pm.get(o.value()));
            frozen.output(o.name(), o.role(), fm.get(o.value()));
        }
        for (int i = 0; i < names.size(); i++) probe.output(names.get(i), Graph.Output.Role.OUTPUT, probed.get(i));
        return new FrozenStopGradients(probe.build(), frozen.build(), names);
    }

    /** Copies node {@code n} into {@code b} with operands mapped by {@code map}; returns its first result. */
    private static Value copy(GraphBuilder b, Node n, Map<Value, Value> map) {
        List<Value> ins = n.inputs().stream().map(map::get).toList();
        List<Value> outs = b.op(n.op(), n.attrs(), n.regions(), ins, n.outputs().stream().map(Value::name).toList());
        for (int i = 0; i < outs.size(); i++) map.put(n.outputs().get(i), outs.get(i));
        return outs.isEmpty() ? null : outs.get(0);
    }
}
