package dlc.codegen.opencl;

import org.lwjgl.opencl.CL;
import org.lwjgl.system.Configuration;

/**
 * Loads the system's OpenCL ICD loader into LWJGL, once per JVM. LWJGL's own default looks for
 * {@code libOpenCL.so}, which Debian ships only in the -dev package; the runtime package
 * ({@code ocl-icd-libopencl1}) has {@code libOpenCL.so.1}, so that name is tried next. A name set
 * with LWJGL's {@code -Dorg.lwjgl.opencl.libname=...} is the only one tried. A loader that cannot
 * be found is an {@link OpenClException} naming the packages, never an UnsatisfiedLinkError.
 */
public final class OpenClLibrary {
    private OpenClLibrary() {}

    /** The Debian packages that provide an OpenCL ICD loader and a CPU platform. */
    public static final String PACKAGES = "pocl-opencl-icd ocl-icd-libopencl1";

    /** The ICD loader's file name on Debian, where no unversioned .so exists without the -dev package. */
    static final String DEBIAN_LOADER = "libOpenCL.so.1";

    private static boolean loaded;
    private static String failure;

    /** Loads the loader (idempotent); throws the same one-line error on every call when it cannot. */
    public static synchronized void load() {
        if (loaded) return;
        if (failure != null) throw new OpenClException(failure);
        // LWJGL's CL class would load the library in its static initializer and fail there for good
        Configuration.OPENCL_EXPLICIT_INIT.set(true);
        // LWJGL prints a paragraph of advice to stderr for each name that fails to load; the first
        // may fail by design and the user gets one line from us, so it is muted while loading
        if (Configuration.DEBUG_STREAM.get() == null) Configuration.DEBUG_STREAM.set(LOADER_OUTPUT);
        loaderOutputMuted = true;
        String asked = Configuration.OPENCL_LIBRARY_NAME.get();
        try {
            // LWJGL's own native library (from the natives-linux jar) first, so its failure is not blamed on OpenCL
            org.lwjgl.system.Library.initialize();
        } catch (LinkageError e) {
            failure = "cannot load LWJGL's native library (liblwjgl.so, from the lwjgl natives-linux jar, extracted to a temporary directory): "
                    + firstLine(e.getMessage()) + "; the jar must be on the class path (x86-64 Linux only for now)";
            loaderOutputMuted = false;
            throw new OpenClException(failure, e);
        }
        try {
            try {
                CL.create();
            } catch (UnsatisfiedLinkError first) {
                if (asked != null) throw first;
                Configuration.OPENCL_LIBRARY_NAME.set(DEBIAN_LOADER);
                CL.create();
            }
            loaded = true;
        } catch (LinkageError | IllegalStateException e) {
            failure = "cannot load the OpenCL ICD loader (" + (asked != null ? asked : "libOpenCL.so or " + DEBIAN_LOADER)
                    + "): " + firstLine(e.getMessage()) + "; install an OpenCL loader and platform, e.g. on Debian: apt-get install " + PACKAGES;
            throw new OpenClException(failure, e);
        } finally {
            loaderOutputMuted = false;
        }
    }

    private static volatile boolean loaderOutputMuted;

    /** LWJGL's debug output: stderr, except while the loader is being looked for. */
    private static final java.io.PrintStream LOADER_OUTPUT = new java.io.PrintStream(new java.io.OutputStream() {
        @Override public void write(int b) { if (!loaderOutputMuted) System.err.write(b); }

        @Override public void write(byte[] b, int off, int len) { if (!loaderOutputMuted) System.err.write(b, off, len); }

        @Override public void flush() { System.err.flush(); }
    }, true);

    private static String firstLine(String s) {
        if (s == null) return "not found";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
