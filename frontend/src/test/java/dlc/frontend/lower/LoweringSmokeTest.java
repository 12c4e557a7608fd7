package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.ir.Graph;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LoweringSmokeTest {
    @Test
    void mlpLowers() {
        Compilation c = TestSupport.ok("""
                def dense(x: f32[..., I], units: int) -> f32[..., units] {
                  param w: f32[I, units] = normal(0.0, 0.1)
                  param b: f32[units] = zeros()
                  x @ w + b
                }
                model Mlp(hidden: int = 16) {
                  input x: f32[B, 784]
                  h = relu(dense(x, hidden))
                  output logits = dense(h, 10)
                }
                """);
        Graph train = TestSupport.graph(c, "train");
        System.out.println(train.inputs());
        System.out.println(train.outputs());
        System.out.println(TestSupport.graph(c, "init").outputs());
    }
}
