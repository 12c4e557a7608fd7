package dlc.codegen.opencl;

import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.lwjgl.opencl.CL10.*;

/**
 * Finds OpenCL platforms and their devices, picks the default one and resolves a user's choice.
 * Discovery checks every return code: with the ICD loader installed but no platform registered,
 * {@code clGetPlatformIDs} returns -1001 (CL_PLATFORM_NOT_FOUND_KHR) and throws nothing.
 */
public final class Devices {
    private Devices() {}

    private static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    /** Every device of every platform, in discovery order; throws when there is no platform. */
    public static List<ClDevice> list() {
        OpenClLibrary.load();
        List<ClDevice> devices = new ArrayList<>();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            int code = clGetPlatformIDs(null, count);
            if (code == CL_PLATFORM_NOT_FOUND_KHR || code == 0 && count.get(0) == 0)
                throw noPlatform();
            ClErrors.check(code, "clGetPlatformIDs");
            PointerBuffer platforms = stack.mallocPointer(count.get(0));
            ClErrors.check(clGetPlatformIDs(platforms, (IntBuffer) null), "clGetPlatformIDs");
            for (int p = 0; p < platforms.capacity(); p++) {
                long platform = platforms.get(p);
                String platformName = platformString(platform, CL_PLATFORM_NAME);
                for (long device : deviceIds(platform, platformName, stack))
                    devices.add(describe(devices.size(), p, platformName, platform, device));
            }
        }
        if (devices.isEmpty()) throw new OpenClException("the OpenCL platforms have no devices; on Debian, apt-get install " + OpenClLibrary.PACKAGES + " gives a CPU device");
        return List.copyOf(devices);
    }

    static OpenClException noPlatform() {
        return new OpenClException("no OpenCL platform found (clGetPlatformIDs: CL_PLATFORM_NOT_FOUND_KHR); install one, e.g. on Debian: apt-get install "
                + OpenClLibrary.PACKAGES + " (the ICD loader reads /etc/OpenCL/vendors, or the directory in OCL_ICD_VENDORS)");
    }

    /**
     * The device {@code --backend opencl} uses when none is asked for: the first GPU, else the first
     * accelerator, else the first CPU, else the first device.
     */
    public static ClDevice pickDefault(List<ClDevice> devices) {
        if (devices.isEmpty()) throw new OpenClException("no OpenCL device to pick from");
        for (ClDevice.Type t : ClDevice.Type.values())
            for (ClDevice d : devices) if (d.type() == t) return d;
        return devices.get(0);
    }

    /**
     * The device a user's {@code spec} names: null or blank for the default pick, a number for
     * that index, {@code gpu}, {@code accelerator} or {@code cpu} for the first of that kind, anything
     * else a case-insensitive substring of the device's name.
     */
    public static ClDevice select(List<ClDevice> devices, String spec) {
        if (spec == null || spec.isBlank()) return pickDefault(devices);
        String s = spec.strip();
        if (s.chars().allMatch(Character::isDigit)) {
            int i = s.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(s);
            if (i < devices.size()) return devices.get(i);
            throw new OpenClException("no OpenCL device " + s + ": there " + (devices.size() == 1 ? "is 1 device (0)" : "are " + devices.size() + " devices (0 to " + (devices.size() - 1) + ")") + "; dlc devices lists them");
        }
        for (ClDevice.Type t : ClDevice.Type.values()) {
            if (t == ClDevice.Type.OTHER || !t.word().equals(s.toLowerCase(Locale.ROOT))) continue;
            for (ClDevice d : devices) if (d.type() == t) return d;
            throw new OpenClException("no OpenCL device of type " + t.word() + " (found: " + summary(devices) + "); dlc devices lists them");
        }
        String needle = s.toLowerCase(Locale.ROOT);
        for (ClDevice d : devices) if (d.name().toLowerCase(Locale.ROOT).contains(needle)) return d;
        throw new OpenClException("no OpenCL device whose name contains '" + s + "' (found: " + summary(devices) + "); dlc devices lists them");
    }

    /** Discovers the devices and resolves {@code spec} among them (see {@link #select}). */
    public static ClDevice find(String spec) { return select(list(), spec); }

    private static String summary(List<ClDevice> devices) {
        List<String> parts = new ArrayList<>();
        for (ClDevice d : devices) parts.add(d.index() + " " + d.name() + " (" + d.type().word() + ")");
        return String.join(", ", parts);
    }

    private static List<Long> deviceIds(long platform, String platformName, MemoryStack stack) {
        IntBuffer count = stack.mallocInt(1);
        int code = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, null, count);
        if (code == CL_DEVICE_NOT_FOUND) return List.of();
        ClErrors.check(code, "clGetDeviceIDs on platform " + platformName);
        PointerBuffer ids = stack.mallocPointer(count.get(0));
        ClErrors.check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids, (IntBuffer) null), "clGetDeviceIDs on platform " + platformName);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < ids.capacity(); i++) out.add(ids.get(i));
        return out;
    }

    private static ClDevice describe(int index, int platformIndex, String platformName, long platform, long device) {
        long type = deviceLong(device, CL_DEVICE_TYPE);
        ClDevice.Type t = (type & CL_DEVICE_TYPE_GPU) != 0 ? ClDevice.Type.GPU
                : (type & CL_DEVICE_TYPE_ACCELERATOR) != 0 ? ClDevice.Type.ACCELERATOR
                : (type & CL_DEVICE_TYPE_CPU) != 0 ? ClDevice.Type.CPU : ClDevice.Type.OTHER;
        String extensions = deviceString(device, CL_DEVICE_EXTENSIONS);
        return new ClDevice(index, platformIndex, platformName, deviceString(device, CL_DEVICE_NAME), t,
                deviceInt(device, CL_DEVICE_MAX_COMPUTE_UNITS), deviceLong(device, CL_DEVICE_GLOBAL_MEM_SIZE),
                deviceLong(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE), deviceLong(device, CL_DEVICE_LOCAL_MEM_SIZE),
                deviceSize(device, CL_DEVICE_MAX_WORK_GROUP_SIZE), deviceString(device, CL_DEVICE_VERSION),
                deviceString(device, CL_DRIVER_VERSION), extensions.contains("cl_khr_fp64"), platform, device);
    }

    static String platformString(long platform, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClErrors.check(clGetPlatformInfo(platform, param, (ByteBuffer) null, size), "clGetPlatformInfo");
            ByteBuffer value = stack.malloc((int) size.get(0));
            ClErrors.check(clGetPlatformInfo(platform, param, value, null), "clGetPlatformInfo");
            return cString(value);
        }
    }

    static String deviceString(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClErrors.check(clGetDeviceInfo(device, param, (ByteBuffer) null, size), "clGetDeviceInfo");
            ByteBuffer value = org.lwjgl.system.MemoryUtil.memAlloc((int) size.get(0));
            try {
                ClErrors.check(clGetDeviceInfo(device, param, value, null), "clGetDeviceInfo");
                return cString(value);
            } finally {
                org.lwjgl.system.MemoryUtil.memFree(value);
            }
        }
    }

    static int deviceInt(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer v = stack.mallocInt(1);
            ClErrors.check(clGetDeviceInfo(device, param, v, null), "clGetDeviceInfo");
            return v.get(0);
        }
    }

    private static long deviceLong(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            java.nio.LongBuffer v = stack.mallocLong(1);
            ClErrors.check(clGetDeviceInfo(device, param, v, null), "clGetDeviceInfo");
            return v.get(0);
        }
    }

    private static long deviceSize(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer v = stack.mallocPointer(1);
            ClErrors.check(clGetDeviceInfo(device, param, v, null), "clGetDeviceInfo");
            return v.get(0);
        }
    }

    private static String cString(ByteBuffer b) {
        int n = b.remaining();
        while (n > 0 && b.get(b.position() + n - 1) == 0) n--;
        byte[] bytes = new byte[n];
        b.get(b.position(), bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
    }
}
