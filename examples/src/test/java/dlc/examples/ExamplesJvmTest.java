package dlc.examples;

import dlc.codegen.jvm.Agreement;
import dlc.codegen.jvm.CompiledClasses;
import dlc.codegen.jvm.JvmCompiler;
import dlc.ir.Graph;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every example's graphs (init, eval, every training step and the gradients behind it) compiled by
 * the JVM backend agree with the float64 interpreter ({@link ExampleAgreement}'s walk), and their
 * bytecode passes ASM's CheckClassAdapter. The JVM backend runs every op, so no graph is skipped.
 */
class ExamplesJvmTest {
    static final ExampleAgreement.Backend JVM = new ExampleAgreement.Backend() {
        @Override public String name() { return "jvm"; }

        @Override public Map<String, Tensor> run(Graph g, Map<String, Tensor> in, String what) {
            CompiledClasses cc;
            try {
                cc = JvmCompiler.compile(g, "dlc.gen." + JvmCompiler.javaName(g.name()));
            } catch (RuntimeException e) {
                throw new AssertionError(what + ": compile failed: " + e, e);
            }
            Agreement.verify(cc);
            return Agreement.run(cc.instantiate(), g, in);
        }
    };

    @TestFactory
    Stream<DynamicTest> everyExampleAgreesWithTheInterpreter() throws IOException {
        return ExamplesForwardTest.examples().stream()
                .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> ExampleAgreement.check(f, JVM)));
    }
}
