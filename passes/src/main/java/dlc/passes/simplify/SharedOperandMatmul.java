package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.passes.Pass;

import java.util.*;

/**
 * Merges two weight-gradient products that share their right operand into one:
 * {@code matmul(permute(P), R)} and {@code matmul(permute(Q), R)}, with {@code P: [K, m]} and
 * {@code Q: [K, n]} (2-D, transposed by {@code perm=[1, 0]}), become
 * {@code M = matmul(permute(concat(P, Q, axis=1)), R)}, {@code [m + n, N]}, and the two results are
 * its row slices {@code M[0:m]} and {@code M[m:m+n]}.
 *
 * <p>Why: backpropagation through an LSTM (or any layer {@code x W_x + h W_h}) makes
 * {@code dW_x = x^T dG} and {@code dW_h = h^T dG} over the same {@code B*T} rows of {@code dG}.
 * Two GEMMs pack {@code dG} ({@code [B*T, 4H]}, the large operand) twice and run with few rows of A
 * each (32 for {@code dW_x}: a GEMM with few rows is bound by packing B); one GEMM packs it once
 * and runs all {@code m + n} rows against each packed panel. The lefts are transposes, which the
 * backend materializes anyway: the transpose of the concat costs what the two transposes cost.
 * Values are unchanged (each output element is the same k-sum of the same products).
 *
 * <p>A later {@code sum} of R over its rows (the layer's bias gradient, {@code sum(dG, axes=[0, 1])}
 * over the [B, T, 4H] cotangent R reshapes) is one more row of the same product: a column of ones
 * is concatenated to the lefts, and the sum is row {@code m + n} of M. The GEMM's row tiles have
 * room for it (160 rows fill 27 tiles of 6 as 161 do), where the reduction read all of R again.
 *
 * <p>The merged product is emitted where the first of the two stands; the other's left must be
 * computable there: {@code Q} (or the operand {@code Q} reshapes) defined before the first product.
 */
public final class SharedOperandMatmul implements Pass {
    public static final String NAME = "shared-matmul";

    @Override public String name() { return NAME; }

    @Override public Graph run(Graph graph) {
        Map<Node, Node> partnerOf = pairs(graph);
        Map<Node, Node> rowSumOf = rowSums(graph, partnerOf);
        Map<Node, Value> merged = new IdentityHashMap<>();
        return GraphRewriter.rewrite(graph, this::run, (n, emit) -> {
            Node original = emit.original();
            Value done = merged.remove(original);
            if (done != null) return List.of(done);
            Node partner = partnerOf.get(original);
            if (partner == null) return null;
            Node rowSum = rowSumOf.get(original);
            Value p = transposed(n.input(0));
            Value q = leftSource(partner, emit);
            List<Value> parts = new ArrayList<>(List.of(p, q));
            // a row sum of R is R's product with a column of ones: one more row of the same GEMM
            if (rowSum != null) parts.add(emit.fill(1.0, p.type().withShape(Shape.of(p.type().shape().dim(0), Dim.of(1)))));
            Value cat = emit.op(Ops.CONCAT, Attrs.of("axis", 1L), parts.toArray(new Value[0]));
            Value lhs = emit.op(Ops.PERMUTE, Attrs.of("perm", List.of(1L, 0L)), cat);
            Value product = emit.op(Ops.MATMUL, Attrs.EMPTY, lhs, n.input(1));
            Dim m = p.type().shape().dim(1), mn = m.plus(q.type().shape().dim(1)), cols = product.type().shape().dim(1);
            merged.put(partner, rows(emit, product, m, mn, cols));
            if (rowSum != null)
                merged.put(rowSum, emit.reshape(rows(emit, product, mn, mn.plus(Dim.of(1)), cols), rowSum.output().type().shape()));
            return List.of(rows(emit, product, Dim.of(0), m, cols));
        });
    }

    /** Rows [from, to) of the 2-D {@code v} with {@code cols} columns. */
    private static Value rows(GraphRewriter.Emitter emit, Value v, Dim from, Dim to, Dim cols) {
        return emit.op(Ops.SLICE, Attrs.of("starts", Shape.of(from, Dim.of(0)), "stops", Shape.of(to, cols),
                "steps", List.of(1L, 1L)), v);
    }

    /**
     * Pairs of mergeable products of {@code g} (its own nodes, not nested graphs'), both ways: the
     * first of a pair in graph order maps to the second and the second to nothing. A product is in
     * at most one pair.
     */
    private static Map<Node, Node> pairs(Graph g) {
        Map<Node, Integer> position = new IdentityHashMap<>();
        for (int i = 0; i < g.nodes().size(); i++) position.put(g.nodes().get(i), i);
        Map<Value, Node> firstByRight = new IdentityHashMap<>();
        Map<Node, Node> pairs = new IdentityHashMap<>();
        for (Node n : g.nodes()) {
            if (!isTransposedProduct(n)) continue;
            Node first = firstByRight.get(n.input(1));
            if (first == null) {
                firstByRight.put(n.input(1), n);
                continue;
            }
            Value p = transposed(first.input(0)), q = transposed(n.input(0));
            if (!p.type().dtype().equals(q.type().dtype()) || !p.type().shape().dim(0).equals(q.type().shape().dim(0))) continue;
            if (!definedBefore(leftRoot(n), first, position)) continue;
            pairs.put(first, n);
            firstByRight.remove(n.input(1));
        }
        return pairs;
    }

    /**
     * Per first product of a pair, a later {@code sum} of its right operand R over its rows (a
     * bias's gradient: {@code sum(G, axes=[0, .., r-2])} where R is G reshaped to 2-D, or
     * {@code sum(R, axes=[0])}), when there is one.
     */
    private static Map<Node, Node> rowSums(Graph g, Map<Node, Node> pairs) {
        Map<Node, Integer> position = new IdentityHashMap<>();
        for (int i = 0; i < g.nodes().size(); i++) position.put(g.nodes().get(i), i);
        Map<Node, Node> sums = new IdentityHashMap<>();
        for (Node first : pairs.keySet()) {
            Value r = first.input(1);
            Node reshape = r.producer();
            Value whole = reshape != null && reshape.op() == Ops.RESHAPE ? reshape.input(0) : r;
            for (Node n : g.nodes()) {
                if (n.op() != Ops.SUM || position.get(n) < position.get(first) || sums.containsValue(n)) continue;
                Value x = n.input(0);
                if (x != r && x != whole) continue;
                int rank = x.type().rank();
                if (rank < 2 || !x.type().shape().dim(rank - 1).equals(r.type().shape().dim(1))) continue;
                long[] axes = n.attrs().getLongs("axes");
                boolean leading = axes.length == rank - 1;
                for (int i = 0; leading && i < axes.length; i++) leading = axes[i] == i;
                if (!leading || n.attrs().getBool("keepdims", false)) continue;
                sums.put(first, n);
                break;
            }
        }
        return sums;
    }

    /** A 2-D {@code matmul(permute(P), R)} with {@code P} 2-D, transposed. */
    private static boolean isTransposedProduct(Node n) {
        if (n.op() != Ops.MATMUL || n.inputs().size() != 2) return false;
        Value a = n.input(0), b = n.input(1);
        if (a.type().rank() != 2 || b.type().rank() != 2) return false;
        Node p = a.producer();
        return p != null && Ops.isLastTwoAxesSwap(p);
    }

    /** P of {@code permute(P)}. */
    private static Value transposed(Value permuted) { return permuted.producer().input(0); }

    /** The value the second product's left is built from: Q, or the operand Q reshapes. */
    private static Value leftRoot(Node second) {
        Value q = transposed(second.input(0));
        Node r = q.producer();
        return r != null && r.op() == Ops.RESHAPE ? r.input(0) : q;
    }

    private static boolean definedBefore(Value v, Node node, Map<Node, Integer> position) {
        Node p = v.producer();
        return p == null || position.get(p) != null && position.get(p) < position.get(node);
    }

    /** Q of the second product, in the new graph: mapped, or its reshape emitted anew. */
    private static Value leftSource(Node second, GraphRewriter.Emitter emit) {
        Value q = transposed(second.input(0)), root = leftRoot(second);
        Value mapped = emit.map(root);
        return root == q ? mapped : emit.reshape(mapped, q.type().shape());
    }
}
