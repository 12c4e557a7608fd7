package dlc.train;

import dlc.frontend.train.TrainPlan;
import dlc.ir.Attrs;
import dlc.ir.Graph;
import dlc.ir.GraphBuilder;
import dlc.ir.Node;
import dlc.ir.Shape;
import dlc.ir.Value;
import dlc.ir.ops.Ops;
import dlc.passes.autodiff.Autodiff;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain-SGD train-step graph built from a model's {@code train} graph: the loss and outputs of
 * the model, the gradient of the loss w.r.t. every parameter (by {@link Autodiff}), and an UPDATE
 * output {@code p - lr * dL/dp} per parameter. It follows the step-graph contract the trainer runs
 * ({@link Trainer}), so tests exercise the loop on models without a train block, with an update
 * they can check by hand.
 */
final class SgdStepGraph {
    private SgdStepGraph() {}

    /** The step graph of {@code train} with learning rate {@code lr}, gradients by {@code autodiff}. */
    static Graph build(Graph train, String loss, double lr, Autodiff autodiff) {
        List<String> params = train.inputs(Value.Role.PARAM).stream().map(Value::name).toList();
        Graph grads = autodiff.gradients(train, loss, params);
        GraphBuilder b = new GraphBuilder(TrainPlan.STEP);
        Map<Value, Value> map = new IdentityHashMap<>();
        for (Value v : grads.inputs()) map.put(v, b.input(v.name(), v.type(), v.role()));
        for (Node n : grads.nodes()) {
            List<Value> ins = n.inputs().stream().map(map::get).toList();
            List<String> names = n.outputs().stream().map(Value::name).toList();
            List<Value> outs = b.op(n.op(), n.attrs(), n.regions(), ins, names);
            for (int i = 0; i < outs.size(); i++) map.put(n.outputs().get(i), outs.get(i));
        }
        for (Graph.Output o : grads.outputs()) {
            if (o.role() != Graph.Output.Role.GRAD) {
                b.output(o.name(), o.role(), map.get(o.value()));
                continue;
            }
            Value p = map.get(grads.input(o.name()).orElseThrow());
            Value rate = b.op(Ops.CONSTANT, Attrs.of("dtype", p.type().dtype(), "shape", Shape.SCALAR, "values", List.of(lr)));
            Value next = b.op(Ops.SUB, p, b.op(Ops.MUL, rate, map.get(o.value())));
            b.output(o.name(), Graph.Output.Role.UPDATE, next);
        }
        return b.build();
    }
}
