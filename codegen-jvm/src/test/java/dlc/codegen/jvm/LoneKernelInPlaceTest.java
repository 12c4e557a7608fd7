package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.text.IrParser;
import dlc.runtime.CompiledGraph;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Only a lone VecMath call (f32 exp, tanh, ...) may write its result over its dying operand: other
 * kernels of one f32 operand and a result of the same type (reverse, a square permute) read
 * elements after writing others, so the memory plan must give them a slot of their own.
 */
class LoneKernelInPlaceTest {
    private static void agreesUnoptimized(String text, float[] x, float[] want) {
        Graph g = IrParser.parseGraph(text);
        CompiledGraph cg = JvmCompiler.generate(g, "dlc.gen.Lone").instantiate();
        Object[] out = cg.run(new Object[]{x}, new long[0]);
        assertArrayEquals(want, (float[]) out[0], text);
        Agreement.check(g, Map.of(), 3, false);
        Agreement.check(g, Map.of(), 3, true);
    }

    @Test void reverseOfADyingValueIsNotWrittenOverIt() {
        agreesUnoptimized("""
                graph g(%x: f32[4]) {
                  %h = mul(%x, %x) : f32[4]
                  %r = reverse(%h) {axes=[0]} : f32[4]
                  %o = add(%r, %x) : f32[4]
                  output o = %o
                }
                """, new float[]{1, 2, 3, 4}, new float[]{17, 11, 7, 5});
    }

    @Test void squarePermuteOfADyingValueIsNotWrittenOverIt() {
        agreesUnoptimized("""
                graph g(%x: f32[2, 2]) {
                  %h = mul(%x, %x) : f32[2, 2]
                  %t = permute(%h) {perm=[1, 0]} : f32[2, 2]
                  %o = add(%t, %x) : f32[2, 2]
                  output o = %o
                }
                """, new float[]{1, 2, 3, 4}, new float[]{2, 11, 7, 20});
    }

    @Test void aLoneExpStillWritesOverItsDyingOperand() {
        agreesUnoptimized("""
                graph g(%x: f32[3]) {
                  %h = mul(%x, %x) : f32[3]
                  %e = exp(%h) : f32[3]
                  %o = add(%e, %x) : f32[3]
                  output o = %o
                }
                """, new float[]{0, 1, 0}, new float[]{1, (float) Math.E + 1, 1});
    }
}
