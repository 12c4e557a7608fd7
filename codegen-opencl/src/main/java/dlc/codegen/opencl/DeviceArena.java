package dlc.codegen.opencl;

import org.lwjgl.system.MemoryStack;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;

import static org.lwjgl.opencl.CL10.*;
import static org.lwjgl.opencl.CL12.clEnqueueFillBuffer;

/**
 * The one device buffer an executor's tensors live in, laid out by an {@link ArenaLayout}.
 * Kernels get the buffer and element offsets (not sub-buffers, whose offsets would have to meet
 * the device's base-address alignment). It is allocated and zero-filled when created, with a
 * wait, so running out of device memory is reported here, naming the buffer and its size, and
 * not at some later kernel.
 */
public final class DeviceArena implements AutoCloseable {
    private final String name;
    private final ArenaLayout layout;
    private long buffer;

    DeviceArena(long context, long queue, ClDevice device, String name, ArenaLayout layout) {
        this.name = name;
        this.layout = layout;
        long bytes = layout.totalBytes();
        if (bytes > device.maxAllocBytes())
            throw outOfMemory(device, "the device allows at most " + Units.bytes(device.maxAllocBytes()) + " in one buffer");
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long h = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, err);
            if (ClErrors.outOfMemory(err.get(0))) throw outOfMemory(device, "clCreateBuffer: " + ClErrors.name(err.get(0)));
            ClErrors.check(err.get(0), "clCreateBuffer for " + name + " (" + Units.bytes(bytes) + ")");
            buffer = h;
            ByteBuffer zero = stack.calloc(1);
            int code = clEnqueueFillBuffer(queue, h, zero, 0, bytes, null, null);
            if (code == CL_SUCCESS) code = clFinish(queue);
            if (code != CL_SUCCESS) {
                release();
                if (ClErrors.outOfMemory(code)) throw outOfMemory(device, "filling it: " + ClErrors.name(code));
                ClErrors.check(code, "zero-filling " + name + " (" + Units.bytes(bytes) + ")");
            }
        }
    }

    private OpenClException outOfMemory(ClDevice device, String why) {
        return new OpenClException("out of device memory: buffer " + name + " needs " + Units.bytes(layout.totalBytes())
                + " on " + device.describe() + " (global memory " + Units.compact(device.globalMemBytes()) + "): " + why);
    }

    public String name() { return name; }

    public ArenaLayout layout() { return layout; }

    public ArenaLayout.Slice slice(String slice) { return layout.slice(slice); }

    long buffer() {
        if (buffer == 0) throw new IllegalStateException("arena " + name + " was released");
        return buffer;
    }

    /**
     * Frees the device memory (OpenCL keeps it until the commands already enqueued on it are done;
     * the executor frees what is left when it closes). A kernel whose argument still names this
     * arena must be given another before its next launch: OpenCL does not check that.
     */
    @Override public void close() { release(); }

    void release() {
        if (buffer != 0) clReleaseMemObject(buffer);
        buffer = 0;
    }
}
