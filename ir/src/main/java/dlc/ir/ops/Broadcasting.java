package dlc.ir.ops;

import dlc.ir.Dim;
import dlc.ir.Shape;
import dlc.ir.ShapeException;
import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Numpy broadcasting, for symbolic shapes (shape rules) and concrete ones (reference semantics). */
public final class Broadcasting {
    private Broadcasting() {}

    /** The broadcast of shapes right-aligned: equal dims, or a literal 1 against anything. */
    public static Shape shape(Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            Dim da = i < r - a.rank() ? Dim.of(1) : a.dim(i - (r - a.rank()));
            Dim db = i < r - b.rank() ? Dim.of(1) : b.dim(i - (r - b.rank()));
            if (da.equals(db) || isOne(db)) out.add(da);
            else if (isOne(da)) out.add(db);
            else throw new ShapeException("cannot broadcast shapes " + a + " and " + b + ": dim " + da + " vs " + db,
                    "broadcasting pairs trailing dims; each pair must be equal or one of them 1");
        }
        return new Shape(out);
    }

    private static boolean isOne(Dim d) { return d.isConst() && d.value() == 1; }

    public static int[] shape(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException("cannot broadcast " + java.util.Arrays.toString(a) + " and " + java.util.Arrays.toString(b));
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * For each flat index of {@code out}, the flat index into a tensor of shape {@code in} that
     * broadcasts to it.
     */
    public static int[] sourceIndex(int[] in, int[] out) {
        int n = (int) Tensor.numel(out);
        int[] idx = new int[n];
        int r = out.length, off = r - in.length;
        int[] inStrides = Tensor.strides(in);
        int[] bs = new int[r];
        for (int i = 0; i < r; i++) bs[i] = i < off || in[i - off] == 1 ? 0 : inStrides[i - off];
        int[] counter = new int[r];
        int src = 0;
        for (int k = 0; k < n; k++) {
            idx[k] = src;
            for (int d = r - 1; d >= 0; d--) {
                counter[d]++;
                src += bs[d];
                if (counter[d] < out[d]) break;
                src -= bs[d] * counter[d];
                counter[d] = 0;
            }
        }
        return idx;
    }

    /** Materializes {@code t} broadcast to {@code out}. */
    public static Tensor expand(Tensor t, int[] out) {
        int[] src = sourceIndex(t.shape(), out);
        double[] d = new double[src.length];
        double[] s = t.data();
        for (int i = 0; i < d.length; i++) d[i] = s[src[i]];
        return new Tensor(t.dtype(), out, d);
    }
}
