package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.eval.Tensor;
import dlc.ir.text.IrParser;
import dlc.runtime.Parallel;
import dlc.runtime.Scan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scans whose body computes each batch row on its own run their rows in parts, one per thread
 * ({@code dlc.runtime.Scan}): at 2 and 3 threads the results agree with the interpreter and are
 * bit-identical to one thread's (the whole batch in one body), and the parts did run.
 */
class ScanPartsTest {
    @AfterEach void restore() { Parallel.setThreads(Runtime.getRuntime().availableProcessors()); }

    /** Runs at 1, 2 and 3 threads; {@code parts}: whether 2 threads must have run the rows in parts. */
    private static void check(String ir, Map<String, Long> dims, boolean parts) {
        Graph g = IrParser.parseGraph(ir);
        for (boolean optimize : new boolean[]{false, true}) {
            Parallel.setThreads(1);
            long before = Scan.partRuns();
            Map<String, Tensor> one = Agreement.check(g, dims, 11, optimize);
            assertEquals(before, Scan.partRuns(), "one thread runs the whole batch in one body");
            for (int threads = 2; threads <= 3; threads++) {
                Parallel.setThreads(threads); // also ends any backoff, so the first run splits
                before = Scan.partRuns();
                Map<String, Tensor> split = Agreement.check(g, dims, 11, optimize);
                Agreement.compare(one, split, 0);
                if (parts) assertTrue(Scan.partRuns() > before, "ran in parts at " + threads + " threads");
                else assertEquals(before, Scan.partRuns(), "a body that mixes rows never runs in parts");
            }
        }
    }

    /** An LSTM layer as std.rnn writes it: gates from one matmul, sliced, two carries, h as y. */
    private static final String LSTM = """
            graph lstm(%xs: f32[B, T, 160], param %w: f32[40, 160]) {
              %z0 = constant() {dtype=f32, shape=<>, values=[0.0]} : f32[]
              %z = broadcast_to(%z0) {shape=<B, 40>} : f32[B, 40]
              %h, %c, %ys = scan(%z, %z, %xs, %w) {axis=1, num_carries=2, num_xs=1} : f32[B, 40], f32[B, 40], f32[B, T, 40] {
                ^step(%h0: f32[B, 40], %c0: f32[B, 40], %x: f32[B, 160], %wh: f32[40, 160]) {
                  %0 = matmul(%h0, %wh) : f32[B, 160]
                  %1 = add(%x, %0) : f32[B, 160]
                  %2 = slice(%1) {starts=<0, 0>, steps=[1, 1], stops=<B, 40>} : f32[B, 40]
                  %3 = slice(%1) {starts=<0, 40>, steps=[1, 1], stops=<B, 80>} : f32[B, 40]
                  %4 = slice(%1) {starts=<0, 80>, steps=[1, 1], stops=<B, 120>} : f32[B, 40]
                  %5 = slice(%1) {starts=<0, 120>, steps=[1, 1], stops=<B, 160>} : f32[B, 40]
                  %6 = sigmoid(%3) : f32[B, 40]
                  %7 = mul(%6, %c0) : f32[B, 40]
                  %8 = sigmoid(%2) : f32[B, 40]
                  %9 = tanh(%4) : f32[B, 40]
                  %10 = mul(%8, %9) : f32[B, 40]
                  %11 = add(%7, %10) : f32[B, 40]
                  %12 = sigmoid(%5) : f32[B, 40]
                  %13 = tanh(%11) : f32[B, 40]
                  %14 = mul(%12, %13) : f32[B, 40]
                  yield %14, %11, %14
                }
              }
              output h = %h
              output c = %c
              output ys = %ys
            }
            """;

    @Test void anLstmLayerInTwoOrThreeParts() {
        // 17 rows: parts of 8 and 9 at 2 threads (3 threads: 17 / 8 allows only 2 parts)
        check(LSTM, Map.of("B", 17L, "T", 6L), true);
        // 24 rows: 12 + 12, then 8 + 8 + 8
        check(LSTM, Map.of("B", 24L, "T", 4L), true);
    }

    @Test void aPartWhoseTanhRangeEndsInAPartialVector() {
        // found by ScanPartsProperties: 18 rows of 8 features are 144 floats (9 vectors of 16) as a
        // whole, but 72 (4 vectors and 8 floats) per part; the 8 were computed by the scalar
        // library, an ulp from the vector polynomial
        check("""
                graph g(%h0: f32[B, 8], %xs: f32[B, T, 8], param %w: f32[8, 8]) {
                  %h, %ys = scan(%h0, %xs, %w) {axis=1, num_carries=1, num_xs=1, reverse=true} : f32[B, 8], f32[B, T, 8] {
                    ^step(%c: f32[B, 8], %x: f32[B, 8], %wc: f32[8, 8]) {
                      %0 = matmul(%c, %wc) : f32[B, 8]
                      %1 = tanh(%0) : f32[B, 8]
                      yield %1, %0
                    }
                  }
                  output h = %h
                  output ys = %ys
                }
                """, Map.of("B", 18L, "T", 3L), true);
    }

    @Test void anAttentionDecoderReadsItsOwnRowsOfTheCapturedMemory() {
        // the memory [B, S, 8] is captured: each part copies its rows of it once per run
        check("""
                graph g(%h0: f32[B, 8], %xs: f32[B, T, 8], %mem: f32[B, S, 8], param %w: f32[16, 8]) {
                  %h, %ys = scan(%h0, %xs, %mem, %w) {axis=1, num_carries=1, num_xs=1} : f32[B, 8], f32[B, T, 16] {
                    ^step(%c: f32[B, 8], %x: f32[B, 8], %m: f32[B, S, 8], %wc: f32[16, 8]) {
                      %0 = reshape(%c) {shape=<B, 1, 8>} : f32[B, 1, 8]
                      %1 = permute(%m) {perm=[0, 2, 1]} : f32[B, 8, S]
                      %2 = matmul(%0, %1) : f32[B, 1, S]
                      %3 = max(%2) {axes=[2], keepdims=true} : f32[B, 1, 1]
                      %4 = sub(%2, %3) : f32[B, 1, S]
                      %5 = exp(%4) : f32[B, 1, S]
                      %6 = sum(%5) {axes=[2], keepdims=true} : f32[B, 1, 1]
                      %7 = div(%5, %6) : f32[B, 1, S]
                      %8 = matmul(%7, %m) : f32[B, 1, 8]
                      %9 = reshape(%8) {shape=<B, 8>} : f32[B, 8]
                      %10 = concat(%x, %9) {axis=1} : f32[B, 16]
                      %11 = matmul(%10, %wc) : f32[B, 8]
                      %12 = tanh(%11) : f32[B, 8]
                      yield %12, %10
                    }
                  }
                  output h = %h
                  output ys = %ys
                }
                """, Map.of("B", 19L, "T", 4L, "S", 5L), true);
    }

    @Test void tooFewRowsForTwoPartsRunWhole() {
        check(LSTM, Map.of("B", 15L, "T", 3L), false);
        // an empty batch (dlc run --batch 0, found by MutationFuzzTest): sized per row, it divided by 0
        check(LSTM, Map.of("B", 0L, "T", 3L), false);
    }

    @Test void aReverseRecurrenceWhoseGemmSumsOverTwoSlicesAndARowReduction() {
        // k = 300 runs as two slices of 150: a part's rows must add them in the same order as the whole's
        check("""
                graph g(%h0: f32[B, 300], %xs: f32[B, T, 300], param %w: f32[300, 300]) {
                  %h, %ys, %n = scan(%h0, %xs, %w) {axis=1, num_carries=1, num_xs=1, reverse=true} : f32[B, 300], f32[B, T, 300], f32[B, T] {
                    ^step(%c: f32[B, 300], %x: f32[B, 300], %wc: f32[300, 300]) {
                      %0 = matmul(%c, %wc) : f32[B, 300]
                      %1 = add(%0, %x) : f32[B, 300]
                      %2 = tanh(%1) : f32[B, 300]
                      %3 = mul(%2, %2) : f32[B, 300]
                      %4 = sum(%3) {axes=[1], keepdims=false} : f32[B]
                      yield %2, %2, %4
                    }
                  }
                  output h = %h
                  output ys = %ys
                  output n = %n
                }
                """, Map.of("B", 16L, "T", 3L), true);
    }

    @Test void aBodyThatNormalizesOverTheBatchRunsWhole() {
        check("""
                graph g(%h0: f32[B, 8], %xs: f32[B, T, 8]) {
                  %h, %ys = scan(%h0, %xs) {axis=1, num_carries=1, num_xs=1} : f32[B, 8], f32[B, T, 8] {
                    ^step(%c: f32[B, 8], %x: f32[B, 8]) {
                      %0 = add(%c, %x) : f32[B, 8]
                      %1 = mean(%0) {axes=[0], keepdims=true} : f32[1, 8]
                      %2 = sub(%0, %1) : f32[B, 8]
                      %3 = tanh(%2) : f32[B, 8]
                      yield %3, %3
                    }
                  }
                  output h = %h
                  output ys = %ys
                }
                """, Map.of("B", 32L, "T", 4L), false);
    }
}
