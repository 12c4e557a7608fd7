package dlc.frontend.train;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.frontend.lower.SourceProvider;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Train settings given from outside the file (dlc train --lr, --epochs). */
class TrainOverridesTest {
    static final String SRC = """
            model M {
              input x: f64[1]
              param w: f64[1] = 0.0
              loss sum(w * x)
            }
            train M {
              optimizer sgd(lr=0.5)
              epochs 4
            }
            """;

    static Compilation compile(String src, Map<String, String> train) {
        return Frontend.compileSource("test.dl", src, null, Map.of(), train, SourceProvider.standard());
    }

    @Test void lrReplacesTheOptimizersLearningRate() {
        Compilation c = compile(SRC, Map.of("lr", "0.125", "epochs", "2"));
        assertTrue(c.ok(), c::render);
        assertEquals(2, c.train().epochs());
        var out = dlc.ir.eval.Interpreter.run(c.module().graph("step").orElseThrow(), Map.of(
                "x", TrainRun.vec(1.0), "w", TrainRun.vec(0.0), "step", dlc.ir.eval.Tensor.scalar(dlc.ir.DType.I64, 0)));
        assertEquals(-0.125, out.get("w").item(), 0);
    }

    @Test void mistakesInOverridesAreDiagnostics() {
        String unknown = compile(SRC, Map.of("epoch", "2")).render();
        assertTrue(unknown.contains("unknown train setting 'epoch'") && unknown.contains("did you mean 'epochs'?"), unknown);
        String bad = compile(SRC, Map.of("batch", "0")).render();
        assertTrue(bad.contains("<train batch>:1:15: error: 'batch' must be an int >= 1, got int 0"), bad);
        String none = compile(SRC.replace("train M {\n  optimizer sgd(lr=0.5)\n  epochs 4\n}\n", ""), Map.of("lr", "0.1")).render();
        assertTrue(none.contains("has no train block for model M"), none);
    }

    /** Issue 9: the error was located at "<train lr>:1:15", a pseudo-file the user never wrote; the block is what lacks an optimizer. */
    @Test void lrOnARuleOnlyBlockIsAnErrorAtTheBlock() {
        String rules = """
                model R {
                  input x: f64[1]
                  param w: f64[1] = 0.0
                  w += x
                  loss sum(w * x)
                }
                train R {
                  epochs 2
                }
                """;
        String text = compile(rules, Map.of("lr", "0.1")).render();
        assertTrue(text.contains("test.dl:7:1: error: a learning rate (--lr) was given, but the train block for R has no optimizer"), text);
        assertTrue(text.contains("train R {") && text.contains("hint: drop --lr"), text);
        assertFalse(text.contains("<train lr>"), text);
    }
}
