package dlc.codegen.opencl;

import org.lwjgl.system.MemoryStack;

import java.nio.IntBuffer;
import java.util.HashMap;
import java.util.Map;

import static org.lwjgl.opencl.CL10.*;

/** A program built for the executor's device; its kernels are created once and kept. */
public final class ClProgram {
    final long handle;
    private final String name;
    private final boolean fromCache;
    private final Map<String, ClKernel> kernels = new HashMap<>();

    ClProgram(long handle, String name, boolean fromCache) {
        this.handle = handle;
        this.name = name;
        this.fromCache = fromCache;
    }

    public String name() { return name; }

    /** Whether the binary came from the on-disk cache instead of the OpenCL C compiler. */
    public boolean fromCache() { return fromCache; }

    /** The kernel called {@code kernel}, created on first use. */
    public synchronized ClKernel kernel(String kernel) {
        return kernels.computeIfAbsent(kernel, k -> {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                IntBuffer err = stack.mallocInt(1);
                long h = clCreateKernel(handle, k, err);
                ClErrors.check(err.get(0), "creating kernel " + k + " of program " + name);
                return new ClKernel(h, k);
            }
        });
    }

    void release() {
        for (ClKernel k : kernels.values()) k.release();
        kernels.clear();
        clReleaseProgram(handle);
    }
}
