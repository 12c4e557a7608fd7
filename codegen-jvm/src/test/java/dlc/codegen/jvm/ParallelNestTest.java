package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.eval.Tensor;
import dlc.ir.text.IrParser;
import dlc.runtime.CompiledGraph;
import dlc.runtime.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

/**
 * Elementwise loop nests split over threads by their outer loop ({@code CompiledGraph.parallelNest}):
 * with every nest split (no size threshold) and 1, 2 or 3 threads, the results agree with the
 * interpreter and are bit-identical to one thread's.
 */
class ParallelNestTest {
    @AfterEach void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        CompiledGraph.setParallelNestMinWork(CompiledGraph.DEFAULT_NEST_MIN_WORK);
    }

    private static void check(String ir, Map<String, Long> dims) {
        Graph g = IrParser.parseGraph(ir);
        for (boolean optimize : new boolean[]{false, true}) {
            Parallel.setThreads(1);
            Map<String, Tensor> one = Agreement.check(g, dims, 11, optimize);
            CompiledGraph.setParallelNestMinWork(0);
            for (int threads = 2; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                Map<String, Tensor> split = Agreement.check(g, dims, 11, optimize);
                Agreement.compare(one, split, 0);
            }
            CompiledGraph.setParallelNestMinWork(CompiledGraph.DEFAULT_NEST_MIN_WORK);
        }
    }

    @Test void flatElementwiseChainWithAnOddExtent() {
        // one merged level of 7 * 13 = 91 points: parts of 45 and 46 (2 threads), 30, 30, 31 (3)
        check("""
                graph g(%x: f32[7, 13], %y: f32[7, 13]) {
                  %0 = mul(%x, %y) : f32[7, 13]
                  %1 = tanh(%0) : f32[7, 13]
                  %2 = add(%1, %x) : f32[7, 13]
                  output z = %2
                  output p = %0
                }
                """, Map.of());
    }

    @Test void broadcastsAlongTheSplitLoopAndInside() {
        // outer level B (split) with a row bias broadcast along it, a column scale broadcast inside it
        check("""
                graph g(%x: f32[B, 5, 6], param %b: f32[5, 6], %s: f32[B, 1, 6]) {
                  %0 = add(%x, %b) : f32[B, 5, 6]
                  %1 = mul(%0, %s) : f32[B, 5, 6]
                  %2 = relu(%1) : f32[B, 5, 6]
                  output y = %2
                }
                """, Map.of("B", 9L));
    }

    @Test void aReductionNextToSplitNests() {
        // the reduction runs whole; the elementwise nests before and after it split
        check("""
                graph g(%x: f32[B, 10]) {
                  %0 = exp(%x) : f32[B, 10]
                  %1 = sum(%0) {axes=[1], keepdims=true} : f32[B, 1]
                  %2 = div(%0, %1) : f32[B, 10]
                  %3 = mul(%2, %x) : f32[B, 10]
                  output p = %2
                  output q = %3
                }
                """, Map.of("B", 17L));
    }

    @Test void aSinglePointNestRunsInline() {
        check("""
                graph g(%x: f32[], %y: f32[1, 1]) {
                  %0 = mul(%x, %y) : f32[1, 1]
                  output z = %0
                }
                """, Map.of());
    }
}
