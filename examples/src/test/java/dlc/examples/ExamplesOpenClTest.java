package dlc.examples;

import dlc.codegen.jvm.Agreement;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.passes.autodiff.Autodiff;
import dlc.train.OpenClExecutor;
import dlc.train.TrainException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.*;
import java.util.stream.Stream;

/**
 * Every example's graphs (init, eval, every training step and the gradients behind it) on the
 * OpenCL backend ({@code Executor.opencl}: the standard pipeline, then generated and library
 * kernels) agree with the float64 interpreter on the same inputs, as {@link ExamplesJvmTest} checks
 * the JVM backend: float32 against float64 at {@link Agreement#RTOL}, updated parameters where
 * their gradient is well conditioned, random ops drawing the same numbers for the same key. A graph
 * is skipped only when the backend refuses it at compile time with "not supported by the OpenCL
 * backend yet" (scan, resize); the examples that compile must agree. On a machine without an
 * OpenCL platform the test is skipped (failed under CI=true).
 */
class ExamplesOpenClTest {
    private static OpenClExecutor executor;

    private static synchronized OpenClExecutor executor() {
        if (executor == null) {
            try {
                executor = new OpenClExecutor(System.getProperty("dlc.opencl.device"));
            } catch (TrainException e) {
                if ("true".equals(System.getenv("CI"))) Assertions.fail("CI=true, so the OpenCL tests must run, but: " + e.getMessage());
                Assumptions.assumeTrue(false, "OpenCL tests skipped: " + e.getMessage());
            }
        }
        return executor;
    }

    @TestFactory
    Stream<DynamicTest> everyExampleThatCompilesAgreesWithTheInterpreter() throws IOException {
        return ExamplesForwardTest.examples().stream()
                .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
    }

    /** Runs {@code g} on OpenCL; null when the backend does not support one of its ops yet. */
    private static Map<String, Tensor> run(Graph g, Map<String, Tensor> in, String what) {
        try {
            return executor().run(g, in);
        } catch (TrainException e) {
            if (e.getMessage().contains("is not supported by the OpenCL backend yet")) {
                System.out.println(what + ": skipped: " + e.getMessage());
                return null;
            }
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
    }

    private static void check(Path file) {
        executor();
        ModelRunner r = ModelRunner.compile(file, 42);
        for (Graph g : r.module.graphs()) {
            Map<String, Tensor> in = new LinkedHashMap<>(r.randomInputs(g.name(), new HashMap<>(), new Random(5)));
            for (Value v : g.inputs()) {
                if (in.containsKey(v.name())) continue;
                if (r.initial.containsKey(v.name())) in.put(v.name(), r.initial.get(v.name()));
                else if (ModelRunner.isRngKey(v)) in.put(v.name(), Tensor.scalar(dlc.ir.DType.I64, 1234));
            }
            String what = file.getFileName() + " graph " + g.name();
            Map<String, Tensor> got = run(g, in, what);
            if (got == null) continue;
            Map<String, Tensor> ref = Interpreter.run(g, in);
            Map<String, Tensor> gradients = g.name().startsWith("step") ? gradients(r, g, in, what) : Map.of();
            try {
                Map<String, Tensor> plainRef = new LinkedHashMap<>(ref), plainGot = new LinkedHashMap<>(got);
                plainRef.keySet().removeAll(gradients.keySet());
                plainGot.keySet().removeAll(gradients.keySet());
                Agreement.compare(plainRef, plainGot);
                double gmax = largest(gradients.values());
                for (String k : gradients.keySet()) compareUpdate(k, ref.get(k), got.get(k), gradients.get(k), gmax);
            } catch (AssertionError e) {
                throw new AssertionError(what + ": " + e.getMessage(), e);
            }
        }
    }

    /** The float64 gradients of the step's loss for the params it updates, themselves checked on OpenCL. */
    private static Map<String, Tensor> gradients(ModelRunner r, Graph step, Map<String, Tensor> in, String what) {
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
        Map<String, Tensor> got = run(grads, gin, what + " gradients");
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

    /** As ExamplesJvmTest: an updated parameter agrees where its gradient is above 1e-4 of the step's largest. */
    private static void compareUpdate(String name, Tensor ref, Tensor got, Tensor grad, double gmax) {
        double scale = 0;
        for (double x : ref.data()) scale = Math.max(scale, Math.abs(x));
        int compared = 0;
        for (int i = 0; i < ref.data().length; i++) {
            double x = ref.data()[i], y = got.data()[i];
            if (!Double.isFinite(y)) throw new AssertionError(name + "[" + i + "]: OpenCL " + y);
            if (Math.abs(grad.data()[i]) <= 1e-4 * gmax) continue;
            compared++;
            if (Math.abs(x - y) > Agreement.RTOL * (Math.abs(x) + scale))
                throw new AssertionError(name + "[" + i + "]: reference " + x + ", OpenCL " + y + " (gradient " + grad.data()[i] + ", largest " + gmax + ")");
        }
        if (largest(List.of(grad)) > 1e-4 * gmax && compared == 0) throw new AssertionError(name + ": no well-conditioned element to compare");
    }
}
