package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Contractions and windowed ops: {@code matmul} (here), {@code conv2d} and
 * {@code conv_transpose2d} ({@link ConvOps}), {@code max_pool2d} and {@code avg_pool2d}
 * ({@link PoolOps}), and the pair max pooling's gradients are made of, {@code max_pool2d_scatter}
 * and {@code max_pool2d_gather} ({@link MaxPoolGradOps}). Matmul and the convolutions are
 * OUT_FUSABLE (elementwise epilogues such as bias + activation fuse onto their output); pooling is
 * a windowed REDUCE; the max-pool gradient pair routes data-dependently and is OPAQUE.
 */
final class ContractionOps {
    private ContractionOps() {}

    /**
     * matmul(a, b) with numpy semantics: a rank-1 {@code a} is read as a row {@code [1, K]} and a
     * rank-1 {@code b} as a column {@code [K, 1]}, and the added axis is removed from the result;
     * leading (batch) dims broadcast; {@code a}'s last dim must equal {@code b}'s second-to-last.
     */
    static final class Matmul extends OpDef {
        Matmul() { super("matmul", Kind.OUT_FUSABLE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 2);
            TensorType a = in.get(0), b = in.get(1);
            if (a.dtype() != b.dtype())
                throw new ShapeException("matmul operands have different dtypes: " + a + " @ " + b, "cast one operand, e.g. cast(x, f32)");
            if (a.dtype() == DType.BOOL) throw new ShapeException("matmul needs numeric operands, got " + a + " @ " + b, "cast the masks first, e.g. cast(m, f32)");
            if (a.rank() == 0 || b.rank() == 0)
                throw new ShapeException("matmul needs operands of rank >= 1, got " + a + " @ " + b, "use mul for scalar products");
            List<Dim> da = promoted(a.shape().dims(), true), db = promoted(b.shape().dims(), false);
            Dim k = da.get(da.size() - 1), kb = db.get(db.size() - 2);
            if (!k.equals(kb))
                throw new ShapeException("matmul shapes do not match: " + a + " @ " + b,
                        "the inner dims must be equal: " + k + " (last dim of the left operand) vs " + kb
                                + " (" + (b.rank() == 1 ? "only" : "second-to-last") + " dim of the right operand)");
            Shape batch;
            try {
                batch = Broadcasting.shape(new Shape(da.subList(0, da.size() - 2)), new Shape(db.subList(0, db.size() - 2)));
            } catch (ShapeException e) {
                throw new ShapeException("matmul batch dims do not broadcast: " + a + " @ " + b, e.getMessage());
            }
            List<Dim> out = new ArrayList<>(batch.dims());
            if (a.rank() > 1) out.add(da.get(da.size() - 2));
            if (b.rank() > 1) out.add(db.get(db.size() - 1));
            return List.of(new TensorType(a.dtype(), new Shape(out)));
        }

        /** Rank-1 promotion: a left vector becomes a row [1, K], a right vector a column [K, 1]. */
        private static List<Dim> promoted(List<Dim> dims, boolean left) {
            if (dims.size() != 1) return dims;
            return left ? List.of(Dim.of(1), dims.get(0)) : List.of(dims.get(0), Dim.of(1));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            int[] sa = promoted(in[0].shape(), true), sb = promoted(in[1].shape(), false);
            int ra = sa.length, rb = sb.length;
            int m = sa[ra - 2], k = sa[ra - 1], n = sb[rb - 1];
            if (sb[rb - 2] != k) throw new IllegalArgumentException("matmul inner dims differ at run time: " + k + " vs " + sb[rb - 2]);
            int[] batchA = Arrays.copyOf(sa, ra - 2), batchB = Arrays.copyOf(sb, rb - 2);
            int[] batch = Broadcasting.shape(batchA, batchB);
            int[] ia = Broadcasting.sourceIndex(batchA, batch), ib = Broadcasting.sourceIndex(batchB, batch);
            double[] a = in[0].data(), b = in[1].data(), y = new double[ia.length * m * n];
            for (int p = 0; p < ia.length; p++) {
                int offA = ia[p] * m * k, offB = ib[p] * k * n, offY = p * m * n;
                for (int i = 0; i < m; i++)
                    for (int kk = 0; kk < k; kk++) {
                        double av = a[offA + i * k + kk];
                        for (int j = 0; j < n; j++) y[offY + i * n + j] += av * b[offB + kk * n + j];
                    }
            }
            int[] out = new int[batch.length + (in[0].rank() > 1 ? 1 : 0) + (in[1].rank() > 1 ? 1 : 0)];
            System.arraycopy(batch, 0, out, 0, batch.length);
            int r = batch.length;
            if (in[0].rank() > 1) out[r++] = m;
            if (in[1].rank() > 1) out[r] = n;
            if (in[0].dtype().isInteger()) dlc.numerics.Ints.wrapAll(y, 0, y.length, in[0].dtype().intKind()); // exact sums, wrapped
            return new Tensor[]{new Tensor(in[0].dtype(), out, y)};
        }

        /**
         * {@code gA = gC @ B^T}, {@code gB = A^T @ gC} on the rank-1-promoted operands, each summed
         * over the batch axes its operand was broadcast along (docs/models.md 4.1), then reshaped back
         * when the operand was a vector. Written with matmul, permute, sum and reshape, so it can be
         * differentiated again.
         */
        @Override public List<Value> vjp(VjpContext c) {
            Value a = c.input(0), b = c.input(1);
            if (!a.type().dtype().isFloating()) return noGradient(c);
            Shape sa = new Shape(promoted(a.type().shape().dims(), true)), sb = new Shape(promoted(b.type().shape().dims(), false));
            Value pa = reshaped(c, a, sa), pb = reshaped(c, b, sb);
            // the cotangent with the axes a vector operand dropped put back as 1s
            List<Dim> gDims = new ArrayList<>(c.output(0).type().shape().dims());
            if (a.type().rank() == 1) gDims.add(b.type().rank() == 1 ? gDims.size() : gDims.size() - 1, Dim.of(1));
            if (b.type().rank() == 1) gDims.add(Dim.of(1));
            Value g = reshaped(c, c.cotangent(0), new Shape(gDims));
            Value ga = c.op(Ops.MATMUL, g, transposed(c, pb)), gb;
            if (sb.rank() == 2 && sa.rank() > 2) {
                // one b for every matrix of a (a dense layer over [B, T, F]): b's gradient is one
                // product over all B*T rows, a^T g with the batch folded into k, rather than a
                // batched product per matrix and a sum over the batch
                Dim rows = Dim.of(1);
                for (int i = 0; i < sa.rank() - 1; i++) rows = rows.times(sa.dim(i));
                Value a2 = reshaped(c, pa, Shape.of(rows, sa.dim(sa.rank() - 1)));
                Value g2 = reshaped(c, g, Shape.of(rows, gDims.get(gDims.size() - 1)));
                gb = c.op(Ops.MATMUL, transposed(c, a2), g2);
            } else {
                gb = c.op(Ops.MATMUL, transposed(c, pa), g);
            }
            return java.util.Arrays.asList(reshaped(c, c.sumToShape(ga, sa), a.type().shape()),
                    reshaped(c, c.sumToShape(gb, sb), b.type().shape()));
        }

        private static Value reshaped(VjpContext c, Value x, Shape s) {
            return x.type().shape().equals(s) ? x : c.op(Ops.RESHAPE, Attrs.of("shape", s), x);
        }

        /** x with its last two axes swapped. */
        private static Value transposed(VjpContext c, Value x) {
            int r = x.type().rank();
            long[] perm = new long[r];
            for (int i = 0; i < r; i++) perm[i] = i;
            perm[r - 2] = r - 1;
            perm[r - 1] = r - 2;
            return c.op(Ops.PERMUTE, Attrs.of("perm", perm), x);
        }

        private static int[] promoted(int[] s, boolean left) {
            if (s.length != 1) return s;
            return left ? new int[]{1, s[0]} : new int[]{s[0], 1};
        }
    }
}
