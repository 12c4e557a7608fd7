package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.Value;
import dlc.ir.ops.Ops;
import dlc.runtime.NarrowMatrix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reduced-precision inference weights ({@code --weights-dtype bf16|int8}): which of a graph's
 * weights are stored narrow, and their values in both executions.
 *
 * <p>A weight is narrowed when it is an f32 matrix PARAM that every one of its uses reads as the
 * right operand of a matmul (a dense layer's {@code w}); everything else (biases, normalization
 * parameters, convolution kernels, embeddings, state) stays f32. Per output channel means per
 * column of that [K, N] matrix.
 *
 * <p>The JVM backend takes such a weight as a {@link NarrowMatrix} ({@link #pack}); the float64
 * interpreter gets the same values as an ordinary f32 tensor ({@link #round}: each element replaced
 * by the float32 it stands for), so the two agree to float32 rounding as for any f32 graph.
 */
public final class NarrowWeights {
    private NarrowWeights() {}

    /** The formats {@code --weights-dtype} takes, f32 (no narrowing) first. */
    public static final List<String> DTYPES = List.of("f32", NarrowMatrix.BF16, NarrowMatrix.INT8);

    /** The weights of {@code g} to store as {@code format} (input name to format; empty for f32), in input order. */
    public static Map<String, String> select(Graph g, String format) {
        if (!DTYPES.contains(format)) throw new IllegalArgumentException("unknown weights dtype '" + format + "'; the allowed values are " + String.join(", ", DTYPES));
        Map<String, String> chosen = new LinkedHashMap<>();
        if (format.equals("f32")) return chosen;
        for (Value v : g.inputs()) if (narrowable(g, v)) chosen.put(v.name(), format);
        return chosen;
    }

    /** Whether {@code v} is an f32 matrix PARAM read only as a matmul's right operand (and not an output). */
    static boolean narrowable(Graph g, Value v) {
        if (v.role() != Value.Role.PARAM || v.type().dtype() != DType.F32 || v.type().rank() != 2 || v.name() == null) return false;
        for (Graph.Output o : g.outputs()) if (o.value() == v) return false;
        boolean used = false;
        for (Node n : g.nodes())
            for (int i = 0; i < n.inputs().size(); i++)
                if (n.input(i) == v) {
                    if (n.op() != Ops.MATMUL || i != 1 || !n.regions().isEmpty()) return false;
                    used = true;
                }
        return used;
    }

    /** {@code t} (an f32 [K, N] tensor in float64 storage) with each element replaced by the float32 value {@code format} stores for it. */
    public static dlc.ir.eval.Tensor round(dlc.ir.eval.Tensor t, String format) {
        float[] q = quantize(t, format).decode();
        double[] d = new double[q.length];
        for (int i = 0; i < q.length; i++) d[i] = q[i];
        return new dlc.ir.eval.Tensor(t.dtype(), t.shape(), d);
    }

    /** {@code t} stored as {@code format}: the runtime tensor a graph compiled with that weight narrow takes. */
    public static dlc.runtime.Tensor pack(dlc.ir.eval.Tensor t, String format) {
        NarrowMatrix q = quantize(t, format);
        return new dlc.runtime.Tensor(format, new int[]{q.rows(), q.cols()}, q);
    }

    /** The weights of {@code weights} named in {@code formats} rounded as {@link #round} does; the others as they are. */
    public static Map<String, dlc.ir.eval.Tensor> roundAll(Map<String, dlc.ir.eval.Tensor> weights, Map<String, String> formats) {
        Map<String, dlc.ir.eval.Tensor> out = new LinkedHashMap<>(weights);
        formats.forEach((name, f) -> {
            dlc.ir.eval.Tensor t = weights.get(name);
            if (t == null) return;
            try {
                out.put(name, round(t, f));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("weight " + name + ": " + e.getMessage(), e);
            }
        });
        return out;
    }

    private static NarrowMatrix quantize(dlc.ir.eval.Tensor t, String format) {
        if (t.dtype() != DType.F32 || t.rank() != 2) throw new IllegalArgumentException("only an f32 matrix can be stored as " + format + ", got " + t.dtype().text() + java.util.Arrays.toString(t.shape()));
        double[] d = t.data();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return NarrowMatrix.quantize(format, f, t.dim(0), t.dim(1));
    }

    /** The names, for messages: {@code dense.w, dense_1.w}. */
    static String names(Map<String, String> formats) { return String.join(", ", new ArrayList<>(formats.keySet())); }
}
