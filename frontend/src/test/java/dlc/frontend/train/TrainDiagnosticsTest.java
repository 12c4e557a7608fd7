package dlc.frontend.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Mistakes in train blocks are diagnostics at the setting, with a hint where one helps. */
class TrainDiagnosticsTest {
    static String block(String settings) {
        return TrainRun.errors("""
                model M {
                  input x: f32[3]
                  param w: f32[3] = 0.5
                  param u: f32[3] = 0.5
                  u += x
                  loss sum(w * x)
                }
                train M {
                %s
                }
                """.formatted(settings));
    }

    static void has(String text, String... parts) {
        for (String p : parts) assertTrue(text.contains(p), () -> "expected '" + p + "' in:\n" + text);
    }

    /** A gradient rule's refusal points at the forward op (issue 10: it had no file:line:col). */
    @Test void aGradientThatCannotBeBuiltIsLocatedAtItsOp() {
        String text = TrainRun.errors("""
                import std.nn.{conv}
                model M {
                  input x: f32[B, 1, H, H]
                  h = conv(x, 4, 3, stride=2)
                  loss mean(h)
                }
                train M {
                  optimizer sgd(lr=0.1)
                }
                """);
        has(text, "std/nn.dl:", ": error: cannot differentiate loss 'loss' for step 'step': the gradient of conv2d with stride 2 needs to know the input height H",
                "hint: use stride 1 on that axis, or a concrete height");
    }

    @Test void unknownOptimizerSuggestsTheClosest() {
        has(block("optimizer adma(lr=1e-3)"), "test.dl:9:11: error: unknown name 'adma'", "did you mean 'adam'?");
    }

    @Test void unknownSettingSuggestsTheClosest() {
        has(block("optimiser adam()"), "error: unknown train setting 'optimiser'", "did you mean 'optimizer'?");
        has(block("optimizer adam()\nwibble 3"), "unknown train setting 'wibble'", "settings: loss, params");
    }

    @Test void paramsPrefixMatchingNothing() {
        has(block("optimizer adam()\nparams v"), "no parameter of the model is named 'v' or starts with 'v.'");
    }

    @Test void ruleAndOptimizerOnOneParam() {
        has(block("optimizer adam()\nparams u, w"), "param 'u' is updated both by its own rule ('<-' in the model) and by the optimizer of step 'step'");
    }

    @Test void optimizerMustBeAPairOfFunctions() {
        has(block("optimizer 0.1"), "an optimizer is a pair of functions (init, update), got float 0.1");
    }

    @Test void badValuesOfSettings() {
        has(block("optimizer adam()\nbatch 0"), "'batch' must be an int >= 1, got int 0");
        has(block("optimizer adam()\nclip nrm(1.0)"), "unknown clipping 'nrm'", "did you mean 'norm'?");
        has(block("optimizer adam()\nbatch 3\nbatch 4"), "setting 'batch' is given twice");
        has(block("optimizer adam()\nmetric accuracy(probs, x)"), "the model has no output named 'probs'");
        has(block("step a { optimizer adam()\n batch 3 }"), "'batch' is a setting of the whole train block, not of one step");
        has(block("optimizer adam()\nschedule 0.5"), "a schedule is a function of the step count t, got float 0.5");
    }

    /** Issue 10: values past an int were truncated (batch 4294967297 trained with batch 1) or crashed; NaN passed the range check. */
    @Test void valuesOutOfRangeAreErrorsNotTruncated() {
        has(block("optimizer adam()\nbatch 2147483648"), "test.dl:10:7: error: 'batch' must be at most 2147483647, got int 2147483648");
        has(block("optimizer adam()\nbatch 4294967297"), "'batch' must be at most 2147483647, got int 4294967297");
        has(block("optimizer adam()\nepochs 2147483648"), "test.dl:10:8: error: 'epochs' must be at most 2147483647");
        has(block("optimizer adam()\nepochs 4294967296"), "'epochs' must be at most 2147483647, got int 4294967296");
        has(block("optimizer adam()\npatience 4294967296"), "'patience' must be at most 2147483647");
        has(block("optimizer adam()\nvalidation inf - inf"), "test.dl:10:12: error: 'validation' must be a number in [0.0, 1.0), got float NaN");
        has(block("optimizer adam()\nmin_delta inf - inf"), "'min_delta' must be a number in [0.0, Infinity), got float NaN");
        has(block("optimizer adam()\nmin_delta inf"), "'min_delta' must be a number in [0.0, Infinity), got float Infinity");
        has(block("optimizer adam()\ndata moons(n=4294967296)"), "test.dl:10:14: error: data set argument 'n' = 4294967296 does not fit an int");
        has(block("optimizer adam()\ndata moons(noise=inf - inf)"), "data set argument 'noise' = NaN is not a finite number");
        assertFalse(block("optimizer adam()\nbatch 2147483647\nepochs 2147483647\nbatch 0").contains("2147483647"), "the largest int is accepted");
    }

    @Test void mistakesInsideAnOptimizerPointIntoItWithTheCall() {
        String text = TrainRun.errors("""
                def bad(lr = 0.1) {
                  (fn(p) { none }, fn(p, g, s, t) { (p - g * lr, nothing) })
                }
                model M {
                  input x: f32[3]
                  param w: f32[3] = 0.5
                  loss sum(w * x)
                }
                train M { optimizer bad() }
                """);
        has(text, "test.dl:2:50: error: unknown name 'nothing'", "note: in call to lambda at test.dl:9:21");
    }

    @Test void optimizerThatChangesTheParamsTypeIsAnError() {
        String text = TrainRun.errors("""
                def bad() {
                  (fn(p) { none }, fn(p, g, s, t) { (sum(p), none) })
                }
                model M {
                  input x: f32[3]
                  param w: f32[3] = 0.5
                  loss sum(w * x)
                }
                train M { optimizer bad() }
                """);
        has(text, "the new value of 'w' is f32[] but must be f32[3]");
    }

    @Test void nothingToTrain() {
        String text = TrainRun.errors("""
                model M {
                  input x: f32[3]
                  param w: f32[3] = 0.5
                  loss sum(w * x)
                }
                train M { batch 4 }
                """);
        has(text, "nothing to train", "optimizer adam(lr=1e-3)");
    }

    @Test void secondTrainBlockForOneModel() {
        String text = TrainRun.errors("""
                model M {
                  input x: f32[3]
                  param w: f32[3] = 0.5
                  loss sum(w * x)
                }
                train M { optimizer sgd() }
                train M { optimizer adam() }
                """);
        has(text, "a second train block for model 'M'");
    }
}
