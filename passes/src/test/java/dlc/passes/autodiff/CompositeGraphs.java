package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.ir.testing.RandomGraphs;

import java.util.*;

/**
 * Turns a graph from {@link RandomGraphs} into a float64 gradient-check problem, and decides
 * whether a sampled point is one where finite differences can judge a gradient.
 *
 * <p>Preparation: every f32/f16 type (inputs, cast targets, scan bodies) becomes f64, since a cast
 * to f32 rounds by ~1e-7 relative, a jump that a step of 1e-6 cannot see past; the graph's outputs
 * are replaced by {@code loss = sum_k sum(f_k * u_k)} over its floating outputs {@code f_k} (kept as
 * outputs too), with fresh random weights {@code u_k}; the gradient is taken with respect to every floating input.
 *
 * <p>A sample is rejected (with a reason) when finite differences cannot judge it, which depends
 * on the forward graph alone, never on a gradient rule: the forward run fails (integer division by
 * zero); a value computed from a differentiated input is NaN, infinite or above 1e4 in magnitude
 * (exp of exp); an operand from which a differentiated value flows sits within 1e-3 of the singular
 * point of log, log1p, sqrt, rsqrt, a divisor (div, mod) or a pow base, where the derivative blows
 * up or is undefined (sqrt(0) has no derivative although its value is finite); or the loss is not
 * smooth along the sampled direction: central differences with steps 1e-6 and 1e-5 disagree by
 * more than 1e-7 relative, which is what happens when a kink or jump (abs, relu, max, maximum,
 * floor, sign, mod, comparisons, integer casts) lies within the step. Exact ties at a kink that
 * persist under every perturbation (max(x, x), a maximum over broadcast copies) are smooth and
 * stay in: the first-operand and first-maximum conventions give the exact derivative there.
 */
final class CompositeGraphs {
    private CompositeGraphs() {}

    /** The prepared problem: graph with outputs {@code loss} and {@code f_k}, its inputs, the inputs to differentiate. */
    record Problem(Graph graph, List<String> wrt, Map<String, Tensor> inputs) {}


    static DType widen(DType d) { return d == DType.F32 || d == DType.F16 ? DType.F64 : d; }

    static TensorType widen(TensorType t) { return t.withDType(widen(t.dtype())); }

    /** A copy of g with f32/f16 widened to f64 everywhere; nested graphs too. */
    static Graph widened(Graph g) {
        GraphBuilder b = new GraphBuilder(g.name());
        Map<Value, Value> map = copyInto(g, b);
        for (Graph.Output o : g.outputs()) b.output(o.name(), o.role(), map.get(o.value()));
        return b.build();
    }

    private static Map<Value, Value> copyInto(Graph g, GraphBuilder b) {
        Map<Value, Value> map = new IdentityHashMap<>();
        for (Value v : g.inputs()) map.put(v, b.input(v.name(), widen(v.type()), v.role()));
        for (Node n : g.nodes()) {
            Attrs attrs = n.attrs();
            if (attrs.get("dtype") instanceof DType d) attrs = attrs.with("dtype", widen(d));
            List<Graph> regions = n.regions().stream().map(CompositeGraphs::widened).toList();
            b.at(n.loc());
            List<Value> out = b.op(n.op(), attrs, regions, n.inputs().stream().map(map::get).toList(),
                    n.outputs().stream().map(Value::name).toList());
            for (int i = 0; i < out.size(); i++) map.put(n.outputs().get(i), out.get(i));
        }
        return map;
    }

    /** The prepared problem for a generated graph and a seed for its values; empty when it has nothing to differentiate. */
    static Optional<Problem> prepare(Graph generated, long seed) {
        GraphBuilder b = new GraphBuilder(generated.name());
        Map<Value, Value> map = copyInto(generated, b);
        Value loss = null;
        int k = 0;
        Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Graph.Output o : generated.outputs()) {
            Value v = map.get(o.value());
            if (!v.type().dtype().isFloating() || !seen.add(v)) continue;
            b.output("f_" + k, Graph.Output.Role.OUTPUT, v);
            Value u = b.input("u_" + k++, v.type(), Value.Role.INPUT);
            Value term = GraphsForGrad.all(b, Ops.SUM, b.op(Ops.MUL, v, u));
            loss = loss == null ? term : b.op(Ops.ADD, loss, term);
        }
        List<String> wrt = generated.inputs().stream().filter(v -> widen(v.type()).dtype().isFloating()).map(Value::name).toList();
        if (loss == null || wrt.isEmpty()) return Optional.empty();
        b.output("loss", Graph.Output.Role.LOSS, loss);
        Graph g = b.build();
        return Optional.of(new Problem(g, wrt, RandomGraphs.randomInputs(g, RandomGraphs.BINDINGS, seed)));
    }

    static Tensor[] args(Graph g, Map<String, Tensor> inputs) {
        return g.inputs().stream().map(v -> Objects.requireNonNull(inputs.get(v.name()), v.name())).toArray(Tensor[]::new);
    }

    /** Runs g with symbols bound by {@link RandomGraphs#BINDINGS}; outputs by name. */
    static Map<String, Tensor> run(Graph g, Map<String, Tensor> inputs) {
        Tensor[] out = Interpreter.run(g, args(g, inputs), RandomGraphs.BINDINGS);
        Map<String, Tensor> res = new LinkedHashMap<>();
        for (int i = 0; i < out.length; i++) res.put(g.outputs().get(i).name(), out[i]);
        return res;
    }

    /** Every output of p's graph at its inputs moved by {@code h * dir}. */
    static Map<String, Tensor> runShifted(Problem p, Map<String, Tensor> dir, double h) {
        Map<String, Tensor> shifted = new HashMap<>(p.inputs());
        dir.forEach((name, v) -> {
            Tensor x = p.inputs().get(name);
            double[] d = x.data().clone();
            for (int i = 0; i < d.length; i++) d[i] += h * v.data()[i];
            shifted.put(name, new Tensor(x.dtype(), x.shape(), d));
        });
        return run(p.graph(), shifted);
    }

    static double loss(Problem p, Map<String, Tensor> dir, double h) { return runShifted(p, dir, h).get("loss").item(); }

    /** A Gaussian direction for every differentiated input. */
    static Map<String, Tensor> direction(Problem p, Random r) {
        Map<String, Tensor> dir = new LinkedHashMap<>();
        for (String w : p.wrt()) {
            Tensor x = p.inputs().get(w);
            dir.put(w, GraphsForGrad.tensor(x.shape(), r, r::nextGaussian));
        }
        return dir;
    }

    /** Why finite differences cannot judge p at its inputs (forward checks only), or null when they can. */
    static String unjudgeable(Problem p) {
        Graph g = p.graph();
        Set<Value> dep = Collections.newSetFromMap(new IdentityHashMap<>());
        for (String w : p.wrt()) dep.add(g.input(w).orElseThrow());
        Map<Value, Tensor> vals = new IdentityHashMap<>();
        for (Value v : g.inputs()) vals.put(v, p.inputs().get(v.name()));
        EvalContext ctx = new EvalContext() {
            @Override public int[] resolve(Shape shape) { return shape.eval(RandomGraphs.BINDINGS); }

            @Override public Tensor[] run(Graph body, Tensor... a) { return Interpreter.run(body, a, RandomGraphs.BINDINGS); }
        };
        for (Node n : g.nodes()) {
            Tensor[] in = n.inputs().stream().map(vals::get).toArray(Tensor[]::new);
            Tensor[] out;
            try {
                out = n.op().eval(in, n.attrs(), n.regions(), ctx);
            } catch (RuntimeException e) {
                return "forward fails: " + e.getMessage();
            }
            boolean depends = n.inputs().stream().anyMatch(dep::contains);
            if (!depends) { for (int i = 0; i < out.length; i++) vals.put(n.outputs().get(i), out[i]); continue; }
            String near = nearSingularity(n.op(), in);
            if (near != null) return near;
            for (int i = 0; i < out.length; i++) {
                Value v = n.outputs().get(i);
                vals.put(v, out[i]);
                dep.add(v);
                if (v.type().dtype().isFloating())
                    for (double x : out[i].data())
                        if (!(Math.abs(x) <= 1e4)) return "value " + x + " of " + n.op().name() + " is not finite or exceeds 1e4";
            }
        }
        return null;
    }

    private static String nearSingularity(OpDef op, Tensor[] in) {
        int operand;
        double at;
        if (op == Ops.LOG || op == Ops.SQRT || op == Ops.RSQRT) { operand = 0; at = 0; }
        else if (op == Ops.LOG1P) { operand = 0; at = -1; }
        else if (op == Ops.DIV || op == Ops.MOD) { operand = 1; at = 0; }
        else if (op == Ops.POW) { operand = 0; at = 0; }
        else return null;
        for (double x : in[operand].data())
            if (!(Math.abs(x - at) >= 1e-3)) return op + " operand " + x + " is within 1e-3 of its singular point " + at;
        return null;
    }

    /** The outcome of checking one sample: rejected (with the reason), or analytic vs numeric. */
    record Verdict(String rejected, GradCheck.Result result) {
        boolean ok() { return result != null && result.ok(); }
    }

    /**
     * Checks {@code <grad loss, v>} against central differences along a random direction v, after
     * the forward-only rejections described on the class.
     */
    static Verdict check(Autodiff ad, Problem p, Random r) {
        String why = unjudgeable(p);
        if (why != null) return new Verdict(why, null);
        Graph grad = ad.gradients(p.graph(), "loss", p.wrt());
        Map<String, Tensor> dir = direction(p, r);
        double plus = loss(p, dir, GradCheck.H), minus = loss(p, dir, -GradCheck.H);
        double n1 = (plus - minus) / (2 * GradCheck.H);
        double n2 = (loss(p, dir, 10 * GradCheck.H) - loss(p, dir, -10 * GradCheck.H)) / (20 * GradCheck.H);
        if (!(Math.abs(n1 - n2) <= 1e-7 * (Math.abs(n1) + Math.abs(n2)) + 1e-9))
            return new Verdict("not smooth along the direction: steps 1e-6 and 1e-5 give " + n1 + " and " + n2, null);
        Map<String, Tensor> out = run(grad, p.inputs());
        double analytic = 0;
        for (String w : p.wrt()) {
            double[] gw = out.get(w).data(), v = dir.get(w).data();
            for (int i = 0; i < v.length; i++) analytic += gw[i] * v[i];
        }
        return new Verdict(null, new GradCheck.Result(analytic, n1, Math.max(Math.abs(plus), Math.abs(minus))));
    }
}
