package dlc.train;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.frontend.train.TrainPlan;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainBlocksTest {
    static Compilation compile(String block) {
        Compilation c = Frontend.compileSource("t.dl", TestModels.mlp(4) + block, null);
        assertTrue(c.ok(), c.render());
        return c;
    }

    @Test void theTrainBlockBecomesAPlan() {
        Compilation c = compile("""
                train Mlp {
                  data moons(256, noise=0.2)
                  batch 8
                  epochs 3
                  seed 9
                  validation 0.25
                  optimizer sgd(lr=0.05)
                  patience 2
                }
                """);
        TrainPlan p = TrainBlocks.plan(c, c.module());
        assertEquals(new TrainPlan.DataSet("moons", Map.of("n", 256L, "noise", 0.2)), p.data());
        assertSame(c.train(), p, "the plan is the front end's, read as is");
        assertEquals(8, p.batch());
        assertEquals(3, p.epochs());
        assertEquals(9, p.seed());
        assertEquals(0.25, p.validation());
        assertEquals(2, p.patience());
        assertEquals(List.of("step"), p.steps().stream().map(TrainPlan.Step::graph).toList());
    }

    @Test void theTestSettingBecomesTheTestSet() {
        Compilation c = compile("""
                train Mlp {
                  data moons(256, normalize="minmax")
                  test moons(64, seed=5)
                  optimizer sgd(lr=0.05)
                }
                """);
        TrainPlan p = TrainBlocks.plan(c, c.module());
        assertTrue(p.hasTest());
        assertEquals(new TrainPlan.DataSet("moons", Map.of("n", 64L, "seed", 5L)), p.test());
        assertEquals("minmax", p.normalize());
        assertFalse(TrainBlocks.plan(compile("train Mlp { data moons\n optimizer sgd() }"), c.module()).hasTest());

        Compilation own = Frontend.compileSource("t.dl", TestModels.mlp(4) + "train Mlp { data moons\n test moons(normalize=\"minmax\")\n optimizer sgd() }", null);
        assertFalse(own.ok(), "a test set's normalize is a compile error");
        assertTrue(own.render().contains("normalized like the training data"), own.render());
    }

    @Test void aFileWithoutATrainBlockOrDataIsAClearError() {
        Compilation none = compile("");
        TrainException e = assertThrows(TrainException.class, () -> TrainBlocks.plan(none, none.module()));
        assertTrue(e.getMessage().startsWith("no train block for model Mlp"), e.getMessage());
        Compilation noData = compile("train Mlp { optimizer sgd() }");
        TrainException d = assertThrows(TrainException.class, () -> TrainBlocks.plan(noData, noData.module()));
        assertTrue(d.getMessage().startsWith("the train block of Mlp has no data setting"), d.getMessage());
    }

    @Test void theTrainerRunsWhatTheBlockSays() {
        Compilation c = compile("""
                train Mlp {
                  data moons(n=64)
                  batch 8
                  epochs 2
                  optimizer sgd(lr=0.1)
                }
                """);
        TrainPlan p = TrainBlocks.plan(c, c.module());
        Trainer t = TrainBlocks.trainer(c.module(), p, Executor.interpreter()).progress(TrainerTest.quiet());
        Trainer.Result r = t.fit(dlc.data.Synthetic.twoMoons(64, 0.1, 0), t.init());
        assertEquals(2, r.history().size());
        assertEquals(2 * (58 / 8), r.state().globalBatch, "58 training samples (6 held out) in whole batches of 8, twice");
    }

}
