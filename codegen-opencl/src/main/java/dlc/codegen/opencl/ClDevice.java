package dlc.codegen.opencl;

/**
 * One OpenCL device as discovery found it. {@code index} numbers the devices of every platform
 * in discovery order (what {@code --device N} and {@code dlc devices} use); the handles are valid
 * for the life of the JVM.
 */
public record ClDevice(int index, int platformIndex, String platformName, String name, Type type,
                       int computeUnits, long globalMemBytes, long maxAllocBytes, long localMemBytes,
                       long maxWorkGroupSize, String openclVersion, String driverVersion, boolean fp64,
                       long platformId, long deviceId) {

    /** The device kinds OpenCL reports, in the order the default pick prefers them. */
    public enum Type {
        GPU, ACCELERATOR, CPU, OTHER;

        /** The word the user types and reads: gpu, accelerator, cpu, other. */
        public String word() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** e.g. {@code device 0: pthread-skylake-avx512 (cpu, PoCL platform)}: how messages name it. */
    public String describe() { return "device " + index + ": " + name + " (" + type.word() + ", platform " + platformName + ")"; }
}
