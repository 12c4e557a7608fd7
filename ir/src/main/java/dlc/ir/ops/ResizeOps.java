package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code resize}: spatial resampling of an NCHW tensor to {@code size [H_out, W_out]} with
 * {@code mode "nearest"} or {@code "bilinear"}, with the source coordinates of PyTorch's
 * {@code interpolate} (mode nearest; bilinear with align_corners=False): along an axis of n inputs and m outputs,
 * with scale s = n / m, nearest takes source {@code min(floor(i * s), n - 1)}; bilinear
 * interpolates at {@code max((i + 0.5) * s - 0.5, 0)} between its floor and the next element
 * (clamped at n - 1).
 *
 * <p>Each axis is a fixed linear map, an {@code [m, n]} matrix A with one or two taps per row, so
 * {@code y = A_h x A_w^T} per plane. The VJP is {@code A_h^T g A_w}: two matmuls with constant
 * matrices, ops that differentiate again (and, being linear in g, give the exact second order).
 * The input's height and width must be known at compile time, since the matrices are constants.
 */
final class ResizeOps {
    private ResizeOps() {}
    static final class Resize extends OpDef {
        Resize() { super("resize", Kind.OPAQUE); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            TensorType x = in.get(0);
            Checks.rank(this, x, 4, "an input [N, C, H, W]");
            Checks.floating(this, x);
            long[] size = size(attrs);
            mode(attrs);
            Shape s = x.shape();
            if (!s.dim(2).isConst() || !s.dim(3).isConst())
                throw new ShapeException("resize needs the input's height and width known at compile time, got " + x,
                        "resize a tensor whose spatial dims are numbers (batch and channel dims may be symbolic)");
            if (s.dim(2).value() < 1 || s.dim(3).value() < 1)
                throw new ShapeException("resize of an empty image " + x);
            return List.of(x.withShape(Shape.of(s.dim(0), s.dim(1), Dim.of(size[0]), Dim.of(size[1]))));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            Tensor x = in[0];
            long[] size = size(attrs);
            boolean bilinear = mode(attrs);
            int nc = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3), ho = (int) size[0], wo = (int) size[1];
            double[][] ah = matrix(h, ho, bilinear), aw = matrix(w, wo, bilinear);
            double[] xd = x.data(), y = new double[nc * ho * wo];
            // y = A_h x A_w^T per plane, summing every (a, b) with a nonzero weight
            for (int p = 0; p < nc; p++)
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++) {
                        double acc = 0;
                        for (int a = 0; a < h; a++) {
                            if (ah[i][a] == 0) continue;
                            for (int b = 0; b < w; b++)
                                if (aw[j][b] != 0) acc += ah[i][a] * aw[j][b] * xd[(p * h + a) * w + b];
                        }
                        y[(p * ho + i) * wo + j] = acc;
                    }
            return new Tensor[]{new Tensor(x.dtype(), new int[]{x.dim(0), x.dim(1), ho, wo}, y)};
        }

        @Override public List<Value> vjp(VjpContext c) {
            Value x = c.input(0), g = c.cotangent(0);
            Shape xs = x.type().shape();
            boolean bilinear = mode(c.attrs());
            long[] size = size(c.attrs());
            int h = (int) xs.dim(2).value(), w = (int) xs.dim(3).value();
            DType dt = x.type().dtype();
            Value ahT = constant(c, transpose(matrix(h, (int) size[0], bilinear)), dt);   // [H, H_out]
            Value aw = constant(c, matrix(w, (int) size[1], bilinear), dt);               // [W_out, W]
            return List.of(c.op(Ops.MATMUL, c.op(Ops.MATMUL, ahT, g), aw));
        }
    }

    /** The [m, n] interpolation matrix of one axis: row i holds the weights of output i over the inputs. */
    static double[][] matrix(int n, int m, boolean bilinear) {
        double[][] a = new double[m][n];
        double scale = (double) n / m;
        for (int i = 0; i < m; i++) {
            if (!bilinear) {
                a[i][Math.min((int) Math.floor(i * scale), n - 1)] = 1;
                continue;
            }
            double src = Math.max((i + 0.5) * scale - 0.5, 0);
            int i0 = Math.min((int) Math.floor(src), n - 1), i1 = Math.min(i0 + 1, n - 1);
            double l = src - i0;
            a[i][i0] += 1 - l;
            a[i][i1] += l;
        }
        return a;
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++)
            for (int j = 0; j < a[0].length; j++) t[j][i] = a[i][j];
        return t;
    }

    private static Value constant(VjpContext c, double[][] a, DType dt) {
        List<Double> values = new ArrayList<>();
        for (double[] row : a) for (double v : row) values.add(v);
        return c.op(Ops.CONSTANT, Attrs.of("dtype", dt, "shape", Shape.of(a.length, a[0].length), "values", values));
    }

    static long[] size(Attrs attrs) {
        if (!attrs.has("size"))
            throw new ShapeException("resize needs an attribute size [H_out, W_out]");
        long[] s = attrs.getLongs("size");
        if (s.length != 2 || s[0] < 1 || s[1] < 1)
            throw new ShapeException("resize size must be two positive ints [H_out, W_out], got " + Attrs.format(attrs.get("size")));
        return s;
    }

    /** True for bilinear, false for nearest; anything else is an error. */
    static boolean mode(Attrs attrs) {
        Object m = attrs.has("mode") ? attrs.get("mode") : "nearest";
        if ("nearest".equals(m)) return false;
        if ("bilinear".equals(m)) return true;
        throw new ShapeException("resize mode must be \"nearest\" or \"bilinear\", got " + Attrs.format(m));
    }
}
