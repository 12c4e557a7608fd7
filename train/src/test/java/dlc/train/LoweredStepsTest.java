package dlc.train;

import dlc.data.Synthetic;
import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.frontend.train.TrainPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The trainer on step graphs lowered from train blocks: Adam state, the step counter, several steps. */
class LoweredStepsTest {
    static Compilation compile(String block) {
        Compilation c = Frontend.compileSource("t.dl", TestModels.mlp(6) + block, null);
        assertTrue(c.ok(), c.render());
        return c;
    }

    static Trainer trainer(Compilation c, int epochs) {
        TrainPlan p = TrainBlocks.plan(c, c.module()).toBuilder().epochs(epochs).build();
        return TrainBlocks.trainer(c.module(), p, Executor.interpreter()).progress(TrainerTest.quiet());
    }

    static final String ADAM = """
            train Mlp {
              data moons(n=200)
              optimizer adam(lr=0.05)
              batch 20
              epochs 4
            }
            """;

    @Test void adamStateAndTheStepCounterResumeExactly(@TempDir Path dir) throws Exception {
        Compilation c = compile(ADAM);
        var data = Synthetic.twoMoons(200, 0.1, 0);
        Trainer straight = trainer(c, 4);
        TrainState full = straight.fit(data, straight.init()).state();
        assertEquals(4 * 9, (long) full.get("step").item(), "180 training samples in batches of 20, 4 epochs");
        assertTrue(full.values.keySet().stream().anyMatch(k -> k.startsWith("opt.")), full.values.keySet().toString());

        Path ckpt = dir.resolve("half.safetensors");
        Trainer first = trainer(c, 2).checkpointTo(ckpt);
        first.fit(data, first.init());
        TrainState resumed = Checkpoints.read(ckpt, c.module().graph("init").orElseThrow(), "Mlp");
        TrainState end = trainer(c, 4).fit(data, resumed).state();
        for (String k : full.values.keySet()) assertEquals(full.get(k), end.get(k), k);
    }

    @Test void stepsRunInOrderAndReportTheirLosses() {
        Compilation c = compile("""
                train Mlp {
                  data moons(n=100)
                  batch 25
                  epochs 1
                  step first { loss loss; params dense; optimizer sgd(lr=0.1) }
                  step second { loss loss; params dense_1; optimizer sgd(lr=0.1) }
                }
                """);
        Trainer t = trainer(c, 1);
        Trainer.Result r = t.fit(Synthetic.twoMoons(100, 0.1, 0), t.init());
        assertEquals(List.of("step.first", "step.second"), List.copyOf(r.history().get(0).trainLosses().keySet()));
        assertEquals(3, (long) r.state().get("step").item(), "one increment per batch, by the last step");
        TrainState init = t.init();
        assertNotEquals(init.get("dense.w"), r.state().get("dense.w"));
        assertNotEquals(init.get("dense_1.w"), r.state().get("dense_1.w"));
    }

    @Test void theLoweredMlpReachesNinetySevenPercent() {
        Compilation c = compile(ADAM.replace("epochs 4", "epochs 15").replace("n=200", "n=400"));
        Trainer t = trainer(c, 15);
        Trainer.Result r = t.fit(Synthetic.twoMoons(400, 0.1, 0), t.init());
        double acc = r.history().get(r.history().size() - 1).validationAccuracy();
        assertTrue(acc >= 0.97, "validation accuracy " + acc);
    }
}
