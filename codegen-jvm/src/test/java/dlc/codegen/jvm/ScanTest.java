package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** scan: carries, xs over an inner axis, ys stacked, captured values, reverse, no-xs with a length. */
class ScanTest {
    private static void check(String ir, Map<String, Long> dims) {
        Graph g = IrParser.parseGraph(ir);
        for (boolean optimize : new boolean[]{false, true}) Agreement.check(g, dims, 11, optimize);
    }

    @Test void recurrenceOverAxisOne() {
        check("""
                graph f(%h0: f32[B, 3], %xs: f32[B, T, 3], %w: f32[3]) {
                  %h, %ys = scan(%h0, %xs, %w) {axis=1, num_carries=1, num_xs=1} : f32[B, 3], f32[B, T, 3] {
                    ^step(%c: f32[B, 3], %x: f32[B, 3], %wc: f32[3]) {
                      %0 = mul(%c, %wc) : f32[B, 3]
                      %1 = add(%0, %x) : f32[B, 3]
                      %2 = tanh(%1) : f32[B, 3]
                      %3 = sum(%2) {axes=[1], keepdims=false} : f32[B]
                      yield %2, %2
                    }
                  }
                  output h = %h
                  output ys = %ys
                }
                """, Map.of("B", 2L, "T", 5L));
    }

    @Test void reverseWithTwoYs() {
        check("""
                graph f(%h0: f32[4], %xs: f32[6, 4]) {
                  %h, %a, %b = scan(%h0, %xs) {num_carries=1, num_xs=1, reverse=true} : f32[4], f32[6, 4], f32[6] {
                    ^step(%c: f32[4], %x: f32[4]) {
                      %0 = add(%c, %x) : f32[4]
                      %1 = sum(%0) {axes=[0], keepdims=false} : f32[]
                      yield %0, %0, %1
                    }
                  }
                  output h = %h
                  output a = %a
                  output b = %b
                }
                """, Map.of());
    }

    @Test void lengthWithoutXs() {
        check("""
                graph f(%h0: f32[3]) {
                  %h = scan(%h0) {num_carries=1, num_xs=0, length=4} : f32[3] {
                    ^step(%c: f32[3]) {
                      %0 = mul(%c, %c) : f32[3]
                      %1 = add(%0, %c) : f32[3]
                      yield %1
                    }
                  }
                  output h = %h
                }
                """, Map.of());
    }

    @Test void yIsTheIncomingCarryAndCarriesSwap() {
        check("""
                graph f(%a0: f32[3], %b0: f32[3], %xs: f32[5, 3]) {
                  %a, %b, %old = scan(%a0, %b0, %xs) {num_carries=2, num_xs=1} : f32[3], f32[3], f32[5, 3] {
                    ^step(%a: f32[3], %b: f32[3], %x: f32[3]) {
                      %0 = add(%a, %x) : f32[3]
                      yield %b, %0, %a
                    }
                  }
                  output a = %a
                  output b = %b
                  output old = %old
                }
                """, Map.of());
    }
}
