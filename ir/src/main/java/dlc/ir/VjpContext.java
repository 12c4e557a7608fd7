package dlc.ir;

import dlc.ir.ops.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * What an op's vector-Jacobian product sees while autodiff builds the gradient graph: a builder
 * for that graph, the node's operands and results as values of it, and the cotangent of each
 * result. A VJP is written with primitive ops through {@link #op}, so the gradient graph is an
 * ordinary graph that autodiff can differentiate again (second order).
 */
public final class VjpContext {
    /** Differentiates a nested graph (a scan body); supplied by the autodiff pass. */
    @FunctionalInterface
    public interface BodyDifferentiator {
        /**
         * A graph taking {@code body inputs ++ cotangents of body outputs} and returning the
         * cotangent of every body input, in order (zeros where no gradient flows).
         */
        Graph vjpGraph(Graph body);
    }

    private final GraphBuilder builder;
    private final Node node;
    private final List<Value> inputs;
    private final List<Value> outputs;
    private final List<Value> cotangents;
    private final BodyDifferentiator bodies;

    public VjpContext(GraphBuilder builder, Node node, List<Value> inputs, List<Value> outputs, List<Value> cotangents,
                      BodyDifferentiator bodies) {
        this.builder = builder;
        this.node = node;
        this.inputs = inputs;
        this.outputs = outputs;
        this.cotangents = cotangents;
        this.bodies = bodies;
    }

    public GraphBuilder builder() { return builder; }

    public Attrs attrs() { return node.attrs(); }

    public List<Graph> regions() { return node.regions(); }

    /** Operand i of the node, as a value of the gradient graph. */
    public Value input(int i) { return inputs.get(i); }

    public int inputCount() { return inputs.size(); }

    /** Result i of the node, as a value of the gradient graph (reusable, no recomputation). */
    public Value output(int i) { return outputs.get(i); }

    public int outputCount() { return outputs.size(); }

    /** The cotangent of result i, materialized as zeros when no gradient reached it. */
    public Value cotangent(int i) {
        Value g = cotangents.get(i);
        return g != null ? g : zerosLike(outputs.get(i));
    }

    /** Whether any gradient reached result i (so rules may skip work for unused results). */
    public boolean hasCotangent(int i) { return cotangents.get(i) != null; }

    public BodyDifferentiator bodies() { return bodies; }

    public Value op(OpDef op, Attrs attrs, Value... operands) { return builder.op(op, attrs, operands); }

    public Value op(OpDef op, Value... operands) { return builder.op(op, Attrs.EMPTY, operands); }

    /** A rank-0 constant. */
    public Value scalar(double v, DType dtype) {
        return builder.op(Ops.CONSTANT, Attrs.of("dtype", dtype, "shape", Shape.SCALAR, "values", List.of(v)));
    }

    /** A constant shaped and typed like {@code like} (broadcast from a scalar, so symbolic shapes work). */
    public Value fill(double v, Value like) {
        return builder.op(Ops.BROADCAST_TO, Attrs.of("shape", like.type().shape()), scalar(v, like.type().dtype()));
    }

    public Value zerosLike(Value like) { return fill(0, like); }

    /**
     * Sums {@code g} (of a broadcast result's shape) down to {@code target}: over the leading axes
     * broadcasting added and over the axes where target has a literal 1; the VJP of broadcasting.
     */
    public Value sumToShape(Value g, Shape target) {
        Shape s = g.type().shape();
        if (s.equals(target)) return g;
        int off = s.rank() - target.rank();
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
            if (i < off) axes.add((long) i);
            else {
                Dim t = target.dim(i - off);
                if (t.isConst() && t.value() == 1 && !s.dim(i).equals(t)) axes.add((long) i);
            }
        }
        Value r = axes.isEmpty() ? g : builder.op(Ops.SUM, Attrs.of("axes", axes, "keepdims", false), g);
        return r.type().shape().equals(target) ? r : builder.op(Ops.RESHAPE, Attrs.of("shape", target), r);
    }
}
