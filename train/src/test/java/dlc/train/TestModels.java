package dlc.train;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.frontend.train.TrainPlan;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.passes.autodiff.Autodiff;

import java.util.List;

/** Small models written inline, compiled, and trainers for them with a hand-built SGD step. */
final class TestModels {
    private TestModels() {}

    /** A one-hidden-layer classifier for 2-D points (two moons). */
    static String mlp(int hidden) {
        return """
                import std.nn.{dense}
                import std.loss.{cross_entropy}
                model Mlp(hidden: int = %d) {
                  input x: f32[B, 2]
                  input y: i32[B]
                  h = tanh(dense(x, hidden))
                  logits = dense(h, 2)
                  output probs = softmax(logits)
                  loss cross_entropy(logits, y)
                }
                """.formatted(hidden);
    }

    static Module compile(String source) {
        Compilation c = Frontend.compileSource("test.dl", source, null);
        if (!c.ok()) throw new AssertionError(c.render());
        return c.module();
    }

    /** A trainer of {@code m} whose step graph is plain SGD at {@code lr} on the {@code train} graph. */
    static Trainer sgdTrainer(Module m, TrainPlan plan, double lr) {
        Graph step = SgdStepGraph.build(m.graph("train").orElseThrow(), "loss", lr, new Autodiff());
        return new Trainer(m.graph("init").orElseThrow(), List.of(step), m.graph("eval").orElseThrow(), m.name(), plan, Executor.interpreter());
    }
}
