package dlc.frontend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A forward graph whose sizes fit in 64 bits but whose gradient needs a product beyond them (a
 * padding of 2^31 makes a 4294967310 x 4294967310 plane; the mean's gradient divides by its
 * element count). Found by MutationFuzzTest at seed 641325539: the gradient rule's
 * ArithmeticException escaped as an internal error; it is a located diagnostic now.
 */
class OversizedGradientTest {
    @Test
    void aGradientSizeBeyond64BitsIsALocatedDiagnostic() {
        String text = """
                import std.nn.{conv, global_avg_pool, dense}
                import std.loss.{cross_entropy}
                model M {
                  input x: f32[B, 3, 16, 16]
                  input y: i32[B]
                  logits = dense(global_avg_pool(conv(x, 4, 3, padding = 2147483648)), 10)
                  loss cross_entropy(logits, y)
                }
                train M {
                  data gratings(n = 16)
                  optimizer sgd(lr = 0.1)
                  batch 4
                  epochs 1
                }
                """;
        Compilation c = Frontend.compileSource("main.dl", text, null);
        String all = c.diagnostics().toString();
        assertTrue(all.contains("needs a size out of range"), all);
        assertNull(c.module());
    }
}
