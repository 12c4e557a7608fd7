package dlc.codegen.opencl;

import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

import java.util.function.Function;

import static org.lwjgl.opencl.CL10.*;

/**
 * Picks the largest of {@link Sgemm#TILINGS} that a tiled kernel can run with on the executor's
 * device: the work-group must fit the device's maximum and the kernel's own limit (registers may
 * cap a kernel below the device's maximum), and the two local tiles its local memory. Shared by
 * the kernels built on sgemm.cl's tile loop (conv.cl, batched products).
 */
final class TiledPrograms {
    private TiledPrograms() {}

    /** A built kernel, the tiling it was specialized for and the program it came from. */
    record Pick(ClKernel kernel, Sgemm.Tiling tiling, ProgramSource source) {
        /** Enqueues a GEMM-shaped launch: an M x N result in TSM x TSN tiles, {@code layers} deep. */
        void launch(ClExecutor executor, int m, int n, int layers) {
            Sgemm.Tiling t = tiling;
            long rtsm = t.tsm() / t.wptm(), rtsn = t.tsn() / t.wptn();
            long[] global = {ceilDiv(n, t.tsn()) * rtsn, ceilDiv(m, t.tsm()) * rtsm, layers};
            executor.launch(kernel, global, new long[]{rtsn, rtsm, 1});
        }
    }

    /** The first tiling whose program (built by {@code source}) yields a kernel {@code name} that runs. */
    static Pick pick(ClExecutor executor, String name, Function<Sgemm.Tiling, ProgramSource> source) {
        return pick(executor, name, source, Float.BYTES, Sgemm.TILINGS);
    }

    /** As above among {@code tilings} (tests pass one, to run the tilings other devices get). */
    static Pick pick(ClExecutor executor, String name, Function<Sgemm.Tiling, ProgramSource> source, Sgemm.Tiling... tilings) {
        return pick(executor, name, source, Float.BYTES, tilings);
    }

    /** As above for tiles of {@code elementBytes} elements (8: the double kernels' tiles take twice the local memory). */
    static Pick pick(ClExecutor executor, String name, Function<Sgemm.Tiling, ProgramSource> source, int elementBytes, Sgemm.Tiling... tilings) {
        ClDevice d = executor.device();
        for (Sgemm.Tiling t : tilings) {
            if (t.threads() > d.maxWorkGroupSize() || t.localBytes(elementBytes) > d.localMemBytes()) continue;
            ProgramSource program = source.apply(t);
            ClKernel k = executor.program(program).kernel(name);
            if (workGroupSize(executor, k) < t.threads()) continue;
            return new Pick(k, t, program);
        }
        throw new OpenClException("no tiling of kernel " + name + " fits " + d.describe() + " (max work-group size "
                + d.maxWorkGroupSize() + ", local memory " + d.localMemBytes() + " bytes)");
    }

    /** The defines that specialize sgemm.cl's tile loop for {@code t}. */
    static java.util.Map<String, String> defines(Sgemm.Tiling t) {
        return java.util.Map.of("TSM", "" + t.tsm(), "TSN", "" + t.tsn(), "TSK", "" + t.tsk(), "WPTM", "" + t.wptm(), "WPTN", "" + t.wptn());
    }

    static long workGroupSize(ClExecutor executor, ClKernel kernel) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClErrors.check(clGetKernelWorkGroupInfo(kernel.handle(), executor.device().deviceId(), CL_KERNEL_WORK_GROUP_SIZE, size, null),
                    "clGetKernelWorkGroupInfo for " + kernel.name());
            return size.get(0);
        }
    }

    static long ceilDiv(long a, long b) { return (a + b - 1) / b; }
}
