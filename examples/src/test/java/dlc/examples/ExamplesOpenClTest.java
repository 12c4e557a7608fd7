package dlc.examples;

import dlc.ir.Graph;
import dlc.ir.eval.Tensor;
import dlc.train.OpenClExecutor;
import dlc.train.TrainException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every example's graphs (init, eval, every training step and the gradients behind it) on the
 * OpenCL backend ({@code Executor.opencl}: the standard pipeline, then generated and library
 * kernels) agree with the float64 interpreter, by the same walk and checks as {@link ExamplesJvmTest}
 * ({@link ExampleAgreement}). A graph is skipped only when the backend refuses it at compile time
 * with "not supported by the OpenCL backend yet" (no example is refused now that scan and resize
 * run); the examples that compile must agree. On a machine without an OpenCL platform the test is skipped (failed under CI=true).
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

    static final ExampleAgreement.Backend OPENCL = new ExampleAgreement.Backend() {
        @Override public String name() { return "OpenCL"; }

        @Override public Map<String, Tensor> run(Graph g, Map<String, Tensor> in, String what) {
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
    };

    @TestFactory
    Stream<DynamicTest> everyExampleThatCompilesAgreesWithTheInterpreter() throws IOException {
        return ExamplesForwardTest.examples().stream()
                .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                    executor(); // skip (or fail under CI) before any work when there is no platform
                    ExampleAgreement.check(f, OPENCL);
                }));
    }
}
