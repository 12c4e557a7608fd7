package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.text.IrParser;
import dlc.ir.ops.Ops;
import dlc.passes.PassManager;
import dlc.runtime.Gemm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Bias adds and activations after a matmul or conv2d run in the kernel's output loop. */
class EpilogueTest {
    private static List<GroupPlan.Step> stepsOfOnlyFusion(Graph g) {
        Graph opt = PassManager.standard().run(g);
        Node fusion = opt.nodes().stream().filter(n -> n.op() == Ops.FUSION).findFirst().orElseThrow();
        return GroupPlan.of(fusion.regions().get(0), fusion.inputs(), fusion.outputs()).steps;
    }

    @Test void denseBiasReluIsOneKernelCall() {
        Graph g = IrParser.parseGraph("""
                graph g(%x: f32[B, 5], param %w: f32[5, 7], param %b: f32[7]) {
                  %0 = matmul(%x, %w) : f32[B, 7]
                  %1 = add(%0, %b) : f32[B, 7]
                  %2 = relu(%1) : f32[B, 7]
                  output y = %2
                }
                """);
        List<GroupPlan.Step> steps = stepsOfOnlyFusion(g);
        assertEquals(1, steps.size(), steps.toString());
        GroupPlan.Epilogue e = (GroupPlan.Epilogue) steps.get(0);
        assertEquals(Gemm.BIAS_COL, e.biasKind());
        assertEquals(Gemm.ACT_RELU, e.act());
        Agreement.check(g, Map.of("B", 4L), 1, true);
    }

    @Test void preActivationNeededLaterKeepsTheActivationInALoop() {
        Graph g = IrParser.parseGraph("""
                graph g(%x: f32[B, 5], param %w: f32[5, 7], param %b: f32[7]) {
                  %0 = matmul(%x, %w) : f32[B, 7]
                  %1 = add(%b, %0) : f32[B, 7]
                  %2 = tanh(%1) : f32[B, 7]
                  output pre = %1
                  output y = %2
                }
                """);
        List<GroupPlan.Step> steps = stepsOfOnlyFusion(g);
        GroupPlan.Epilogue e = (GroupPlan.Epilogue) steps.get(0);
        assertEquals(Gemm.ACT_NONE, e.act(), "the bias is fused, the activation is not (its input is an output)");
        assertEquals(2, steps.size());
        Agreement.check(g, Map.of("B", 3L), 2, true);
    }

    @Test void convBiasSigmoid() {
        Graph g = IrParser.parseGraph("""
                graph g(%x: f32[B, 2, 6, 6], param %w: f32[3, 2, 3, 3], param %b: f32[3]) {
                  %0 = conv2d(%x, %w) {stride=[1, 1], padding=[1, 1, 1, 1]} : f32[B, 3, 6, 6]
                  %r = reshape(%b) {shape=<1, 3, 1, 1>} : f32[1, 3, 1, 1]
                  %1 = add(%0, %r) : f32[B, 3, 6, 6]
                  %2 = sigmoid(%1) : f32[B, 3, 6, 6]
                  output y = %2
                }
                """);
        List<GroupPlan.Step> steps = stepsOfOnlyFusion(g);
        assertTrue(steps.stream().anyMatch(s -> s instanceof GroupPlan.Epilogue e && e.act() == Gemm.ACT_SIGMOID && e.biasKind() == Gemm.BIAS_ROW), steps.toString());
        Agreement.check(g, Map.of("B", 2L), 3, true);
    }
}
