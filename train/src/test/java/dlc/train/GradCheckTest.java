package dlc.train;

import dlc.data.Synthetic;
import dlc.frontend.train.TrainPlan;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.ops.Ops;
import dlc.passes.autodiff.Autodiff;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GradCheckTest {
    static final Module MLP = TestModels.compile(TestModels.mlp(5));

    @Test void aCorrectModelPasses() {
        GradCheck.Report r = new GradCheck(new Autodiff(), Executor.interpreter()).checkModel(MLP, Synthetic.twoMoons(16, 0.1, 1), 3);
        assertTrue(r.passed(), r.render());
        assertEquals(List.of("dense.w", "dense.b", "dense_1.w", "dense_1.b"), r.params().stream().map(GradCheck.ParamResult::param).toList());
        assertTrue(r.params().stream().allMatch(p -> p.checks() >= 3 && p.worstError() < 1e-6), r.render());
        assertTrue(r.render().contains("gradcheck passed (tolerance 1e-04"), r.render());
    }

    @Test void randomInputsWorkWithoutData() {
        GradCheck.Report r = new GradCheck(new Autodiff(), Executor.interpreter()).checkModel(MLP, null, 5);
        assertTrue(r.passed(), r.render());
    }

    @Test void aPlantedWrongGradientFails() {
        // tanh's VJP doubled: every parameter below the tanh (the first layer) gets a wrong gradient.
        Autodiff broken = new Autodiff(op -> op == Ops.TANH
                ? ctx -> op.vjp(ctx).stream().map(v -> v == null ? null : ctx.op(Ops.MUL, v, ctx.scalar(2, v.type().dtype()))).toList()
                : op::vjp);
        GradCheck.Report r = new GradCheck(broken, Executor.interpreter()).checkModel(MLP, Synthetic.twoMoons(16, 0.1, 1), 3);
        assertFalse(r.passed(), r.render());
        assertFalse(r.params().get(0).passed(), r.render());
        assertTrue(r.params().get(3).passed(), "the output bias is above the tanh: " + r.render());
        assertTrue(r.render().contains("FAIL"), r.render());
    }

    @Test void stopGradientValuesAreHeldFixedInTheDifferences() {
        // d/dw mean(sg(p) * p) = sg(p) * x: plain differences would see 2 p * x.
        Module m = TestModels.compile("""
                model Sg {
                  input x: f32[B, 3]
                  param w: f32[3, 2] = uniform(-1.0, 1.0)
                  p = x @ w
                  loss mean(stop_gradient(p) * p)
                }
                """);
        GradCheck.Report r = new GradCheck(new Autodiff(), Executor.interpreter()).checkModel(m, null, 1);
        assertTrue(r.passed(), r.render());
        var f = FrozenStopGradients.of(m.graph("train").orElseThrow());
        assertEquals(List.of("__frozen.0"), f.names());
        assertTrue(f.frozen().input("__frozen.0").isPresent());
        assertTrue(f.frozen().nodes().stream().noneMatch(n -> n.op() == Ops.STOP_GRADIENT));
    }

    @Test void eachStepIsCheckedForItsOwnParameters() {
        Module m = TestModels.compile("""
                model Two {
                  input x: f32[B, 2]
                  param a: f32[2] = ones()
                  param b: f32[2] = ones()
                  loss la = mean(x * a)
                  loss lb = mean(x * b * b)
                }
                """);
        var steps = List.of(new TrainPlan.Step("step.a", "la", List.of("a")), new TrainPlan.Step("step.b", "lb", List.of("b")));
        GradCheck.Report r = new GradCheck(new Autodiff(), Executor.interpreter()).checkModel(m, null, 2, steps);
        assertTrue(r.passed(), r.render());
        assertEquals(List.of("la/a", "lb/b"), r.params().stream().map(p -> p.loss() + "/" + p.param()).toList());
        assertTrue(r.render().contains("loss la:\n"), r.render());
    }
}
