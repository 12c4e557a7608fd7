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
}
