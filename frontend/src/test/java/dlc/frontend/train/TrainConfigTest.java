package dlc.frontend.train;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The block's settings as the trainer reads them. */
class TrainConfigTest {
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
        TrainConfig c = TrainRun.of(MODEL + """
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
                """).config;
        assertEquals(new TrainConfig.Data("spirals", List.of(), Map.of("n", 300L, "noise", 0.1, "arms", List.of(1L, 2L), "shuffle", true, "name", "s")), c.data());
        assertEquals(List.of(16, 3, 42L, 0.2, 5, 1e-4), List.of(c.batch(), c.epochs(), c.seed(), c.validation(), c.patience(), c.minDelta()));
        assertEquals("C", c.model());
        assertEquals(new TrainConfig.Step("step", "step", "loss", List.of("w"), List.of("opt.w.0", "opt.w.1"), List.of()), c.steps().get(0));
    }

    @Test void defaultsAndTheDefaultMetric() {
        TrainConfig c = TrainRun.of(MODEL + "train C { data \"digits\"\n optimizer sgd() }").config;
        assertEquals(new TrainConfig.Data("digits", List.of(), Map.of()), c.data());
        assertEquals(List.of(32, 10, 0L, 0.1, 0, 0.0), List.of(c.batch(), c.epochs(), c.seed(), c.validation(), c.patience(), c.minDelta()));
        assertEquals(new TrainConfig.Metric("accuracy", "logits", "y"), c.metric(), "the first floating output with one more axis than the labels");
    }

    @Test void aTestSetIsADataSettingOfItsOwn() {
        TrainConfig c = TrainRun.of(MODEL + """
                train C {
                  data fashion_mnist(normalize = "minmax")
                  test fashion_mnist(part = "test")
                  optimizer sgd()
                }
                """).config;
        assertEquals(new TrainConfig.Data("fashion_mnist", List.of(), Map.of("normalize", "minmax")), c.data());
        assertEquals(new TrainConfig.Data("fashion_mnist", List.of(), Map.of("part", "test")), c.test());
        assertNull(TrainRun.of(MODEL + "train C { data \"digits\"\n optimizer sgd() }").config.test(), "no test set unless named");
    }

    @Test void explicitMetricOrNone() {
        assertEquals(new TrainConfig.Metric("accuracy", "probs", "y"),
                TrainRun.of(MODEL + "train C { optimizer sgd()\n metric accuracy(probs, y) }").config.metric());
        assertNull(TrainRun.of(MODEL + "train C { optimizer sgd()\n metric none }").config.metric());
    }
}
