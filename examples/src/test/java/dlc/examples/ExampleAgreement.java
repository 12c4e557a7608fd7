package dlc.examples;

import dlc.codegen.jvm.Agreement;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.passes.autodiff.Autodiff;

import java.nio.file.Path;
import java.util.*;

/**
 * The walk {@link ExamplesJvmTest} and {@link ExamplesOpenClTest} share: every graph of an example
 * (init, eval, every training step: forward, gradients and optimizer update in one graph) run by a
 * backend agrees with the float64 interpreter on the same inputs, float32 against float64 at
 * {@link Agreement#RTOL} (justified there). Params and state come from the interpreter's init run,
 * data inputs are random (ModelRunner's valid ranges), RNG keys fixed, so random ops must draw the
 * same numbers. Behind each training step the float64 gradients of its loss for the params it
 * updates are computed from the train graph and run on the backend too; an updated parameter is
 * compared where its gradient is well conditioned ({@link #compareUpdate}).
 */
final class ExampleAgreement {
    private ExampleAgreement() {}

    /** A backend under test. */
    interface Backend {
        /** Its name in messages ("jvm", "OpenCL"). */
        String name();

        /**
         * Runs {@code g} on {@code in} with every check of the backend's own (e.g. the JVM's bytecode
         * verification); null when the backend refuses {@code g} as not supported yet (the walk then
         * skips it); any other failure is an AssertionError naming {@code what}.
         */
        Map<String, Tensor> run(Graph g, Map<String, Tensor> in, String what);
    }

    /** Checks every graph of the example {@code file} on {@code backend}. */
    static void check(Path file, Backend backend) {
        ModelRunner r = ModelRunner.compile(file, 42);
        for (Graph g : r.module.graphs()) {
            Map<String, Tensor> in = new LinkedHashMap<>(r.randomInputs(g.name(), new HashMap<>(), new Random(5)));
            for (Value v : g.inputs()) {
                if (in.containsKey(v.name())) continue;
                if (r.initial.containsKey(v.name())) in.put(v.name(), r.initial.get(v.name()));
                else if (ModelRunner.isRngKey(v)) in.put(v.name(), Tensor.scalar(dlc.ir.DType.I64, 1234));
            }
            String what = file.getFileName() + " graph " + g.name();
            Map<String, Tensor> got = backend.run(g, in, what);
            if (got == null) continue;
            Map<String, Tensor> ref = Interpreter.run(g, in);
            Map<String, Tensor> gradients = g.name().startsWith("step") ? gradients(r, g, in, what, backend) : Map.of();
            try {
                Map<String, Tensor> plainRef = new LinkedHashMap<>(ref), plainGot = new LinkedHashMap<>(got);
                plainRef.keySet().removeAll(gradients.keySet());
                plainGot.keySet().removeAll(gradients.keySet());
                Agreement.compare(plainRef, plainGot);
                double gmax = largest(gradients.values());
                for (String k : gradients.keySet()) compareUpdate(backend.name(), k, ref.get(k), got.get(k), gradients.get(k), gmax);
            } catch (AssertionError e) {
                throw new AssertionError(what + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The float64 gradients of the step's loss for the params the step updates (from the train
     * graph), themselves checked on the backend (unless it refuses the gradient graph as not
     * supported yet); used to tell which update elements are well conditioned.
     */
    private static Map<String, Tensor> gradients(ModelRunner r, Graph step, Map<String, Tensor> in, String what, Backend backend) {
        Optional<Graph> train = r.module.graph("train");
        Optional<Graph.Output> loss = step.outputs().stream().filter(o -> o.role() == Graph.Output.Role.LOSS).findFirst();
        if (train.isEmpty() || loss.isEmpty() || train.get().output(loss.get().name()).isEmpty()) return Map.of();
        Set<String> params = new HashSet<>();
        for (Value v : train.get().inputs()) if (v.role() == Value.Role.PARAM) params.add(v.name());
        List<String> updated = step.outputs().stream().filter(o -> o.role() == Graph.Output.Role.UPDATE && params.contains(o.name())).map(Graph.Output::name).toList();
        if (updated.isEmpty()) return Map.of();
        Graph grads = new Autodiff().gradients(train.get(), loss.get().name(), updated);
        Map<String, Tensor> gin = new LinkedHashMap<>();
        for (Value v : grads.inputs()) gin.put(v.name(), in.get(v.name()));
        Map<String, Tensor> ref = Interpreter.run(grads, gin);
        Map<String, Tensor> got = backend.run(grads, gin, what + " gradients");
        if (got != null) {
            try {
                Agreement.compare(ref, got);
            } catch (AssertionError e) {
                throw new AssertionError(what + " gradients: " + e.getMessage(), e);
            }
        }
        Map<String, Tensor> out = new HashMap<>();
        for (String p : updated) out.put(p, ref.get(p));
        return out;
    }

    private static double largest(Collection<Tensor> ts) {
        double m = 0;
        for (Tensor t : ts) for (double x : t.data()) m = Math.max(m, Math.abs(x));
        return m;
    }

    /**
     * An updated parameter agrees where its gradient is well conditioned. Adaptive optimizers
     * (Adam's first step moves every element by about lr * sign(g)) turn float32 noise in a gradient
     * element that is zero up to rounding (|g| <= 1e-4 of the largest gradient of the step, far
     * above float32 noise of ~1e-6 relative) into a full step of either sign, so those elements are
     * not compared; a parameter with a gradient above that bar must have one element compared.
     */
    private static void compareUpdate(String backend, String name, Tensor ref, Tensor got, Tensor grad, double gmax) {
        double scale = 0;
        for (double x : ref.data()) scale = Math.max(scale, Math.abs(x));
        int compared = 0;
        for (int i = 0; i < ref.data().length; i++) {
            double x = ref.data()[i], y = got.data()[i];
            if (!Double.isFinite(y)) throw new AssertionError(name + "[" + i + "]: " + backend + " " + y);
            if (Math.abs(grad.data()[i]) <= 1e-4 * gmax) continue;
            compared++;
            if (Math.abs(x - y) > Agreement.RTOL * (Math.abs(x) + scale))
                throw new AssertionError(name + "[" + i + "]: reference " + x + ", " + backend + " " + y + " (gradient " + grad.data()[i] + ", largest " + gmax + ")");
        }
        if (largest(List.of(grad)) > 1e-4 * gmax && compared == 0) throw new AssertionError(name + ": no well-conditioned element to compare");
    }
}
