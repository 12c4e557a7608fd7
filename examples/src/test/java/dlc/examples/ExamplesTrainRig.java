package dlc.examples;

import dlc.data.Dataset;
import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.frontend.train.TrainPlan;
import dlc.ir.Graph;
import dlc.ir.eval.Tensor;
import dlc.train.Evaluator;
import dlc.train.Executor;
import dlc.train.Metrics;
import dlc.train.Progress;
import dlc.train.TrainBlocks;
import dlc.train.Trainer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles an example with small overrides and trains it through the real trainer (the lowered
 * step graphs of its train block, on the float64 interpreter), so the tests in
 * {@link ExamplesTrainTest} exercise exactly what {@code dlc train} runs.
 */
final class ExamplesTrainRig {
    private ExamplesTrainRig() {}

    /** A compiled example, its trainer, and evaluation of any weights on any data. */
    record Rig(Compilation compilation, Trainer trainer) {
        Graph graph(String name) { return compilation.module().graph(name).orElseThrow(() -> new AssertionError("no graph " + name)); }

        Trainer.Result fit(Dataset data) { return trainer.fit(data, trainer.init()); }

        /** Loss and accuracy of the eval graph with the tensors of {@code state} on all of {@code data}. */
        Metrics evaluate(Map<String, Tensor> state, Dataset data) {
            TrainPlan p = trainer.plan();
            return Evaluator.of(trainer.evalGraph(), Executor.interpreter(), p.metric())
                    .evaluate(data, state, p.batch(), 7);
        }
    }

    /**
     * Compiles {@code file} (in examples/) for {@code model} with the model parameters and train
     * settings overridden (.dl expression texts), and builds the trainer of its train block with
     * no validation split (the tests measure on data they choose) and a silent progress bar.
     */
    static Rig rig(String file, String model, Map<String, String> params, Map<String, String> train) {
        Compilation c = Frontend.compile(ExamplesForwardTest.EXAMPLES.resolve(file), model, params, train);
        assertTrue(c.ok(), c.render());
        TrainPlan shipped = TrainBlocks.plan(c, c.module());
        // The tests' hand-made images are already in [0, 1], what normalize="pixels" makes of
        // Fashion-MNIST's bytes; dividing them by 255 again would train on near-black images.
        String normalize = "pixels".equals(shipped.normalize()) ? null : shipped.normalize();
        TrainPlan plan = shipped.toBuilder().validation(0).normalize(normalize).build();
        Trainer t = TrainBlocks.trainer(c.module(), plan, Executor.interpreter())
                .progress(new Progress(new PrintWriter(new StringWriter()), false));
        return new Rig(c, t);
    }

    /** Fails on a NaN or infinite loss anywhere in a run's history. */
    static void assertFiniteLosses(String what, Trainer.Result r) {
        r.history().forEach(e -> e.trainLosses().forEach((k, v) ->
                assertTrue(Double.isFinite(v), what + ": loss " + k + " of epoch " + e.epoch() + " is " + v)));
    }
}
