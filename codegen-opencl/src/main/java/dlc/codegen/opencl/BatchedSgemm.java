package dlc.codegen.opencl;

import dlc.ir.DType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code matmul} op on float32 tensors in an arena, numpy semantics as dlc.runtime.BatchedMatmul:
 * a [..., M, K] @ b [..., K, N] -> y [batch..., M, N] dense, leading batch dims broadcast (a dim
 * of 1 repeats), an operand stored transposed ([..., K, M] for a when {@code transA}, [..., N, K]
 * for b when {@code transB}) read in place. Every product is one launch of sgemm.cl built with
 * BATCHED: get_group_id(2) numbers the products, and each finds its matrices from two levels of
 * batch strides, so the batch dims are merged first (dims of 1 dropped, neighbours that step
 * alike folded); more than two levels left is refused. When b has no batch and a is dense and not
 * transposed, the batch folds into M: one plain GEMM (a dense layer over a sequence).
 */
public final class BatchedSgemm {
    private final ClExecutor executor;
    private final Map<String, TiledPrograms.Pick> picks = new HashMap<>();
    private final boolean bufferAligned;
    private ProgramSource lastSource;

    private final Sgemm.Tiling[] tilings;

    public BatchedSgemm(ClExecutor executor) { this(executor, Sgemm.TILINGS); }

    /** Tiled with the first of {@code tilings} that fits (tests name one, to run the tilings other devices get). */
    BatchedSgemm(ClExecutor executor, Sgemm.Tiling... tilings) {
        this.executor = executor;
        this.tilings = tilings;
        this.bufferAligned = VectorLoads.bufferAligned(executor.device());
    }

    /** The program the latest {@code run} launched (tests check which specialization ran); null before. */
    ProgramSource lastSource() { return lastSource; }

    /** The batch after merging: products, the inner level's size, and element strides per level (outer, inner) of a, b. */
    record Batch(int count, int inner, long a0, long a1, long b0, long b1) {}

    /** y = a @ b; the operands' logical shapes (rank >= 2, vectors already promoted), y dense at {@code offY}. */
    public void run(int[] aShape, boolean transA, int[] bShape, boolean transB, DeviceArena arena, long offA, long offB, long offY) {
        run(DType.F32, aShape, transA, bShape, transB, arena, offA, offB, offY, null);
    }

    /**
     * As above on operands of {@code dtype}: f32 as float; f64 and the integer dtypes stored as
     * double (offsets in doubles), accumulated in double, integer results wrapped to the dtype as
     * the interpreter wraps its exact sums. Needs cl_khr_fp64 for anything but f32.
     */
    public void run(DType dtype, int[] aShape, boolean transA, int[] bShape, boolean transB, DeviceArena arena, long offA, long offB, long offY) {
        run(dtype, aShape, transA, bShape, transB, arena, offA, offB, offY, null);
    }

    /**
     * As above with a generated store ({@code store} not null): each result goes to the fusion
     * group's epilogue with its linear index in the dense y, and y itself is not written
     * ({@code offY} is not used).
     */
    void run(DType dtype, int[] aShape, boolean transA, int[] bShape, boolean transB, DeviceArena arena, long offA, long offB, long offY,
             KernelWriter.StoreArgs store) {
        String op = "matmul";
        if (dtype == DType.BOOL)
            throw new IllegalArgumentException("matmul: no kernel for " + dtype + " operands");
        boolean f64 = dtype != DType.F32;
        if (f64 && store != null) throw new IllegalArgumentException("matmul: a fused store takes f32 results, not " + dtype);
        if (f64 && !executor.device().fp64())
            throw new OpenClException("matmul on " + dtype + " runs in double, but " + executor.device().describe()
                    + " has no double precision (cl_khr_fp64)");
        int bytes = ClTypes.bytes(dtype);
        if (aShape.length < 2 || bShape.length < 2)
            throw new IllegalArgumentException("matmul: operand shapes must be rank-1-promoted to rank >= 2, got "
                    + java.util.Arrays.toString(aShape) + " @ " + java.util.Arrays.toString(bShape));
        int m = aShape[aShape.length - 2], k = aShape[aShape.length - 1], n = bShape[bShape.length - 1];
        if (bShape[bShape.length - 2] != k)
            throw new IllegalArgumentException("matmul inner dims differ: " + java.util.Arrays.toString(aShape) + " @ " + java.util.Arrays.toString(bShape));
        Batch batch = batch(aShape, bShape, (long) m * k, (long) k * n);
        ArenaChecks.inside(op, "a", offA, ArenaChecks.elements(op, "a", aShape), bytes, arena);
        ArenaChecks.inside(op, "b", offB, ArenaChecks.elements(op, "b", bShape), bytes, arena);
        if (store == null) ArenaChecks.inside(op, "y", offY, ArenaChecks.elements(op, "y", batch.count(), m, n), bytes, arena);
        else offY = 0; // the store gets y's linear index
        if ((long) batch.count() * m * n == 0) return;
        int lda = Math.max(1, transA ? m : k), ldb = Math.max(1, transB ? k : n);
        boolean fold = !transA && batch.b0() == 0 && batch.b1() == 0 && isDense(batch, (long) m * k);
        int rows = fold ? batch.count() * m : m, products = fold ? 1 : batch.count();
        long a0 = fold ? 0 : batch.a0(), a1 = fold ? 0 : batch.a1(), b0 = fold ? 0 : batch.b0(), b1 = fold ? 0 : batch.b1();
        // float4 staging where every row of every product starts on 16 bytes (see VectorLoads)
        boolean vecA = !f64 && bufferAligned && VectorLoads.rowsAligned(offA, lda, a0, a1);
        boolean vecB = !f64 && bufferAligned && VectorLoads.rowsAligned(offB, ldb, b0, b1);
        String key = dtype + (transA ? "T" : "N") + (transB ? "T" : "N") + (vecA ? "4" : "1") + (vecB ? "4" : "1")
                + (store == null ? "" : store.prefix());
        TiledPrograms.Pick pick = picks.computeIfAbsent(key, v -> TiledPrograms.pick(executor, "sgemm", t -> {
            Map<String, String> d = new HashMap<>(TiledPrograms.defines(t));
            d.put("TRANS_A", transA ? "1" : "0");
            d.put("TRANS_B", transB ? "1" : "0");
            d.put("BATCHED", "1");
            VectorLoads.define(d, vecA, vecB);
            if (f64) d.put("F64", "1");
            if (dtype.isInteger()) d.put("WRAP", "" + wrapCode(dtype));
            return store == null ? ProgramSource.resource("sgemm.cl", d) : store.program("sgemm.cl", d);
        }, bytes, tilings));
        pick.kernel().arg(0, rows).arg(1, n).arg(2, k).arg(3, 1f)
                .arg(4, arena).arg(5, offA).arg(6, lda).arg(7, arena).arg(8, offB).arg(9, ldb)
                .arg(10, 0f).arg(11, arena).arg(12, offY).arg(13, n)
                .arg(14, fold ? 1 : batch.inner()).arg(15, a0).arg(16, a1)
                .arg(17, b0).arg(18, b1).arg(19, (long) m * n);
        if (store != null) store.set(pick.kernel(), 20, arena);
        lastSource = pick.source();
        pick.launch(executor, rows, n, products);
    }

    /** sgemm.cl's WRAP code of an integer dtype. */
    private static int wrapCode(DType d) {
        return switch (d) {
            case I8 -> 1;
            case U8 -> 2;
            case I32 -> 3;
            case I64 -> 4;
            default -> throw new IllegalArgumentException("no integer wrap for " + d);
        };
    }

    /** Whether the products read a's matrices one after another (p * matrix). */
    private static boolean isDense(Batch b, long matrix) {
        if (b.count() <= 1) return true;
        return b.a1() == matrix && (b.count() == b.inner() || b.a0() == matrix * b.inner());
    }

    /** Broadcasts and merges the batch dims of two operands whose matrices hold {@code ma} and {@code mb} elements. */
    static Batch batch(int[] aShape, int[] bShape, long ma, long mb) {
        int nb = Math.max(aShape.length, bShape.length) - 2;
        long sa = ma, sb = mb; // element strides of the next outer batch dim of each operand
        List<long[]> levels = new ArrayList<>(); // {dim, strideA, strideB}, innermost first
        for (int ax = nb - 1; ax >= 0; ax--) {
            int da = aligned(aShape, ax, nb), db = aligned(bShape, ax, nb);
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException("matmul batch dims do not broadcast: " + java.util.Arrays.toString(aShape)
                        + " @ " + java.util.Arrays.toString(bShape));
            int d = Math.max(da, db);
            if (da == 0 || db == 0) d = 0;
            long strideA = da == 1 ? 0 : sa, strideB = db == 1 ? 0 : sb;
            sa *= da;
            sb *= db;
            if (d == 1) continue;
            long[] inner = levels.isEmpty() ? null : levels.get(levels.size() - 1);
            if (inner != null && strideA == inner[1] * inner[0] && strideB == inner[2] * inner[0]) inner[0] *= d; // steps like its neighbour
            else levels.add(new long[]{d, strideA, strideB});
        }
        if (levels.size() > 2)
            throw new IllegalArgumentException("matmul " + java.util.Arrays.toString(aShape) + " @ " + java.util.Arrays.toString(bShape)
                    + " broadcasts in more than two separate groups of batch dims; the OpenCL kernel walks two");
        long count = 1;
        for (long[] l : levels) count *= l[0];
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("matmul: more than 2^31-1 products");
        long[] in = levels.isEmpty() ? new long[]{1, 0, 0} : levels.get(0), out = levels.size() < 2 ? new long[]{1, 0, 0} : levels.get(1);
        return new Batch((int) count, (int) in[0], out[1], in[1], out[2], in[2]);
    }

    /** Batch dim {@code ax} of {@code nb} (aligned from the right) of an operand's shape; 1 where it has none. */
    private static int aligned(int[] s, int ax, int nb) {
        int i = ax - (nb - (s.length - 2));
        return i < 0 ? 1 : s[i];
    }
}
