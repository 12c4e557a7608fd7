package dlc.codegen.opencl;

import dlc.ir.DType;

import java.util.HashMap;
import java.util.Map;

/**
 * Runs index.cl: gather and scatter_add over an (outer, n, inner) view of float32 tensors (or doubles: f64 and integer data), with
 * m indices stored as an {@link IndexType}, enqueued without waiting. Offsets count elements of
 * their own type: floats for tensors, the index type for indices, 4-byte ints for the error
 * word and the links scratch.
 *
 * <p>Bad indices: a kernel cannot throw, so it writes 0 in their place and records the smallest
 * position of a bad index in the error word (an int in the arena); {@link #resetError} arms the
 * word before the kernels, {@link #checkIndices} reads it (a blocking read: call it where the
 * host waits anyway) and throws the JVM backend's message. scatter_add is deterministic and
 * sums in the JVM's order, so its results equal dlc.runtime.Indexing's bit for bit.
 */
public final class IndexKernels {
    private static final long GROUP = 64;
    private static final int NO_ERROR = Integer.MAX_VALUE;

    private final ClExecutor executor;
    private final Map<String, ClProgram> programs = new HashMap<>();

    public IndexKernels(ClExecutor executor) { this.executor = executor; }

    private ClKernel kernel(IndexType type, String name) { return kernel(type, DType.F32, name); }

    /** index.cl specialized for indices of {@code type} and data of {@code data} (float for f32, else double). */
    private ClKernel kernel(IndexType type, DType data, String name) {
        if (data == DType.BOOL) throw new IllegalArgumentException(name + ": no kernel for " + data + " data");
        boolean f64 = data != DType.F32;
        if (f64 && !executor.device().fp64())
            throw new OpenClException(name + " on " + data + " data runs in double, but " + executor.device().describe()
                    + " has no double precision (cl_khr_fp64)");
        return programs.computeIfAbsent(type + (f64 ? "/double" : "/float"), key -> {
            Map<String, String> d = new HashMap<>(type.defines("IDX_T", executor.device()));
            if (f64) {
                d.put("DATA_T", "double");
                d.put("FP64", "1");
            }
            return executor.program(ProgramSource.resource("index.cl", d));
        }).kernel(name);
    }

    /** The ints of links scratch scatter_add needs for {@code m} indices. */
    public static long linksInts(int m) { return 2L * m; }

    /** Arms the error word at int offset {@code errOff}: no bad index seen. */
    public void resetError(DeviceArena arena, long errOff) {
        ArenaChecks.inside("index check", "error word", errOff, 1, Integer.BYTES, arena);
        executor.launch(kernel(IndexType.INT32, "index_error_reset").arg(0, arena).arg(1, errOff), new long[]{1}, null);
    }

    /** gather: {@code y[o, j, i] = x[o, idx[j], i]}, y [outer, m, inner]. */
    public void gather(DeviceArena arena, long xOff, int outer, int n, int inner, long idxOff, IndexType type, int m, long yOff, long errOff) {
        gather(DType.F32, arena, xOff, outer, n, inner, idxOff, type, m, yOff, errOff);
    }

    /** As above on data of {@code data} (f64 and integers stored as double: offsets in doubles). */
    public void gather(DType data, DeviceArena arena, long xOff, int outer, int n, int inner, long idxOff, IndexType type, int m, long yOff, long errOff) {
        String op = "gather";
        int bytes = ClTypes.bytes(data);
        ArenaChecks.inside(op, "input", xOff, ArenaChecks.elements(op, "input", outer, n, inner), bytes, arena);
        ArenaChecks.inside(op, "indices", idxOff, m, type.bytes, arena);
        int count = ArenaChecks.elements(op, "output", outer, m, inner);
        ArenaChecks.inside(op, "output", yOff, count, bytes, arena);
        ArenaChecks.inside(op, "error word", errOff, 1, Integer.BYTES, arena);
        if (count == 0) return;
        ClKernel k = kernel(type, data, "gather").arg(0, arena).arg(1, xOff).arg(2, arena).arg(3, idxOff).arg(4, arena).arg(5, yOff)
                .arg(6, arena).arg(7, errOff).arg(8, outer).arg(9, n).arg(10, inner).arg(11, m);
        executor.launch(k, new long[]{rounded(count)}, null);
    }

    /**
     * scatter_add: {@code y = base}, then {@code y[o, idx[j], i] += u[o, j, i]} for j ascending;
     * y [outer, n, inner] may be base itself (updated in place) but must not overlap u, the
     * indices or the {@link #linksInts} ints of scratch at int offset {@code linksOff}.
     */
    public void scatterAdd(DeviceArena arena, long baseOff, int outer, int n, int inner, long idxOff, IndexType type, int m,
                           long uOff, long yOff, long linksOff, long errOff) {
        scatterAdd(DType.F32, arena, baseOff, outer, n, inner, idxOff, type, m, uOff, yOff, linksOff, errOff);
    }

    /** As above on data of {@code data} (f64 and integers stored as double: offsets in doubles). */
    public void scatterAdd(DType data, DeviceArena arena, long baseOff, int outer, int n, int inner, long idxOff, IndexType type, int m,
                           long uOff, long yOff, long linksOff, long errOff) {
        String op = "scatter_add";
        int bytes = ClTypes.bytes(data);
        int size = ArenaChecks.elements(op, "base", outer, n, inner), updates = ArenaChecks.elements(op, "updates", outer, m, inner);
        ArenaChecks.inside(op, "base", baseOff, size, bytes, arena);
        ArenaChecks.inside(op, "output", yOff, size, bytes, arena);
        ArenaChecks.inside(op, "updates", uOff, updates, bytes, arena);
        ArenaChecks.inside(op, "indices", idxOff, m, type.bytes, arena);
        ArenaChecks.inside(op, "links scratch", linksOff, linksInts(m), Integer.BYTES, arena);
        ArenaChecks.inside(op, "error word", errOff, 1, Integer.BYTES, arena);
        if (yOff != baseOff && size > 0)
            executor.launch(kernel(type, data, "copy").arg(0, arena).arg(1, baseOff).arg(2, arena).arg(3, yOff).arg(4, size),
                    new long[]{rounded(size)}, null);
        if (m == 0) return;
        executor.launch(kernel(type, data, "scatter_links").arg(0, arena).arg(1, idxOff).arg(2, arena).arg(3, linksOff)
                .arg(4, arena).arg(5, errOff).arg(6, n).arg(7, m), new long[]{rounded(m)}, null);
        if (updates == 0) return;
        executor.launch(kernel(type, data, "scatter_add_chains").arg(0, arena).arg(1, uOff).arg(2, arena).arg(3, linksOff)
                .arg(4, arena).arg(5, yOff).arg(6, outer).arg(7, n).arg(8, inner).arg(9, m), new long[]{rounded(updates)}, null);
    }

    /**
     * Waits for the queue, then throws what the JVM backend throws for the first bad index that
     * {@code op}'s kernels met since {@link #resetError} (indices at {@code idxOff}, axis size n).
     */
    public void checkIndices(String op, DeviceArena arena, long errOff, long idxOff, IndexType type, int n) {
        float[] word = new float[1];
        executor.download(arena, new ArenaLayout.Slice("index error word", errOff * Integer.BYTES, Integer.BYTES), word);
        int j = Float.floatToRawIntBits(word[0]);
        if (j == NO_ERROR) return;
        ArenaLayout.Slice at = new ArenaLayout.Slice("index " + j, (idxOff + j) * type.bytes, type.bytes);
        double v;
        switch (type) {
            case INT32 -> { float[] f = new float[1]; executor.download(arena, at, f); v = Float.floatToRawIntBits(f[0]); }
            case F32 -> { float[] f = new float[1]; executor.download(arena, at, f); v = f[0]; }
            case INT64 -> { long[] l = new long[1]; executor.download(arena, at, l); v = l[0]; }
            default -> { double[] d = new double[1]; executor.download(arena, at, d); v = d[0]; }
        }
        // the message of dlc.numerics.Indices.resolve, which the JVM backend and the interpreter throw
        throw new IllegalArgumentException(op + " index " + (long) v + " is out of range for an axis of size " + n
                + " (valid: " + -n + " to " + (n - 1) + ")");
    }

    private static long rounded(long n) { return (n + GROUP - 1) / GROUP * GROUP; }
}
