package dlc.codegen.opencl;

import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.lwjgl.opencl.CL10.*;

/**
 * What one executor holds on a device: a context, ONE in-order command queue, the programs it
 * built and the arenas it allocated. Kernels and uploads are enqueued without waiting: in an
 * in-order queue each command sees the results of the ones before it, so nothing waits between
 * kernels; {@link #download} is a blocking read, which is where the host waits for everything
 * enqueued before it. Not thread-safe: one executor, one thread.
 */
public final class ClExecutor implements AutoCloseable {
    /** Where program binaries are cached (null: no cache) and where failed builds' logs go. */
    public record Options(Path cacheDir, Path logDir) {
        /** System property naming the cache directory; {@code off} disables the cache. */
        public static final String CACHE_PROPERTY = "dlc.opencl.cache";
        /** System property naming the build-log directory. */
        public static final String LOG_PROPERTY = "dlc.opencl.logs";

        /** ~/.cache/dlc/opencl (or $XDG_CACHE_HOME/dlc/opencl) and a dlc-opencl directory under java.io.tmpdir, unless the properties say otherwise. */
        public static Options defaults() {
            String cache = System.getProperty(CACHE_PROPERTY);
            Path cacheDir;
            if ("off".equals(cache)) cacheDir = null;
            else if (cache != null && !cache.isBlank()) cacheDir = Path.of(cache);
            else {
                String xdg = System.getenv("XDG_CACHE_HOME");
                Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
                cacheDir = base.resolve("dlc").resolve("opencl");
            }
            String logs = System.getProperty(LOG_PROPERTY);
            Path logDir = logs != null && !logs.isBlank() ? Path.of(logs) : Path.of(System.getProperty("java.io.tmpdir"), "dlc-opencl");
            return new Options(cacheDir, logDir);
        }
    }

    private final ClDevice device;
    private final long context;
    private final long queue;
    private final ProgramBuilder builder;
    private final Map<String, ClProgram> programs = new HashMap<>();
    private final List<DeviceArena> arenas = new ArrayList<>();
    /** Host copies of uploads still in flight: freed once a blocking read shows the queue has passed them. */
    private final List<ByteBuffer> staging = new ArrayList<>();
    private Transfers transfers = Transfers.NONE;
    private boolean closed;

    private ClExecutor(ClDevice device, long context, long queue, Options options) {
        this.device = device;
        this.context = context;
        this.queue = queue;
        this.builder = new ProgramBuilder(context, device,
                options.cacheDir() == null ? null : new ProgramCache(options.cacheDir()), options.logDir());
    }

    /** A context and an in-order queue on {@code device}. */
    public static ClExecutor open(ClDevice device, Options options) {
        OpenClLibrary.load();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            PointerBuffer props = stack.mallocPointer(3).put(0, CL_CONTEXT_PLATFORM).put(1, device.platformId()).put(2, 0);
            long context = clCreateContext(props, device.deviceId(), null, 0, err);
            ClErrors.check(err.get(0), "creating an OpenCL context on " + device.describe());
            long queue = clCreateCommandQueue(context, device.deviceId(), 0, err);
            if (err.get(0) != CL_SUCCESS) {
                clReleaseContext(context);
                ClErrors.check(err.get(0), "creating a command queue on " + device.describe());
            }
            return new ClExecutor(device, context, queue, options);
        }
    }

    public ClDevice device() { return device; }

    /** The queue; a closed executor throws instead of handing a freed handle to the driver (a crash). */
    private long queue() {
        if (closed) throw new IllegalStateException("the OpenCL executor on " + device.describe() + " is closed");
        return queue;
    }

    /** The program built from {@code source}, built (or read from the cache) once per executor. */
    public ClProgram program(ProgramSource source) {
        queue();
        String key = source.name() + "\0" + source.options() + "\0" + source.source();
        ClProgram p = programs.get(key);
        if (p == null) {
            p = builder.build(source);
            programs.put(key, p);
        }
        return p;
    }

    /** A new zero-filled arena laid out by {@code layout}; {@code name} names it in errors. */
    public DeviceArena arena(String name, ArenaLayout layout) {
        DeviceArena a = new DeviceArena(context, queue(), device, name, layout);
        arenas.add(a);
        return a;
    }

    private long launches;

    /** Kernels enqueued so far (what a benchmark counts per step). */
    public long launches() { return launches; }

    /** Enqueues {@code kernel} over {@code global} work items in groups of {@code local} (null: the driver picks). */
    public void launch(ClKernel kernel, long[] global, long[] local) {
        launches++;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer g = stack.pointers(global);
            PointerBuffer l = local == null ? null : stack.pointers(local);
            int code = clEnqueueNDRangeKernel(queue(), kernel.handle(), global.length, null, g, l, null, null);
            if (ClErrors.outOfMemory(code))
                throw new OpenClException("out of device resources launching kernel " + kernel.name() + " on " + device.describe() + ": " + ClErrors.name(code));
            ClErrors.check(code, "launching kernel " + kernel.name() + " (global " + java.util.Arrays.toString(global)
                    + ", local " + java.util.Arrays.toString(local) + ")");
        }
    }

    /**
     * Enqueues a device-side copy of {@code bytes} bytes from byte {@code from} to byte {@code to}
     * of one arena (the ranges must not overlap); nothing crosses to the host.
     */
    public void copy(DeviceArena arena, long from, long to, long bytes) {
        if (bytes == 0) return;
        ClErrors.check(clEnqueueCopyBuffer(queue(), arena.buffer(), arena.buffer(), from, to, bytes, null, null),
                "copying " + bytes + " bytes from " + from + " to " + to + " in arena " + arena.name());
    }

    // ---------------------------------------------------------------- transfers

    /** Everything moved so far by this executor (host writes and reads, device copies). */
    public Transfers transfers() { return transfers; }

    /**
     * Enqueues a copy of {@code bytes} bytes within the device, from {@code src} at byte
     * {@code srcOffset} to {@code dst} at {@code dstOffset}; returns without waiting. Within one
     * arena the two ranges must not overlap (OpenCL refuses it).
     */
    public void copy(DeviceArena src, long srcOffset, DeviceArena dst, long dstOffset, long bytes) {
        if (bytes == 0) return;
        if (srcOffset < 0 || dstOffset < 0 || bytes < 0 || srcOffset > src.layout().totalBytes() - bytes || dstOffset > dst.layout().totalBytes() - bytes)
            throw new IllegalArgumentException("copy of " + bytes + " bytes from " + src.name() + " at " + srcOffset + " to " + dst.name() + " at " + dstOffset
                    + " leaves an arena");
        if (src == dst && srcOffset < dstOffset + bytes && dstOffset < srcOffset + bytes)
            throw new IllegalArgumentException("copy within " + src.name() + " from byte " + srcOffset + " to " + dstOffset + " overlaps itself (" + bytes + " bytes)");
        int code = clEnqueueCopyBuffer(queue(), src.buffer(), dst.buffer(), srcOffset, dstOffset, bytes, null, null);
        ClErrors.check(code, "copying " + bytes + " bytes from " + src.name() + " to " + dst.name() + " on the device");
        transfers = transfers.copy(bytes);
    }

    /** Enqueues a copy of {@code values} into the start of {@code slice}; returns without waiting (the host copy is kept until a blocking read). */
    public void upload(DeviceArena arena, ArenaLayout.Slice slice, float[] values) {
        ByteBuffer b = stage(slice, (long) values.length * Float.BYTES);
        b.asFloatBuffer().put(values);
        write(arena, slice, b);
    }

    public void upload(DeviceArena arena, ArenaLayout.Slice slice, double[] values) {
        ByteBuffer b = stage(slice, (long) values.length * Double.BYTES);
        b.asDoubleBuffer().put(values);
        write(arena, slice, b);
    }

    /** Reads {@code slice} into {@code out} (as many floats as it holds), waiting for everything enqueued before. */
    public void download(DeviceArena arena, ArenaLayout.Slice slice, float[] out) {
        ByteBuffer b = read(arena, slice, (long) out.length * Float.BYTES);
        try { b.asFloatBuffer().get(out); } finally { MemoryUtil.memFree(b); }
    }

    public void download(DeviceArena arena, ArenaLayout.Slice slice, double[] out) {
        ByteBuffer b = read(arena, slice, (long) out.length * Double.BYTES);
        try { b.asDoubleBuffer().get(out); } finally { MemoryUtil.memFree(b); }
    }

    public void download(DeviceArena arena, ArenaLayout.Slice slice, long[] out) {
        ByteBuffer b = read(arena, slice, (long) out.length * Long.BYTES);
        try { b.asLongBuffer().get(out); } finally { MemoryUtil.memFree(b); }
    }

    /** Waits until the device has run everything enqueued (tests and shutdown; not between kernels). */
    public void finish() {
        ClErrors.check(clFinish(queue()), "clFinish on " + device.describe());
        releaseStaging();
    }

    private ByteBuffer stage(ArenaLayout.Slice slice, long bytes) {
        queue(); // a closed executor would keep the staged copy forever
        if (bytes > slice.bytes())
            throw new IllegalArgumentException(bytes + " bytes do not fit slice '" + slice.name() + "' of " + slice.bytes() + " bytes");
        ByteBuffer b = MemoryUtil.memAlloc(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
        staging.add(b);
        return b;
    }

    private void write(DeviceArena arena, ArenaLayout.Slice slice, ByteBuffer b) {
        int code = clEnqueueWriteBuffer(queue(), arena.buffer(), false, slice.offsetBytes(), b, null, null);
        ClErrors.check(code, "writing " + slice.name() + " to the device");
        transfers = transfers.upload(b.remaining());
    }

    private ByteBuffer read(DeviceArena arena, ArenaLayout.Slice slice, long bytes) {
        if (bytes > slice.bytes())
            throw new IllegalArgumentException("reading " + bytes + " bytes from slice '" + slice.name() + "' of " + slice.bytes() + " bytes");
        ByteBuffer b = MemoryUtil.memAlloc(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
        int code = clEnqueueReadBuffer(queue(), arena.buffer(), true, slice.offsetBytes(), b, null, null);
        if (code != CL_SUCCESS) {
            MemoryUtil.memFree(b);
            ClErrors.check(code, "reading " + slice.name() + " from the device (a kernel before it may have failed)");
        }
        transfers = transfers.download(bytes);
        releaseStaging(); // the blocking read returned, so every earlier write is done
        return b;
    }

    private void releaseStaging() {
        for (ByteBuffer b : staging) MemoryUtil.memFree(b);
        staging.clear();
    }

    /** Waits for the queue, then frees everything; closing twice does nothing. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        clFinish(queue);
        releaseStaging();
        for (ClProgram p : programs.values()) p.release();
        programs.clear();
        for (DeviceArena a : arenas) a.release();
        arenas.clear();
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
