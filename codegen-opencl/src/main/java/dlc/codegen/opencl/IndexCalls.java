package dlc.codegen.opencl;

import dlc.ir.DType;
import dlc.ir.Node;
import dlc.ir.Value;

import java.util.Map;

/**
 * gather and scatter_add on index.cl ({@link IndexKernels}): float32 data as float, f64 and integer data as double, indices as the backend
 * stores them (doubles for integer dtypes). Each node has device scratch outside the memory plan
 * (an error word, and scatter_add's links); a bad index is written as 0 by the kernel and reported
 * after the run's launches, before any output is read, with the message the interpreter and the
 * JVM backend give (in a scan body the word is cleared at the first step only, so a bad index at any
 * step is reported).
 */
final class IndexCalls {
    private IndexCalls() {}

    /** Why a node's data has no kernel (index.cl moves float or double: f32, f64, integers), else null. */
    static String floatOrDoubleData(Node n) {
        DType d = n.output().type().dtype();
        return d == DType.BOOL ? "on " + d + " data (its kernel moves numbers)" : null;
    }

    private static IndexType type(Value idx) { return ClTypes.isFloat(idx) ? IndexType.F32 : IndexType.F64; }

    /** (outer, n, inner) of x's shape around {@code axis}. */
    private static int[] view(int[] s, int axis) {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= s[i];
        for (int i = axis + 1; i < s.length; i++) inner *= s[i];
        return new int[]{outer, s[axis], inner};
    }

    private static int count(Value v, Map<String, Long> env) { return Math.toIntExact(v.type().shape().numel().eval(env)); }

    static void gather(Node n, ClLowering.KernelContext cx) {
        Value x = n.input(0), idx = n.input(1), y = n.output();
        Value hx = cx.home(x), hi = cx.home(idx), hy = cx.home(y);
        int axis = (int) n.attrs().getLong("axis");
        cx.step(new ClStep() {
            @Override public long scratchBytes(Map<String, Long> env) { return Integer.BYTES; }

            @Override public Runnable prepare(ClBinding b) {
                int[] v = view(b.shape(x), axis);
                int m = count(idx, b.env);
                long ox = b.offset(hx), oi = b.offset(hi), oy = b.offset(hy), err = b.scratchBytesOffset() / Integer.BYTES;
                IndexType t = type(idx);
                b.checks.add(() -> b.index().checkIndices("gather", b.arena(), err, oi, t, v[1]));
                return () -> {
                    if (b.resetsErrors) b.index().resetError(b.arena(), err);
                    b.index().gather(x.type().dtype(), b.arena(), ox, v[0], v[1], v[2], oi, t, m, oy, err);
                };
            }
        });
    }

    static void scatterAdd(Node n, ClLowering.KernelContext cx) {
        Value base = n.input(0), idx = n.input(1), u = n.input(2), y = n.output();
        Value hb = cx.home(base), hi = cx.home(idx), hu = cx.home(u), hy = cx.home(y);
        int axis = (int) n.attrs().getLong("axis");
        cx.step(new ClStep() {
            @Override public long scratchBytes(Map<String, Long> env) { return Integer.BYTES * (1 + IndexKernels.linksInts(count(idx, env))); }

            @Override public Runnable prepare(ClBinding b) {
                int[] v = view(b.shape(base), axis);
                int m = count(idx, b.env);
                long ob = b.offset(hb), oi = b.offset(hi), ou = b.offset(hu), oy = b.offset(hy);
                long err = b.scratchBytesOffset() / Integer.BYTES, links = err + 1;
                IndexType t = type(idx);
                b.checks.add(() -> b.index().checkIndices("scatter_add", b.arena(), err, oi, t, v[1]));
                return () -> {
                    if (b.resetsErrors) b.index().resetError(b.arena(), err);
                    b.index().scatterAdd(base.type().dtype(), b.arena(), ob, v[0], v[1], v[2], oi, t, m, ou, oy, links, err);
                };
            }
        });
    }
}
