package dlc.codegen.opencl;

import static org.lwjgl.opencl.CL10.*;

/**
 * One kernel of a built program, with its arguments set by position. Arguments stay set between
 * launches (OpenCL keeps them), so a caller sets only what changes. Every setter checks its code,
 * naming the kernel and the argument.
 */
public final class ClKernel {
    private final long handle;
    private final String name;
    private boolean released;

    ClKernel(long handle, String name) {
        this.handle = handle;
        this.name = name;
    }

    public String name() { return name; }

    /** The handle; a kernel whose executor was closed throws instead of handing a freed handle to the driver (a crash). */
    long handle() {
        if (released) throw new IllegalStateException("kernel " + name + " belongs to a closed executor");
        return handle;
    }

    void release() {
        if (!released) clReleaseKernel(handle);
        released = true;
    }

    /** A {@code __global} pointer argument: the arena's buffer (kernels take element offsets into it). */
    public ClKernel arg(int index, DeviceArena arena) {
        return check(clSetKernelArg1p(handle(), index, arena.buffer()), index);
    }

    public ClKernel arg(int index, int value) { return check(clSetKernelArg1i(handle(), index, value), index); }

    /** A {@code long} or {@code ulong} argument. */
    public ClKernel arg(int index, long value) { return check(clSetKernelArg1l(handle(), index, value), index); }

    public ClKernel arg(int index, float value) { return check(clSetKernelArg1f(handle(), index, value), index); }

    public ClKernel arg(int index, double value) { return check(clSetKernelArg1d(handle(), index, value), index); }

    private ClKernel check(int code, int index) {
        ClErrors.check(code, "setting argument " + index + " of kernel " + name);
        return this;
    }
}
