package dlc.frontend.train;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The block's settings as the trainer reads them: one {@link TrainPlan}, values as written. */
class TrainPlanTest {
    static final String MODEL = """
            model C {
              input x: f32[B, 4]
              input y: i32[B]
              param w: f32[4, 3] = 0.1
              output logits = x @ w
              output probs = softmax(logits)
              loss -mean(sum(log_softmax(logits) * one_hot(y, 3), -1))
            }
            """;

    @Test void settingsBecomeJavaValues() {
        TrainPlan c = TrainRun.of(MODEL + """
                train C {
                  data      spirals(n = 300, noise = 0.1, arms = [1, 2], shuffle = true, name = "s")
                  optimizer adam()
                  batch     16
                  epochs    3
                  seed      42
                  validation 0.2
                  patience  5
                  min_delta 1e-4
                }
                """).plan;
        assertEquals(new TrainPlan.DataSet("spirals", Map.of("n", 300L, "noise", 0.1, "arms", List.of(1L, 2L), "shuffle", true, "name", "s")), c.data());
        assertEquals(List.of(16, 3, 42L, 0.2, 5, 1e-4), List.of(c.batch(), c.epochs(), c.seed(), c.validation(), c.patience(), c.minDelta()));
        assertEquals("C", c.model());
        assertEquals(new TrainPlan.Step("step", "step", "loss", List.of("w"), List.of("opt.w.0", "opt.w.1"), List.of()), c.steps().get(0));
    }

    @Test void defaultsAndTheDefaultMetric() {
        TrainPlan c = TrainRun.of(MODEL + "train C { data \"digits\"\n optimizer sgd() }").plan;
        assertEquals(new TrainPlan.DataSet("digits"), c.data());
        assertNull(c.normalize());
        assertEquals(List.of(32, 10, 0L, 0.1, 0, 0.0), List.of(c.batch(), c.epochs(), c.seed(), c.validation(), c.patience(), c.minDelta()));
        assertEquals(new TrainPlan.Metric("accuracy", "logits", "y"), c.metric(), "the first floating output with one more axis than the labels");
    }

    @Test void aTestSetIsADataSettingOfItsOwn() {
        TrainPlan c = TrainRun.of(MODEL + """
                train C {
                  data fashion_mnist(normalize = "minmax")
                  test fashion_mnist(part = "test")
                  optimizer sgd()
                }
                """).plan;
        assertEquals(new TrainPlan.DataSet("fashion_mnist"), c.data(), "normalize is the trainer's, not the loader's");
        assertEquals("minmax", c.normalize());
        assertEquals(new TrainPlan.DataSet("fashion_mnist", Map.of("part", "test")), c.test());
        assertNull(TrainRun.of(MODEL + "train C { data \"digits\"\n optimizer sgd() }").plan.test(), "no test set unless named");
    }

    @Test void explicitMetricOrNone() {
        assertEquals(new TrainPlan.Metric("accuracy", "probs", "y"),
                TrainRun.of(MODEL + "train C { optimizer sgd()\n metric accuracy(probs, y) }").plan.metric());
        assertNull(TrainRun.of(MODEL + "train C { optimizer sgd()\n metric none }").plan.metric());
    }

    @Test void theOnePositionalDataArgumentIsTheSampleCount() {
        TrainPlan c = TrainRun.of(MODEL + "train C { data moons(256, noise=0.2)\n optimizer sgd() }").plan;
        assertEquals(new TrainPlan.DataSet("moons", Map.of("n", 256L, "noise", 0.2)), c.data());
    }

    @Test void dataArgumentMistakesAreDiagnosticsAtTheArgument() {
        String two = TrainRun.errors(MODEL + "train C { data moons(256, 0.2)\n optimizer sgd() }");
        assertTrue(two.contains("test.dl:9:27: error: data moons: give the arguments after the first by name"), two);
        String twice = TrainRun.errors(MODEL + "train C { data moons(256, n=3)\n optimizer sgd() }");
        assertTrue(twice.contains("error: data moons: argument 'n' is given twice"), twice);
        String how = TrainRun.errors(MODEL + "train C { data moons(normalize=\"zscore\")\n optimizer sgd() }");
        assertTrue(how.contains("test.dl:9:32: error: normalize must be one of [standardize, minmax, pixels], got 'zscore'"), how);
        String onTest = TrainRun.errors(MODEL + "train C { data moons\n test moons(normalize=\"minmax\")\n optimizer sgd() }");
        assertTrue(onTest.contains("error: the test set takes no normalize argument: it is normalized like the training data"), onTest);
        assertTrue(onTest.contains("give normalize on data"), onTest);
    }

    @Test void aHandBuiltPlanIsCheckedAndKeepsABlocksDefaults() {
        TrainPlan p = TrainPlan.builder("M", new TrainPlan.DataSet("moons")).build();
        assertEquals(List.of(32, 10, 0L, 0.1, 0, 0.0), List.of(p.batch(), p.epochs(), p.seed(), p.validation(), p.patience(), p.minDelta()));
        assertEquals(List.of(new TrainPlan.Step("step", "step", "loss", List.of(), List.of(), List.of())), p.steps());
        assertEquals(TrainPlan.Metric.FIND, p.metric());
        assertEquals(p, p.toBuilder().build());
        assertEquals(7, p.toBuilder().seed(7).build().seed());
        var bad = assertThrows(IllegalArgumentException.class, () -> p.toBuilder().normalize("zscore").build());
        assertTrue(bad.getMessage().contains("normalize must be one of"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.toBuilder().batch(0).build());
        assertThrows(IllegalArgumentException.class, () -> p.toBuilder().validation(1).build());
        assertThrows(IllegalArgumentException.class, () -> p.toBuilder().steps(List.of()).build());
    }

    @Test void stepPrefixesSelectParameters() {
        TrainPlan.Step s = new TrainPlan.Step("step.disc", "d_loss", List.of("disc"));
        assertEquals("disc", s.name());
        assertTrue(s.trains("disc.dense.w"));
        assertTrue(s.trains("disc"));
        assertFalse(s.trains("discriminator.w"));
        assertTrue(new TrainPlan.Step("step", "loss", List.of()).trains("anything"));
    }
}
