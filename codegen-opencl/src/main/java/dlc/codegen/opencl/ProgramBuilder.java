package dlc.codegen.opencl;

import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.lwjgl.opencl.CL10.*;

/**
 * Builds programs for one device: from the binary cache when it has the program, else from
 * source (then the binary is stored). A program that does not compile is an error whose message
 * quotes the compiler's first error and names a file holding the whole build log and the
 * numbered source; a cached binary the driver rejects is discarded and rebuilt from source.
 */
final class ProgramBuilder {
    private final long context;
    private final ClDevice device;
    private final ProgramCache cache; // null: no cache
    private final Path logDir;

    ProgramBuilder(long context, ClDevice device, ProgramCache cache, Path logDir) {
        this.context = context;
        this.device = device;
        this.cache = cache;
        this.logDir = logDir;
    }

    ClProgram build(ProgramSource program) {
        String key = ProgramCache.key(device, program);
        if (cache != null) {
            Optional<byte[]> binary = cache.load(key);
            if (binary.isPresent()) {
                long h = fromBinary(binary.get(), program);
                if (h != 0) return new ClProgram(h, program.name(), true);
                cache.discard(key);
            }
        }
        long h = fromSource(program, key);
        if (cache != null) {
            byte[] binary = binaryOf(h);
            if (binary != null) cache.store(key, binary);
        }
        return new ClProgram(h, program.name(), false);
    }

    /** The program from a cached binary, or 0 when the driver rejects it (nothing is thrown). */
    private long fromBinary(byte[] binary, ProgramSource program) {
        ByteBuffer bin = MemoryUtil.memAlloc(binary.length);
        try (MemoryStack stack = MemoryStack.stackPush()) {
            bin.put(binary).flip();
            IntBuffer status = stack.mallocInt(1), err = stack.mallocInt(1);
            long h = clCreateProgramWithBinary(context, stack.pointers(device.deviceId()), bin, status, err);
            if (err.get(0) != CL_SUCCESS || status.get(0) != CL_SUCCESS) {
                if (h != 0) clReleaseProgram(h);
                return 0;
            }
            if (clBuildProgram(h, device.deviceId(), program.options(), null, 0) != CL_SUCCESS) {
                clReleaseProgram(h);
                return 0;
            }
            return h;
        } finally {
            MemoryUtil.memFree(bin);
        }
    }

    private long fromSource(ProgramSource program, String key) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long h = clCreateProgramWithSource(context, program.source(), err);
            ClErrors.check(err.get(0), "clCreateProgramWithSource for " + program.name());
            int code = clBuildProgram(h, device.deviceId(), program.options(), null, 0);
            if (code == CL_SUCCESS) return h;
            String log = buildLog(h);
            clReleaseProgram(h);
            if (code != CL_BUILD_PROGRAM_FAILURE && code != CL_INVALID_BUILD_OPTIONS)
                ClErrors.check(code, "building OpenCL program " + program.name() + " on " + device.describe());
            Path file = writeLog(program, key, code, log);
            throw new OpenClException("OpenCL program " + program.name() + " failed to build on " + device.describe() + ": "
                    + firstError(log) + "; build log: " + file);
        }
    }

    private String buildLog(long program) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            if (clGetProgramBuildInfo(program, device.deviceId(), CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, size) != CL_SUCCESS)
                return "(the driver gave no build log)";
            ByteBuffer log = MemoryUtil.memAlloc((int) Math.max(1, size.get(0)));
            try {
                if (clGetProgramBuildInfo(program, device.deviceId(), CL_PROGRAM_BUILD_LOG, log, null) != CL_SUCCESS)
                    return "(the driver gave no build log)";
                return MemoryUtil.memUTF8Safe(log).replace("\0", "").strip();
            } finally {
                MemoryUtil.memFree(log);
            }
        }
    }

    /** The log's first line that mentions an error, else its first line. */
    static String firstError(String log) {
        String first = null;
        for (String line : log.split("\\R")) {
            String l = line.strip();
            if (l.isEmpty()) continue;
            if (first == null) first = l;
            if (l.toLowerCase(java.util.Locale.ROOT).contains("error")) return l;
        }
        return first == null ? "the compiler printed nothing" : first;
    }

    private Path writeLog(ProgramSource program, String key, int code, String log) {
        StringBuilder text = new StringBuilder()
                .append("OpenCL program ").append(program.name()).append(" failed to build: ").append(ClErrors.name(code)).append('\n')
                .append(device.describe()).append(", ").append(device.openclVersion()).append(", driver ").append(device.driverVersion()).append('\n')
                .append("options: ").append(program.options()).append("\n\n--- build log\n").append(log).append("\n\n--- source\n");
        String[] lines = program.source().split("\\R", -1);
        for (int i = 0; i < lines.length; i++) text.append(String.format("%5d  %s%n", i + 1, lines[i]));
        try {
            Files.createDirectories(logDir);
            Path file = logDir.resolve(program.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + key.substring(0, 12) + ".build.log");
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file.toAbsolutePath();
        } catch (IOException e) {
            throw new OpenClException("OpenCL program " + program.name() + " failed to build (" + firstError(log)
                    + "), and its build log could not be written to " + logDir + ": " + e.getMessage());
        }
    }

    /** The device binary of a built program, or null when the driver will not give one. */
    private byte[] binaryOf(long program) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            if (clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, size, null) != CL_SUCCESS || size.get(0) <= 0) return null;
            ByteBuffer bin = MemoryUtil.memAlloc((int) size.get(0));
            try {
                PointerBuffer ptrs = stack.mallocPointer(1).put(0, MemoryUtil.memAddress(bin));
                if (clGetProgramInfo(program, CL_PROGRAM_BINARIES, ptrs, null) != CL_SUCCESS) return null;
                byte[] out = new byte[bin.remaining()];
                bin.get(out);
                return out;
            } finally {
                MemoryUtil.memFree(bin);
            }
        }
    }
}
