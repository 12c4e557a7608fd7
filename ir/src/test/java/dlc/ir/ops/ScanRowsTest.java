package dlc.ir.ops;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ScanRows: which scan bodies compute each batch row on their own, written as IR. */
class ScanRowsTest {
    /** The verdict on the first scan of a graph whose scan has the given body lines (carry %c and x %x of [R, 8], captured %w [8, 8]). */
    private static Optional<String> verdict(String rows, String body, String yType) {
        String ir = """
                graph g(%h0: f32[R, 8], %xs: f32[R, T, 8], param %w: f32[8, 8]) {
                  %h, %ys = scan(%h0, %xs, %w) {axis=1, num_carries=1, num_xs=1} : f32[R, 8], YT {
                    ^step(%c: f32[R, 8], %x: f32[R, 8], %v: f32[8, 8]) {
                BODY
                    }
                  }
                  output last = %h
                  output seq = %ys
                }
                """.replace("R", rows).replace("BODY", body).replace("YT", yType.replace("R", rows));
        Graph g = IrParser.parseGraph(ir);
        Node scan = g.nodes().stream().filter(n -> n.op() == Ops.SCAN).findFirst().orElseThrow();
        return ScanRows.batchSymbol(scan);
    }

    private static Optional<String> verdict(String body) { return verdict("B", body, "f32[R, T, 8]"); }

    @Test
    void anRnnStepComputesEachRowOnItsOwn() {
        assertEquals(Optional.of("B"), verdict("""
                      %0 = matmul(%c, %v) : f32[B, 8]
                      %1 = add(%0, %x) : f32[B, 8]
                      %2 = tanh(%1) : f32[B, 8]
                      yield %2, %2
                """));
    }

    @Test
    void fusedGatesSlicedAndConcatenatedAlongFeaturesKeepTheRows() {
        assertEquals(Optional.of("B"), verdict("""
                      %0 = fusion(%c, %v, %x) {kind="output"} : f32[B, 8] {
                        ^f(%in0: f32[B, 8], %in1: f32[8, 8], %in2: f32[B, 8]) {
                          %1 = matmul(%in0, %in1) : f32[B, 8]
                          %2 = add(%in2, %1) : f32[B, 8]
                          yield %2
                        }
                      }
                      %3, %4 = fusion(%0, %c) {kind="loop"} : f32[B, 8], f32[B, 1] {
                        ^g(%a: f32[B, 8], %b: f32[B, 8]) {
                          %5 = slice(%a) {starts=<0, 0>, steps=[1, 1], stops=<B, 4>} : f32[B, 4]
                          %6 = slice(%b) {starts=<0, 4>, steps=[1, 1], stops=<B, 8>} : f32[B, 4]
                          %7 = sigmoid(%5) : f32[B, 4]
                          %8 = concat(%7, %6) {axis=1} : f32[B, 8]
                          %9 = sum(%8) {axes=[1], keepdims=true} : f32[B, 1]
                          yield %8, %9
                        }
                      }
                      %10 = broadcast_to(%4) {shape=<B, 8>} : f32[B, 8]
                      %11 = mul(%3, %10) : f32[B, 8]
                      %12 = reshape(%11) {shape=<B, 2, 4>} : f32[B, 2, 4]
                      %13 = permute(%12) {perm=[0, 2, 1]} : f32[B, 4, 2]
                      %14 = reshape(%13) {shape=<B, 8>} : f32[B, 8]
                      yield %14, %14
                """));
    }

    @Test
    void aSumOverTheRowsMixesThem() {
        assertEquals(Optional.empty(), verdict("""
                      %0 = sum(%c) {axes=[0], keepdims=true} : f32[1, 8]
                      %1 = add(%x, %0) : f32[B, 8]
                      yield %1, %1
                """));
    }

    @Test
    void aMatmulThatContractsOverTheRowsMixesThem() {
        assertEquals(Optional.empty(), verdict("""
                      %0 = permute(%c) {perm=[1, 0]} : f32[8, B]
                      %1 = matmul(%0, %x) : f32[8, 8]
                      %2 = matmul(%x, %1) : f32[B, 8]
                      yield %2, %2
                """));
    }

    @Test
    void aSliceOfSomeRowsOrAReshapeAcrossRowsMixesThem() {
        assertEquals(Optional.empty(), verdict("""
                      %0 = slice(%c) {starts=<1, 0>, steps=[1, 1], stops=<B, 8>} : f32[B - 1, 8]
                      %1 = slice(%x) {starts=<0, 0>, steps=[1, 1], stops=<1, 8>} : f32[1, 8]
                      %2 = concat(%0, %1) {axis=0} : f32[B, 8]
                      yield %2, %2
                """));
        assertEquals(Optional.empty(), verdict("""
                      %0 = reshape(%c) {shape=<8, B>} : f32[8, B]
                      %1 = reshape(%0) {shape=<B, 8>} : f32[B, 8]
                      yield %1, %1
                """));
    }

    @Test
    void aRandomDrawOrAnIotaDependsOnHowManyRowsThereAre() {
        assertEquals(Optional.empty(), verdict("""
                      %0 = iota() {axis=0, dtype=f32, shape=<B, 8>} : f32[B, 8]
                      %1 = add(%c, %0) : f32[B, 8]
                      yield %1, %1
                """));
    }

    @Test
    void aFreeConstantOfTheRowsShapeIsTheSameInEveryRow() {
        assertEquals(Optional.of("B"), verdict("""
                      %0 = constant() {dtype=f32, shape=<B, 8>, values=[0.5]} : f32[B, 8]
                      %1 = mul(%c, %0) : f32[B, 8]
                      %2 = add(%1, %x) : f32[B, 8]
                      yield %2, %2
                """));
    }

    @Test
    void aBatchGivenAsANumberCannotBeRebound() {
        assertEquals(Optional.empty(), verdict("32", """
                      %0 = add(%c, %x) : f32[32, 8]
                      yield %0, %0
                """, "f32[R, T, 8]"));
    }

    @Test
    void aTimeMajorScanHasNoRowsFirstInItsXs() {
        String ir = """
                graph g(%h0: f32[B, 8], %xs: f32[T, B, 8]) {
                  %h, %ys = scan(%h0, %xs) {axis=0, num_carries=1, num_xs=1} : f32[B, 8], f32[T, B, 8] {
                    ^step(%c: f32[B, 8], %x: f32[B, 8]) {
                      %0 = add(%c, %x) : f32[B, 8]
                      yield %0, %0
                    }
                  }
                  output last = %h
                  output seq = %ys
                }
                """;
        Node scan = IrParser.parseGraph(ir).nodes().get(0);
        assertEquals(Optional.empty(), ScanRows.batchSymbol(scan));
    }

    @Test
    void aCapturedOperandWithTheRowsFirstIsReadRowByRow() {
        // an attention decoder: the step's query against its own row of the encoder outputs
        String ir = """
                graph g(%h0: f32[B, 8], %xs: f32[B, T, 8], %m: f32[B, S, 8]) {
                  %h, %ys = scan(%h0, %xs, %m) {axis=1, num_carries=1, num_xs=1} : f32[B, 8], f32[B, T, 8] {
                    ^step(%c: f32[B, 8], %x: f32[B, 8], %mm: f32[B, S, 8]) {
                      %0 = reshape(%c) {shape=<B, 1, 8>} : f32[B, 1, 8]
                      %1 = permute(%mm) {perm=[0, 2, 1]} : f32[B, 8, S]
                      %2 = matmul(%0, %1) : f32[B, 1, S]
                      %3 = matmul(%2, %mm) : f32[B, 1, 8]
                      %4 = reshape(%3) {shape=<B, 8>} : f32[B, 8]
                      %5 = add(%4, %x) : f32[B, 8]
                      yield %5, %5
                    }
                  }
                  output last = %h
                  output seq = %ys
                }
                """;
        Node scan = IrParser.parseGraph(ir).nodes().get(0);
        assertEquals(Optional.of("B"), ScanRows.batchSymbol(scan));
    }

    @Test
    void aCapturedOperandWithTheRowsElsewhereIsNotSplit() {
        String ir = """
                graph g(%h0: f32[B, 8], %xs: f32[B, T, 8], %m: f32[8, B]) {
                  %h, %ys = scan(%h0, %xs, %m) {axis=1, num_carries=1, num_xs=1} : f32[B, 8], f32[B, T, 8] {
                    ^step(%c: f32[B, 8], %x: f32[B, 8], %mm: f32[8, B]) {
                      %0 = permute(%mm) {perm=[1, 0]} : f32[B, 8]
                      %1 = add(%c, %0) : f32[B, 8]
                      %2 = add(%1, %x) : f32[B, 8]
                      yield %2, %2
                    }
                  }
                  output last = %h
                  output seq = %ys
                }
                """;
        Node scan = IrParser.parseGraph(ir).nodes().get(0);
        assertEquals(Optional.empty(), ScanRows.batchSymbol(scan));
    }
}
