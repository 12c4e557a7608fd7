package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * fusion: a group of ops that a backend compiles into one kernel. The one region is the fused
 * subgraph, closed like every nested graph: its inputs are the group's external operands (in
 * order) and its outputs are the group's values used outside it (the node's results, in order).
 *
 * <p>Attribute {@code kind} (String): {@code "loop"} for elementwise/injective chains,
 * {@code "input"} for producers fused into a reduction, {@code "output"} for elementwise epilogues
 * on a matmul or convolution. Fusion only regroups ops: running the region is running the ops, so
 * a fused graph computes exactly what the unfused one does.
 */
public final class FusionOp extends OpDef {
    /** The values of the {@code kind} attribute. */
    public static final List<String> KINDS = List.of("loop", "input", "output");

    FusionOp() { super("fusion", Kind.OPAQUE); }

    @Override public int regionCount() { return 1; }

    @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
        Object kind = attrs.get("kind");
        if (!(kind instanceof String k) || !KINDS.contains(k))
            throw new ShapeException("fusion needs a string attribute kind, one of " + KINDS + ", got "
                    + (kind == null ? "none" : Attrs.format(kind)));
        if (regions.size() != 1) throw new ShapeException("fusion takes one nested graph, got " + regions.size());
        Graph body = regions.get(0);
        if (body.inputs().size() != in.size())
            throw new ShapeException("fusion group " + body.name() + " takes " + body.inputs().size() + " inputs but the node passes " + in.size(),
                    "the group's inputs are its external operands, in order");
        for (int i = 0; i < in.size(); i++)
            if (!body.inputs().get(i).type().equals(in.get(i)))
                throw new ShapeException("fusion group " + body.name() + " input " + i + " is " + body.inputs().get(i).type()
                        + " but the node passes " + in.get(i));
        List<TensorType> out = new ArrayList<>();
        for (Graph.Output o : body.outputs()) out.add(o.value().type());
        return out;
    }

    @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
        return ctx.run(regions.get(0), in);
    }

    @Override public List<Value> vjp(VjpContext ctx) {
        throw new IllegalStateException("fusion runs after autodiff; differentiate the unfused graph");
    }
}
