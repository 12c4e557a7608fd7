package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.text.IrParser;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A permute that swaps the last two axes and feeds only matmuls is read transposed by the GEMM, never copied. */
class TransposeViewTest {
    private static final String BACKWARD = """
            graph g(%x: f32[B, 5], %w: f32[5, 7], %dy: f32[B, 7]) {
              %wt = permute(%w) {perm=[1, 0]} : f32[7, 5]
              %dx = matmul(%dy, %wt) : f32[B, 5]
              %xt = permute(%x) {perm=[1, 0]} : f32[5, B]
              %dw = matmul(%xt, %dy) : f32[5, 7]
              %both = matmul(%wt, %xt) : f32[7, B]
              output dx = %dx
              output dw = %dw
              output both = %both
            }
            """;

    @Test void transposedOperandsAreViews() {
        Graph g = IrParser.parseGraph(BACKWARD);
        BindTable bind = new BindTable("T", ClassEmitter.symbols(g));
        StoragePlan plan = StoragePlan.plan(g, bind);
        long views = g.nodes().stream().filter(n -> n.op() == Ops.PERMUTE && plan.isView(n)).count();
        assertEquals(2, views);
        for (boolean optimize : new boolean[]{false, true}) Agreement.check(g, Map.of("B", 3L), 9, optimize);
    }

    @Test void aPermuteReadByAnythingElseIsCopied() {
        Graph g = IrParser.parseGraph("""
                graph g(%w: f32[5, 7], %v: f32[7, 5]) {
                  %wt = permute(%w) {perm=[1, 0]} : f32[7, 5]
                  %p = matmul(%wt, %w) : f32[7, 7]
                  %s = add(%wt, %v) : f32[7, 5]
                  output p = %p
                  output s = %s
                }
                """);
        StoragePlan plan = StoragePlan.plan(g, new BindTable("T", ClassEmitter.symbols(g)));
        assertFalse(plan.isView(g.nodes().get(0)));
        Agreement.check(g, Map.of(), 4, false);
    }

    @Test void batchedTransposes() {
        Graph g = IrParser.parseGraph("""
                graph g(%q: f32[2, 3, 4], %k: f32[2, 5, 4]) {
                  %kt = permute(%k) {perm=[0, 2, 1]} : f32[2, 4, 5]
                  %s = matmul(%q, %kt) : f32[2, 3, 5]
                  %qt = permute(%q) {perm=[0, 2, 1]} : f32[2, 4, 3]
                  %t = matmul(%qt, %s) : f32[2, 4, 5]
                  output s = %s
                  output t = %t
                }
                """);
        for (boolean optimize : new boolean[]{false, true}) Agreement.check(g, Map.of(), 6, optimize);
    }
}
