package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import net.jqwik.api.*;

import java.util.*;

import static dlc.passes.autodiff.GraphsForGrad.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * matmul's VJP against float64 central differences: numpy semantics with rank-1 operands on
 * either side and batch dims that broadcast (dropped leading dims, literal 1s), first and
 * second order.
 */
class ContractionGradientProperties {
    /** Random operand shapes a @ b of ranks 1-4 with a random batch-broadcast pattern. */
    record Pair(int[] a, int[] b) {
        static Pair random(Random r) {
            int ra = 1 + r.nextInt(4), rb = 1 + r.nextInt(4);
            int m = 1 + r.nextInt(3), k = 1 + r.nextInt(3), n = 1 + r.nextInt(3);
            int[] batch = new int[Math.max(0, Math.max(ra, rb) - 2)];
            for (int i = 0; i < batch.length; i++) batch[i] = 1 + r.nextInt(3);
            return new Pair(operand(r, ra, batch, m, k), operand(r, rb, batch, k, n));
        }

        /** rank 1: [inner]; else the trailing batch dims (some set to 1) then [rows, cols]. */
        private static int[] operand(Random r, int rank, int[] batch, int rows, int cols) {
            if (rank == 1) return new int[]{rows == cols ? rows : (r.nextBoolean() ? rows : cols)};
            int[] s = new int[rank];
            for (int i = 0; i < rank - 2; i++) s[i] = r.nextInt(3) == 0 ? 1 : batch[batch.length - (rank - 2) + i];
            s[rank - 2] = rows;
            s[rank - 1] = cols;
            return s;
        }

        @Override public String toString() { return Arrays.toString(a) + " @ " + Arrays.toString(b); }
    }

    /** A rank-1 operand must be the contracted dim; fix the vector's size after drawing. */
    static Pair consistent(Random r) {
        Pair p = Pair.random(r);
        int[] a = p.a.clone(), b = p.b.clone();
        int k = a.length == 1 ? a[0] : a[a.length - 1];
        if (b.length == 1) b[0] = k;
        else b[b.length - 2] = k;
        return new Pair(a, b);
    }

    static Graph matmulGraph(Pair p) {
        GraphBuilder b = new GraphBuilder("matmul");
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("a", p.a);
        shapes.put("b", p.b);
        return scalarized(shapes, null, in -> b.op(Ops.MATMUL, in.get(0), in.get(1)), b);
    }

    static Map<String, Tensor> inputs(Graph g, Pair p, Random r) {
        Map<String, Tensor> in = new HashMap<>();
        in.put("a", tensor(p.a, r, r::nextGaussian));
        in.put("b", tensor(p.b, r, r::nextGaussian));
        in.put("u", GradSupport.weightFor(g, r));
        return in;
    }

    @Property
    void matmulGradientMatchesFiniteDifferences(@ForAll long seed) {
        Random r = new Random(seed);
        Pair p = consistent(r);
        Graph g = matmulGraph(p);
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), g, "loss", List.of("a", "b"), inputs(g, p, r), r);
        assertTrue(res.ok(), p + ": " + res);
    }

    @Property
    void matmulSecondOrderMatchesFiniteDifferencesOfTheGradient(@ForAll long seed, @ForAll boolean throughA) {
        Random r = new Random(seed);
        Pair p = consistent(r);
        Graph g = matmulGraph(p);
        Graph grad = GradSupport.autodiff().gradients(g, "loss", List.of("a", "b"));
        String wrt = throughA ? "a" : "b";
        Graph second = gradientFunctional(grad, wrt, "u2");
        Map<String, Tensor> in = inputs(g, p, r);
        in.put("u2", tensor(throughA ? p.a : p.b, r, r::nextGaussian));
        // loss2 = <dL/d wrt, u2> is bilinear: it depends on the other operand and on u
        GradCheck.Result res = GradCheck.check(GradSupport.autodiff(), second, "loss2", List.of("a", "b", "u"), in, r);
        assertTrue(res.ok(), "d2 through " + wrt + ", " + p + ": " + res);
    }

    @Example
    void handComputedGradientOfVectorTimesMatrix() {
        // loss = sum(v @ M), v = [1, 2], M = [[1, 2, 3], [4, 5, 6]]: dv = row sums of M, dM[k, j] = v[k]
        GraphBuilder b = new GraphBuilder("vm");
        Value v = b.input("v", GradSupport.f64(2), Value.Role.INPUT), m = b.input("m", GradSupport.f64(2, 3), Value.Role.INPUT);
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.MATMUL, v, m)));
        Map<String, Tensor> gr = GradSupport.grads(GradSupport.autodiff(), b.build(), "loss", List.of("v", "m"),
                Map.of("v", Tensor.of(new int[]{2}, 1, 2), "m", Tensor.of(new int[]{2, 3}, 1, 2, 3, 4, 5, 6)));
        assertArrayEquals(new double[]{6, 15}, gr.get("v").data(), 0);
        assertArrayEquals(new double[]{1, 1, 1, 2, 2, 2}, gr.get("m").data(), 0);
    }

    @Example
    void broadcastBatchGradientIsSummedOverTheBatch() {
        // a [2, 1, 2] @ b [2, 1] (b shared by both batch entries): db = sum over batch of a^T @ 1
        GraphBuilder bl = new GraphBuilder("bb");
        Value a = bl.input("a", GradSupport.f64(2, 1, 2), Value.Role.INPUT), w = bl.input("b", GradSupport.f64(2, 1), Value.Role.INPUT);
        bl.output("loss", Graph.Output.Role.LOSS, all(bl, Ops.SUM, bl.op(Ops.MATMUL, a, w)));
        Map<String, Tensor> gr = GradSupport.grads(GradSupport.autodiff(), bl.build(), "loss", List.of("b"),
                Map.of("a", Tensor.of(new int[]{2, 1, 2}, 1, 2, 3, 4), "b", Tensor.of(new int[]{2, 1}, 0.5, -1)));
        assertArrayEquals(new double[]{4, 6}, gr.get("b").data(), 0);
    }

    /** A planted rule that forgets to transpose B (gA = gC @ B) is caught on a square, non-symmetric B. */
    @Example
    void plantedWrongMatmulVjpIsDetected() {
        Autodiff broken = GradSupport.planted(Ops.MATMUL, ctx -> {
            List<Value> right = dlc.ir.ops.Ops.MATMUL.vjp(ctx);
            return List.of(ctx.op(Ops.MATMUL, ctx.cotangent(0), ctx.input(1)), right.get(1));
        });
        Pair p = new Pair(new int[]{2, 3, 3}, new int[]{3, 3});
        Graph g = matmulGraph(p);
        Random r = new Random(3);
        Map<String, Tensor> in = inputs(g, p, r);
        assertFalse(GradCheck.check(broken, g, "loss", List.of("a", "b"), in, new Random(1)).ok());
        assertTrue(GradCheck.check(GradSupport.autodiff(), g, "loss", List.of("a", "b"), in, new Random(1)).ok());
    }
}
