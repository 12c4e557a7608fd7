package dlc.codegen.jvm;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.testing.RandomGraphs;
import dlc.ir.text.IrParser;
import dlc.ir.text.IrPrinter;
import dlc.ir.ops.Ops;
import dlc.passes.autodiff.Autodiff;
import net.jqwik.api.*;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Graphs holding in-place gradients (what the language's {@code grad} builds) run on the JVM
 * backend as on the interpreter: a random graph (f32 made f64, as in
 * {@link RandomGraphJvmProperties}, so any difference is a codegen bug), the gradient g of
 * {@code L = sum of its floating outputs} w.r.t. every floating input, built in place, and the
 * gradient of {@code sum(g * g)} built in place after it (second order), all as outputs;
 * compiled unoptimized and through the standard pipeline. Values agree to 1e-9 relative to the
 * element and the output's scale, NaN where the reference has NaN.
 */
class InPlaceGradientJvmProperties {

    @Provide Arbitrary<Graph> graphs() { return RandomGraphs.graphs(14); }

    @Property(tries = 150, maxDiscardRatio = 10)
    void graphsWithGradientsOfGradientsAgree(@ForAll("graphs") Graph generated, @ForAll long seed) {
        Graph f = IrParser.parseGraph(IrPrinter.print(generated).replace("f32", "f64"));
        Graph g = withGradients(f);
        Assume.that(g != null);
        Map<String, Tensor> in = RandomGraphs.randomInputs(g, RandomGraphs.BINDINGS, seed);
        Map<String, Tensor> ref;
        try {
            ref = Interpreter.run(g, in);
        } catch (RuntimeException e) {
            Assume.that(false);
            return;
        }
        for (boolean optimize : new boolean[]{false, true}) {
            CompiledClasses cc = optimize ? JvmCompiler.compile(g, "dlc.gen.G") : JvmCompiler.generate(g, "dlc.gen.G");
            Agreement.verify(cc);
            Map<String, Tensor> got = Agreement.run(cc.instantiate(), g, in);
            Agreement.compareF64(ref, got, g, optimize);
        }
    }

    /** f with outputs g1_k (first gradients) and g2_k (gradients of sum_k sum(g1_k^2)); null when nothing is differentiable. */
    static Graph withGradients(Graph f) {
        if (f.inputs().stream().map(Value::name).distinct().count() != f.inputs().size()) return null;
        GraphBuilder b = new GraphBuilder(f.name());
        Map<Value, Value> map = new IdentityHashMap<>();
        for (Value v : f.inputs()) map.put(v, b.input(v.name(), v.type(), v.role()));
        for (Node n : f.nodes()) {
            b.at(n.loc());
            List<Value> out = b.op(n.op(), n.attrs(), n.regions(), n.inputs().stream().map(map::get).toList(), n.outputs().stream().map(Value::name).toList());
            for (int i = 0; i < out.size(); i++) map.put(n.outputs().get(i), out.get(i));
        }
        Value total = null;
        for (Graph.Output o : f.outputs()) {
            Value v = map.get(o.value());
            if (v.type().dtype() != DType.F64) continue;
            Value s = sumAll(b, v);
            total = total == null ? s : b.op(Ops.ADD, total, s);
        }
        List<Value> wrt = new ArrayList<>();
        for (Value v : f.inputs()) if (v.type().dtype() == DType.F64) wrt.add(map.get(v));
        if (total == null || wrt.isEmpty()) return null;
        List<Value> g1, g2;
        try {
            g1 = new Autodiff().gradientsInPlace(b, total, wrt, null);
            Value sq = null;
            for (Value g : g1) {
                Value s = sumAll(b, b.op(Ops.MUL, g, g));
                sq = sq == null ? s : b.op(Ops.ADD, sq, s);
            }
            g2 = new Autodiff().gradientsInPlace(b, sq, wrt, null);
        } catch (IllegalStateException e) {
            return null; // an op without a gradient rule (the autodiff suites own that)
        }
        int k = 0;
        for (Graph.Output o : f.outputs()) b.output("f_" + k++, Graph.Output.Role.OUTPUT, map.get(o.value()));
        for (int i = 0; i < wrt.size(); i++) {
            b.output("g1_" + i, Graph.Output.Role.OUTPUT, g1.get(i));
            b.output("g2_" + i, Graph.Output.Role.OUTPUT, g2.get(i));
        }
        return b.build();
    }

    private static Value sumAll(GraphBuilder b, Value v) {
        List<Long> axes = new ArrayList<>();
        for (long a = 0; a < v.type().rank(); a++) axes.add(a);
        return b.op(Ops.SUM, Attrs.of("axes", axes, "keepdims", false), v);
    }
}
