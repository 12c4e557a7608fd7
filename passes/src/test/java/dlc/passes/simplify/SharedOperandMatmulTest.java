package dlc.passes.simplify;

import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Two products {@code P^T R} and {@code Q^T R} over the same R (an LSTM's {@code dW_h} and
 * {@code dW_x}) become one product of the concatenated lefts and two row slices, and a sum of R
 * over its rows (the bias gradient) a third row of it, with the values unchanged; products over different right operands, or whose lefts are not transposes, stay.
 */
class SharedOperandMatmulTest {
    /** The shape of the LSTM step's weight and bias gradients: Q reshapes a [2, 3, 2] input defined first. */
    private static final String IR = """
            graph f(%x: f32[2, 3, 2], %h: f32[6, 4], %g: f32[2, 3, 5]) {
              %r = reshape(%g) {shape=<6, 5>} : f32[6, 5]
              %ht = permute(%h) {perm=[1, 0]} : f32[4, 6]
              %dwh = matmul(%ht, %r) : f32[4, 5]
              %x2 = reshape(%x) {shape=<6, 2>} : f32[6, 2]
              %xt = permute(%x2) {perm=[1, 0]} : f32[2, 6]
              %dwx = matmul(%xt, %r) : f32[2, 5]
              %db = sum(%g) {axes=[0, 1], keepdims=false} : f32[5]
              output dwh = %dwh
              output dwx = %dwx
              output db = %db
            }
            """;

    private static Tensor random(int seed, int... shape) {
        Random rnd = new Random(seed);
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextGaussian();
        return new Tensor(DType.F32, shape, v);
    }

    private static long count(Graph g, dlc.ir.OpDef op) { return g.nodes().stream().filter(n -> n.op() == op).count(); }

    @Test
    void twoTransposedProductsOverOneRightOperandBecomeOne() {
        Graph before = IrParser.parseGraph(IR);
        Graph after = new Simplify().run(before);
        assertEquals(1, count(after, Ops.MATMUL), after::toString);
        Node product = after.nodes().stream().filter(n -> n.op() == Ops.MATMUL).findFirst().orElseThrow();
        assertEquals("f32[7, 5]", product.output().type().toString(), "4 + 2 rows and the row sum\n" + after);
        assertEquals(1, count(after, Ops.CONCAT), after::toString);
        assertEquals(3, count(after, Ops.SLICE), after::toString);
        assertEquals(0, count(after, Ops.SUM), "the bias sum is a row of the product\n" + after);
        Tensor[] in = {random(1, 2, 3, 2), random(2, 6, 4), random(3, 2, 3, 5)};
        Tensor[] want = Interpreter.run(before, in, Map.of()), got = Interpreter.run(after, in, Map.of());
        for (int i = 0; i < want.length; i++) {
            assertArrayEquals(want[i].shape(), got[i].shape(), "output " + i);
            assertArrayEquals(want[i].data(), got[i].data(), 1e-12, "output " + i);
        }
    }

    @Test
    void productsOverDifferentRightOperandsOrUntransposedLeftsStay() {
        Graph g = IrParser.parseGraph("""
                graph f(%a: f32[6, 4], %b: f32[4, 6], %r: f32[6, 5], %s: f32[6, 5]) {
                  %at = permute(%a) {perm=[1, 0]} : f32[4, 6]
                  %0 = matmul(%at, %r) : f32[4, 5]
                  %1 = matmul(%at, %s) : f32[4, 5]
                  %2 = matmul(%b, %r) : f32[4, 5]
                  output p = %0
                  output q = %1
                  output u = %2
                }
                """);
        assertSame(g, new SharedOperandMatmul().run(g));
    }

    @Test
    void aLeftDefinedOnlyAfterTheFirstProductIsNotMerged() {
        // Q is computed from the first product's result: the merged product cannot stand first
        Graph g = IrParser.parseGraph("""
                graph f(%a: f32[5, 3], %r: f32[5, 5]) {
                  %at = permute(%a) {perm=[1, 0]} : f32[3, 5]
                  %0 = matmul(%at, %r) : f32[3, 5]
                  %1 = tanh(%0) : f32[3, 5]
                  %q = permute(%1) {perm=[1, 0]} : f32[5, 3]
                  %qt = permute(%q) {perm=[1, 0]} : f32[3, 5]
                  %2 = matmul(%qt, %r) : f32[3, 5]
                  output p = %0
                  output q = %2
                }
                """);
        assertSame(g, new SharedOperandMatmul().run(g));
    }
}
