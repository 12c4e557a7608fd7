package dlc.codegen.opencl;

import dlc.ir.DType;
import dlc.ir.Node;
import dlc.ir.Value;

/**
 * The ops that run as the module's library kernels, written once in OpenCL C and specialized at
 * build time: matmul on the tiled GEMM ({@link BatchedSgemm}, float or double), argmax/argmin on reduce.cl
 * ({@link ReduceKernels}). Both read f32 operands as float, f64 and integers as double.
 */
final class LibraryCalls {
    private LibraryCalls() {}

    /** Why a conv.cl/pool.cl node has no kernel: they run float or double (f64, f16 and integers stored as double). */
    static String floatOrDouble(Node n) {
        for (Value v : n.inputs()) if (v.type().dtype() == DType.BOOL)
            return "on " + v.type().dtype() + " operands (its kernel runs numbers)";
        return null;
    }

    /** Why a matmul has no kernel: sgemm.cl multiplies float or double (f64, f16 and integers stored as double), not bool. */
    static String matmulTypes(Node n) {
        DType d = n.input(0).type().dtype();
        return d == DType.BOOL ? "on " + d + " operands (its kernel multiplies numbers)" : null;
    }

    /** y = a @ b with numpy semantics; rank-1 operands promoted (the layout is the same). */
    static void matmul(Node n, ClLowering.KernelContext cx) { matmul(n, cx, null); }

    /** As above; with {@code store} (a fusion group's epilogue) each result goes to it and y is not written. */
    static void matmul(Node n, ClLowering.KernelContext cx, KernelWriter store) {
        Value a = n.input(0), bv = n.input(1), y = n.output();
        Value ha = cx.home(a), hb = cx.home(bv), hy = store == null ? cx.home(y) : null;
        DType dtype = a.type().dtype();
        cx.step(b -> {
            int[] as = b.shape(a), bs = b.shape(bv);
            if (as.length == 1) as = new int[]{1, as[0]};
            if (bs.length == 1) bs = new int[]{bs[0], 1};
            int[] fa = as, fb = bs;
            long oa = b.offset(ha), ob = b.offset(hb), oy = store == null ? b.offset(hy) : 0;
            KernelWriter.StoreArgs args = store == null ? null : store.storeArgs(b);
            return () -> b.sgemm().run(dtype, fa, false, fb, false, b.arena(), oa, ob, oy, args);
        });
    }

    /** argmax/argmin along {@code axis}: indices stored as doubles, as every integer value is. */
    static void argReduce(Node n, ClLowering.KernelContext cx, boolean max) {
        Value x = n.input(0), y = n.output();
        int axis = (int) n.attrs().getLong("axis");
        Value hx = cx.home(x), hy = cx.home(y);
        DType dtype = x.type().dtype();
        cx.step(b -> {
            int[] s = b.shape(x);
            int outer = 1, inner = 1;
            for (int i = 0; i < axis; i++) outer *= s[i];
            for (int i = axis + 1; i < s.length; i++) inner *= s[i];
            int len = s[axis], o = outer, in = inner;
            long ox = b.offset(hx), oy = b.offset(hy);
            return () -> b.reduce().argReduce(max, dtype, b.arena(), ox, o, len, in, oy, IndexType.F64);
        });
    }

    /** rng_fold: the key (an i64, stored as a double like every integer) folded with the salt on the device. */
    static void rngFold(Node n, ClLowering.KernelContext cx) {
        Value hk = cx.home(n.input(0)), hy = cx.home(n.output());
        long salt = n.attrs().getLong("salt");
        cx.step(b -> {
            long ok = b.offset(hk), oy = b.offset(hy);
            return () -> b.random().fold(b.arena(), ok, salt, oy);
        });
    }

    /** random_uniform / random_normal: rng.cl's draws, the same numbers as the interpreter for the same key. */
    static void draw(Node n, ClLowering.KernelContext cx, boolean normal) {
        Value hk = cx.home(n.input(0)), y = n.output(), hy = cx.home(y);
        double a = normal ? n.attrs().getDouble("mean", 0) : n.attrs().getDouble("low", 0);
        double c = normal ? n.attrs().getDouble("std", 1) : n.attrs().getDouble("high", 1);
        boolean f64 = !ClTypes.isFloat(y);
        cx.step(b -> {
            long ok = b.offset(hk), oy = b.offset(hy);
            int count = Math.toIntExact(b.eval(y.type().shape().numel()));
            return normal ? () -> b.random().normal(b.arena(), ok, a, c, f64, oy, count)
                    : () -> b.random().uniform(b.arena(), ok, a, c, f64, oy, count);
        });
    }

    /** Why a draw of {@code n} has no kernel: rng.cl writes f32 or f64 only. */
    static String drawsFloats(Node n) {
        DType d = n.output().type().dtype();
        return d == DType.F32 || d == DType.F64 ? null : "with a " + d + " result (rng.cl draws f32 or f64)";
    }
}
