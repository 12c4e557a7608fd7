package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.text.IrParser;
import dlc.ir.ops.Ops;
import dlc.runtime.VecSupport;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * f32 transcendental ops run as VecMath kernels between loop nests: agreement with the interpreter
 * with and without the vector module, extents that leave a scalar tail, and the group plan.
 */
class TranscendentalTest {
    static final String GRAPH = """
            graph g(%x: f32[B, 103], %b: f32[103], %s: f32[B, 1]) {
              %0 = add(%x, %b) : f32[B, 103]
              %1 = mul(%0, %s) : f32[B, 103]
              %2 = sigmoid(%1) : f32[B, 103]
              %3 = tanh(%0) : f32[B, 103]
              %4 = mul(%x, %x) : f32[B, 103]
              %c = constant() {dtype=f32, shape=<>, values=[1.5]} : f32[]
              %5 = add(%4, %c) : f32[B, 103]
              %6 = log(%5) : f32[B, 103]
              %7 = sqrt(%5) : f32[B, 103]
              %8 = rsqrt(%5) : f32[B, 103]
              %9 = exp(%1) : f32[B, 103]
              %10 = relu(%0) : f32[B, 103]
              %11 = neg(%10) : f32[B, 103]
              %12 = abs(%11) : f32[B, 103]
              %13 = div(%2, %5) : f32[B, 103]
              %14 = sub(%3, %13) : f32[B, 103]
              %15 = add(%14, %6) : f32[B, 103]
              %16 = add(%15, %7) : f32[B, 103]
              %17 = add(%16, %8) : f32[B, 103]
              %18 = add(%17, %9) : f32[B, 103]
              %19 = add(%18, %12) : f32[B, 103]
              output y = %19
              output t = %3
            }
            """;

    @Test void everyVectorOpAgreesWithTheInterpreterIncludingTheScalarTail() {
        Graph g = IrParser.parseGraph(GRAPH);
        for (long b : new long[]{1, 3, 17}) for (boolean opt : new boolean[]{false, true}) Agreement.check(g, Map.of("B", b), b, opt);
    }

    @Test void transcendentalOpsAreKernelCallsBetweenNests() {
        assertTrue(VecSupport.ENABLED, "tests run with --add-modules jdk.incubator.vector");
        Graph g = dlc.passes.PassManager.standard().run(IrParser.parseGraph(GRAPH));
        dlc.ir.Node fusion = g.nodes().stream().filter(n -> n.op() == Ops.FUSION).findFirst().orElseThrow();
        var steps = GroupPlan.of(fusion.regions().get(0), fusion.inputs(), fusion.outputs()).steps;
        long calls = steps.stream().filter(st -> st instanceof GroupPlan.Lowered l && java.util.Set.of(Ops.EXP, Ops.LOG, Ops.TANH, Ops.SIGMOID).contains(l.node().op())).count();
        assertEquals(4, calls, steps.toString());
    }

    /** In a JVM without jdk.incubator.vector the same class runs its scalar loops and agrees too. */
    @Test void withoutTheVectorModuleTheScalarLoopsRun() throws Exception {
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), WithoutVectorModule.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("scalar ok"), out);
    }

    /** The child JVM's main: the vector path must be off, and the results must still agree. */
    public static final class WithoutVectorModule {
        public static void main(String[] args) {
            if (VecSupport.ENABLED) throw new AssertionError("the vector module is present in the child JVM");
            Graph g = IrParser.parseGraph(GRAPH);
            Agreement.check(g, Map.of("B", 5L), 5, true);
            System.out.println("scalar ok");
        }
    }
}
