package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.eval.Tensor;
import dlc.ir.text.IrParser;
import dlc.runtime.CompiledGraph;
import dlc.runtime.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Reduction nests split over threads ({@code CompiledGraph.parallelReduce}): by rows of a kept
 * outer axis (bit-identical to one thread), or over a reduced outer axis (a column sum over the
 * batch) into partial accumulators combined in part order, which agrees with the interpreter
 * and, for a fixed thread count, gives the same bits on every run.
 */
class ParallelReductionTest {
    @AfterEach void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        CompiledGraph.setParallelNestMinWork(CompiledGraph.DEFAULT_NEST_MIN_WORK);
    }

    /** Every nest split (no threshold) at 2 and 3 threads: agrees with the interpreter; bit-identical to one thread when {@code exact}. */
    private static void check(String ir, Map<String, Long> dims, boolean exact) {
        Graph g = IrParser.parseGraph(ir);
        for (boolean optimize : new boolean[]{false, true}) {
            Parallel.setThreads(1);
            Map<String, Tensor> one = Agreement.check(g, dims, 5, optimize);
            CompiledGraph.setParallelNestMinWork(0);
            for (int threads = 2; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                Map<String, Tensor> split = Agreement.check(g, dims, 5, optimize);
                if (exact) Agreement.compare(one, split, 0);
            }
            CompiledGraph.setParallelNestMinWork(CompiledGraph.DEFAULT_NEST_MIN_WORK);
        }
    }

    @Test void columnSumOverTheBatch() {
        // a bias gradient: the outer (split) axis is the reduced one, 37 rows in parts of 18/19 or 12/12/13
        check("""
                graph g(%x: f32[B, 6], %y: f32[B, 6]) {
                  %0 = mul(%x, %y) : f32[B, 6]
                  %1 = sum(%0) {axes=[0], keepdims=false} : f32[6]
                  output s = %1
                }
                """, Map.of("B", 37L), false);
    }

    @Test void aConstantOuterAxisShorterThanThePartCapSizesThePartials() {
        // 2 rows: at most 2 parts (3 threads ask for 3), so the scratch holds 2 partial accumulators
        check("""
                graph g(%x: f32[2, 50]) {
                  %0 = tanh(%x) : f32[2, 50]
                  %1 = sum(%0) {axes=[0], keepdims=false} : f32[50]
                  output s = %1
                }
                """, Map.of(), false);
    }

    @Test void rowSumSplitsByKeptRows() {
        check("""
                graph g(%x: f32[B, 10]) {
                  %0 = exp(%x) : f32[B, 10]
                  %1 = sum(%0) {axes=[1], keepdims=true} : f32[B, 1]
                  output s = %1
                }
                """, Map.of("B", 17L), true);
    }

    @Test void convBiasGradientOverBatchAndPixels() {
        // axes 0 and 2 of [B, C, P]: reduced, kept, reduced levels; the mean divides once, after the parts combine
        check("""
                graph g(%x: f32[B, 3, 5]) {
                  %0 = sum(%x) {axes=[0, 2], keepdims=false} : f32[3]
                  %1 = mean(%x) {axes=[0, 2], keepdims=false} : f32[3]
                  output s = %0
                  output m = %1
                }
                """, Map.of("B", 11L), false);
    }

    @Test void maxAndMinOverTheBatchAreExact() {
        // max/min of partial maxima is the maximum itself: bit-identical at any thread count
        check("""
                graph g(%x: f32[B, 4]) {
                  %0 = max(%x) {axes=[0], keepdims=false} : f32[4]
                  %1 = min(%x) {axes=[0], keepdims=false} : f32[4]
                  output hi = %0
                  output lo = %1
                }
                """, Map.of("B", 23L), true);
    }

    @Test void integerAndScalarSums() {
        // small integers sum exactly in double whatever the order; the full sum reduces every axis
        check("""
                graph g(%i: i32[B, 5], %x: f32[B, 5]) {
                  %0 = sum(%i) {axes=[0], keepdims=false} : i32[5]
                  %1 = sum(%x) {axes=[0, 1], keepdims=false} : f32[]
                  output s = %0
                  output t = %1
                }
                """, Map.of("B", 9L), false);
    }

    /**
     * A column sum over a batch of 4096 (above the split threshold) at 2 threads, 200 runs on one
     * instance: every run gives the same bits, and they are exactly two partial double sums of
     * rows [0, 2048) and [2048, 4096) added in that order and rounded once, whichever thread ran
     * which part.
     */
    @Test void batchColumnSumIsTheSameBitsOnEveryRunAtTwoThreads() {
        int b = 4096, n = 64;
        Graph g = IrParser.parseGraph("""
                graph g(%x: f32[B, 64]) {
                  %0 = sum(%x) {axes=[0], keepdims=false} : f32[64]
                  output s = %0
                }
                """);
        CompiledGraph cg = JvmCompiler.compile(g, "dlc.gen.SplitSum").instantiate();
        Random r = new Random(7);
        double[] x = new double[b * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * Math.exp(r.nextDouble() * 8));
        // even columns cancel a large pair across the halves: the order of the sum shows in the result
        for (int j = 0; j < n; j += 2) {
            x[j] = 1e20f;
            x[b / 2 * n + j] = -1e20f;
        }
        Map<String, Tensor> in = Map.of("x", new Tensor(DType.F32, new int[]{b, n}, x));
        float[] expected = new float[n];
        for (int j = 0; j < n; j++) {
            double lo = 0, hi = 0;
            for (int i = 0; i < b / 2; i++) lo += (float) x[i * n + j];
            for (int i = b / 2; i < b; i++) hi += (float) x[i * n + j];
            expected[j] = (float) (lo + hi);
        }
        Parallel.setThreads(2);
        for (int run = 0; run < 200; run++) {
            double[] got = Agreement.run(cg, g, in).get("s").data();
            for (int j = 0; j < n; j++)
                assertEquals(Float.floatToIntBits(expected[j]), Float.floatToIntBits((float) got[j]), "run " + run + ", column " + j);
        }
        Parallel.setThreads(1);
        double[] one = Agreement.run(cg, g, in).get("s").data();
        int differ = 0;
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < b; i++) s += (float) x[i * n + j];
            assertEquals((float) s, (float) one[j], 0f, "one thread: the sequential sum, column " + j);
            if ((float) s != expected[j]) differ++;
        }
        assertTrue(differ > 0, "the inputs must tell the split sum from the sequential one");
    }
}
