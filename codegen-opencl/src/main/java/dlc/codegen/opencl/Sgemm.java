package dlc.codegen.opencl;

import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

import java.util.HashMap;
import java.util.Map;

import static org.lwjgl.opencl.CL10.*;

/**
 * Runs sgemm.cl: {@code C = alpha * op(A) * op(B) + beta * C} on row-major matrices that live in
 * an arena at element offsets with leading dimensions, transposes resolved in the kernel. One
 * program per transpose combination and choice of vector loads ({@link VectorLoads}: A and B
 * whose rows start on 16 bytes are staged with float4 reads) is built on first use (specialized
 * with -D defines) and kept.
 */
public final class Sgemm {
    /** A tiling: TSM x TSN tile of C per work-group, TSK of K per step, WPTM x WPTN results per work-item. */
    record Tiling(int tsm, int tsn, int tsk, int wptm, int wptn) {
        int threads() { return (tsm / wptm) * (tsn / wptn); }

        long localBytes() { return localBytes(Float.BYTES); }

        /** The two local tiles of elements of {@code elementBytes} (8 for the double kernels). */
        long localBytes(int elementBytes) { return (long) elementBytes * tsk * (tsm + 1 + tsn + 1); }
    }

    /** Largest first: 256 work-items of 4x4 results on 64x64 tiles, then smaller for devices that cannot. */
    static final Tiling[] TILINGS = {new Tiling(64, 64, 16, 4, 4), new Tiling(32, 32, 16, 4, 4), new Tiling(8, 8, 8, 1, 1)};

    /** A built specialization: the kernel, its tiling and the program it came from. */
    private record Built(ClKernel kernel, Tiling tiling, ProgramSource source) {}

    private final ClExecutor executor;
    private final boolean bufferAligned;
    private final Map<String, Built> built = new HashMap<>();
    private ProgramSource lastSource;

    public Sgemm(ClExecutor executor) {
        this.executor = executor;
        this.bufferAligned = VectorLoads.bufferAligned(executor.device());
    }

    /** The program the latest {@link #run} launched (tests check which specialization ran); null before. */
    ProgramSource lastSource() { return lastSource; }

    /**
     * Enqueues the product; A, B and C are in {@code arena} at element offsets {@code offA},
     * {@code offB}, {@code offC}. {@code lda} is A's row length as stored (K, or M when
     * {@code transA}), and so on. Returns without waiting.
     */
    public void run(boolean transA, boolean transB, int m, int n, int k, float alpha,
                    DeviceArena arena, long offA, int lda, long offB, int ldb, float beta, long offC, int ldc) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("sgemm sizes must be non-negative: " + m + "x" + n + "x" + k);
        long floats = arena.layout().totalBytes() / Float.BYTES;
        checkMatrix("A", transA ? k : m, transA ? m : k, offA, lda, floats, arena);
        checkMatrix("B", transB ? n : k, transB ? k : n, offB, ldb, floats, arena);
        checkMatrix("C", m, n, offC, ldc, floats, arena);
        if (m == 0 || n == 0) return;
        boolean vecA = bufferAligned && VectorLoads.rowsAligned(offA, lda), vecB = bufferAligned && VectorLoads.rowsAligned(offB, ldb);
        Built b = kernel(transA, transB, vecA, vecB);
        ClKernel kernel = b.kernel();
        Tiling t = b.tiling();
        lastSource = b.source();
        kernel.arg(0, m).arg(1, n).arg(2, k).arg(3, alpha)
                .arg(4, arena).arg(5, offA).arg(6, lda)
                .arg(7, arena).arg(8, offB).arg(9, ldb)
                .arg(10, beta).arg(11, arena).arg(12, offC).arg(13, ldc);
        long rtsm = t.tsm() / t.wptm(), rtsn = t.tsn() / t.wptn();
        long[] global = {ceilDiv(n, t.tsn()) * rtsn, ceilDiv(m, t.tsm()) * rtsm};
        executor.launch(kernel, global, new long[]{rtsn, rtsm});
    }

    private static long ceilDiv(long a, long b) { return (a + b - 1) / b; }

    /** A rows x cols matrix stored with row stride ld from element off must lie inside the arena. */
    private static void checkMatrix(String name, int rows, int cols, long off, int ld, long floats, DeviceArena arena) {
        if (ld < Math.max(1, cols))
            throw new IllegalArgumentException("sgemm: leading dimension of " + name + " is " + ld + ", less than its " + cols + " columns");
        if (off < 0) throw new IllegalArgumentException("sgemm: negative offset of " + name + ": " + off);
        if (rows == 0 || cols == 0) return;
        long last = off + (long) (rows - 1) * ld + cols; // one past the last element read or written
        if (last > floats)
            throw new IllegalArgumentException("sgemm: " + name + " (" + rows + "x" + cols + ", ld " + ld + ", offset " + off
                    + ") reaches float " + last + ", past the end of arena " + arena.name() + " (" + floats + " floats)");
    }

    private Built kernel(boolean transA, boolean transB, boolean vecA, boolean vecB) {
        String key = (transA ? "T" : "N") + (transB ? "T" : "N") + (vecA ? "4" : "1") + (vecB ? "4" : "1");
        Built b = built.get(key);
        if (b != null) return b;
        ClDevice d = executor.device();
        for (Tiling t : TILINGS) {
            if (t.threads() > d.maxWorkGroupSize() || t.localBytes() > d.localMemBytes()) continue;
            Map<String, String> defines = new HashMap<>(TiledPrograms.defines(t));
            defines.put("TRANS_A", transA ? "1" : "0");
            defines.put("TRANS_B", transB ? "1" : "0");
            VectorLoads.define(defines, vecA, vecB);
            ProgramSource source = ProgramSource.resource("sgemm.cl", defines);
            ClKernel candidate = executor.program(source).kernel("sgemm");
            // registers may limit a kernel to smaller groups than the device's maximum
            if (kernelWorkGroupSize(candidate) < t.threads()) continue;
            b = new Built(candidate, t, source);
            built.put(key, b);
            return b;
        }
        throw new OpenClException("no SGEMM tiling fits " + d.describe() + " (max work-group size " + d.maxWorkGroupSize()
                + ", local memory " + d.localMemBytes() + " bytes)");
    }

    private long kernelWorkGroupSize(ClKernel kernel) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClErrors.check(clGetKernelWorkGroupInfo(kernel.handle(), executor.device().deviceId(), CL_KERNEL_WORK_GROUP_SIZE, size, null),
                    "clGetKernelWorkGroupInfo for " + kernel.name());
            return size.get(0);
        }
    }
}
