package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** Loop nests: elementwise chains, broadcasting, reductions, multi-output groups, scalars, integers. */
class NestTest {
    private static void check(String ir, Map<String, Long> dims) {
        Graph g = IrParser.parseGraph(ir);
        for (boolean optimize : new boolean[]{false, true}) Agreement.check(g, dims, 7, optimize);
    }

    @Test void softmaxCrossEntropy() {
        check("""
                graph ce(param %logits: f32[B, 10], %labels: f32[B, 10]) {
                  %0 = max(%logits) {axes=[1], keepdims=true} : f32[B, 1]
                  %1 = sub(%logits, %0) : f32[B, 10]
                  %2 = exp(%1) : f32[B, 10]
                  %3 = sum(%2) {axes=[1], keepdims=true} : f32[B, 1]
                  %4 = log(%3) : f32[B, 1]
                  %5 = sub(%1, %4) : f32[B, 10]
                  %6 = mul(%5, %labels) : f32[B, 10]
                  %7 = mean(%6) {axes=[0, 1], keepdims=false} : f32[]
                  %8 = neg(%7) : f32[]
                  loss loss = %8
                  output logp = %5
                }
                """, Map.of("B", 5L));
    }

    @Test void biasReluAndColumnSums() {
        check("""
                graph g(%x: f32[B, 7], param %b: f32[7]) {
                  %0 = add(%x, %b) : f32[B, 7]
                  %1 = relu(%0) : f32[B, 7]
                  %2 = sum(%1) {axes=[0], keepdims=false} : f32[7]
                  %3 = tanh(%1) : f32[B, 7]
                  %4 = sigmoid(%3) : f32[B, 7]
                  output y = %4
                  output s = %2
                }
                """, Map.of("B", 3L));
    }

    @Test void middleAxisBroadcastAndReduce() {
        check("""
                graph g(%x: f32[2, 3, 4], %s: f32[2, 1, 4]) {
                  %0 = mul(%x, %s) : f32[2, 3, 4]
                  %1 = max(%0) {axes=[1], keepdims=true} : f32[2, 1, 4]
                  %2 = sub(%0, %1) : f32[2, 3, 4]
                  %3 = min(%2) {axes=[0, 2], keepdims=false} : f32[3]
                  output a = %2
                  output m = %3
                }
                """, Map.of());
    }

    /**
     * Reductions over the innermost level run four interleaved accumulators and a tail
     * (NestEmitter.reduceInnermost): every extent around the unroll (short of it, whole multiples,
     * each remainder), with the outer level kept and reduced, for each reduction and for integers.
     */
    @Test void innermostReductionsAtEveryRemainder() {
        for (int n : new int[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 31})
            for (dlc.ir.OpDef red : dlc.ir.testing.OpLists.with(dlc.ir.OpTrait.REDUCTION)) // sum, mean, max, min
                check("""
                        graph red(%x: f32[3, 2, N], %k: i32[2, N]) {
                          %0 = RED(%x) {axes=[2], keepdims=false} : f32[3, 2]
                          %1 = RED(%x) {axes=[0, 2], keepdims=false} : f32[2]
                          %2 = exp(%x) : f32[3, 2, N]
                          %3 = RED(%2) {axes=[1, 2], keepdims=true} : f32[3, 1, 1]
                          %4 = sum(%k) {axes=[1], keepdims=false} : i32[2]
                          output a = %0
                          output b = %1
                          output c = %3
                          output d = %4
                        }
                        """.replace("RED", red.name()).replace("N]", n + "]"), Map.of());
    }

    @Test void comparisonsWhereCastAndIntegers() {
        check("""
                graph g(%x: f32[6], %k: i64[6]) {
                  %0 = gt(%x, %x) : bool[6]
                  %c = cast(%k) {dtype=f32} : f32[6]
                  %1 = lt(%c, %x) : bool[6]
                  %2 = where(%1, %x, %c) : f32[6]
                  %3 = mul(%k, %k) : i64[6]
                  %4 = add(%3, %k) : i64[6]
                  %5 = cast(%2) {dtype=i32} : i32[6]
                  output w = %2
                  output i = %4
                  output j = %5
                  output b = %0
                }
                """, Map.of());
    }

    // Issue 9, item 1: `b = -y; d = b - sum(b)` over y: f32[1] gave d = b on the JVM backend.
    // Simplify makes the sum over a size-1 dim a reshape of b; fusion puts neg, reshape and sub in
    // one group, and the group's single loop nest wrote b while reading the reshape (b's buffer)
    // before the store. Each form runs unoptimized and through the pipeline; the fused one as is.

    @Test void elementMinusItsSumOverASizeOneDim() {
        for (dlc.ir.OpDef red : dlc.ir.testing.OpLists.with(dlc.ir.OpTrait.REDUCTION)) // sum, mean, max, min
            check("""
                    graph red(%y: f32[1]) {
                      %0 = neg(%y) : f32[1]
                      %1 = RED(%0) {axes=[0], keepdims=false} : f32[]
                      %2 = sub(%0, %1) : f32[1]
                      output d = %2
                    }
                    """.replace("RED", red.name()), Map.of());
    }

    @Test void elementMinusItsSumKeepdimsOverSizeOneDims() {
        check("""
                graph red(%y: f32[B, 1, 1]) {
                  %0 = neg(%y) : f32[B, 1, 1]
                  %1 = sum(%0) {axes=[1, 2], keepdims=true} : f32[B, 1, 1]
                  %2 = sub(%0, %1) : f32[B, 1, 1]
                  %3 = mean(%0) {axes=[0], keepdims=false} : f32[1, 1]
                  %4 = exp(%0) : f32[B, 1, 1]
                  %5 = mul(%4, %3) : f32[B, 1, 1]
                  output d = %2
                  output e = %5
                }
                """, Map.of("B", 3L));
    }

    @Test void fusedGroupReadingAReshapeOfItsOwnTarget() {
        Graph g = IrParser.parseGraph("""
                graph red(%y: f32[1]) {
                  %0 = fusion(%y) {kind="loop"} : f32[1] {
                    ^fused_0(%in0: f32[1]) {
                      %1 = neg(%in0) : f32[1]
                      %2 = reshape(%1) {shape=<>} : f32[]
                      %3 = sub(%1, %2) : f32[1]
                      yield %3
                    }
                  }
                  output d = %0
                }
                """);
        Map<String, dlc.ir.eval.Tensor> got = Agreement.check(g, Map.of(), 3, false);
        org.junit.jupiter.api.Assertions.assertEquals(0.0, got.get("d").data()[0], "b - sum(b) over one element");
    }

    @Test void fusedGroupReadingARowReshapeOfItsOwnTarget() {
        // [1, 3] read back through a reshape to [3] (broadcast over the same space)
        Agreement.check(IrParser.parseGraph("""
                graph g(%x: f32[1, 3]) {
                  %0 = fusion(%x) {kind="loop"} : f32[1, 3] {
                    ^fused_0(%in0: f32[1, 3]) {
                      %1 = mul(%in0, %in0) : f32[1, 3]
                      %2 = reshape(%1) {shape=<3>} : f32[3]
                      %3 = add(%1, %2) : f32[1, 3]
                      yield %3
                    }
                  }
                  output s = %0
                }
                """), Map.of(), 5, false);
    }
}
